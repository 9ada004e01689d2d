#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace frontdesk::web {

/// Login attempts allowed per key (an address, an account) in a sliding window: each key has a
/// bucket of `burst` tokens refilled at `burst` per `window`. Pure and thread-safe; the caller
/// says what time it is. Memory is bounded: past `max_keys`, full buckets are forgotten first,
/// then the oldest.
class rate_limiter {
public:
  using time_point = std::chrono::steady_clock::time_point;

  rate_limiter(std::size_t burst, std::chrono::seconds window, std::size_t max_keys = 100000);

  /// Takes one token for `key`. False when the key has none left (refuse the attempt).
  bool allow(const std::string& key, time_point now);
  /// Seconds until `key` has a token again (0 when it has one now).
  std::chrono::seconds retry_after(const std::string& key, time_point now) const;
  /// Gives the key its full burst back (after a successful login, say).
  void reset(const std::string& key);
  std::size_t keys() const;

private:
  struct bucket {
    double tokens;
    time_point at;
  };
  double refilled(const bucket& b, time_point now) const;
  void trim(time_point now);

  double burst_;
  std::chrono::duration<double> window_;
  std::size_t max_keys_;
  mutable std::mutex mtx_;
  std::map<std::string, bucket> buckets_;
};

} // namespace frontdesk::web
