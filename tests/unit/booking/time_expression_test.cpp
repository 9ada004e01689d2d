#include <gtest/gtest.h>

#include "actors/calendar/time_expression.hpp"

using namespace frontdesk::booking;
using namespace date;

namespace {

// Wednesday, March 4th 2026.
const year_month_day wednesday{2026_y / March / 4};

struct expect {
  const char* text;
  const char* day; // "" when no day
  const char* time; // "" when no time
  const char* part = "";
};

void check(const expect& e, year_month_day today = wednesday) {
  auto m = parse_time_expression(e.text, today);
  ASSERT_TRUE(m) << e.text;
  EXPECT_EQ(m->day ? iso_day(*m->day) : "", e.day) << e.text;
  EXPECT_EQ(m->time ? hhmm(*m->time) : "", e.time) << e.text;
  EXPECT_EQ(m->part_of_day, e.part) << e.text;
}

} // namespace

TEST(time_expression, spoken_as_stt_writes_it) {
  for (auto& e : std::vector<expect>{
           {"tomorrow at two p m", "2026-03-05", "14:00"},
           {"tomorrow at 2pm", "2026-03-05", "14:00"},
           {"tomorrow at 2:30 pm", "2026-03-05", "14:30"},
           {"next tuesday morning", "2026-03-10", "", "morning"},
           {"this friday at ten", "2026-03-06", "10:00"},
           {"a week from today at noon", "2026-03-11", "12:00"},
           {"the day after tomorrow", "2026-03-06", ""},
           {"march tenth at four", "2026-03-10", "16:00"},
           {"march 10th at 4:30 pm", "2026-03-10", "16:30"},
           {"two thirty", "", "14:30"},
           {"noon", "", "12:00"},
           {"ten thirty a m", "", "10:30"},
           {"at three", "", "15:00"},
           {"at eleven", "", "11:00"},
           {"monday", "2026-03-09", ""},
           {"today", "2026-03-04", ""},
           {"this afternoon", "2026-03-04", "", "afternoon"}, // today's
           {"the fourteenth", "2026-03-14", ""},
           {"the second", "2026-04-02", ""}, // passed this month: next month
           {"thursday at nine a m", "2026-03-05", "09:00"},
           {"friday at four p m", "2026-03-06", "16:00"},
           {"wednesday afternoon", "2026-03-04", "", "afternoon"},
           {"quarter past two", "", "14:15"},
           {"half past ten", "", "10:30"},
           {"quarter to three", "", "14:45"},
           {"ten oh five", "", "10:05"},
           {"at seven in the evening", "", "19:00", "evening"},
           {"in two days", "2026-03-06", ""},
           {"the tenth of march", "2026-03-10", ""},
           {"3/10 at 2:30pm", "2026-03-10", "14:30"},
           {"january fifth", "2027-01-05", ""}, // passed this year: next year
           {"march twenty first at eleven", "2026-03-21", "11:00"},
           {"two in the afternoon", "", "14:00", "afternoon"},
           {"twenty past nine tomorrow", "2026-03-05", "09:20"},
           {"ten to eleven on tuesday", "2026-03-10", "10:50"},
           {"a week from friday", "2026-03-13", ""},
           {"not thursday, friday", "2026-03-06", ""},
           {"friday at ten a m, not at two", "2026-03-06", "10:00"},
           {"sometime after lunch tomorrow", "2026-03-05", "", "afternoon"},
       })
    check(e);
}

TEST(time_expression, this_and_next_weekday) {
  // On Wednesday the 4th: this friday = the 6th, next friday = the 13th (next week);
  // next monday = the 9th (already next week).
  check({"this friday", "2026-03-06", ""});
  check({"friday", "2026-03-06", ""});
  check({"next friday", "2026-03-13", ""});
  check({"next monday", "2026-03-09", ""});
  check({"wednesday", "2026-03-04", ""}); // today
  check({"next wednesday", "2026-03-11", ""});
  // On a Sunday, "next monday" is tomorrow's week: the 9th.
  check({"next monday", "2026-03-09", ""}, year_month_day{2026_y / March / 8});
}

TEST(time_expression, numbers_that_are_not_times) {
  EXPECT_FALSE(parse_time_expression("my number is five five five one two three four", wednesday));
  EXPECT_FALSE(parse_time_expression("i'd like to book a cleaning", wednesday));
  EXPECT_FALSE(parse_time_expression("", wednesday));
  EXPECT_FALSE(parse_time_expression("yes please", wednesday));
  EXPECT_FALSE(parse_time_expression("i've got two kids", wednesday));
  EXPECT_FALSE(parse_time_expression("the first one", wednesday));
  auto misheard = parse_time_expression("i need to book four monday at ten a m", wednesday);
  ASSERT_TRUE(misheard);
  EXPECT_EQ(hhmm(*misheard->time), "10:00"); // the explicit time, not the stray "four"
  auto count = parse_time_expression("in two days", wednesday);
  ASSERT_TRUE(count);
  EXPECT_FALSE(count->time);
}

TEST(time_expression, garbage_is_nothing_not_a_crash) {
  for (auto s : {"::::", "/ / /", "99/99", "march", "the", "at", "next", "half past", "quarter to",
                 "13:75", "the thirty fifth", "february thirtieth", "a week from", "twenty"})
    (void)parse_time_expression(s, wednesday);
  EXPECT_FALSE(parse_time_expression("february thirtieth", wednesday));
  EXPECT_FALSE(parse_time_expression("2/57", wednesday)); // found by the fuzzer
  EXPECT_FALSE(parse_time_expression("2/30", wednesday));
  EXPECT_FALSE(parse_time_expression("0000000000000000:000004000000000000000+00", wednesday));
  EXPECT_FALSE(parse_time_expression("quarter to zero", wednesday));
  EXPECT_FALSE(parse_time_expression("the 11111111111111111111th", wednesday)); // fuzzer
}

TEST(time_expression, todays_weekday_rolls_to_next_week_once_its_time_has_passed) {
  using namespace std::chrono;
  auto m = parse_time_expression("wednesday at two p m", wednesday);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->weekday_today);
  roll_past_weekday(*m, hours{15}); // said at 3 PM
  EXPECT_EQ(iso_day(*m->day), "2026-03-11");
  auto later = parse_time_expression("wednesday at four p m", wednesday);
  roll_past_weekday(*later, hours{15});
  EXPECT_EQ(iso_day(*later->day), "2026-03-04"); // still ahead today
  auto morning = parse_time_expression("wednesday morning", wednesday);
  roll_past_weekday(*morning, hours{15});
  EXPECT_EQ(iso_day(*morning->day), "2026-03-11");
  auto dated = parse_time_expression("wednesday march eleventh at three p m", wednesday);
  roll_past_weekday(*dated, hours{15});
  EXPECT_EQ(iso_day(*dated->day), "2026-03-11"); // the date said decides
  auto tomorrow = parse_time_expression("tomorrow at nine", wednesday);
  roll_past_weekday(*tomorrow, hours{23});
  EXPECT_EQ(iso_day(*tomorrow->day), "2026-03-05"); // not a weekday name: untouched
}

// "The day after tomorrow" with "the day" misheard (an audio scenario heard "monday at after
// tomorrow"): "after tomorrow" is the day after tomorrow, and a day heard just before it was
// part of the phrase.
TEST(time_expression, after_tomorrow_with_the_day_misheard) {
  for (auto& e : std::vector<expect>{
           {"i would like to book a cleaning monday at after tomorrow at nine a m", "2026-03-06",
            "09:00"},
           {"today after tomorrow at ten", "2026-03-06", "10:00"},
           {"any time after tomorrow", "2026-03-06", ""},
           {"the day after tomorrow at two", "2026-03-06", "14:00"},
           {"tomorrow after lunch", "2026-03-05", "", "afternoon"},
       })
    check(e);
}

// Heard in the audio scenarios: "at" as "a" before an hour that a day follows, and "a week" as
// "seven week".
TEST(time_expression, at_heard_as_a_and_a_week_heard_with_a_number) {
  for (auto& e : std::vector<expect>{
           {"i'd like to come in a three on monday four a cleaning", "2026-03-09", "15:00"},
           {"a two tomorrow", "2026-03-05", "14:00"},
           {"can i book seven week from friday", "2026-03-13", ""},
           {"can i book something week from friday", "2026-03-13", ""},
           {"week from today at noon", "2026-03-11", "12:00"},
           {"two weeks from friday", "2026-03-20", ""},
           {"i need a cleaning for my three kids on monday", "2026-03-09", ""},
       })
    check(e);
  auto last = parse_time_expression("i was in last week", wednesday);
  EXPECT_FALSE(last && last->day) << "a week past is no day to book";
}

// A weekday beside a date on another weekday: the weekday stands ("monday then" heard as
// "monday the fifth"); beside its own date, the date is the day.
TEST(time_expression, a_weekday_beside_a_date_of_another_weekday_stands) {
  for (auto& e : std::vector<expect>{
           {"monday the fifth at nine", "2026-03-09", "09:00"},
           {"thursday the fifth at nine", "2026-03-05", "09:00"},
           {"thursday the twelfth", "2026-03-12", ""},
       })
    check(e);
}

// Heard in the audio scenarios: a date after its weekday without "the", and "for a" heard as
// "forty" before what the visit is for.
TEST(time_expression, a_date_after_its_weekday_and_forty_for_for_a) {
  for (auto& e : std::vector<expect>{
           {"can we do wednesday's eleventh instead", "2026-03-11", ""},
           {"thursday twelfth at four", "2026-03-12", "16:00"},
           {"monday first thing", "2026-03-09", "", "morning"},
           {"could you take me in thursday the twelfth at four forty whitening", "2026-03-12",
            "16:00"},
           {"thursday at four forty", "2026-03-05", "16:40"},
       })
    check(e);
}
