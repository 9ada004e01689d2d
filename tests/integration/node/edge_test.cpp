// A whole node (edge, actors, PostgreSQL) over real loopback sockets, driven as Twilio drives it.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "adapters/caller/bench.hpp"
#include "adapters/caller/simulator.hpp"
#include "adapters/http/http.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/media_stream.hpp"
#include "protocols/twilio/signature.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string token = "test-auth-token";
const std::string number = "+15550100001";

class edge : public ::testing::Test {
protected:
  void SetUp() override {
    {
      pqxx::connection c(db_.owner_dsn());
      pqxx::work tx(c);
      tx.exec("INSERT INTO businesses (id, name, phone_number, timezone) VALUES "
              "('00000000-0000-0000-0000-0000000000a1', 'Alpha Dental', '" + number +
              "', 'America/Chicago')");
      tx.commit();
    }
    config cfg;
    cfg.node.listen = "127.0.0.1:0";
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.node.drain_seconds = 1;
    cfg.speech.mode = "echo"; // the transport alone: the receptionist has its own tests
    cfg.node.public_url = "http://127.0.0.1:1"; // fixed below, once the port is known
    start(cfg);
  }
  void start(config cfg) {
    // The public URL must name the port, so bind first on a port we pick.
    node_.reset();
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto port = 20000 + (::getpid() * 7 + attempt * 131) % 30000;
      cfg.node.listen = "127.0.0.1:" + std::to_string(port);
      cfg.node.public_url = "http://127.0.0.1:" + std::to_string(port);
      node_ = std::make_unique<node>(cfg, make_clock(std::nullopt));
      if (node_->start())
        break;
      node_.reset();
    }
    ASSERT_TRUE(node_);
    base_ = "http://127.0.0.1:" + std::to_string(node_->port());
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  bool eventually(const std::string& sql, const std::string& want) {
    return db_.eventually(sql, want, std::chrono::milliseconds(4000));
  }
  http::client_response post_voice(const std::string& call_sid, const std::string& to,
                                   const std::string& signature_token) {
    twilio::form f;
    f.add("CallSid", call_sid);
    f.add("From", "+15557770000");
    f.add("To", to);
    f.add("CallStatus", "ringing");
    auto sig = twilio::compute_signature(signature_token, base_ + "/twilio/voice", f);
    auto r = http::fetch("POST", base_ + "/twilio/voice",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Twilio-Signature", sig}},
                         twilio::encode_form(f));
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  caller::sim_options sim(std::vector<std::uint8_t> audio = {}) {
    caller::sim_options o;
    o.base_url = base_;
    o.auth_token = token;
    o.to = number;
    o.audio = std::move(audio);
    o.wait_for_greeting = false;
    o.fast = true;
    o.quiet_to_hang_up = 700ms;
    o.max_call = 20s;
    return o;
  }
  std::string metrics() { return http::fetch("GET", base_ + "/metrics", {}, "")->body; }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
  std::string base_;
};

std::vector<std::uint8_t> tone(int frames) {
  std::vector<std::uint8_t> a(static_cast<std::size_t>(frames) * 160);
  for (std::size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<std::uint8_t>(i % 2 ? 0x10 : 0x90);
  return a;
}

} // namespace

TEST_F(edge, a_signed_webhook_answers_with_a_stream_and_records_the_call) {
  auto r = post_voice("CA00000000000000000000000000000001", number, token);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.header("Content-Type").find("text/xml"), std::string::npos);
  auto base = "127.0.0.1:" + std::to_string(node_->port());
  EXPECT_NE(r.body.find("<Connect action=\"http://" + base + "/twilio/after-stream\"><Stream url=\"ws://" +
                        base + "/twilio/media\">"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<Parameter name=\"callId\" value=\""), std::string::npos);
  EXPECT_EQ(row("SELECT count(*) FROM calls"), "1");
  EXPECT_EQ(row("SELECT status FROM calls"), "ringing");
}

TEST_F(edge, unsigned_or_badly_signed_webhooks_are_refused_and_nothing_is_recorded) {
  EXPECT_EQ(post_voice("CA00000000000000000000000000000002", number, "wrong-token").status, 403);
  auto unsigned_post = http::fetch("POST", base_ + "/twilio/voice",
                                   {{"Content-Type", "application/x-www-form-urlencoded"}},
                                   "CallSid=CA1&To=%2B15550100001");
  ASSERT_TRUE(unsigned_post);
  EXPECT_EQ(unsigned_post->status, 403);
  EXPECT_EQ(row("SELECT count(*) FROM calls"), "0");
  EXPECT_NE(metrics().find("frontdesk_webhooks_total{route=\"voice\",result=\"forbidden\"} 2"),
            std::string::npos);
}

TEST_F(edge, an_unknown_number_gets_polite_twiml) {
  auto r = post_voice("CA00000000000000000000000000000003", "+15559999999", token);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Say>"), std::string::npos);
  EXPECT_NE(r.body.find("<Hangup/>"), std::string::npos);
  EXPECT_EQ(r.body.find("<Stream"), std::string::npos);
  EXPECT_EQ(row("SELECT count(*) FROM calls"), "0");
}

TEST_F(edge, a_duplicate_call_sid_does_not_create_a_second_call) {
  auto a = post_voice("CA00000000000000000000000000000004", number, token);
  auto b = post_voice("CA00000000000000000000000000000004", number, token);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.body, a.body); // the same stream, the same call id
  EXPECT_EQ(row("SELECT count(*) FROM calls"), "1");
}

TEST_F(edge, a_simulated_call_with_marks) {
  auto rep = caller::simulate_call(sim(tone(100)));
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->webhook_status, 200);
  EXPECT_EQ(rep->frames_sent, 100u);
  // The media actor echoes the caller, paced; frames that go out together are one message
  // (at most the pacer's 200 ms lead in one).
  EXPECT_EQ(rep->bytes_received, 16000u);
  EXPECT_LT(rep->media_received, 100u);
  EXPECT_GE(rep->media_received, 10u);
  // The node counts what it sent in frames, not messages.
  EXPECT_NE(metrics().find("frontdesk_frames_out_total 100\n"), std::string::npos) << metrics();
  EXPECT_EQ(rep->received_audio, tone(100));
  EXPECT_EQ(rep->marks_received, 4u); // one every half second of echo
  EXPECT_EQ(rep->marks_echoed, rep->marks_received);
  EXPECT_EQ(rep->clears, 0u);
  EXPECT_EQ(rep->ended, "caller_hung_up");
  EXPECT_TRUE(eventually("SELECT end_reason FROM calls", "stop"));
  EXPECT_EQ(row("SELECT status FROM calls"), "completed");
  EXPECT_NE(row("SELECT answered_at FROM calls"), "NULL");
  EXPECT_EQ(row("SELECT stream_sid FROM calls"), rep->stream_sid);
}

namespace {

// A raw Media Stream client for the misbehaving cases.
struct stream_client {
  http::ws_client_pool pool;
  std::shared_ptr<http::ws_client_pool::connection> conn;
  std::promise<http::close_info> closed;
  std::atomic<int> received{0};
  bool connect(const std::string& base, const std::string& sig_url, const std::string& tok) {
    auto c = pool.connect("ws" + base.substr(4) + "/twilio/media",
                          {{"X-Twilio-Signature", twilio::compute_signature(tok, sig_url, {})}},
                          {[this](std::string_view) { ++received; },
                           [this](const http::close_info& i) { closed.set_value(i); }});
    if (!c)
      return false;
    conn = *c;
    return true;
  }
};

} // namespace

TEST_F(edge, a_clear_stops_what_is_still_playing) {
  auto o = sim(tone(250)); // 5 s of audio, sent at once: the echo is paced out over 5 s
  o.dtmf = {"#"};          // ... and '#' asks the echo to clear
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->clears, 1u);
  EXPECT_LT(rep->media_received, 50u); // Twilio's buffer was kept shallow, and the rest dropped
  EXPECT_EQ(rep->marks_echoed, rep->marks_received);
}

TEST_F(edge, bad_input_on_a_stream_is_dropped_counted_and_the_node_keeps_serving) {
  auto hook = post_voice("CA00000000000000000000000000000005", number, token);
  auto id_at = hook.body.find("name=\"callId\" value=\"") + 21;
  auto call_id = hook.body.substr(id_at, 36);
  stream_client bad;
  ASSERT_TRUE(bad.connect(base_, "ws" + base_.substr(4) + "/twilio/media", token));
  auto frame = tone(1); // speech-like, so the echo sends it back
  // Frames before start, then garbage of every kind.
  bad.conn->send_text(twilio::inbound_media_message(1, "MZ1", 1, 0, frame));
  twilio::stream_start st{"MZ1", "AC1", "CA00000000000000000000000000000005", {"inbound"},
                          {{"callId", call_id}, {"businessId", "00000000-0000-0000-0000-0000000000a1"}},
                          "audio/x-mulaw", 8000, 1};
  bad.conn->send_text(twilio::start_message(2, st));
  bad.conn->send_text("{not json");
  bad.conn->send_text(R"({"event":"teleport","sequenceNumber":"3","streamSid":"MZ1"})");
  bad.conn->send_text(twilio::inbound_media_message(4, "MZ-other", 2, 20, frame));
  bad.conn->send_text(R"({"event":"media","sequenceNumber":"5","streamSid":"MZ1","media":{"payload":"%%%"}})");
  bad.conn->send_binary(std::string(160, '\x7f'));
  // A good frame still goes through on the same stream.
  bad.conn->send_text(twilio::inbound_media_message(6, "MZ1", 3, 40, frame));
  // Meanwhile another call works normally.
  auto rep = caller::simulate_call(sim(tone(20)));
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->bytes_received, 20u * 160u);
  for (int i = 0; i < 100 && bad.received.load() < 1; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_GE(bad.received.load(), 1); // the good frame was echoed
  auto m = metrics();
  EXPECT_NE(m.find("frontdesk_stream_bad_messages_total 6"), std::string::npos) << m;
  // Oversized: that session alone ends (1009); the call record says how.
  bad.conn->send_text(std::string(100 * 1024, 'x'));
  auto fut = bad.closed.get_future();
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(fut.get().code, 1009);
  EXPECT_TRUE(eventually("SELECT end_reason FROM calls WHERE call_sid = 'CA00000000000000000000000000000005'",
                         "socket_too_big"));
  EXPECT_EQ(http::fetch("GET", base_ + "/health", {}, "")->status, 200);
}

TEST_F(edge, a_stream_upgrade_without_a_valid_signature_is_refused) {
  stream_client c;
  EXPECT_FALSE(c.connect(base_, "ws" + base_.substr(4) + "/twilio/media", "wrong-token"));
  EXPECT_NE(metrics().find("frontdesk_stream_refused_total 1"), std::string::npos);
}

TEST_F(edge, a_completed_status_callback_ends_a_live_call) {
  auto o = sim(tone(10));
  o.quiet_to_hang_up = 30s; // the caller would stay on the line
  o.max_call = 30s;
  std::string sid = "CA00000000000000000000000000000006";
  o.call_sid = sid;
  auto call = std::async(std::launch::async, [o] { return caller::simulate_call(o); });
  ASSERT_TRUE(eventually("SELECT status FROM calls", "in-progress"));
  twilio::form f;
  f.add("CallSid", sid);
  f.add("CallStatus", "completed");
  f.add("CallDuration", "7");
  auto sig = twilio::compute_signature(token, base_ + "/twilio/status", f);
  auto r = http::fetch("POST", base_ + "/twilio/status",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"X-Twilio-Signature", sig}},
                       twilio::encode_form(f));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  auto rep = call.get();
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->ended, "server_closed:1000:call ended");
  EXPECT_EQ(row("SELECT duration_seconds FROM calls"), "7");
  EXPECT_EQ(row("SELECT status FROM calls"), "completed");
}

TEST_F(edge, stopping_the_node_drains_then_closes_live_calls_with_a_final_status) {
  auto o = sim(tone(10));
  o.quiet_to_hang_up = 30s;
  o.max_call = 30s;
  auto call = std::async(std::launch::async, [o] { return caller::simulate_call(o); });
  ASSERT_TRUE(eventually("SELECT status FROM calls", "in-progress"));
  auto t0 = std::chrono::steady_clock::now();
  node_->stop(); // drain_seconds = 1: the call may go on that long, then it is closed
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  auto rep = call.get();
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->ended.rfind("server_closed", 0), 0u) << rep->ended;
  EXPECT_EQ(row("SELECT end_reason FROM calls"), "node_shutdown");
  EXPECT_EQ(row("SELECT status FROM calls"), "completed");
  EXPECT_NE(row("SELECT ended_at FROM calls"), "NULL");
  node_.reset();
}

TEST_F(edge, health_ready_and_metrics) {
  EXPECT_EQ(http::fetch("GET", base_ + "/health", {}, "")->body, "ok\n");
  EXPECT_EQ(http::fetch("GET", base_ + "/ready", {}, "")->status, 200);
  auto m = metrics();
  for (auto name : {"frontdesk_calls_live", "frontdesk_calls_total", "frontdesk_webhooks_total",
                    "frontdesk_frames_in_total", "frontdesk_frames_out_total",
                    "frontdesk_frames_dropped_total", "frontdesk_ws_errors_total"})
    EXPECT_NE(m.find(std::string("# TYPE ") + name), std::string::npos) << name;
}

TEST_F(edge, bench_smoke_twenty_concurrent_calls) {
  caller::bench_options b;
  b.call = sim(tone(100)); // 2 s of audio each, echoed back
  b.call.fast = false;
  b.call.quiet_to_hang_up = 500ms;
  b.calls = 20;
  b.ramp_per_second = 40;
  b.node_pid = static_cast<int>(::getpid()); // the node runs in this process
  auto rep = caller::run_bench(b);
  EXPECT_EQ(rep.calls, 20);
  EXPECT_EQ(rep.ok, 20);
  EXPECT_EQ(rep.failed, 0) << rep.to_table();
  EXPECT_EQ(rep.frames_received, 20u * 100u);
  EXPECT_GT(rep.node_cpu_s, 0.0);
  auto json = rep.to_json();
  for (auto key : {"\"calls\":20", "\"failed\":0", "\"first_audio_ms\"", "\"outbound_late_ms\"",
                   "\"turn_latency_ms\"", "\"barge_in_ms\"", "\"node_cpu_us_per_frame\"",
                   "\"node_rss_mb\""})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  std::cout << rep.to_table();
}
