#include <gtest/gtest.h>

#include "protocols/core/time.hpp"

using namespace frontdesk;
using namespace std::chrono;

TEST(rfc3339, parses_utc_and_offsets) {
  auto t = parse_rfc3339("2026-03-04T14:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, sys_days{2026y / March / 4} + 14h);
  auto o = parse_rfc3339("2026-03-04T09:00:00.250-05:00");
  ASSERT_TRUE(o);
  EXPECT_EQ(*o, sys_days{2026y / March / 4} + 14h + 250ms);
  auto lower = parse_rfc3339("2026-03-04t14:00:00z");
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, *t);
  auto east = parse_rfc3339("2026-03-05T01:30:00+11:30");
  ASSERT_TRUE(east);
  EXPECT_EQ(*east, *t);
}

TEST(rfc3339, fraction_precision) {
  auto t = parse_rfc3339("2026-01-01T00:00:00.1234567Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch() % seconds{1}, microseconds{123456});
}

TEST(rfc3339, formats_in_utc_with_milliseconds) {
  auto t = sys_days{2026y / November / 1} + 6h + 30min + 5s + 7ms;
  EXPECT_EQ(format_rfc3339(frontdesk::sys_time{t}), "2026-11-01T06:30:05.007Z");
}

TEST(rfc3339, round_trips) {
  for (auto s : {"1999-12-31T23:59:59.999Z", "2026-03-08T07:00:00.000Z", "2000-02-29T12:00:00.000Z"}) {
    auto t = parse_rfc3339(s);
    ASSERT_TRUE(t) << s;
    EXPECT_EQ(format_rfc3339(*t), s);
  }
}

TEST(rfc3339, refuses_malformed) {
  for (auto s : {"", "2026", "2026-03-04", "2026-03-04T14:00:00", "2026-13-04T14:00:00Z",
                 "2026-02-30T14:00:00Z", "2026-03-04T24:00:00Z", "2026-03-04T14:60:00Z",
                 "2026-03-04T14:00:00+0500", "2026-03-04T14:00:00.Z", "2026-03-04T14:00:00Zjunk",
                 "2026-03-04X14:00:00Z", "２026-03-04T14:00:00Z", "2026-03-04T14:00:00+25:00"}) {
    auto t = parse_rfc3339(s);
    EXPECT_FALSE(t) << s;
    if (!t) {
      EXPECT_EQ(t.error().code, "bad_time");
    }
  }
}

// Found by the fuzzer: an offset that moves the instant out of years 0000-9999 in UTC would
// give an instant that formats to something no RFC 3339 parser reads.
TEST(rfc3339, refuses_an_offset_that_leaves_years_0000_to_9999) {
  for (auto s : {"0000-01-01t00:10:11+01:10", "9999-12-31T23:30:00-01:00"}) {
    auto t = parse_rfc3339(s);
    EXPECT_FALSE(t) << s;
    if (!t) {
      EXPECT_EQ(t.error().code, "bad_time");
    }
  }
  for (auto s : {"0000-01-01T01:10:00+01:10", "9999-12-31T22:30:00-01:00"}) {
    auto t = parse_rfc3339(s);
    ASSERT_TRUE(t) << s;
    EXPECT_TRUE(parse_rfc3339(format_rfc3339(*t))) << s;
  }
}

TEST(rfc3339, every_prefix_of_a_valid_instant_fails_cleanly) {
  std::string full = "2026-03-04T09:00:00.250-05:00";
  for (std::size_t n = 0; n < full.size(); ++n)
    EXPECT_FALSE(parse_rfc3339(full.substr(0, n))) << full.substr(0, n);
  EXPECT_TRUE(parse_rfc3339(full));
}
