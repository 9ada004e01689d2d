#include "protocols/sms/outbox_policy.hpp"

#include <gtest/gtest.h>

using namespace frontdesk::sms;
using namespace std::chrono_literals;

TEST(outbox_policy, backoff_doubles_from_base_with_half_of_it_random_and_stops_at_the_cap) {
  retry_policy p;
  p.base = 1000ms;
  p.cap = 60000ms;
  EXPECT_EQ(backoff(p, 1, 0.0), 500ms);
  EXPECT_EQ(backoff(p, 1, 1.0), 1000ms);
  EXPECT_EQ(backoff(p, 2, 0.0), 1000ms);
  EXPECT_EQ(backoff(p, 3, 0.5), 3000ms); // 4 s: 2 fixed + 1 of the 2 random
  EXPECT_EQ(backoff(p, 10, 1.0), 60000ms);
  EXPECT_EQ(backoff(p, 1000, 0.0), 30000ms); // no overflow far past the cap
  EXPECT_EQ(backoff(p, 0, 0.0), 500ms);      // a nonsense attempt counts as the first
}

TEST(outbox_policy, jitter_spreads_workers_that_failed_together) {
  retry_policy p;
  auto a = backoff(p, 4, 0.1), b = backoff(p, 4, 0.9);
  EXPECT_LT(a, b);
  EXPECT_GE(a, backoff(p, 4, 0.0));
}

TEST(outbox_policy, retryable_results_retry_until_the_last_attempt_then_die) {
  retry_policy p;
  p.max_attempts = 3;
  auto s1 = decide(p, attempt_result::retry, 1, std::nullopt, 0.0);
  EXPECT_EQ(s1.what, next_step::kind::retry);
  EXPECT_EQ(s1.delay, backoff(p, 1, 0.0));
  EXPECT_EQ(decide(p, attempt_result::retry, 2, std::nullopt, 0.0).what, next_step::kind::retry);
  EXPECT_EQ(decide(p, attempt_result::retry, 3, std::nullopt, 0.0).what, next_step::kind::dead);
  EXPECT_EQ(decide(p, attempt_result::retry, 9, std::nullopt, 0.0).what, next_step::kind::dead);
}

TEST(outbox_policy, final_done_and_skip_never_retry) {
  retry_policy p;
  EXPECT_EQ(decide(p, attempt_result::done, 1, std::nullopt, 0.5).what, next_step::kind::done);
  EXPECT_EQ(decide(p, attempt_result::final_failure, 1, 10s, 0.5).what, next_step::kind::failed);
  EXPECT_EQ(decide(p, attempt_result::skip, 1, std::nullopt, 0.5).what, next_step::kind::dropped);
}

TEST(outbox_policy, retry_after_is_honoured_and_bounded) {
  retry_policy p;
  p.base = 1000ms;
  p.max_retry_after = 3600s;
  EXPECT_EQ(decide(p, attempt_result::retry, 1, 30s, 0.0).delay, 30s);
  // A shorter Retry-After than the backoff does not make the row go sooner.
  EXPECT_EQ(decide(p, attempt_result::retry, 1, 0s, 1.0).delay, 1000ms);
  EXPECT_EQ(decide(p, attempt_result::retry, 1, 999999s, 0.0).delay, 3600s);
}
