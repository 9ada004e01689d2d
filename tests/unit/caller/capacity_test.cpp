#include "adapters/caller/capacity.hpp"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

using frontdesk::caller::find_capacity;

namespace {

// A node that holds up to `limit` callers; records every load tried.
struct fake_node {
  int limit;
  std::vector<int> tried;
  bool operator()(int n) {
    tried.push_back(n);
    return n <= limit;
  }
};

} // namespace

TEST(capacity, finds_the_limit_to_within_a_tenth_and_never_reports_a_load_that_failed) {
  for (int limit : {7, 48, 137, 420, 999}) {
    fake_node node{limit, {}};
    int found = find_capacity(10, 1000, std::ref(node));
    EXPECT_LE(found, limit) << "limit " << limit;
    EXPECT_GE(found, limit < 10 ? 0 : limit - std::max(1, limit / 10)) << "limit " << limit;
    // Each answer is a load that was tried and held.
    if (found > 0) {
      EXPECT_NE(std::find(node.tried.begin(), node.tried.end(), found), node.tried.end());
    }
    EXPECT_LE(node.tried.size(), 20u) << "limit " << limit; // a bounded number of full runs
    // No load is run twice.
    auto sorted = node.tried;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "limit " << limit;
  }
}

TEST(capacity, grows_by_half_a_step_then_narrows_by_halves) {
  fake_node node{137, {}};
  EXPECT_EQ(find_capacity(50, 1000, std::ref(node)), 135);
  // Up by half (in tens) until 180 fails, then the gap to 120 is halved until it is at most a
  // tenth of what held: 135 held and 142 did not.
  EXPECT_EQ(node.tried, (std::vector<int>{50, 80, 120, 180, 150, 135, 142}));
}

TEST(capacity, small_loads_grow_one_caller_at_a_time_and_end_exact) {
  fake_node node{3, {}};
  EXPECT_EQ(find_capacity(1, 100, std::ref(node)), 3);
  EXPECT_EQ(node.tried, (std::vector<int>{1, 2, 3, 4}));
}

TEST(capacity, nothing_holding_is_zero_after_halving_down_to_one_caller) {
  fake_node node{0, {}};
  EXPECT_EQ(find_capacity(10, 1000, std::ref(node)), 0);
  EXPECT_EQ(node.tried, (std::vector<int>{10, 5, 2, 1}));
}

TEST(capacity, stops_at_the_maximum_when_it_holds) {
  fake_node node{100000, {}};
  EXPECT_EQ(find_capacity(10, 200, std::ref(node)), 200);
  EXPECT_EQ(node.tried.back(), 200);
  for (int n : node.tried)
    EXPECT_LE(n, 200);
}

TEST(capacity, a_start_past_the_maximum_runs_nothing) {
  fake_node node{50, {}};
  EXPECT_EQ(find_capacity(300, 200, std::ref(node)), 0);
  EXPECT_TRUE(node.tried.empty());
}
