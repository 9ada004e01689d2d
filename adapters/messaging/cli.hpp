#pragma once

#include <string>

namespace frontdesk {
struct config;
class clock;
} // namespace frontdesk

namespace frontdesk::messaging {

/// `frontdesk outbox ...` for operators.
struct outbox_command {
  std::string action; // list | retry | drop | run
  std::string status; // list: only rows in this status
  int limit = 50;     // list
  long long id = 0;   // retry, drop
  int max_seconds = 0; // run: stop after this long even if rows are still due (0: no limit)
};

/// Runs one outbox command against the configured database and prints its result. `run`
/// carries out the due rows on this process (with the configured sender) until none is due,
/// then exits. Returns the process exit code (0 done, 1 failed, 2 usage: no such row).
int run_outbox_command(const config& cfg, const clock& clk, const outbox_command& c);

} // namespace frontdesk::messaging
