#include "actors/calendar/profile_cache.hpp"

namespace frontdesk::booking {

std::shared_ptr<const business_profile> profile_cache::fresh(const std::string& business_id,
                                                             time_point now) const {
  std::lock_guard lk(mtx_);
  auto it = entries_.find(business_id);
  if (it == entries_.end() || now < it->second.read_at || now - it->second.read_at > ttl_)
    return nullptr;
  return it->second.profile;
}

std::shared_ptr<const business_profile> profile_cache::put(business_profile profile,
                                                           time_point now) {
  auto id = profile.id;
  auto shared = std::make_shared<const business_profile>(std::move(profile));
  std::lock_guard lk(mtx_);
  // Stale entries of other businesses go as new ones arrive: the map holds the recent callers.
  for (auto it = entries_.begin(); it != entries_.end();)
    it = now - it->second.read_at > ttl_ ? entries_.erase(it) : std::next(it);
  entries_[id] = {shared, now};
  return shared;
}

void profile_cache::forget(const std::string& business_id) {
  std::lock_guard lk(mtx_);
  entries_.erase(business_id);
}

std::size_t profile_cache::size() const {
  std::lock_guard lk(mtx_);
  return entries_.size();
}

} // namespace frontdesk::booking
