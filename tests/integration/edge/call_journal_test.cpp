// A call's journal against a real PostgreSQL: changes made while a write is pending go out
// together, in order, and the row ends up as the single writes would have left it.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/edge/call_journal.hpp"
#include "adapters/store/calls.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

constexpr const char* business = "00000000-0000-0000-0000-0000000000a1";

class call_journal_test : public ::testing::Test {
protected:
  void SetUp() override {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, greeting) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', 'Alpha', '+15550100001', 'UTC', 'Hi')");
    tx.commit();
    store::call_start s{"CA00000000000000000000000000000007", "+15557770000", "+15550100001",
                        "n1", t0_};
    auto opened = repo_.open_call(business, s);
    ASSERT_TRUE(opened) << opened.error().message;
    call_id_ = opened->id;
  }
  std::string row(const std::string& expr) {
    pqxx::connection c(db_.owner_dsn());
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1("SELECT (" + expr + ")::text FROM calls WHERE id = $1", call_id_);
    return r[0].is_null() ? "NULL" : r[0].as<std::string>();
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
  store::calls_repo repo_{app_};
  worker_pool pool_{"journal", worker_pool::manual, 100};
  sys_time t0_ = *parse_rfc3339("2026-03-04T15:00:00Z");
  std::string call_id_;
};

} // namespace

TEST_F(call_journal_test, everything_made_while_a_write_is_pending_goes_out_in_one_transaction) {
  edge::call_journals journals(app_, pool_);
  auto j = journals.open(business, call_id_, "CA00000000000000000000000000000007");
  EXPECT_EQ(journals.find(call_id_), j);
  j->streaming("MZ1", t0_ + std::chrono::seconds(1));
  j->turn({"agent", "Hi", 0, false});
  j->turn({"agent", "We're open nine to five.", 2500, false}); // arrives before the caller's
  j->turn({"caller", "What are your hours?", 1800, false});
  j->latency(R"({"turn":1,"runtime_ms":0.9})");
  bool then_ran = false;
  j->finish({"Asked for the hours.", "question", "/rec/CA7.opus"},
            {"completed", "stop", t0_ + std::chrono::seconds(30)}, [&] { then_ran = true; });
  EXPECT_EQ(pool_.queued(), 1u); // one job for all six changes
  EXPECT_EQ(pool_.run_pending(), 1u);
  EXPECT_TRUE(then_ran);
  EXPECT_EQ(j->transactions(), 1u);
  EXPECT_EQ(j->changes(), 6u);

  EXPECT_EQ(row("stream_sid"), "MZ1");
  EXPECT_EQ(row("answered_at = started_at + interval '1 second'"), "true");
  EXPECT_EQ(row("jsonb_path_query_array(transcript, '$[*].text')"),
            R"(["Hi", "What are your hours?", "We're open nine to five."])");
  EXPECT_EQ(row("latencies"), R"([{"turn": 1, "runtime_ms": 0.9}])");
  EXPECT_EQ(row("summary || '|' || outcome || '|' || recording_path"),
            "Asked for the hours.|question|/rec/CA7.opus");
  EXPECT_EQ(row("status || '|' || end_reason || '|' || duration_seconds"), "completed|stop|29");

  journals.close(call_id_);
  EXPECT_EQ(journals.find(call_id_), nullptr);
}

TEST_F(call_journal_test, changes_after_a_write_go_out_in_the_next_and_append_in_order) {
  edge::call_journals journals(app_, pool_);
  auto j = journals.open(business, call_id_, "CA00000000000000000000000000000007");
  j->streaming("MZ1", t0_);
  j->turn({"agent", "Hi", 0, false});
  EXPECT_EQ(pool_.run_pending(), 1u);
  EXPECT_EQ(j->transactions(), 1u);
  j->turn({"caller", "Bye", 900, true});
  j->latency(R"({"turn":1})");
  j->latency(R"({"turn":2})");
  EXPECT_EQ(pool_.run_pending(), 1u);
  EXPECT_EQ(j->transactions(), 2u);
  EXPECT_EQ(j->changes(), 5u);
  EXPECT_EQ(row("jsonb_path_query_array(transcript, '$[*].role')"), R"(["agent", "caller"])");
  EXPECT_EQ(row("transcript->1->>'interrupted'"), "true");
  EXPECT_EQ(row("jsonb_path_query_array(latencies, '$[*].turn')"), "[1, 2]");
  EXPECT_EQ(row("status"), "in-progress");
  EXPECT_EQ(pool_.run_pending(), 0u); // nothing left behind
}

TEST_F(call_journal_test, a_status_callback_that_ended_the_call_first_is_kept_and_then_still_runs) {
  ASSERT_TRUE(repo_.record_status("CA00000000000000000000000000000007", "completed", 12,
                                  t0_ + std::chrono::seconds(12)));
  edge::call_journals journals(app_, pool_);
  auto j = journals.open(business, call_id_, "CA00000000000000000000000000000007");
  bool then_ran = false;
  j->turn({"agent", "Hi", 0, false});
  j->finish({"", "", ""}, {"failed", "socket_error", t0_ + std::chrono::seconds(40)},
            [&] { then_ran = true; });
  pool_.run_pending();
  EXPECT_TRUE(then_ran);
  EXPECT_EQ(row("status || '|' || duration_seconds"), "completed|12");
  EXPECT_EQ(row("jsonb_array_length(transcript)"), "1");
  EXPECT_EQ(row("summary"), "NULL");
}

TEST_F(call_journal_test, an_unreachable_database_is_logged_and_the_call_still_finishes) {
  store::database down("host=127.0.0.1 port=1 dbname=none connect_timeout=1", 1);
  edge::call_journals journals(down, pool_);
  auto j = journals.open(business, call_id_, "CA00000000000000000000000000000007");
  bool then_ran = false;
  j->turn({"agent", "Hi", 0, false});
  j->finish({"", "", ""}, {"completed", "stop", t0_}, [&] { then_ran = true; });
  EXPECT_EQ(pool_.run_pending(), 1u);
  EXPECT_TRUE(then_ran);
  EXPECT_EQ(j->transactions(), 1u); // tried once, not retried
  EXPECT_EQ(row("jsonb_array_length(transcript)"), "0");
}
