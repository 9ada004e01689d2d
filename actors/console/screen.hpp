#pragma once

// The console's interactive terminal interface (ncurses): live calls on the left, the selected
// call's conversation on the right, a command line and the keys at the bottom.

#include <caf/fwd.hpp>

#include "actors/console/client.hpp"

namespace frontdesk::console {

/// Runs the interface until the user quits (q); the exit code.
int run_screen(caf::actor_system& sys, caf::scoped_actor& self, const client_options& o);

} // namespace frontdesk::console
