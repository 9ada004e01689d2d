// Whole calls on embedded engines: the caller simulator speaks (Flite, a different voice) to a
// node that listens (VAD, endpointing, PocketSphinx), answers (dialog) and speaks (Flite).
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "adapters/caller/simulator.hpp"
#include "adapters/http/http.hpp"
#include "adapters/speech/speech.hpp"
#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string token = "e2e-token";

class receptionist : public ::testing::Test {
protected:
  void SetUp() override {
    {
      pqxx::connection c(db_.owner_dsn());
      pqxx::work tx(c);
      tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, greeting) VALUES "
              "('00000000-0000-0000-0000-0000000000a1', 'Bright Smile Dental', '+15550100001', "
              "'America/Chicago', 'Thank you for calling Bright Smile Dental. How can I help?')");
      tx.commit();
    }
    recordings_ = ::testing::TempDir() + "rec-" + std::to_string(::getpid());
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.speech.recordings_dir = recordings_;
    for (int attempt = 0; attempt < 5 && !node_; ++attempt) {
      auto port = 20000 + (::getpid() * 13 + attempt * 173) % 30000;
      cfg.node.listen = "127.0.0.1:" + std::to_string(port);
      cfg.node.public_url = "http://127.0.0.1:" + std::to_string(port);
      auto n = std::make_unique<node>(cfg, make_clock(std::nullopt));
      if (n->start())
        node_ = std::move(n);
    }
    ASSERT_TRUE(node_);
    base_ = "http://127.0.0.1:" + std::to_string(node_->port());
    caller_voice_ = speech::make_flite_tts("rms");
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  std::vector<std::uint8_t> words(const std::string& text) {
    return *speech::synthesize_all(*caller_voice_, text);
  }
  caller::sim_options sim() {
    caller::sim_options o;
    o.base_url = base_;
    o.auth_token = token;
    o.to = "+15550100001";
    o.quiet_to_hang_up = 2s;
    o.max_call = 60s;
    return o;
  }
  std::string row(const std::string& sql) {
    pqxx::connection c(db_.owner_dsn());
    pqxx::nontransaction tx(c);
    auto r = tx.exec(sql);
    if (r.empty())
      return "NO ROW";
    return r[0][0].is_null() ? "NULL" : r[0][0].as<std::string>();
  }
  bool eventually(const std::string& sql, const std::string& want) {
    for (int i = 0; i < 250; ++i) {
      if (row(sql) == want)
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
  std::string base_, recordings_;
  std::unique_ptr<speech::tts_engine> caller_voice_;
};

} // namespace

TEST_F(receptionist, greets_hears_echoes_and_ends_on_goodbye) {
  auto o = sim();
  o.audio = words("I would like to book an appointment tomorrow at two p m.");
  o.turns.push_back({words("That's all, thank you, goodbye."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  std::cout << rep->to_json() << "\n";
  EXPECT_GE(rep->first_audio_ms, 0);
  EXPECT_LT(rep->first_audio_ms, 1000); // the greeting comes at once
  ASSERT_EQ(rep->turn_latency_ms.size(), 2u);
  EXPECT_EQ(rep->ended, "server_closed:1000:call ended"); // the receptionist hung up
  ASSERT_TRUE(eventually("SELECT end_reason FROM calls", "socket_peer_closed") ||
              row("SELECT ended_at IS NOT NULL FROM calls") == "t");
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("Thank you for calling Bright Smile Dental"), std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("\"i would like to book an appointment tomorrow at two p m\""),
            std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("You said: i would like to book an appointment tomorrow at two p m."),
            std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("Goodbye!"), std::string::npos) << transcript;
  EXPECT_EQ(row("SELECT jsonb_array_length(latencies) FROM calls"), "2");
  auto metrics = http::fetch("GET", base_ + "/metrics", {}, "");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("frontdesk_turn_latency_ms_count{part=\"first_frame_sent\"} 2"),
            std::string::npos);
  EXPECT_EQ(row("SELECT outcome FROM calls"), "caller_said_goodbye");
  auto path = row("SELECT recording_path FROM calls");
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  auto info = fixtures::run("opusinfo " + path);
  if (info.exit_code != 127) {
    EXPECT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("Playback length"), std::string::npos);
  }
}

TEST_F(receptionist, an_interruption_stops_the_reply_and_the_transcript_shows_the_cut) {
  auto o = sim();
  // A long request makes a long echo; the caller talks over it.
  o.audio = words("I would like to book an appointment, and I need a cleaning, and I want to "
                  "come in next tuesday morning or thursday at eleven or friday at four p m.");
  o.turns.push_back({words("No, wait. Friday at ten a m."), 1500ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  std::cout << rep->to_json() << "\n";
  ASSERT_EQ(rep->barge_in_ms.size(), 1u);
  EXPECT_GE(rep->clears, 1u);
  EXPECT_LT(rep->barge_in_ms[0], 1000);
  ASSERT_TRUE(eventually(
      "SELECT count(*) FROM calls, jsonb_array_elements(transcript) t "
      "WHERE (t->>'interrupted')::boolean",
      "1"));
  // The cut turn holds less than the whole reply.
  auto cut = row("SELECT t->>'text' FROM calls, jsonb_array_elements(transcript) t "
                 "WHERE (t->>'interrupted')::boolean");
  EXPECT_LT(cut.size(), std::string("You said: i would like to book an appointment and i need a "
                                    "cleaning and i want to come in next tuesday morning or "
                                    "thursday at eleven or friday at four p m.")
                            .size());
}
