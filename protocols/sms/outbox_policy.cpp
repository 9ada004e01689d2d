#include "protocols/sms/outbox_policy.hpp"

#include <algorithm>
#include <cmath>

namespace frontdesk::sms {

std::chrono::milliseconds backoff(const retry_policy& p, int attempt, double unit) {
  attempt = std::max(attempt, 1);
  unit = std::clamp(unit, 0.0, 1.0);
  // Doubling from `base`, computed in floating point so a large attempt cannot overflow.
  double full = static_cast<double>(p.base.count()) * std::pow(2.0, std::min(attempt - 1, 40));
  full = std::min(full, static_cast<double>(p.cap.count()));
  double half = full / 2;
  return std::chrono::milliseconds(static_cast<std::int64_t>(half + half * unit));
}

next_step decide(const retry_policy& p, attempt_result r, int attempt,
                 std::optional<std::chrono::milliseconds> retry_after, double unit) {
  switch (r) {
  case attempt_result::done:
    return {next_step::kind::done, {}};
  case attempt_result::final_failure:
    return {next_step::kind::failed, {}};
  case attempt_result::skip:
    return {next_step::kind::dropped, {}};
  case attempt_result::retry:
    break;
  }
  if (attempt >= p.max_attempts)
    return {next_step::kind::dead, {}};
  auto delay = backoff(p, attempt, unit);
  if (retry_after)
    delay = std::max(delay, std::min(*retry_after, p.max_retry_after));
  return {next_step::kind::retry, delay};
}

const char* to_string(next_step::kind k) {
  switch (k) {
  case next_step::kind::done: return "done";
  case next_step::kind::retry: return "pending";
  case next_step::kind::failed: return "failed";
  case next_step::kind::dead: return "dead";
  case next_step::kind::dropped: return "dropped";
  }
  return "pending";
}

} // namespace frontdesk::sms
