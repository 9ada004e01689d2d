#pragma once

// The listener role's actor shell: recognition of the turns the VAD cut (audio_route.hpp), on
// the speech pool. Actor code only (CAF).

#include <memory>

#include <caf/fwd.hpp>

#include "actors/call/runtime.hpp"
#include "actors/vad/audio_route.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk::call {

/// Spawns a call's listener, monitored by `parent` (the call's supervisor). It lends its VAD to
/// `route` (may be null) and tells it the agent's speaking and the expected answer.
proto::listener_actor spawn_listener(caf::local_actor* parent, proto::supervisor_actor supervisor,
                                     call_services* services, call_info info,
                                     std::shared_ptr<audio_route> route);

} // namespace frontdesk::call
