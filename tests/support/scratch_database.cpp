#include "tests/support/scratch_database.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include <pqxx/pqxx>

namespace frontdesk::fixtures {
namespace {

std::string env(const char* name, const char* fallback = nullptr) {
  const char* v = std::getenv(name);
  if (v && *v)
    return v;
  if (fallback)
    return fallback;
  throw std::runtime_error(std::string(name) +
                           " is not set: run integration tests through scripts/test.sh, which "
                           "starts PostgreSQL and exports it");
}

std::string unique_name(const char* prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::string(prefix) + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

// CREATE DATABASE fails while another session copies the same template (template1 included, for
// an empty database), which parallel tests do all the time: retry for a while.
void create_database(const std::string& name, const std::string& tmpl) {
  pqxx::connection conn(maintenance_owner_dsn());
  for (int attempt = 0;; ++attempt) {
    try {
      pqxx::nontransaction tx(conn);
      tx.exec("CREATE DATABASE " + tx.quote_name(name) + " TEMPLATE " + tx.quote_name(tmpl));
      return;
    } catch (const pqxx::sql_error&) {
      if (attempt > 100)
        throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + attempt * 5));
    }
  }
}

} // namespace

std::string scratch_database::value(const std::string& sql) const {
  pqxx::connection c(owner_dsn());
  pqxx::nontransaction tx(c);
  auto r = tx.exec(sql);
  if (r.empty())
    return "NO ROW";
  return r[0][0].is_null() ? "NULL" : r[0][0].as<std::string>();
}

bool scratch_database::eventually(const std::string& sql, const std::string& want,
                                  std::chrono::milliseconds within) const {
  auto until = std::chrono::steady_clock::now() + within;
  for (;;) {
    if (value(sql) == want)
      return true;
    if (std::chrono::steady_clock::now() >= until)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void scratch_database::add_dental_business(const std::string& id, const std::string& phone) const {
  pqxx::connection c(owner_dsn());
  pqxx::work tx(c);
  tx.exec_params("INSERT INTO businesses (id, name, phone_number, timezone, greeting, address, "
                 "appointment_minutes, min_notice_minutes) VALUES ($1, 'Bright Smile Dental', $2, "
                 "'America/Chicago', 'Thank you for calling Bright Smile Dental. How can I help?', "
                 "'1200 Main Street', 60, 30)",
                 id, phone);
  for (int d = 0; d < 5; ++d)
    tx.exec_params("INSERT INTO business_hours VALUES ($1, $2, '09:00', '17:00')", id, d);
  tx.commit();
}

std::string maintenance_owner_dsn() { return env("FRONTDESK_TEST_OWNER_DSN") + " dbname=postgres"; }

scratch_database::scratch_database() : name_(unique_name("fdt_")) {
  create_database(name_, env("FRONTDESK_TEST_TEMPLATE", "frontdesk_template"));
}

scratch_database::~scratch_database() {
  try {
    drop_database(name_);
  } catch (...) {
    // Best effort: a leftover fdt_ database is removed by the next scripts/test.sh run.
  }
}

std::string scratch_database::owner_dsn() const {
  return env("FRONTDESK_TEST_OWNER_DSN") + " dbname=" + name_;
}

std::string scratch_database::app_dsn() const {
  return env("FRONTDESK_TEST_APP_DSN") + " dbname=" + name_;
}

std::string create_empty_database() {
  auto name = unique_name("fdt_empty_");
  create_database(name, "template1");
  return name;
}

void drop_database(const std::string& name) {
  pqxx::connection conn(maintenance_owner_dsn());
  pqxx::nontransaction tx(conn);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
}

} // namespace frontdesk::fixtures
