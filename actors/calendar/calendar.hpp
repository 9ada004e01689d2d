#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/calendar/availability.hpp"
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
  std::vector<std::string> knowledge; // the entries' texts (not the services)
  std::string hours_text; // "Monday to Friday, 9 AM to 5 PM"
  rules booking;
};

/// The business's calendar as the dialog's tools use it: availability from hours, appointments
/// and calendar busy time; holds while the caller confirms; bookings guarded by the database's
/// exclusion constraint (a lost race comes back as alternatives, never as an error); cancel,
/// reschedule, knowledge look-ups. Blocking (PostgreSQL): run it on a worker pool.
class calendar_service {
public:
  explicit calendar_service(store::database& db) : db_(db) {}

  expected<business_profile> profile(const std::string& business_id);

  /// Runs one of the dialog's tools for a call.
  dialog::tool_result run(const business_profile& biz, const std::string& call_id,
                          const dialog::tool_call& tool, sys_time now);

private:
  store::database& db_;
};

/// Describes weekly hours for speaking: "Monday to Friday, 9 AM to 5 PM; Saturday, 10 AM to 2 PM".
std::string describe_hours(const std::array<day_hours, 7>& weekly);

} // namespace frontdesk::booking
