#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/calendar/availability.hpp"

namespace frontdesk::booking {

/// One busy range of a business as its calendar actor keeps it.
struct busy_entry {
  utc_time start, end;
  std::string appointment_id; // "" for an external calendar's busy time
  std::string call_id;        // the call that holds it ("" when none)
  bool held = false;          // a hold (until `expires`), not a booking
  utc_time expires{};
};

/// A business's busy time over a window, as read from the database, plus what its calendar
/// actor has taken since (holds it granted, bookings it made): what a check_slot is answered
/// from without a database round trip. Pure: the actor says what time it is and what changed.
///
/// What the actor took itself is kept over a newer read (the read may have started before the
/// write landed): a hold until it is released or expires, a booking until a read that started
/// after it replaces it. A change made elsewhere (another node, the dashboard, a calendar sync)
/// is seen at the next read; until then an answer may be stale, and the booking, which the
/// database's exclusion constraint arbitrates, is where that shows.
class slot_view {
public:
  slot_view() = default;
  /// A read of [from, to): `entries` overlap it; `linked`: the business has an external
  /// calendar that must be asked live before a slot is held.
  slot_view(std::vector<busy_entry> entries, utc_time from, utc_time to, bool linked);

  bool covers(utc_time from, utc_time to) const { return from >= from_ && to <= to_; }
  bool linked() const { return linked_; }

  /// Busy time overlapping [from, to) at `now`: expired holds left out, and `ignore` (an
  /// appointment being moved) and the holds of `own_call` (which a new hold replaces).
  std::vector<busy_interval> busy(utc_time from, utc_time to, utc_time now,
                                  const std::string& ignore, const std::string& own_call) const;

  /// An appointment's length, when it is in the view.
  std::optional<std::chrono::seconds> length_of(const std::string& appointment_id) const;

  /// The call holds [start, end) until `expires`; its earlier holds are dropped (a call holds
  /// one slot at a time).
  void hold(const std::string& call_id, const std::string& hold_id, utc_time start, utc_time end,
            utc_time expires);
  /// The call's holds are gone.
  void release(const std::string& call_id);
  /// Something the actor's tools took in the database (a hold, a booking): kept as busy time
  /// until a newer read has it; a hold or booking of the call replaces the call's holds.
  void took(const busy_entry& e);
  /// The appointment is no longer busy time.
  void cancelled(const std::string& appointment_id);

  /// Where the actor's own changes stand: a read started at this mark has them all.
  std::uint64_t mark() const { return seq_; }
  /// Takes a newer read, started at `read_mark` (mark() when it was sent off); the holds taken
  /// here are kept, and the bookings made here after `read_mark`.
  void replace(slot_view newer, std::uint64_t read_mark);

private:
  struct local {
    busy_entry e;
    std::uint64_t seq = 0;
  };
  std::vector<busy_entry> read_;
  std::vector<local> local_;
  utc_time from_{}, to_{};
  bool linked_ = false;
  std::uint64_t seq_ = 0;
};

} // namespace frontdesk::booking
