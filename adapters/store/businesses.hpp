#pragma once

#include <string>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"
#include "protocols/org/org_file.hpp"

namespace frontdesk::store {

class database;

struct load_report {
  std::string business_id;
  bool created = false;
  std::size_t knowledge = 0;
  std::size_t appointments = 0;
};

/// Businesses as `frontdesk org load` writes them. Blocking (PostgreSQL).
class businesses_repo {
public:
  explicit businesses_repo(database& db) : db_(db) {}

  /// Creates the business of `org.phone_number`, or updates it: settings, hours, services and
  /// knowledge are replaced; existing appointments are added unless one of the same start and
  /// name is there already. One transaction: a bad file changes nothing. Local times are turned
  /// into UTC in the business's zone (an unknown zone is refused). Each appointment added gets
  /// its reminders planned as a booking's are, at `now`; no confirmation is texted (the
  /// customer booked it earlier, elsewhere).
  expected<load_report> load(const org::org_file& org, sys_time now);
  /// The same at the system clock's now.
  expected<load_report> load(const org::org_file& org);

private:
  database& db_;
};

} // namespace frontdesk::store
