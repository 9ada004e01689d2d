#pragma once

// A console process's receiver of batched events: a node sends it one message per tick for
// all the consoles of this process that logged in with it (proto::console_login::receiver),
// and it hands each console its events as a console_event (consoles that share a payload
// share the message: no copy per console) and acknowledges the batches.

#include <caf/fwd.hpp>

namespace frontdesk::console {

/// Spawns the receiver (one per console process; give it to every login).
caf::actor spawn_receiver(caf::actor_system& sys);

/// Makes `console` one of the receiver's consoles. Call it before the console's login is sent:
/// the receiver then knows the console before the first batch for it can come.
void enroll(const caf::actor& receiver, const caf::actor& console);

} // namespace frontdesk::console
