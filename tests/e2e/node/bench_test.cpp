// The CI smoke runs of `frontdesk bench`'s engine: 20 concurrent callers on the instant test
// engines with the rules dialog and the real calendar, and a short soak; the reports have their
// shape and nothing is lost or left behind.
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "tests/e2e/node/start_node.hpp"
#include "adapters/caller/bench.hpp"
#include "adapters/speech/speech.hpp"
#include "tests/e2e/node/scenario_business.hpp"
#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string token = "bench-token";

class instant_bench : public ::testing::Test {
protected:
  void SetUp() override {
    {
      pqxx::connection c(db_.owner_dsn());
      pqxx::work tx(c);
      tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, greeting) VALUES "
              "('00000000-0000-0000-0000-0000000000b1', 'Bench Dental', '+15550100001', "
              "'America/Chicago', 'Thank you for calling. How can I help?')");
      tx.commit();
    }
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.speech.mode = "instant";
    cfg.speech.recordings_dir = "";
    node_ = fixtures::start_node(cfg, std::nullopt, 23);
    ASSERT_TRUE(node_);
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  caller::bench_options options(int calls) {
    caller::bench_options b;
    b.call.base_url = "http://127.0.0.1:" + std::to_string(node_->port());
    b.call.auth_token = token;
    b.call.to = "+15550100001";
    auto voice = speech::make_flite_tts("rms");
    const std::string words = "What are your hours?";
    b.call.audio = *speech::synthesize_all(*voice, words);
    b.call.extra_parameters["script"] = words;
    b.call.quiet_to_hang_up = 800ms;
    b.call.max_call = 30s;
    b.calls = calls;
    b.ramp_per_second = 40;
    b.node_pid = static_cast<int>(::getpid()); // the node runs in this process
    return b;
  }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
};

} // namespace

TEST_F(instant_bench, twenty_concurrent_callers_each_get_an_answer) {
  auto rep = caller::run_bench(options(20));
  std::cout << rep.to_table();
  EXPECT_EQ(rep.calls, 20);
  EXPECT_EQ(rep.ok, 20);
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(rep.turns_measured, 20u);
  EXPECT_EQ(rep.turns_unanswered, 0u);
  // The node's own account of each turn reached /metrics.
  EXPECT_EQ(rep.runtime_turns, 20u);
  EXPECT_GT(rep.runtime_p95_ms, 0.0);
  EXPECT_EQ(rep.node_calls_live_after, 0u);
  EXPECT_GE(rep.node_calls_live_peak, 2u);
  EXPECT_GE(rep.node_realtime_threads, 0); // read from /proc
  auto json = rep.to_json();
  for (auto key : {"\"calls\":20", "\"failed\":0", "\"first_audio_ms\"", "\"outbound_late_ms\"",
                   "\"turn_latency_ms\"", "\"runtime_added_ms\"", "\"barge_in_ms\"",
                   "\"node_cpu_us_per_frame\"", "\"node_cpu_per_call\"",
                   "\"node_rss_per_call_mb\"", "\"node_rss_mb\"", "\"node_fds\"",
                   "\"load_generator_cpu_s\"", "\"node_cpu_wait_s\"", "\"machine_steal_s\"",
                   "\"node_realtime_threads\""})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
}

TEST_F(instant_bench, a_short_soak_leaves_no_call_or_descriptor_behind) {
  auto b = options(4);
  b.soak = 15s;
  auto rep = caller::run_bench(b);
  std::cout << rep.to_table();
  EXPECT_GT(rep.calls_placed, 4u); // each caller called more than once
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(rep.turns_unanswered, 0u);
  EXPECT_EQ(rep.node_calls_live_after, 0u);
  ASSERT_GE(rep.node_fds_before, 0);
  EXPECT_LE(rep.node_fds_after, rep.node_fds_before + 2) << "descriptors left open";
  // The node returns the calls' memory once the last one is over (the load generator shares
  // the process here, so the bound is loose).
  EXPECT_LE(rep.node_rss_after_mb, rep.node_rss_before_mb * 1.25 + 10) << rep.to_table();
}

namespace {

// `frontdesk bench --scenario`: callers that all play one booking scenario, on the instant
// engines (the turns go as the call's script), against the scenario set's business with the
// node's clock where the scenarios expect it (Wednesday, March 4th 2026, 3 PM in Chicago).
class booking_bench : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(fixtures::load_scenario_business(db_.app_dsn()));
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.speech.mode = "instant";
    cfg.speech.recordings_dir = "";
    node_ = fixtures::start_node(cfg, fixtures::scenario_now(), 29);
    ASSERT_TRUE(node_);
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  fixtures::run_result bench(const std::string& args) {
    return fixtures::run("TWILIO_AUTH_TOKEN=" + token + " " + FRONTDESK_BIN +
                         " bench --base-url http://127.0.0.1:" + std::to_string(node_->port()) +
                         " --to +15550100001 --json " + args);
  }
  // The report: the last line of the output that is a JSON object.
  static boost::json::object report(const std::string& output) {
    std::istringstream lines(output);
    boost::json::object last;
    for (std::string line; std::getline(lines, line);) {
      boost::system::error_code ec;
      auto v = boost::json::parse(line, ec);
      if (!ec && v.is_object())
        last = v.as_object();
    }
    return last;
  }
  int booked_rows() {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    return tx.exec1("SELECT count(*) FROM appointments WHERE status = 'booked'")[0].as<int>();
  }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
};

} // namespace

TEST_F(booking_bench, callers_racing_for_one_slot_make_exactly_the_one_booking_expected) {
  int before = booked_rows();
  auto scenario = std::string(FRONTDESK_SOURCE_DIR) + "/tests/scenarios/book_01.json";
  auto r = bench("--calls 4 --ramp 20 --scenario " + scenario);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto rep = report(r.output);
  ASSERT_TRUE(rep.contains("bookings")) << r.output;
  EXPECT_EQ(rep.at("failed").to_number<int>(), 0) << r.output;
  EXPECT_EQ(rep.at("bookings").at("made").to_number<int>(), 1) << r.output;
  EXPECT_EQ(rep.at("bookings").at("expected").to_number<int>(), 1) << r.output;
  EXPECT_EQ(booked_rows(), before + 1); // the report counts what the calendar holds

  // The slot is taken now: a run that expects two bookings more makes none and fails.
  auto again = bench("--calls 2 --ramp 20 --expect-bookings 2 --scenario " + scenario);
  EXPECT_NE(again.exit_code, 0) << again.output;
  auto rep2 = report(again.output);
  ASSERT_TRUE(rep2.contains("bookings")) << again.output;
  EXPECT_EQ(rep2.at("bookings").at("expected").to_number<int>(), 2);
  EXPECT_EQ(rep2.at("bookings").at("made").to_number<int>(), 0) << again.output;
  EXPECT_EQ(booked_rows(), before + 1); // never a double booking
}
