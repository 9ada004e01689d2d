#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/call/call.hpp"

namespace frontdesk::call {

/// The call runtime on a CAF actor system. The system must have loaded the frontdesk type ids.
std::unique_ptr<call_runtime> make_call_runtime(caf::actor_system& sys);

/// Adds the project's message types to an actor system configuration.
void add_message_types(caf::actor_system_config& cfg);

} // namespace frontdesk::call
