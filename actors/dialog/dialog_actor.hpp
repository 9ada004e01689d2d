#pragma once

// The dialog role's actor shell: the conversation engine (engine.hpp) behind a thin shell that
// loads the business, runs the engine (inline, or on the dialog pool when it blocks) and has
// the business's calendar actor run the engine's tools. Actor code only (CAF).

#include <caf/fwd.hpp>

#include "actors/call/runtime.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk::call {

/// Spawns a call's dialog, monitored by `parent` (the call's supervisor). `greet`: the first
/// dialog of the call greets; a restarted one takes over mid-call. `calendar` may be empty
/// (the tools then fail).
proto::dialog_actor spawn_dialog(caf::local_actor* parent, call_services* services,
                                 call_info info, proto::supervisor_actor supervisor, bool greet,
                                 proto::calendar_actor calendar);

} // namespace frontdesk::call
