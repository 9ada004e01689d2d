#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/calendar/availability.hpp"
#include "actors/calendar/slot_view.hpp"
#include "actors/dialog/engine.hpp"
#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::store {
class database;
}

namespace frontdesk::booking {

/// What a call needs to know about its business: who it is and how it books.
struct business_profile {
  std::string id, name, greeting, timezone, address, transfer_number;
  std::vector<std::string> services;
  std::map<std::string, minutes> service_minutes; // lower-case name -> its own length
  std::vector<std::string> knowledge; // the entries' texts (not the services)
  std::string hours_text; // "Monday to Friday, 9 AM to 5 PM"
  rules booking;
};

/// The owner's busy time asked of the linked external calendar right now, before a slot is
/// held: the last word on time the mirror may not have seen yet.
struct live_answer {
  enum class kind {
    not_linked,   // no external calendar: the database decides
    answered,     // `busy` is the owner's busy time now
    trust_mirror, // the calendar did not answer, but the mirror is fresh enough to decide
    unverifiable, // the calendar did not answer and the mirror is stale: nothing can be vouched for
  } what = kind::not_linked;
  std::vector<busy_interval> busy;
};
/// `moving` is the appointment a caller is moving ("" for a new booking): its own event in the
/// external calendar is not busy time for it.
using live_check = std::function<live_answer(const std::string& business_id, sys_time from,
                                             sys_time to, const std::string& moving)>;

/// The business's calendar as the dialog's tools use it: availability from hours, appointments
/// and calendar busy time; holds while the caller confirms; bookings guarded by the database's
/// exclusion constraint (a lost race comes back as alternatives, never as an error); cancel,
/// reschedule, knowledge look-ups. Blocking (PostgreSQL): run it on a worker pool.
class calendar_service {
public:
  explicit calendar_service(store::database& db) : db_(db) {}

  /// Asks the linked calendar live before a slot is held (blocking; within its timeout).
  void set_live_check(live_check f) { live_ = std::move(f); }

  expected<business_profile> profile(const std::string& business_id);

  /// Runs one of the dialog's tools for a call.
  dialog::tool_result run(const business_profile& biz, const std::string& call_id,
                          const dialog::tool_call& tool, sys_time now);

  /// Reads what answer_from_view needs of a business (blocking): its busy time from shortly
  /// before `now` to past its booking horizon, and whether a linked calendar must be asked
  /// live before a slot is held.
  expected<slot_view> read_view(const business_profile& biz, sys_time now);

  /// A check_slot or hold_slot answered from `view`, with no database and no blocking: what
  /// `run` would answer. A free slot is held in the answer (`hold`, with a fresh id) for the
  /// caller to take in the view and write with write_hold. None when the view cannot answer:
  /// another tool, a window it does not cover, an appointment it does not know, or a free slot
  /// of a business whose linked calendar must be asked first.
  struct view_answer {
    dialog::tool_result result;
    std::optional<busy_entry> hold; // call_id, appointment_id (the hold's id), range, expiry
  };
  static std::optional<view_answer> answer_from_view(const business_profile& biz,
                                                     const slot_view& view,
                                                     const std::string& call_id,
                                                     const dialog::tool_call& tool, sys_time now);

  /// The range a tool run against the database (`run`) took, as the view keeps it, so that the
  /// view has it until its next read: a check_slot's or hold_slot's hold, a booking, a move's
  /// new appointment. None when the result took nothing or its range cannot be told from the
  /// view (an appointment it does not know).
  static std::optional<busy_entry> taken_by(const business_profile& biz, const slot_view& view,
                                            const std::string& call_id,
                                            const dialog::tool_call& tool,
                                            const dialog::tool_result& result, sys_time now);

  /// Writes a hold that answer_from_view granted (blocking). Failure "slot_taken" when the
  /// database has the slot taken by now (a change the view had not seen).
  expected<std::string> write_hold(const std::string& business_id, const busy_entry& hold,
                                   sys_time now);

private:
  store::database& db_;
  live_check live_;
};

/// The business's rules with another appointment length (a service's, or a moved
/// appointment's own); starts stay on the business's grid.
rules with_length(const rules& business, minutes length);

/// The booking rules for a service: its own length when the business gave it one (matched
/// without regard to case), else the business's appointment length.
rules rules_for(const business_profile& biz, const std::string& service);

/// Describes weekly hours for speaking: "Monday to Friday, 9 AM to 5 PM; Saturday, 10 AM to 2 PM".
std::string describe_hours(const std::array<day_hours, 7>& weekly);

} // namespace frontdesk::booking
