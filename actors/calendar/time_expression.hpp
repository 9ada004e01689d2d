#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

namespace frontdesk::booking {

/// A time a caller mentioned, in the business's local time, as far as they said it.
struct time_mention {
  std::optional<date::year_month_day> day;
  std::optional<std::chrono::minutes> time; // since local midnight
  std::string part_of_day;                  // "morning", "afternoon", "evening" or ""
  bool weekday_today = false; // the day came from a weekday name that is today's ("wednesday")
};

/// A weekday named on that same day means today unless the time has passed: "Wednesday at two"
/// said on a Wednesday at three is next Wednesday. Moves `m` a week on in that case. `now` is
/// minutes since local midnight.
void roll_past_weekday(time_mention& m, std::chrono::minutes now);

/// Finds a day and/or time in a caller's words, as STT writes them ("tomorrow at two p m",
/// "next tuesday morning", "march tenth at four", "two thirty") or with digits ("3/10 at
/// 2:30pm"). `today` is the business's local date. Nothing when no time is mentioned.
///
/// Rules (deliberate, and tested):
/// - "friday", "this friday", "on friday": the coming Friday within the next seven days, today
///   included (roll_past_weekday moves today's to next week once the time named has passed). "next friday": the Friday of next week (Monday-based weeks): the coming Friday
///   when it falls in next week already, else the one after.
/// - A bare hour with no am/pm: 7 to 11 are morning, 12 is noon, 1 to 6 are afternoon; with
///   "morning"/"evening" said, that part of day decides.
/// - A day of the month alone ("the fourteenth") is this month, or next month when it has
///   passed. A month and day that have passed this year are next year.
/// - A bare number counts as a time only after "at", "around", "by" or before "a m"/"p m"/
///   "o'clock", or when the words are nothing but a time ("two thirty").
std::optional<time_mention> parse_time_expression(std::string_view text, date::year_month_day today);

/// "2026-03-05" and "14:00": the forms the dialog and calendar exchange.
std::string iso_day(const date::year_month_day& d);
std::string hhmm(std::chrono::minutes m);

} // namespace frontdesk::booking
