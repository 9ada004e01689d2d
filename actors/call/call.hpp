#pragma once

#include <string>

#include "protocols/call/call_port.hpp"

namespace frontdesk::call {

/// Starts calls as actor trees (the node's implementation of the edge's call port).
class call_runtime : public call_port {
public:
  /// Ends every live call with `reason` (node shutdown after the drain time).
  virtual void end_all(const std::string& reason) = 0;
  /// An operator's command for the live call `call_id` (the console's steering verbs):
  /// `verb` is say, hold-ai, resume-ai, transfer or hangup; `arg` the text or the number.
  /// False when no such call lives here. Otherwise `done(result, detail)` runs once, on an
  /// actor thread ("done", "not_applicable" or "failed"); the call never waits on it.
  virtual bool control(const std::string& call_id, const std::string& verb, const std::string& arg,
                       bool interrupt, std::function<void(std::string, std::string)> done) {
    (void)call_id, (void)verb, (void)arg, (void)interrupt, (void)done;
    return false;
  }
  /// Stops what calls share (the businesses' calendar actors); before the actor system goes.
  virtual void shutdown() {}
};

} // namespace frontdesk::call
