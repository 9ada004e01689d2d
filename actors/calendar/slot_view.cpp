#include "actors/calendar/slot_view.hpp"

#include <algorithm>

namespace frontdesk::booking {

slot_view::slot_view(std::vector<busy_entry> entries, utc_time from, utc_time to, bool linked)
    : read_(std::move(entries)), from_(from), to_(to), linked_(linked) {}

std::vector<busy_interval> slot_view::busy(utc_time from, utc_time to, utc_time now,
                                           const std::string& ignore,
                                           const std::string& own_call) const {
  std::vector<busy_interval> out;
  auto add = [&](const busy_entry& e) {
    if (e.end <= from || e.start >= to)
      return;
    if (e.held && e.expires < now)
      return;
    if (!ignore.empty() && e.appointment_id == ignore)
      return;
    if (e.held && !own_call.empty() && e.call_id == own_call)
      return;
    out.push_back({e.start, e.end});
  };
  for (auto& e : read_)
    add(e);
  for (auto& l : local_)
    add(l.e);
  std::sort(out.begin(), out.end(),
            [](const busy_interval& a, const busy_interval& b) { return a.start < b.start; });
  return out;
}

std::optional<std::chrono::seconds> slot_view::length_of(const std::string& appointment_id) const {
  if (appointment_id.empty())
    return std::nullopt;
  for (auto& l : local_)
    if (l.e.appointment_id == appointment_id)
      return l.e.end - l.e.start;
  for (auto& e : read_)
    if (e.appointment_id == appointment_id)
      return e.end - e.start;
  return std::nullopt;
}

void slot_view::hold(const std::string& call_id, const std::string& hold_id, utc_time start,
                     utc_time end, utc_time expires) {
  release(call_id);
  local_.push_back({busy_entry{start, end, hold_id, call_id, true, expires}, ++seq_});
}

void slot_view::release(const std::string& call_id) {
  if (call_id.empty())
    return;
  auto held_by = [&](const busy_entry& e) { return e.held && e.call_id == call_id; };
  read_.erase(std::remove_if(read_.begin(), read_.end(), held_by), read_.end());
  local_.erase(std::remove_if(local_.begin(), local_.end(),
                              [&](const local& l) { return held_by(l.e); }),
               local_.end());
  ++seq_;
}

void slot_view::took(const busy_entry& e) {
  release(e.call_id);
  local_.push_back({e, ++seq_});
}

void slot_view::cancelled(const std::string& appointment_id) {
  if (appointment_id.empty())
    return;
  auto is = [&](const busy_entry& e) { return e.appointment_id == appointment_id; };
  read_.erase(std::remove_if(read_.begin(), read_.end(), is), read_.end());
  local_.erase(std::remove_if(local_.begin(), local_.end(), [&](const local& l) { return is(l.e); }),
               local_.end());
  ++seq_;
}

void slot_view::replace(slot_view newer, std::uint64_t read_mark) {
  read_ = std::move(newer.read_);
  from_ = newer.from_;
  to_ = newer.to_;
  linked_ = newer.linked_;
  // What was taken here before the read started is in the read now, except a hold granted
  // from the view: its write may still wait on the call's queue (released, it goes).
  local_.erase(std::remove_if(local_.begin(), local_.end(),
                              [&](const local& l) { return !l.e.held && l.seq <= read_mark; }),
               local_.end());
}

} // namespace frontdesk::booking
