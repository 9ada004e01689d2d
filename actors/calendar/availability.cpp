#include "actors/calendar/availability.hpp"

#include <algorithm>
#include <cstdio>

#include <date/tz.h>

namespace frontdesk::booking {
namespace {

using namespace date;

const time_zone* zone_of(const std::string& name) {
  try {
    return locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Local wall time → UTC: nothing for a time in the spring-forward gap, the earlier instant for
// one that happens twice.
std::optional<utc_time> to_utc(const time_zone* z, local_time t) {
  auto info = z->get_info(t);
  if (info.result == local_info::nonexistent)
    return std::nullopt;
  if (info.result == local_info::ambiguous)
    return utc_time{t.time_since_epoch() - info.first.offset};
  return utc_time{t.time_since_epoch() - info.first.offset};
}

const day_hours& hours_of(const rules& r, local_days d) {
  if (auto it = r.overrides.find(d); it != r.overrides.end())
    return it->second;
  weekday wd{d};
  return r.weekly[(wd.c_encoding() + 6) % 7];
}

bool overlaps(utc_time a0, utc_time a1, const std::vector<busy_interval>& busy, minutes buffer) {
  for (auto& b : busy)
    if (a0 < b.end + buffer && b.start - buffer < a1)
      return true;
  return false;
}

minutes step_of(const rules& r) { return r.step.count() > 0 ? r.step : r.length; }

} // namespace

const char* to_string(refusal r) {
  switch (r) {
  case refusal::none: return "ok";
  case refusal::closed: return "closed";
  case refusal::outside_hours: return "outside_hours";
  case refusal::too_soon: return "too_soon";
  case refusal::too_far: return "too_far";
  case refusal::taken: return "taken";
  case refusal::bad_time: return "bad_time";
  }
  return "?";
}

expected<local_time> to_local(const std::string& zone, utc_time t) {
  auto z = zone_of(zone);
  if (!z)
    return fail("bad_zone", "unknown time zone '" + zone + "'");
  return z->to_local(t);
}

expected<std::vector<slot>> open_slots(const rules& r, const std::vector<busy_interval>& busy,
                                       utc_time now, local_days from, local_days to) {
  auto z = zone_of(r.zone);
  if (!z)
    return fail("bad_zone", "unknown time zone '" + r.zone + "'");
  auto today = floor<days>(z->to_local(now));
  auto last = today + days{r.days_ahead};
  std::vector<slot> out;
  for (auto d = std::max(from, today); d <= std::min(to, last); d += days{1}) {
    for (auto& [open, close] : hours_of(r, d)) {
      for (auto t = open; t + r.length <= close; t += step_of(r)) {
        local_time local{d.time_since_epoch() + t};
        auto start = to_utc(z, local);
        if (!start)
          continue;
        auto end = *start + r.length;
        if (*start < now + r.min_notice)
          continue;
        if (overlaps(*start, end, busy, r.buffer))
          continue;
        out.push_back(slot{*start, end, local});
      }
    }
  }
  return out;
}

expected<check_result> check(const rules& r, const std::vector<busy_interval>& busy, utc_time now,
                             local_time requested) {
  auto z = zone_of(r.zone);
  if (!z)
    return fail("bad_zone", "unknown time zone '" + r.zone + "'");
  check_result res;
  auto day = floor<days>(requested);
  auto start = to_utc(z, requested);
  res.requested = slot{start.value_or(utc_time{}), start.value_or(utc_time{}) + r.length, requested};
  auto today = floor<days>(z->to_local(now));
  auto& hours = hours_of(r, day);
  auto tod = requested - local_seconds{day.time_since_epoch()};
  bool within = std::any_of(hours.begin(), hours.end(), [&](auto& h) {
    return tod >= h.first && tod + r.length <= h.second;
  });
  if (!start)
    res.why = refusal::bad_time;
  else if (hours.empty())
    res.why = refusal::closed;
  else if (!within)
    res.why = refusal::outside_hours;
  else if (*start < now + r.min_notice)
    res.why = refusal::too_soon;
  else if (day > today + days{r.days_ahead})
    res.why = refusal::too_far;
  else if (overlaps(*start, *start + r.length, busy, r.buffer))
    res.why = refusal::taken;
  if (res.why == refusal::none)
    return res;
  // The nearest open slots: that day first, then by distance in time.
  auto window = open_slots(r, busy, now, day - days{7}, day + days{7});
  if (!window)
    return window.error();
  auto& all = *window;
  std::stable_sort(all.begin(), all.end(), [&](const slot& a, const slot& b) {
    bool a_same = floor<days>(a.local_start) == day, b_same = floor<days>(b.local_start) == day;
    if (a_same != b_same)
      return a_same;
    auto da = a.local_start > requested ? a.local_start - requested : requested - a.local_start;
    auto db = b.local_start > requested ? b.local_start - requested : requested - b.local_start;
    if (da != db)
      return da < db;
    return a.start < b.start;
  });
  for (std::size_t i = 0; i < all.size() && res.alternatives.size() < 3; ++i)
    res.alternatives.push_back(all[i]);
  // Spoken in time order.
  std::sort(res.alternatives.begin(), res.alternatives.end(),
            [](const slot& a, const slot& b) { return a.start < b.start; });
  return res;
}

expected<local_days> day_of_time_alone(const rules& r, utc_time now, minutes time_of_day) {
  auto z = zone_of(r.zone);
  if (!z)
    return fail("bad_zone", "unknown time zone '" + r.zone + "'");
  auto today = floor<days>(z->to_local(now));
  auto start = to_utc(z, local_time{today.time_since_epoch() + time_of_day});
  if (start && *start >= now + r.min_notice)
    return today;
  for (auto d = today + days{1}; d <= today + days{7}; d += days{1})
    for (auto& [open, close] : hours_of(r, d))
      if (time_of_day >= open && time_of_day + r.length <= close)
        return d;
  return today + days{1};
}

expected<std::vector<slot>> day_options(const rules& r, const std::vector<busy_interval>& busy,
                                        utc_time now, local_days day,
                                        const std::string& part_of_day, std::size_t limit) {
  auto all = open_slots(r, busy, now, day, day);
  if (!all)
    return all.error();
  std::vector<slot> out;
  for (auto& s : *all) {
    auto h = std::chrono::duration_cast<std::chrono::hours>(s.local_start - local_seconds{day.time_since_epoch()}).count();
    bool fits = part_of_day.empty() || (part_of_day == "morning" && h < 12) ||
                (part_of_day == "afternoon" && h >= 12 && h < 17) ||
                (part_of_day == "evening" && h >= 17);
    if (fits && out.size() < limit)
      out.push_back(s);
  }
  return out;
}

expected<std::vector<slot>> earliest_options(const rules& r, const std::vector<busy_interval>& busy,
                                             utc_time now, const std::string& part_of_day,
                                             std::size_t limit) {
  auto z = zone_of(r.zone);
  if (!z)
    return fail("bad_zone", "unknown time zone '" + r.zone + "'");
  auto today = floor<days>(z->to_local(now));
  std::vector<slot> out;
  for (auto d = today; d <= today + days{r.days_ahead} && out.size() < limit; d += days{1}) {
    auto some = day_options(r, busy, now, d, part_of_day, limit - out.size());
    if (!some)
      return some.error();
    out.insert(out.end(), some->begin(), some->end());
  }
  return out;
}

std::string speak(local_time t) {
  auto d = floor<days>(t);
  year_month_day ymd{d};
  weekday wd{d};
  static const char* names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                "Friday", "Saturday"};
  static const char* month_names[] = {"January", "February", "March", "April", "May", "June",
                                      "July", "August", "September", "October", "November",
                                      "December"};
  unsigned dd = unsigned(ymd.day());
  const char* suffix = (dd % 100 >= 11 && dd % 100 <= 13) ? "th"
                       : dd % 10 == 1                   ? "st"
                       : dd % 10 == 2                   ? "nd"
                       : dd % 10 == 3                   ? "rd"
                                                        : "th";
  auto tod = t - local_seconds{d.time_since_epoch()};
  int h = int(std::chrono::duration_cast<std::chrono::hours>(tod).count());
  int m = int(std::chrono::duration_cast<std::chrono::minutes>(tod).count() % 60);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s, %s %u%s at %d:%02d %s", names[wd.c_encoding()],
                month_names[unsigned(ymd.month()) - 1], dd, suffix, h % 12 == 0 ? 12 : h % 12, m,
                h < 12 ? "AM" : "PM");
  return buf;
}

} // namespace frontdesk::booking
