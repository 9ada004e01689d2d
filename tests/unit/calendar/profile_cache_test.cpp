#include "actors/calendar/profile_cache.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using frontdesk::booking::business_profile;
using frontdesk::booking::profile_cache;

namespace {

business_profile biz(const std::string& id, const std::string& greeting) {
  business_profile p;
  p.id = id;
  p.name = "Bright Smile";
  p.greeting = greeting;
  return p;
}

const profile_cache::time_point t0{};

} // namespace

TEST(profile_cache, a_profile_is_fresh_for_its_ttl_and_then_gone) {
  profile_cache c(30s);
  EXPECT_EQ(c.fresh("b1", t0), nullptr);
  auto kept = c.put(biz("b1", "Hello"), t0);
  auto p = c.fresh("b1", t0 + 10s);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p, kept); // what put returns is what later calls get
  EXPECT_EQ(p->greeting, "Hello");
  EXPECT_NE(c.fresh("b1", t0 + 30s), nullptr);
  EXPECT_EQ(c.fresh("b1", t0 + 30s + 1ms), nullptr);
  EXPECT_EQ(c.fresh("b2", t0 + 1s), nullptr); // another business
}

TEST(profile_cache, a_newer_read_replaces_the_older_and_restarts_its_ttl) {
  profile_cache c(30s);
  c.put(biz("b1", "Hello"), t0);
  auto held = c.fresh("b1", t0);
  c.put(biz("b1", "Good morning"), t0 + 20s);
  EXPECT_EQ(c.fresh("b1", t0 + 45s)->greeting, "Good morning");
  EXPECT_EQ(held->greeting, "Hello"); // a call that took the old one keeps it whole
}

TEST(profile_cache, forgetting_makes_the_next_call_read_again) {
  profile_cache c(30s);
  c.put(biz("b1", "Hello"), t0);
  c.forget("b1");
  EXPECT_EQ(c.fresh("b1", t0), nullptr);
}

TEST(profile_cache, stale_businesses_are_dropped_as_new_ones_arrive) {
  profile_cache c(30s);
  for (int i = 0; i < 100; ++i)
    c.put(biz("old" + std::to_string(i), "Hi"), t0);
  EXPECT_EQ(c.size(), 100u);
  c.put(biz("new", "Hi"), t0 + 31s);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_NE(c.fresh("new", t0 + 31s), nullptr);
}

TEST(profile_cache, a_time_before_the_read_is_not_fresh) {
  profile_cache c(30s);
  c.put(biz("b1", "Hello"), t0 + 10s);
  EXPECT_EQ(c.fresh("b1", t0), nullptr);
}

TEST(profile_cache, threads_reading_and_writing_at_once_see_whole_profiles) {
  profile_cache c(1h);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 2000; ++i) {
        auto g = "greeting " + std::to_string(t);
        c.put(biz("b1", g), t0 + std::chrono::milliseconds(i));
        auto p = c.fresh("b1", t0 + 10s); // after every write
        ASSERT_NE(p, nullptr);
        ASSERT_EQ(p->greeting.rfind("greeting ", 0), 0u);
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(c.size(), 1u);
}
