// The CI smoke runs of `frontdesk bench`'s engine: 20 concurrent callers on the instant test
// engines with the rules dialog and the real calendar, and a short soak; the reports have their
// shape and nothing is lost or left behind.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "tests/e2e/node/start_node.hpp"
#include "adapters/caller/bench.hpp"
#include "adapters/speech/speech.hpp"
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
