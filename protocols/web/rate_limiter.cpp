#include "protocols/web/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace frontdesk::web {

rate_limiter::rate_limiter(std::size_t burst, std::chrono::seconds window, std::size_t max_keys)
    : burst_(static_cast<double>(std::max<std::size_t>(1, burst))), window_(window),
      max_keys_(std::max<std::size_t>(1, max_keys)) {}

double rate_limiter::refilled(const bucket& b, time_point now) const {
  auto elapsed = std::chrono::duration<double>(now - b.at).count();
  if (elapsed < 0)
    elapsed = 0;
  return std::min(burst_, b.tokens + elapsed * burst_ / window_.count());
}

bool rate_limiter::allow(const std::string& key, time_point now) {
  std::lock_guard lk(mtx_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_)
      trim(now);
    buckets_[key] = bucket{burst_ - 1, now};
    return true;
  }
  auto tokens = refilled(it->second, now);
  it->second.at = now;
  if (tokens < 1) {
    it->second.tokens = tokens;
    return false;
  }
  it->second.tokens = tokens - 1;
  return true;
}

std::chrono::seconds rate_limiter::retry_after(const std::string& key, time_point now) const {
  std::lock_guard lk(mtx_);
  auto it = buckets_.find(key);
  if (it == buckets_.end())
    return std::chrono::seconds(0);
  auto tokens = refilled(it->second, now);
  if (tokens >= 1)
    return std::chrono::seconds(0);
  auto wait = (1 - tokens) * window_.count() / burst_;
  return std::chrono::seconds(static_cast<long>(std::ceil(wait)));
}

void rate_limiter::reset(const std::string& key) {
  std::lock_guard lk(mtx_);
  buckets_.erase(key);
}

std::size_t rate_limiter::keys() const {
  std::lock_guard lk(mtx_);
  return buckets_.size();
}

void rate_limiter::trim(time_point now) {
  // Full buckets carry no state worth keeping.
  for (auto it = buckets_.begin(); it != buckets_.end();)
    it = refilled(it->second, now) >= burst_ ? buckets_.erase(it) : std::next(it);
  while (buckets_.size() >= max_keys_) {
    auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](auto& a, auto& b) {
      return a.second.at < b.second.at;
    });
    buckets_.erase(oldest);
  }
}

} // namespace frontdesk::web
