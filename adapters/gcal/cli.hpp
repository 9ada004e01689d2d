#pragma once

#include <string>

namespace frontdesk {
struct config;
class clock;
} // namespace frontdesk

namespace frontdesk::gcal {

/// `frontdesk calendar connect|status|disconnect`.
struct calendar_command {
  std::string action; // connect | status | disconnect
  std::string business_id;
  std::string calendar_id = "primary";
  bool busy_only = false;
  bool json = false;
};

/// Runs one calendar subcommand; returns the process's exit code (0, 1 failed, 2 usage).
int run_calendar_command(const config& cfg, const clock& clk, const calendar_command& c);

} // namespace frontdesk::gcal
