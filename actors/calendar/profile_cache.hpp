#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/calendar/calendar.hpp"

namespace frontdesk::booking {

/// The businesses' profiles a node's calls start from, each kept for `ttl` after it was read:
/// a call to a business that called in recently starts without a database round trip, so a
/// burst of calls does not wait behind the blocking pool's queue for its greeting. Changes to a
/// business reach new calls within `ttl`. Thread-safe; pure (the caller says what time it is).
class profile_cache {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit profile_cache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  /// The profile read at most `ttl` before `now`, or null.
  std::shared_ptr<const business_profile> fresh(const std::string& business_id,
                                                time_point now) const;
  /// Keeps a profile just read from the database, and returns it as kept.
  std::shared_ptr<const business_profile> put(business_profile profile, time_point now);
  /// Forgets one business (e.g. after a change that must reach the next call at once).
  void forget(const std::string& business_id);
  std::size_t size() const;

private:
  struct entry {
    std::shared_ptr<const business_profile> profile;
    time_point read_at;
  };
  std::chrono::milliseconds ttl_;
  mutable std::mutex mtx_;
  std::map<std::string, entry> entries_;
};

} // namespace frontdesk::booking
