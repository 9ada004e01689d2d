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
