// The calls a node leaves behind (migration 0006), as the application role: finished across
// businesses for the named node only, and not while that node says it is alive.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/store/calls.hpp"
#include "adapters/store/database.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

class node_calls : public ::testing::Test {
protected:
  void SetUp() override {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', 'Alpha', '+15550100001', 'UTC'),"
            "('00000000-0000-0000-0000-0000000000b1', 'Beta', '+15550100002', 'UTC')");
    // Two businesses' open calls on node-x, one already ended there, one on node-y.
    tx.exec("INSERT INTO calls (business_id, call_sid, node, status, started_at, answered_at) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', 'CA1', 'node-x', 'in-progress', "
            " '2026-03-04T14:59:00Z', '2026-03-04T14:59:10Z'),"
            "('00000000-0000-0000-0000-0000000000b1', 'CA2', 'node-x', 'ringing', "
            " '2026-03-04T14:59:30Z', NULL),"
            "('00000000-0000-0000-0000-0000000000a1', 'CA3', 'node-y', 'in-progress', "
            " '2026-03-04T14:59:00Z', '2026-03-04T14:59:10Z')");
    tx.exec("INSERT INTO calls (business_id, call_sid, node, status, ended_at, end_reason) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', 'CA4', 'node-x', 'completed', "
            " '2026-03-04T14:58:00Z', 'stop')");
    tx.commit();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  std::string states() {
    return row("SELECT string_agg(call_sid || ':' || status || ':' || coalesce(end_reason, '') || "
               "':' || coalesce(duration_seconds::text, ''), ',' ORDER BY call_sid) FROM calls");
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
  store::calls_repo repo_{app_};
  frontdesk::sys_time t0_ = *parse_rfc3339("2026-03-04T15:00:00Z");
};

} // namespace

TEST_F(node_calls, a_node_restarting_finishes_its_own_open_calls_of_every_business) {
  auto n = repo_.finish_node_calls("node-x", "node_restarted", t0_);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_TRUE(*n);
  EXPECT_EQ(**n, 2u);
  // Durations from answer (or start, never answered) to the end; other rows untouched.
  EXPECT_EQ(states(), "CA1:failed:node_restarted:50,CA2:failed:node_restarted:30,"
                      "CA3:in-progress::,CA4:completed:stop:");
  EXPECT_EQ(**repo_.finish_node_calls("node-x", "node_restarted", t0_), 0u); // once
}

TEST_F(node_calls, a_survivor_waits_while_the_lost_node_still_says_it_is_alive) {
  ASSERT_TRUE(repo_.node_alive("node-x"));
  auto n = repo_.finish_node_calls("node-x", "node_lost", t0_, 3000ms);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_FALSE(*n); // alive a moment ago: nothing touched
  EXPECT_EQ(row("SELECT count(*) FROM calls WHERE ended_at IS NULL"), "3");
  // Silent for longer than the quiet time (its last heartbeat moved back): finished.
  {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("UPDATE cluster_nodes SET last_seen = now() - interval '4 seconds'");
    tx.commit();
  }
  auto m = repo_.finish_node_calls("node-x", "node_lost", t0_, 3000ms);
  ASSERT_TRUE(m && *m);
  EXPECT_EQ(**m, 2u);
  // A node that never wrote a heartbeat (never in a cluster) is silent.
  auto y = repo_.finish_node_calls("node-y", "node_lost", t0_, 3000ms);
  ASSERT_TRUE(y && *y);
  EXPECT_EQ(**y, 1u);
}

TEST_F(node_calls, the_application_role_cannot_touch_cluster_nodes_directly) {
  pqxx::connection c(db_.app_dsn());
  pqxx::nontransaction tx(c);
  EXPECT_THROW(tx.exec("SELECT * FROM cluster_nodes"), pqxx::sql_error);
}
