#pragma once

// The dialog role's actor shell: the conversation engine (engine.hpp) behind a thin shell that
// loads the business, runs the engine (inline, or on the dialog pool when it blocks) and has
// the business's calendar actor run the engine's tools. Actor code only (CAF).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <caf/fwd.hpp>

#include "actors/call/runtime.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk::call {

/// The dialog state a call's dialogs saved last, kept by the call's supervisor so that a
/// dialog it restarts takes the conversation over where the failed one left it.
struct dialog_memory {
  std::mutex mtx;
  std::string state; // the engine's, "" until the first save
  /// The caller's transcript lines the engine had been handed when it saved `state`; the
  /// supervisor counts in a line whose turn died with a failed dialog (the caller is asked to
  /// say it again, as a new line).
  std::int64_t heard = 0;
};

/// Spawns a call's dialog, monitored by `parent` (the call's supervisor). `greet`: the first
/// dialog of the call greets (or resumes a call taken over from another node, from
/// `info.resume_state`); a restarted one takes over mid-call silently from `memory` (the
/// caller hears the supervisor's re-prompt). `calendar` may be empty (the tools then fail).
proto::dialog_actor spawn_dialog(caf::local_actor* parent, call_services* services,
                                 call_info info, proto::supervisor_actor supervisor, bool greet,
                                 proto::calendar_actor calendar,
                                 std::shared_ptr<dialog_memory> memory);

} // namespace frontdesk::call
