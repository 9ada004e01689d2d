#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace frontdesk::sms {

/// How a side effect's attempt ended, as the outbox needs to know it.
enum class attempt_result {
  done,      // carried out (or found already carried out)
  retry,     // may succeed later: 429, 5xx, timeouts, connection failures
  final_failure, // will never succeed: invalid number, unsubscribed recipient
  skip,      // nothing to do any more (the appointment is gone, the recipient opted out)
};

/// The outbox's retry settings.
struct retry_policy {
  int max_attempts = 8;
  std::chrono::milliseconds base{2000};
  std::chrono::milliseconds cap{std::chrono::minutes(10)};
  /// A Retry-After longer than this is cut to it (a vendor's bad header never parks a row).
  std::chrono::milliseconds max_retry_after{std::chrono::hours(1)};
};

/// Where a row goes after an attempt.
struct next_step {
  enum class kind { done, retry, failed, dead, dropped } what = kind::done;
  std::chrono::milliseconds delay{0}; // for retry: from now
};

/// Exponential backoff with "equal jitter": half the doubled delay fixed, half random, so
/// workers that failed together do not retry together. `attempt` counts from 1; `unit` in
/// [0, 1) is the random part (injected, so the policy stays pure and testable).
std::chrono::milliseconds backoff(const retry_policy& p, int attempt, double unit);

/// The step after attempt number `attempt` (1-based) ended with `r`. A retryable result after
/// the last allowed attempt makes the row dead. A vendor's Retry-After is honoured: the row
/// does not go again before it (cut to `max_retry_after`).
next_step decide(const retry_policy& p, attempt_result r, int attempt,
                 std::optional<std::chrono::milliseconds> retry_after, double unit);

const char* to_string(next_step::kind k);

} // namespace frontdesk::sms
