#include "protocols/sms/reminder_plan.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

using namespace frontdesk;
using namespace frontdesk::sms;
using namespace std::chrono_literals;

namespace {

sys_time at(const char* s) { return *parse_rfc3339(s); }
const date::time_zone& chicago() { return *find_zone("America/Chicago"); }

} // namespace

TEST(reminder_plan, default_is_24_hours_and_2_hours_before) {
  reminder_settings s;
  // Thursday March 5th 2026, 2 PM CST = 20:00Z; booked days ahead.
  auto plan = plan_reminders(chicago(), s, at("2026-03-05T20:00:00Z"), at("2026-03-01T12:00:00Z"));
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].send_at, at("2026-03-04T20:00:00Z"));
  EXPECT_EQ(plan[0].offset_minutes, 1440);
  EXPECT_EQ(plan[1].send_at, at("2026-03-05T18:00:00Z"));
  EXPECT_EQ(plan[1].offset_minutes, 120);
}

TEST(reminder_plan, a_reminder_in_quiet_hours_goes_when_they_end) {
  reminder_settings s;
  // 9:30 AM appointment: 2 h before is 7:30 AM local, inside 21:00-08:00 -> 8:00 AM.
  auto plan = plan_reminders(chicago(), s, at("2026-03-05T15:30:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[1].send_at, at("2026-03-05T14:00:00Z")); // 8:00 CST
  // The 24 h one (9:30 AM the day before) is outside quiet hours.
  EXPECT_EQ(plan[0].send_at, at("2026-03-04T15:30:00Z"));
}

TEST(reminder_plan, evening_quiet_hours_push_to_the_next_morning) {
  reminder_settings s;
  // An appointment at 10 AM: 13 h before is 9 PM the evening before -> 8 AM.
  s.before = {13h};
  auto plan = plan_reminders(chicago(), s, at("2026-03-05T16:00:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].send_at, at("2026-03-05T14:00:00Z"));
}

TEST(reminder_plan, a_reminder_whose_quiet_end_is_past_the_appointment_is_dropped) {
  reminder_settings s;
  // 8:15 AM appointment: 2 h before is 6:15 AM, quiet until 8:00, still before -> 8:00.
  auto keep = plan_reminders(chicago(), s, at("2026-03-05T14:15:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(keep.size(), 2u);
  EXPECT_EQ(keep[1].send_at, at("2026-03-05T14:00:00Z"));
  // 7:45 AM appointment: the quiet hours end after it -> no 2 h reminder.
  auto drop = plan_reminders(chicago(), s, at("2026-03-05T13:45:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(drop.size(), 1u);
  EXPECT_EQ(drop[0].offset_minutes, 1440);
}

TEST(reminder_plan, reminders_already_past_are_left_out) {
  reminder_settings s;
  // Booked 3 hours ahead: the 24 h reminder is in the past, the 2 h one is not.
  auto plan = plan_reminders(chicago(), s, at("2026-03-05T20:00:00Z"), at("2026-03-05T17:00:00Z"));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].offset_minutes, 120);
  EXPECT_TRUE(plan_reminders(chicago(), s, at("2026-03-05T20:00:00Z"), at("2026-03-05T19:00:00Z")).empty());
}

TEST(reminder_plan, across_the_spring_dst_change_quiet_hours_use_the_new_offset) {
  reminder_settings s;
  s.before = {2h};
  // Sunday March 8th 2026, clocks jump 2:00 CST -> 3:00 CDT (08:00Z). Appointment 8:30 AM CDT
  // = 13:30Z. 2 h before = 11:30Z = 6:30 AM CDT (quiet) -> 8:00 AM CDT = 13:00Z. A fixed CST
  // offset would put 8:00 AM at 14:00Z, after the appointment, and drop it.
  auto plan = plan_reminders(chicago(), s, at("2026-03-08T13:30:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].send_at, at("2026-03-08T13:00:00Z"));
}

TEST(reminder_plan, twenty_four_hours_is_real_time_across_dst) {
  reminder_settings s;
  s.before = {24h};
  // Monday March 9th 10 AM CDT = 15:00Z; 24 h before = Sunday 15:00Z = 10 AM CDT.
  auto plan = plan_reminders(chicago(), s, at("2026-03-09T15:00:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].send_at, at("2026-03-08T15:00:00Z"));
  // Sunday March 8th 10 AM CDT = 15:00Z; 24 h before = Saturday 15:00Z = 9 AM CST.
  plan = plan_reminders(chicago(), s, at("2026-03-08T15:00:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].send_at, at("2026-03-07T15:00:00Z"));
}

TEST(reminder_plan, autumn_dst_change_quiet_end_is_the_later_clock) {
  reminder_settings s;
  s.before = {3h};
  // Sunday November 1st 2026, 2:00 CDT -> 1:00 CST (07:00Z). Appointment 9 AM CST = 15:00Z;
  // 3 h before = 12:00Z = 6 AM CST (quiet) -> 8 AM CST = 14:00Z.
  auto plan = plan_reminders(chicago(), s, at("2026-11-01T15:00:00Z"), at("2026-10-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].send_at, at("2026-11-01T14:00:00Z"));
}

TEST(reminder_plan, no_quiet_hours_and_same_instant_reminders_once) {
  reminder_settings s;
  s.quiet = {0min, 0min};
  s.before = {2h, 120min, 1h};
  auto plan = plan_reminders(chicago(), s, at("2026-03-05T09:00:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 2u); // 3 AM local is fine without quiet hours; 2 h given twice
  EXPECT_EQ(plan[0].send_at, at("2026-03-05T07:00:00Z"));
}

TEST(reminder_plan, daytime_quiet_hours_do_not_wrap) {
  reminder_settings s;
  s.quiet = {12h, 13h}; // lunch
  s.before = {1h};
  auto plan = plan_reminders(chicago(), s, at("2026-03-05T19:30:00Z"), at("2026-03-01T00:00:00Z"));
  ASSERT_EQ(plan.size(), 1u); // 1:30 PM appt: 12:30 is quiet -> 1:00 PM
  EXPECT_EQ(plan[0].send_at, at("2026-03-05T19:00:00Z"));
}
