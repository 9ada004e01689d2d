#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clock.hpp"

using namespace frontdesk;
using namespace std::chrono;

TEST(clock, offset_clock_starts_at_the_given_instant_and_runs) {
  auto start = *parse_rfc3339("2026-03-04T15:00:00Z");
  offset_clock c(start);
  auto first = c.now();
  EXPECT_GE(first, start);
  EXPECT_LT(first - start, seconds{1});
  std::this_thread::sleep_for(milliseconds{20});
  EXPECT_GE(c.now() - first, milliseconds{20});
}

TEST(clock, manual_clock_moves_only_when_told) {
  auto start = *parse_rfc3339("2026-03-04T15:00:00Z");
  manual_clock c(start);
  EXPECT_EQ(c.now(), start);
  c.advance(minutes{5});
  EXPECT_EQ(c.now(), start + minutes{5});
}

TEST(clock, make_clock_picks_real_or_offset) {
  auto real = make_clock(std::nullopt);
  auto sys_now = time_point_cast<microseconds>(std::chrono::system_clock::now());
  EXPECT_LT(abs(real->now() - sys_now), seconds{1});
  auto fixed = make_clock(*parse_rfc3339("2001-01-01T00:00:00Z"));
  EXPECT_LT(fixed->now(), *parse_rfc3339("2001-01-01T00:01:00Z"));
}
