// Migrations against a real PostgreSQL: a fresh database each test.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/store/migrate.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using frontdesk::fixtures::create_empty_database;
using frontdesk::fixtures::drop_database;

namespace {

struct empty_db {
  std::string name = create_empty_database();
  ~empty_db() {
    try {
      drop_database(name);
    } catch (...) {
      // Best effort, as for scratch databases: a destructor must not throw (it would abort the
      // test binary); the next scripts/test.sh run removes leftover fdt_ databases.
    }
  }
  std::string dsn() const { return std::string(std::getenv("FRONTDESK_TEST_OWNER_DSN")) + " dbname=" + name; }
};

int count(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<int>();
}

} // namespace

TEST(migrate, applies_on_an_empty_database_and_a_second_run_changes_nothing) {
  empty_db db;
  auto& all = store::bundled_migrations();
  ASSERT_GE(all.size(), 2u);
  auto first = store::migrate(db.dsn(), all);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->applied.size(), all.size());
  EXPECT_EQ(first->applied.front(), "0001_schema.sql");
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations"), int(all.size()));
  auto tables = count(db.dsn(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");

  auto second = store::migrate(db.dsn(), all);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, all.size());
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), tables);
}

TEST(migrate, records_checksums) {
  empty_db db;
  auto& all = store::bundled_migrations();
  ASSERT_TRUE(store::migrate(db.dsn(), all));
  pqxx::connection c(db.dsn());
  pqxx::nontransaction tx(c);
  auto row = tx.exec1("SELECT name, checksum FROM schema_migrations WHERE version = 1");
  EXPECT_EQ(row[0].as<std::string>(), "0001_schema.sql");
  EXPECT_EQ(row[1].as<std::string>(), store::checksum(all[0].sql));
  EXPECT_EQ(row[1].as<std::string>().size(), 64u);
}

TEST(migrate, an_edited_applied_migration_is_refused) {
  empty_db db;
  auto all = store::bundled_migrations();
  ASSERT_TRUE(store::migrate(db.dsn(), all));
  all[0].sql += "\n-- edited after it was applied\n";
  all.push_back({99, "0099_more.sql", "CREATE TABLE should_not_exist (x int);"});
  auto result = store::migrate(db.dsn(), all);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "migration_changed");
  EXPECT_NE(result.error().message.find("0001_schema.sql"), std::string::npos);
  // Nothing after the refusal was applied.
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM pg_tables WHERE tablename = 'should_not_exist'"), 0);
}

TEST(migrate, a_failing_migration_leaves_nothing_behind) {
  empty_db db;
  auto all = store::bundled_migrations();
  all.push_back({98, "0098_broken.sql", "CREATE TABLE half_done (x int); SELECT no_such_column FROM half_done;"});
  auto result = store::migrate(db.dsn(), all);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "migration_failed");
  EXPECT_NE(result.error().message.find("0098_broken.sql"), std::string::npos);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"), 0);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations WHERE version = 98"), 0);
  // The good ones before it stay applied.
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations"),
            int(store::bundled_migrations().size()));
}

TEST(migrate, unreachable_database_is_a_clear_error) {
  auto result = store::migrate("host=127.0.0.1 port=1 connect_timeout=2 user=x dbname=x",
                               store::bundled_migrations());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "database_unreachable");
}
