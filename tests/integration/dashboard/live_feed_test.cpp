// The live feed against PostgreSQL: an on-demand feed (the operator console's, on every node)
// holds no connection and parses nothing until it is wanted, follows the channel from the
// moment `want` returns, and lets its connection go after the last `unwant`.
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/dashboard/live_feed.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

class on_demand_feed : public ::testing::Test {
protected:
  void SetUp() override {
    feed_.tap([this](const dashboard::live_event& e) {
      std::lock_guard lk(mtx_);
      got_.push_back(e.id);
    });
    feed_.start();
  }

  void notify(int id) {
    pqxx::nontransaction tx(conn_);
    tx.exec("SELECT pg_notify('frontdesk_live', '{\"id\": " + std::to_string(id) +
            ", \"business_id\": \"b\", \"kind\": \"call\", \"data\": {}}')");
  }
  // Connections of this database whose last statement was a LISTEN (the feed's).
  int listeners() {
    pqxx::nontransaction tx(conn_);
    return tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query ILIKE 'LISTEN%'")[0]
        .as<int>();
  }
  std::vector<std::int64_t> got() {
    std::lock_guard lk(mtx_);
    return got_;
  }
  // Waits up to 3 s for `n` events.
  std::vector<std::int64_t> wait_for(std::size_t n) {
    for (int i = 0; i < 300 && got().size() < n; ++i)
      std::this_thread::sleep_for(10ms);
    return got();
  }

  fixtures::scratch_database db_;
  pqxx::connection conn_{db_.owner_dsn()};
  std::mutex mtx_;
  std::vector<std::int64_t> got_;
  dashboard::live_feed feed_{db_.owner_dsn(), true}; // last: stops before what its tap uses
};

TEST_F(on_demand_feed, listens_only_while_wanted_and_misses_nothing_after_want_returns) {
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(feed_.listening());
  EXPECT_EQ(listeners(), 0) << "an unwanted feed holds no connection";
  notify(1);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(got().empty());

  ASSERT_TRUE(feed_.want(3s));
  notify(2); // at once: want returned, so LISTEN is in place
  EXPECT_EQ(wait_for(1), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(listeners(), 1);

  ASSERT_TRUE(feed_.want(3s)); // a second user
  feed_.unwant();
  notify(3);
  EXPECT_EQ(wait_for(2), (std::vector<std::int64_t>{2, 3})) << "one user is left";

  feed_.unwant();
  for (int i = 0; i < 300 && (feed_.listening() || listeners() > 0); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(feed_.listening());
  EXPECT_EQ(listeners(), 0) << "the last user gone, the connection closes";
  notify(4);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(got(), (std::vector<std::int64_t>{2, 3}));

  ASSERT_TRUE(feed_.want(3s)); // wanted again: a new connection
  notify(5);
  EXPECT_EQ(wait_for(3), (std::vector<std::int64_t>{2, 3, 5}));
  feed_.unwant();
  feed_.unwant(); // more than wanted: ignored
  ASSERT_TRUE(feed_.want(3s));
  notify(6);
  EXPECT_EQ(wait_for(4), (std::vector<std::int64_t>{2, 3, 5, 6}));
  feed_.stop();
  EXPECT_FALSE(feed_.want(100ms)) << "a stopped feed is not listening";
}

TEST(live_feed, a_feed_not_on_demand_listens_from_start_to_stop) {
  fixtures::scratch_database db;
  dashboard::live_feed feed(db.owner_dsn());
  feed.start();
  for (int i = 0; i < 300 && !feed.listening(); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(feed.listening());
  feed.stop();
  EXPECT_FALSE(feed.listening());
}

} // namespace
