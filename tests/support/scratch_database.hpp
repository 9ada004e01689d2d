#pragma once

#include <string>

namespace frontdesk::fixtures {

/// A throwaway database for one test, created from the migrated template database and dropped
/// when the object goes away, so integration tests can run in parallel under ctest.
///
/// Reads FRONTDESK_TEST_OWNER_DSN and FRONTDESK_TEST_APP_DSN (libpq keyword strings without a
/// dbname, as scripts/test.sh exports them) and FRONTDESK_TEST_TEMPLATE.
class scratch_database {
public:
  scratch_database();
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  const std::string& name() const { return name_; }
  /// Connection string of the owner role (migrations, fixtures that bypass RLS).
  std::string owner_dsn() const;
  /// Connection string of the application role (bound by row-level security).
  std::string app_dsn() const;

private:
  std::string name_;
};

/// FRONTDESK_TEST_OWNER_DSN + " dbname=postgres": for tests that create databases themselves.
std::string maintenance_owner_dsn();

/// Creates an empty (unmigrated) database and returns its name; dropped with drop_database.
std::string create_empty_database();
void drop_database(const std::string& name);

} // namespace frontdesk::fixtures
