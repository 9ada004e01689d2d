// The calendar actor's view of a business's busy time, and check_slot answered from it: what it
// counts as busy, what it keeps over a newer read, and when it declines to answer.
#include "actors/calendar/slot_view.hpp"

#include <gtest/gtest.h>

#include "actors/calendar/calendar.hpp"
#include "protocols/core/time.hpp"

using namespace frontdesk;
using namespace frontdesk::booking;
using namespace std::chrono_literals;

namespace {

utc_time at(const char* rfc3339) {
  return std::chrono::floor<std::chrono::seconds>(*parse_rfc3339(rfc3339));
}

// Wednesday 4 March 2026, 3 PM in Chicago.
const sys_time now_us = *parse_rfc3339("2026-03-04T21:00:00Z");
const utc_time now = at("2026-03-04T21:00:00Z");

business_profile dentist() {
  business_profile p;
  p.id = "b1";
  p.timezone = "America/Chicago";
  p.booking.zone = p.timezone;
  p.booking.length = 60min;
  p.booking.min_notice = 60min;
  for (int d = 0; d < 5; ++d)
    p.booking.weekly[static_cast<std::size_t>(d)] = {{9h, 17h}};
  return p;
}

// A read of a month around now.
slot_view read_of(std::vector<busy_entry> entries, bool linked = false) {
  return slot_view(std::move(entries), now - 48h, now + 24h * 33, linked);
}

busy_entry booked(const char* start, const char* end, const char* id) {
  return {at(start), at(end), id, "", false, {}};
}

busy_entry held(const char* start, const char* end, const char* call, utc_time expires) {
  return {at(start), at(end), std::string("hold-") + call, call, true, expires};
}

dialog::tool_call check_at(const char* date, const char* time) {
  return {"check_slot", {{"date", date}, {"time", time}}};
}

} // namespace

TEST(slot_view, busy_time_leaves_out_expired_holds_the_moved_appointment_and_the_calls_own_hold) {
  auto v = read_of({booked("2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z", "a1"),
                    held("2026-03-05T18:00:00Z", "2026-03-05T19:00:00Z", "c1", now + 5min),
                    held("2026-03-05T20:00:00Z", "2026-03-05T21:00:00Z", "c2", now - 1min)});
  auto day = [&](const std::string& ignore, const std::string& own) {
    return v.busy(at("2026-03-05T00:00:00Z"), at("2026-03-06T00:00:00Z"), now, ignore, own).size();
  };
  EXPECT_EQ(day("", ""), 2u) << "the expired hold is not busy";
  EXPECT_EQ(day("a1", ""), 1u) << "the appointment being moved is not busy for its move";
  EXPECT_EQ(day("", "c1"), 1u) << "a call's own hold is not busy for it";
  EXPECT_EQ(v.busy(at("2026-03-06T00:00:00Z"), at("2026-03-07T00:00:00Z"), now, "", "").size(), 0u);
  EXPECT_EQ(v.length_of("a1"), std::chrono::seconds(3600));
  EXPECT_FALSE(v.length_of("unknown"));
}

TEST(slot_view, a_call_holds_one_slot_and_a_release_frees_what_it_held_read_or_taken_here) {
  auto v = read_of({held("2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z", "c1", now + 5min)});
  auto busy = [&] {
    return v.busy(at("2026-03-05T00:00:00Z"), at("2026-03-06T00:00:00Z"), now, "", "");
  };
  v.hold("c1", "h2", at("2026-03-05T18:00:00Z"), at("2026-03-05T19:00:00Z"), now + 5min);
  ASSERT_EQ(busy().size(), 1u) << "the new hold replaces the call's earlier one";
  EXPECT_EQ(busy()[0].start, at("2026-03-05T18:00:00Z"));
  v.hold("c2", "h3", at("2026-03-05T15:00:00Z"), at("2026-03-05T16:00:00Z"), now + 5min);
  EXPECT_EQ(busy().size(), 2u);
  v.release("c1");
  ASSERT_EQ(busy().size(), 1u);
  EXPECT_EQ(busy()[0].start, at("2026-03-05T15:00:00Z"));
}

TEST(slot_view, what_was_taken_here_outlives_a_read_that_may_have_missed_it) {
  auto v = read_of({});
  auto busy = [](const slot_view& x) {
    return x.busy(at("2026-03-05T00:00:00Z"), at("2026-03-06T00:00:00Z"), now, "", "").size();
  };
  v.hold("c1", "h1", at("2026-03-05T16:00:00Z"), at("2026-03-05T17:00:00Z"), now + 5min);
  auto before_booking = v.mark();
  v.took(booked("2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z", "a1")); // c1's hold, booked
  v.release("c1");
  // A read sent off before the booking was made cannot have it: the booking stays.
  v.replace(read_of({}), before_booking);
  EXPECT_EQ(busy(v), 1u);
  EXPECT_EQ(v.length_of("a1"), std::chrono::seconds(3600));
  // A read sent off after it has it (or, if it does not, it was cancelled elsewhere).
  v.replace(read_of({booked("2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z", "a1")}), v.mark());
  EXPECT_EQ(busy(v), 1u) << "once, from the read";
  v.replace(read_of({}), v.mark());
  EXPECT_EQ(busy(v), 0u);
  // A hold granted here stays over any read until released: its write may still be queued.
  v.hold("c2", "h2", at("2026-03-05T18:00:00Z"), at("2026-03-05T19:00:00Z"), now + 5min);
  v.replace(read_of({}), v.mark());
  EXPECT_EQ(busy(v), 1u);
  v.cancelled("a9"); // not in the view: nothing changes
  EXPECT_EQ(busy(v), 1u);
}

TEST(slot_view, a_taken_slot_is_answered_with_the_nearest_alternatives_and_a_free_one_is_held) {
  auto biz = dentist();
  auto v = read_of({booked("2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z", "a1")}); // 10 AM
  auto taken = calendar_service::answer_from_view(biz, v, "c1", check_at("2026-03-05", "10:00"),
                                                  now_us);
  ASSERT_TRUE(taken);
  EXPECT_FALSE(taken->result.ok);
  EXPECT_EQ(taken->result.values["reason"], "taken");
  EXPECT_EQ(taken->result.option_values,
            (std::vector<std::string>{"2026-03-05T09:00", "2026-03-05T11:00", "2026-03-05T12:00"}));
  EXPECT_FALSE(taken->hold);

  auto free = calendar_service::answer_from_view(biz, v, "c1", check_at("2026-03-05", "11:00"),
                                                 now_us);
  ASSERT_TRUE(free);
  EXPECT_TRUE(free->result.ok);
  EXPECT_EQ(free->result.values["start"], "2026-03-05T11:00");
  ASSERT_TRUE(free->hold);
  EXPECT_EQ(free->hold->start, at("2026-03-05T17:00:00Z"));
  EXPECT_EQ(free->hold->end, at("2026-03-05T18:00:00Z"));
  EXPECT_EQ(free->hold->call_id, "c1");
  EXPECT_EQ(free->hold->appointment_id.size(), 36u) << "a uuid, the hold's row id to be";
  EXPECT_EQ(free->result.values["hold_id"], free->hold->appointment_id);

  // Once held in the view, the next caller is refused that slot.
  v.hold("c1", free->hold->appointment_id, free->hold->start, free->hold->end, free->hold->expires);
  auto second = calendar_service::answer_from_view(biz, v, "c2", check_at("2026-03-05", "11:00"),
                                                   now_us);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->result.values["reason"], "taken");
  // The holder itself may check it again.
  auto again = calendar_service::answer_from_view(biz, v, "c1", check_at("2026-03-05", "11:00"),
                                                  now_us);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->result.ok);

  // Refusals that are no one's busy time: closed, too soon, a day with no time (its openings).
  auto sunday = calendar_service::answer_from_view(biz, v, "c3", check_at("2026-03-08", "10:00"),
                                                   now_us);
  ASSERT_TRUE(sunday);
  EXPECT_EQ(sunday->result.values["reason"], "closed");
  auto day = calendar_service::answer_from_view(
      biz, v, "c3", {"check_slot", {{"date", "2026-03-05"}, {"time", ""}}}, now_us);
  ASSERT_TRUE(day);
  EXPECT_EQ(day->result.values["reason"], "need_time");
  EXPECT_EQ(day->result.option_values.front(), "2026-03-05T09:00");
}

TEST(slot_view, it_declines_what_the_database_or_the_owners_calendar_must_answer) {
  auto biz = dentist();
  auto v = read_of({booked("2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z", "a1")}, true);
  // A linked calendar is asked live before a free slot is held: not from the view.
  EXPECT_FALSE(calendar_service::answer_from_view(biz, v, "c1", check_at("2026-03-05", "11:00"),
                                                  now_us));
  // Other tools are the database's.
  EXPECT_FALSE(calendar_service::answer_from_view(
      biz, v, "c1", {"book", {{"start", "2026-03-05T11:00"}}}, now_us));
  // Moving an appointment the view does not know: its length is unknown here.
  auto unlinked = read_of({});
  auto move = check_at("2026-03-05", "11:00");
  move.args["ignore_appointment"] = "a-unknown";
  EXPECT_FALSE(calendar_service::answer_from_view(biz, unlinked, "c1", move, now_us));
  // A read made long ago no longer covers the days to answer for.
  slot_view old({}, now - 24h * 5, now + 24h * 3, false);
  EXPECT_FALSE(calendar_service::answer_from_view(biz, old, "c1", check_at("2026-03-05", "11:00"),
                                                  now_us));
  // A move of a known appointment keeps its own length (two hours here).
  auto known = read_of({booked("2026-03-09T15:00:00Z", "2026-03-09T17:00:00Z", "a2")});
  move.args["ignore_appointment"] = "a2";
  auto moved = calendar_service::answer_from_view(biz, known, "c1", move, now_us);
  ASSERT_TRUE(moved);
  ASSERT_TRUE(moved->hold);
  EXPECT_EQ(moved->hold->end - moved->hold->start, std::chrono::seconds(7200));
}
