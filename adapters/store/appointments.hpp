#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/core/concepts.hpp"
#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::store {

class database;

/// A time range [start, end) in UTC.
struct interval {
  sys_time start;
  sys_time end;
};

struct appointment {
  std::string id;
  interval during;
  std::string status; // held, booked, cancelled, ...
  std::string customer_name;
  std::string customer_phone;
  std::string service;
  bool confirmation_queued = false; // a confirmation text is in the outbox (book, move)
};

/// What a booking needs.
struct booking_request {
  interval during;
  std::string customer_name;
  std::string customer_phone;
  std::string service;
  std::string notes;           // what the caller asked for when it is no listed service
  std::string call_id;         // may be empty
  std::string idempotency_key; // the same key never books twice
  bool confirm = true; // queue the confirmation text (and plan reminders) in the same transaction
};

/// One range of a business's busy time with what it is (busy_rows).
struct busy_row {
  interval during;
  std::string appointment_id; // "" for a linked calendar's busy time
  std::string call_id;        // the call it came from ("" when none)
  bool held = false;          // a hold, until `expires`
  sys_time expires{};
};

/// A business's busy time as its calendar actor keeps it (busy_rows).
struct busy_read {
  std::vector<busy_row> rows;
  bool calendar_linked = false; // an active external calendar link
};

/// Appointments of one business. The database's exclusion constraint is the last guard against
/// double booking: an overlap comes back as the failure code "slot_taken", never as an
/// exception. Blocking (PostgreSQL): call from worker threads.
class appointments_repo {
public:
  explicit appointments_repo(database& db) : db_(db) {}

  /// Busy time in [from, to): live appointments and holds (expired holds excluded), and busy
  /// time from linked calendars. `ignore` leaves one appointment out (when moving it);
  /// `own_call` leaves out that call's own hold (which a new hold replaces): a request sent
  /// again, to a business's new home after its node was lost, finds the slot it held free.
  expected<std::vector<interval>> busy(const std::string& business_id, interval window,
                                       sys_time now, const std::string& ignore = "",
                                       const std::string& own_call = "");

  /// As busy(), with each range's appointment, call and expiry, and whether the business has an
  /// active external calendar link, in one transaction: what the calendar actor answers
  /// availability from between reads.
  expected<busy_read> busy_rows(const std::string& business_id, interval window, sys_time now);

  /// Holds a slot while the caller confirms; a call holds one slot at a time, so the call's
  /// earlier hold is dropped in the same transaction. Failure "slot_taken" when it overlaps.
  /// `id`: the hold's id when the caller chose it (a hold granted before it is written).
  expected<std::string> hold(const std::string& business_id, interval during,
                             const std::string& call_id, sys_time expires_at, sys_time now,
                             const std::string& id = "");
  /// Drops a hold (the caller said no, or the call ended).
  expected<bool> release(const std::string& business_id, const std::string& hold_id);
  /// Drops every hold of a call (it left the slot, or ended); the number dropped.
  expected<int> release_call_holds(const std::string& business_id, const std::string& call_id);

  /// Books: turns the caller's hold into the booking when `hold_id` is given, or inserts.
  /// With an idempotency key seen before, returns that booking again.
  expected<appointment> book(const std::string& business_id, const booking_request& req,
                             const std::string& hold_id, sys_time now);

  /// Upcoming live appointments of a caller, soonest first (by phone, narrowed by name).
  expected<std::vector<appointment>> find_upcoming(const std::string& business_id,
                                                   const std::string& phone,
                                                   const std::string& name, sys_time now);

  /// One appointment by id (none when it does not exist or belongs to another business).
  expected<std::optional<appointment>> get(const std::string& business_id,
                                           const std::string& appointment_id);

  /// Cancels a booked appointment; its reminders are cancelled and, when `confirm`, a
  /// cancellation text is queued, in the same transaction.
  expected<bool> cancel(const std::string& business_id, const std::string& appointment_id,
                        sys_time now, bool confirm = true);

  /// Moves an appointment in one transaction: the old one is cancelled and a new one booked
  /// with a link to it, by `call_id` (default: the call that booked the old one); if the new
  /// time is taken, nothing changes ("slot_taken"). Reminders follow the move and, when
  /// `confirm`, a text says where it moved, in the same transaction.
  expected<appointment> reschedule(const std::string& business_id,
                                   const std::string& appointment_id, interval to, sys_time now,
                                   const std::string& call_id = "", bool confirm = true);

private:
  expected<appointment> book_once(const std::string& business_id, const booking_request& req,
                                  const std::string& hold_id, sys_time now);

  database& db_;
};

/// Knowledge entries of a business, searched with PostgreSQL full-text search.
class knowledge_repo {
public:
  explicit knowledge_repo(database& db) : db_(db) {}

  struct passage {
    std::string text;
    double coverage = 0; // share of the question's words the passage contains
    double rank = 0;
  };

  /// The best passages for a question given as its concepts (question_concepts(): each the
  /// space-separated words that say one thing), best first. A concept counts as covered when a
  /// passage has any of its words (stemmed); passages that cover less than `min_coverage` of
  /// the concepts that have content words are left out, so an unrelated question gets nothing
  /// rather than a random entry; so are passages that name none of the question's subjects
  /// when it names one.
  expected<std::vector<passage>> search(const std::string& business_id,
                                        const std::vector<question_concept>& concepts,
                                        std::size_t limit = 3, double min_coverage = 0.5);

private:
  database& db_;
};

} // namespace frontdesk::store
