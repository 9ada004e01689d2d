#include <gtest/gtest.h>

#include "adapters/caller/proc_text.hpp"

#include <string>

using namespace frontdesk::caller;

namespace {

// /proc/stat as a 2-core machine writes it (steal: 4242 ticks in all, 4000 + 242 by core).
const std::string proc_stat = "cpu  10132153 290696 3084719 46828483 16683 0 25195 4242 0 0\n"
                              "cpu0 1393280 32966 572056 13343292 6130 0 17875 4000 0 0\n"
                              "cpu1 1335270 28766 570218 13319548 10553 0 7320 242 0 0\n"
                              "intr 1462898 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
                              "ctxt 198253453\n"
                              "btime 1765432100\n";

} // namespace

TEST(schedstat, reads_the_run_queue_wait) {
  EXPECT_DOUBLE_EQ(parse_schedstat_wait_s("7731924211 1250000000 412933\n"), 1.25);
  EXPECT_DOUBLE_EQ(parse_schedstat_wait_s("0 0 0"), 0.0);
  EXPECT_DOUBLE_EQ(parse_schedstat_wait_s("5 2000000000"), 2.0); // older kernels: two fields
}

TEST(schedstat, refuses_what_is_not_a_schedstat_line) {
  for (const char* bad : {"", "\n", "12", "12\n", "a b c", "12 x 3", "12 -5 3", "12 3x 4",
                          "-1 2 3", "1.5 2 3", "99999999999999999999999 1 2"})
    EXPECT_EQ(parse_schedstat_wait_s(bad), -1) << "'" << bad << "'";
}

TEST(schedstat, every_cut_of_a_line_gives_nothing_or_a_leading_part_of_the_wait) {
  std::string line = "7731924211 1250000000 412933\n";
  auto wait_starts = line.find(' ') + 1;
  for (std::size_t n = 0; n <= line.size(); ++n) {
    auto w = parse_schedstat_wait_s(std::string_view(line).substr(0, n));
    if (n <= wait_starts)
      EXPECT_EQ(w, -1) << n;
    else
      EXPECT_EQ(std::to_string(static_cast<long long>(w * 1e9 + 0.5)),
                line.substr(wait_starts, std::min(n, line.find(' ', wait_starts)) - wait_starts))
          << n;
  }
}

TEST(proc_stat, reads_the_machines_steal_from_the_cpu_line) {
  EXPECT_EQ(parse_proc_stat_steal_ticks(proc_stat), 4242);
  // The aggregate line need not be first, and a line for one core is not it.
  EXPECT_EQ(parse_proc_stat_steal_ticks("intr 1 2\ncpu0 1 2 3 4 5 6 7 99\ncpu  1 2 3 4 5 6 7 8\n"),
            8);
}

TEST(proc_stat, refuses_text_without_a_whole_cpu_line) {
  for (const char* bad : {"", "\n", "cpu", "cpu ", "cpu  1 2 3 4 5 6 7", "cpu0 1 2 3 4 5 6 7 8",
                          "cpu  1 2 3 4 5 6 7 x", "cpux 1 2 3 4 5 6 7 8", "ctxt 5\nbtime 6\n",
                          "cpu  1 2 3 four 5 6 7 8"})
    EXPECT_EQ(parse_proc_stat_steal_ticks(bad), -1) << "'" << bad << "'";
}

TEST(proc_stat, every_cut_gives_nothing_or_a_leading_part_of_the_steal) {
  auto line_end = proc_stat.find('\n');
  auto steal_starts = proc_stat.rfind(' ', proc_stat.find(" 4242 ")) + 1;
  auto steal_ends = steal_starts + 4;
  ASSERT_EQ(proc_stat.substr(steal_starts, 4), "4242");
  for (std::size_t n = 0; n <= proc_stat.size(); ++n) {
    auto s = parse_proc_stat_steal_ticks(std::string_view(proc_stat).substr(0, n));
    if (n < steal_starts + 1)
      EXPECT_EQ(s, -1) << n;
    else if (n < steal_ends)
      EXPECT_EQ(std::to_string(static_cast<long long>(s)),
                proc_stat.substr(steal_starts, n - steal_starts))
          << n;
    else
      EXPECT_EQ(s, 4242) << n << " (line ends at " << line_end << ")";
  }
}

namespace {

// A thread's stat line: the command holds spaces and parentheses, the tty's process group is
// -1, rsslim is the largest 64-bit value; the policy (field 41) is 5, SCHED_IDLE.
const std::string thread_stat =
    "4242 (fd.rec (x) 1) S 4200 4200 11188 0 -1 4194368 98 0 0 0 7 3 0 0 39 19 12 0 6609745 "
    "3133440 394 18446744073709551615 94679192936448 94679192956329 140732790303888 0 0 0 0 0 0 "
    "0 0 0 -1 1 0 5 0 0 0 94679192972336 94679192973952 94680122384384 140732790307458 "
    "140732790307478 140732790307478 140732790308843 0\n";

} // namespace

TEST(thread_stat, reads_the_scheduling_policy) {
  EXPECT_EQ(parse_stat_policy(thread_stat), 5);
  auto normal = thread_stat;
  normal.replace(normal.find(" 1 0 5 0 ") + 5, 1, "0");
  EXPECT_EQ(parse_stat_policy(normal), 0);
}

TEST(thread_stat, refuses_what_is_not_a_stat_line) {
  for (const char* bad : {"", "4242", "4242 (cat", "4242 cat) S 1 2", "4242 (cat) 7 1 2 3",
                          "4242 (cat) S 1 2 3", "4242 (cat) S 1 2 - 4 5 6 7 8 9 10 11 12 13 14",
                          "4242 (cat) S 1 2x 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
                          "23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39"})
    EXPECT_EQ(parse_stat_policy(bad), -1) << "'" << bad << "'";
}

TEST(thread_stat, every_cut_before_the_policy_is_refused) {
  // The 41st field follows the 39th space after the command's ')' (fields 3 to 40 before it).
  auto at = thread_stat.rfind(')') + 1;
  for (int spaces = 0; spaces < 38; ++spaces)
    at = thread_stat.find(' ', at + 1);
  auto policy_at = at + 1;
  ASSERT_EQ(thread_stat[policy_at], '5');
  for (std::size_t n = 0; n <= thread_stat.size(); ++n) {
    auto p = parse_stat_policy(std::string_view(thread_stat).substr(0, n));
    EXPECT_EQ(p, n <= policy_at ? -1 : 5) << n;
  }
}
