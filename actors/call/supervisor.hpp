#pragma once

// The call's supervisor: owns the call, spawns its children and routes between them, restarts
// a failed child (restart_policy, supervision.hpp). Actor code only (CAF).

#include <functional>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/call/runtime.hpp"
#include "actors/vad/audio_route.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk {
class worker_pool;
}

namespace frontdesk::call {

/// The pool that writes a call's recording, or null when calls are not recorded.
worker_pool* recording_pool(const call_services& s);

/// Spawns a call's supervisor, which spawns its children at once. `calendar`: the business's
/// calendar actor (may be empty); `route`: where the edge's caller frames go (the supervisor
/// attaches the listener and, when recording, the media actor).
proto::supervisor_actor spawn_supervisor(caf::actor_system& sys, call_info info,
                                         std::shared_ptr<media_out> out,
                                         std::function<void(call_report)> on_end,
                                         call_services* services, proto::calendar_actor calendar,
                                         std::shared_ptr<audio_route> route);

} // namespace frontdesk::call
