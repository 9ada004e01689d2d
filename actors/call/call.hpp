#pragma once

#include <string>

#include "protocols/call/call_port.hpp"

namespace frontdesk::call {

/// Starts calls as actor trees (the node's implementation of the edge's call port).
class call_runtime : public call_port {
public:
  /// Ends every live call with `reason` (node shutdown after the drain time).
  virtual void end_all(const std::string& reason) = 0;
  /// Stops what calls share (the businesses' calendar actors); before the actor system goes.
  virtual void shutdown() {}
};

} // namespace frontdesk::call
