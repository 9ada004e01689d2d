#include <gtest/gtest.h>

#include "actors/calendar/availability.hpp"

using namespace frontdesk::booking;
using namespace date;
using namespace std::chrono_literals;
using frontdesk::booking::local_time;
using frontdesk::booking::utc_time;

namespace {

rules dental(const char* zone = "America/New_York") {
  rules r;
  r.zone = zone;
  for (int d = 0; d < 5; ++d) // Monday to Friday, 9 to 5
    r.weekly[static_cast<std::size_t>(d)] = {{9h, 17h}};
  r.length = 60min;
  r.min_notice = 120min;
  r.days_ahead = 30;
  return r;
}

frontdesk::booking::utc_time utc(const char* s) {
  return std::chrono::floor<std::chrono::seconds>(*frontdesk::parse_rfc3339(s));
}

// A local wall time, written like an instant without the offset.
frontdesk::booking::local_time local(const char* s) {
  return local_seconds{utc((std::string(s) + "Z").c_str()).time_since_epoch()};
}

} // namespace

TEST(availability, nine_am_on_the_monday_after_spring_forward_is_13_utc_in_new_york) {
  auto now = utc("2026-03-04T20:00:00Z");
  auto slots = open_slots(dental(), {}, now, local_days{2026_y / March / 9}, local_days{2026_y / March / 9});
  ASSERT_TRUE(slots);
  ASSERT_EQ(slots->size(), 8u);
  EXPECT_EQ(format("%FT%TZ", (*slots)[0].start), "2026-03-09T13:00:00Z");
  // The Friday before the change: 9:00 EST is 14:00 UTC.
  auto fri = open_slots(dental(), {}, now, local_days{2026_y / March / 6}, local_days{2026_y / March / 6});
  EXPECT_EQ(format("%FT%TZ", (*fri)[0].start), "2026-03-06T14:00:00Z");
}

TEST(availability, the_spring_gap_and_the_fall_overlap) {
  rules r = dental();
  r.weekly[6] = {{1h, 4h}}; // open early on Sundays
  // 2026-03-08: 2:00-3:00 does not exist in New York.
  auto spring = open_slots(r, {}, utc("2026-03-01T00:00:00Z"), local_days{2026_y / March / 8},
                           local_days{2026_y / March / 8});
  ASSERT_TRUE(spring);
  ASSERT_EQ(spring->size(), 2u); // 1:00 and 3:00
  EXPECT_EQ(format("%FT%TZ", (*spring)[0].start), "2026-03-08T06:00:00Z");
  EXPECT_EQ(format("%FT%TZ", (*spring)[1].start), "2026-03-08T07:00:00Z");
  // 2026-11-01: 1:00-2:00 happens twice; the earlier instant is used.
  auto fall = open_slots(r, {}, utc("2026-10-25T00:00:00Z"), local_days{2026_y / November / 1},
                         local_days{2026_y / November / 1});
  ASSERT_TRUE(fall);
  ASSERT_GE(fall->size(), 1u);
  EXPECT_EQ(format("%FT%TZ", (*fall)[0].start), "2026-11-01T05:00:00Z");
}

TEST(availability, busy_time_buffers_notice_and_window) {
  rules r = dental();
  r.buffer = 15min;
  auto now = utc("2026-03-09T13:30:00Z"); // Monday 9:30 local
  // 11:00-12:00 local is booked (15:00-16:00 UTC).
  std::vector<busy_interval> busy{{utc("2026-03-09T15:00:00Z"), utc("2026-03-09T16:00:00Z")}};
  auto slots = open_slots(r, busy, now, local_days{2026_y / March / 9}, local_days{2026_y / March / 9});
  ASSERT_TRUE(slots);
  std::vector<std::string> starts;
  for (auto& s : *slots)
    starts.push_back(format("%H:%M", s.local_start));
  // 9:00 and 10:00 are too soon (2 h notice from 9:30 → 11:30); 11:00 is booked; 12:00 is
  // inside the 15-minute buffer after it; 13:00 on is open.
  EXPECT_EQ(starts, (std::vector<std::string>{"13:00", "14:00", "15:00", "16:00"}));
  auto far = open_slots(r, {}, now, local_days{2026_y / May / 1}, local_days{2026_y / May / 8});
  ASSERT_TRUE(far);
  EXPECT_TRUE(far->empty()); // beyond 30 days ahead
}

TEST(availability, overrides_close_a_day_or_change_its_hours) {
  rules r = dental();
  r.overrides[local_days{2026_y / March / 10}] = {};             // closed
  r.overrides[local_days{2026_y / March / 11}] = {{10h, 12h}};   // short day
  auto now = utc("2026-03-04T20:00:00Z");
  auto closed = open_slots(r, {}, now, local_days{2026_y / March / 10}, local_days{2026_y / March / 10});
  EXPECT_TRUE(closed->empty());
  auto short_day = open_slots(r, {}, now, local_days{2026_y / March / 11}, local_days{2026_y / March / 11});
  ASSERT_EQ(short_day->size(), 2u);
  EXPECT_EQ(format("%H:%M", (*short_day)[0].local_start), "10:00");
}

TEST(availability, a_taken_slot_gets_the_three_nearest_alternatives_same_day_first) {
  rules r = dental();
  auto now = utc("2026-03-04T20:00:00Z");
  // Thursday the 5th: 13:00-15:00 local taken (18:00-20:00 UTC).
  std::vector<busy_interval> busy{{utc("2026-03-05T18:00:00Z"), utc("2026-03-05T20:00:00Z")}};
  auto c = check(r, busy, now, local("2026-03-05T14:00:00"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->why, refusal::taken);
  ASSERT_EQ(c->alternatives.size(), 3u);
  std::vector<std::string> alt;
  for (auto& s : c->alternatives)
    alt.push_back(format("%F %H:%M", s.local_start));
  EXPECT_EQ(alt, (std::vector<std::string>{"2026-03-05 12:00", "2026-03-05 15:00", "2026-03-05 16:00"}));
}

TEST(availability, refusals_say_why) {
  rules r = dental();
  auto now = utc("2026-03-04T20:00:00Z"); // Wednesday 15:00 local
  EXPECT_EQ(check(r, {}, now, local("2026-03-07T10:00:00"))->why, refusal::closed); // Saturday
  EXPECT_EQ(check(r, {}, now, local("2026-03-05T08:00:00"))->why, refusal::outside_hours);
  EXPECT_EQ(check(r, {}, now, local("2026-03-05T16:30:00"))->why, refusal::outside_hours);
  EXPECT_EQ(check(r, {}, now, local("2026-03-04T16:00:00"))->why, refusal::too_soon);
  EXPECT_EQ(check(r, {}, now, local("2026-05-04T10:00:00"))->why, refusal::too_far);
  EXPECT_EQ(check(r, {}, now, local("2026-03-05T10:00:00"))->why, refusal::none);
  auto out = check(r, {}, now, local("2026-03-07T10:00:00"));
  ASSERT_EQ(out->alternatives.size(), 3u); // the nearest weekdays
}

TEST(availability, options_for_a_day_and_part_of_day_and_speaking) {
  rules r = dental();
  auto now = utc("2026-03-04T20:00:00Z");
  auto morning = day_options(r, {}, now, local_days{2026_y / March / 5}, "morning");
  ASSERT_EQ(morning->size(), 3u);
  EXPECT_EQ(speak((*morning)[0].local_start), "Thursday, March 5th at 9:00 AM");
  auto afternoon = day_options(r, {}, now, local_days{2026_y / March / 5}, "afternoon");
  EXPECT_EQ(speak((*afternoon)[0].local_start), "Thursday, March 5th at 12:00 PM");
  EXPECT_EQ(speak(local("2026-03-22T14:30:00")), "Sunday, March 22nd at 2:30 PM");
  EXPECT_FALSE(open_slots(dental("Nowhere/Land"), {}, now, local_days{}, local_days{}));
}

TEST(availability, the_earliest_openings_across_days_for_a_next_available) {
  rules r = dental();
  // Wednesday 15:00 in New York: today is past its last bookable start (16:00 needs an hour's
  // notice and the day ends at 17:00), so the first openings are Thursday's.
  auto now = utc("2026-03-04T20:00:00Z");
  // Thursday 9:00-10:00 local taken (14:00-15:00 UTC).
  std::vector<busy_interval> busy{{utc("2026-03-05T14:00:00Z"), utc("2026-03-05T15:00:00Z")}};
  auto first = earliest_options(r, busy, now, "");
  ASSERT_TRUE(first);
  std::vector<std::string> got;
  for (auto& s : *first)
    got.push_back(format("%F %H:%M", s.local_start));
  EXPECT_EQ(got, (std::vector<std::string>{"2026-03-05 10:00", "2026-03-05 11:00",
                                           "2026-03-05 12:00"}));
  // In the afternoon only, and crossing into the next day when one day has too few.
  auto afternoon = earliest_options(r, busy, now, "afternoon", 6);
  ASSERT_TRUE(afternoon);
  ASSERT_EQ(afternoon->size(), 6u);
  EXPECT_EQ(format("%F %H:%M", (*afternoon)[0].local_start), "2026-03-05 12:00");
  EXPECT_EQ(format("%F %H:%M", (*afternoon)[5].local_start), "2026-03-06 12:00");
  EXPECT_FALSE(earliest_options(dental("Nowhere/Land"), {}, now, ""));
}

// A time said with no day: today's while it can still be booked, else the next day with it.
TEST(availability, a_time_alone_is_todays_while_it_can_be_booked) {
  rules r = dental(); // Monday to Friday 9 to 5, two hours' notice, one-hour visits
  auto wednesday_3pm = utc("2026-03-04T20:00:00Z");
  auto day = [&](utc_time now, std::chrono::minutes tod) {
    auto d = day_of_time_alone(r, now, tod);
    EXPECT_TRUE(d);
    return d ? std::string(date::format("%F", *d)) : std::string();
  };
  EXPECT_EQ(day(utc("2026-03-04T13:00:00Z"), 15h + 15min), "2026-03-04"); // 8 AM: today
  EXPECT_EQ(day(wednesday_3pm, 15h + 15min), "2026-03-05");             // too soon: tomorrow
  EXPECT_EQ(day(wednesday_3pm, 10h), "2026-03-05");                      // passed today
  auto friday_3pm = utc("2026-03-06T20:00:00Z");
  EXPECT_EQ(day(friday_3pm, 10h), "2026-03-09"); // the weekend is closed: Monday
  EXPECT_EQ(day(friday_3pm, 20h), "2026-03-06"); // not too soon: today, where it is out of hours
}
