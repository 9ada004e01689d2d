#pragma once

#include <chrono>
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

  /// The first column of the first row `sql` returns, run as the owner (past row-level
  /// security): "NO ROW" when it returns none, "NULL" for a null.
  std::string value(const std::string& sql) const;
  /// Waits until value(sql) is `want` (the node writes on its worker pools): false if it is
  /// not within `within`.
  bool eventually(const std::string& sql, const std::string& want,
                  std::chrono::milliseconds within = std::chrono::seconds(4)) const;

  /// The end-to-end tests' business: Bright Smile Dental in Chicago (its greeting, 1200 Main
  /// Street, 60-minute appointments, 30 minutes' notice), open Monday to Friday 9 to 5.
  void add_dental_business(const std::string& id, const std::string& phone) const;

private:
  std::string name_;
};

/// FRONTDESK_TEST_OWNER_DSN + " dbname=postgres": for tests that create databases themselves.
std::string maintenance_owner_dsn();

/// Creates an empty (unmigrated) database and returns its name; dropped with drop_database.
std::string create_empty_database();
void drop_database(const std::string& name);

} // namespace frontdesk::fixtures
