#include "protocols/sms/reminder_plan.hpp"

#include <algorithm>

#include <date/tz.h>

namespace frontdesk::sms {
namespace {

using std::chrono::minutes;

bool quiet_at(const quiet_hours& q, minutes t) {
  if (q.start == q.end)
    return false;
  if (q.start < q.end)
    return t >= q.start && t < q.end;
  return t >= q.start || t < q.end; // wraps past midnight
}

} // namespace

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::vector<planned_reminder> plan_reminders(const date::time_zone& zone,
                                             const reminder_settings& s, sys_time start,
                                             sys_time now) {
  std::vector<planned_reminder> out;
  out.reserve(s.before.size());
  for (auto before : s.before) {
    sys_time at = start - before;
    auto local = zone.to_local(std::chrono::floor<std::chrono::seconds>(at));
    auto day = date::floor<date::days>(local);
    auto wall = std::chrono::floor<minutes>(local - day);
    if (quiet_at(s.quiet, wall)) {
      // The end of these quiet hours: today's end, or tomorrow's when they began this evening.
      auto end_day = (s.quiet.start > s.quiet.end && wall >= s.quiet.start) ? day + date::days{1} : day;
      date::local_seconds end_local{end_day.time_since_epoch() + s.quiet.end};
      // In a DST gap the end does not exist: the instant the clocks jump is taken instead.
      at = std::chrono::time_point_cast<sys_time::duration>(
          zone.to_sys(end_local, date::choose::latest));
    }
    if (at >= start || at <= now)
      continue;
    out.push_back({at, static_cast<int>(before.count())});
  }
  std::sort(out.begin(), out.end(),
            [](const planned_reminder& a, const planned_reminder& b) { return a.send_at < b.send_at; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const planned_reminder& a, const planned_reminder& b) {
                          return a.send_at == b.send_at;
                        }),
            out.end());
  return out;
}

} // namespace frontdesk::sms
