#pragma once

// The operator console program: connects to a node's cluster port (mutual TLS with a console
// certificate of the cluster CA), logs in with a staff token, and either runs one verb
// (`--exec`, printing JSON lines with `--json`) or shows the interactive terminal interface.
// When its node goes away it logs in at the next node of its list and carries on watching.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "actors/cluster/cluster.hpp"

namespace frontdesk::console {

struct client_options {
  std::vector<std::pair<std::string, std::uint16_t>> nodes; // --connect, tried in order
  cluster::settings link;  // TLS files, heartbeats and timeouts (the [cluster] settings)
  std::string token;       // the staff token (FRONTDESK_CONSOLE_TOKEN)
  std::string name = "console"; // what the console calls itself (audit log)
  std::string exec;        // one verb; empty: the interactive interface
  bool json = false;       // JSON lines
  double follow_seconds = 0; // after the verb's reply, print pushed changes this long
  double max_seconds = 600;  // a watch ends with its call, or after this long
  std::string wav;           // listen: the call's audio goes to this WAV file (stereo)
};

/// Exit codes of `--exec`: the verb's result.
enum exit_code : int {
  exit_done = 0,
  exit_failed = 1,
  exit_usage = 2,
  exit_not_applicable = 3,
  exit_refused = 4,
  exit_unreachable = 5, // no node of the list took the login
};

/// Runs the console until the verb is answered (or the watched call ends), or until the user
/// quits the interface; the process's exit code.
int run_client(const client_options& o);

} // namespace frontdesk::console
