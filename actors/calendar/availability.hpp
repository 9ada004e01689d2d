#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::booking {

using std::chrono::minutes;
using utc_time = std::chrono::sys_seconds;
using local_time = date::local_seconds;

/// Opening ranges of one day, in local wall time since midnight.
using day_hours = std::vector<std::pair<minutes, minutes>>;

/// A business's booking rules.
struct rules {
  std::string zone;                     // IANA zone
  std::array<day_hours, 7> weekly;      // Monday = 0 ... Sunday = 6
  std::map<date::local_days, day_hours> overrides; // a date's own hours; empty = closed
  minutes length{30};
  minutes buffer{0};                    // kept free around every appointment
  minutes min_notice{120};
  int days_ahead = 30;
  minutes step{0};                      // slot grid; 0: the appointment length
};

/// A time range [start, end) in UTC.
struct busy_interval {
  utc_time start, end;
};

/// An open slot.
struct slot {
  utc_time start, end;
  local_time local_start;
};

/// Open slots whose local date lies in [from, to], in order. Each date is expanded in the
/// business's zone on its own, so a 9:00 opening is 9:00 local on both sides of a DST change.
/// A local time that does not exist (spring-forward gap) is skipped; one that exists twice
/// (fall-back) is the earlier instant.
expected<std::vector<slot>> open_slots(const rules& r, const std::vector<busy_interval>& busy,
                                       utc_time now, date::local_days from, date::local_days to);

/// Why a requested start cannot be booked.
enum class refusal { none, closed, outside_hours, too_soon, too_far, taken, bad_time };
const char* to_string(refusal r);

struct check_result {
  refusal why = refusal::none; // none: bookable
  slot requested;
  std::vector<slot> alternatives; // the three nearest open slots: same day first
};

/// Whether a requested local start can be booked, and if not, why and the nearest alternatives.
expected<check_result> check(const rules& r, const std::vector<busy_interval>& busy, utc_time now,
                             local_time requested);

/// The day a time said with no day means: today unless that time is past or too soon today,
/// else the next day (within a week) whose hours hold it, else tomorrow. "A quarter past three"
/// said at three is tomorrow's, as a receptionist would take it.
expected<date::local_days> day_of_time_alone(const rules& r, utc_time now, minutes time_of_day);

/// The first open slots of one day (optionally in a part of day: morning before noon,
/// afternoon noon to 5 PM, evening after), at most `limit`.
expected<std::vector<slot>> day_options(const rules& r, const std::vector<busy_interval>& busy,
                                        utc_time now, date::local_days day,
                                        const std::string& part_of_day, std::size_t limit = 3);

/// The earliest open slots from now on, across days (optionally in a part of day), at most
/// `limit`: what a receptionist offers a caller who asks for the next available. `busy` must
/// cover the days searched (today to `days_ahead`).
expected<std::vector<slot>> earliest_options(const rules& r, const std::vector<busy_interval>& busy,
                                             utc_time now, const std::string& part_of_day,
                                             std::size_t limit = 3);

/// "Thursday, March 5th at 2:00 PM" / "2:30 PM" for speaking.
std::string speak(local_time t);

/// The business's local date and time now.
expected<local_time> to_local(const std::string& zone, utc_time t);

} // namespace frontdesk::booking
