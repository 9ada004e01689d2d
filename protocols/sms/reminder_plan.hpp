#pragma once

#include <chrono>
#include <vector>

#include "protocols/core/time.hpp"

namespace date {
class time_zone;
}

namespace frontdesk::sms {

/// Local wall-clock hours when no reminder goes; `start > end` wraps past midnight
/// (the default, 21:00 to 08:00). Equal start and end: no quiet hours.
struct quiet_hours {
  std::chrono::minutes start{21 * 60};
  std::chrono::minutes end{8 * 60};
};

/// A business's reminder settings.
struct reminder_settings {
  std::vector<std::chrono::minutes> before{std::chrono::hours(24), std::chrono::hours(2)};
  sms::quiet_hours quiet;
};

struct planned_reminder {
  sys_time send_at;
  int offset_minutes = 0; // the setting it came from
};

/// Plans an appointment's reminders. Each goes `before` ahead of `start` in real time (24 h is
/// 24 hours, also across a DST change); one that falls in the quiet hours (in the zone's local
/// time at that instant) goes at their end instead, or not at all when that is not before the
/// start. Reminders already past at `now`, and repeats of one instant, are left out. Sorted by
/// time. Pure: no clock, no database.
std::vector<planned_reminder> plan_reminders(const date::time_zone& zone,
                                             const reminder_settings& s, sys_time start,
                                             sys_time now);

/// The zone by IANA name, or nullptr.
const date::time_zone* find_zone(const std::string& name);

} // namespace frontdesk::sms
