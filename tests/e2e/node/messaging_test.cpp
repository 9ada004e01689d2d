// End to end on one node: a simulated call books by voice, the confirmation reaches a fake
// Twilio with the business's local time; then the caller texts R and 2, the appointment moves
// and its reminders follow.
#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "adapters/caller/simulator.hpp"
#include "adapters/http/http.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/twilio/form.hpp"
#include "tests/e2e/node/start_node.hpp"
#include "tests/support/fake_twilio.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string token = "e2e-token";
const std::string biz_phone = "+15550100001";
const std::string caller_phone = "+15557770000";

class texts : public ::testing::Test {
protected:
  void SetUp() override {
    db_.add_dental_business("00000000-0000-0000-0000-0000000000a1", biz_phone);
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.twilio.account_sid = fake_.account_sid();
    cfg.twilio.api_base_url = fake_.base_url();
    cfg.speech.recordings_dir = "";
    cfg.speech.dialog = "rules";
    cfg.outbox.poll_ms = 50;
    // Wednesday, March 4th 2026, 3 PM in Chicago.
    node_ = fixtures::start_node(cfg, *parse_rfc3339("2026-03-04T21:00:00Z"), 29);
    ASSERT_TRUE(node_);
    base_ = "http://127.0.0.1:" + std::to_string(node_->port());
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  bool fake_has(std::size_t n) {
    for (int i = 0; i < 300 && fake_.messages().size() < n; ++i)
      std::this_thread::sleep_for(20ms);
    return fake_.messages().size() >= n;
  }
  // A signed inbound text to the node, as Twilio posts it; returns the TwiML.
  std::string text(const std::string& sid, const std::string& body) {
    std::vector<std::pair<std::string, std::string>> fields{
        {"MessageSid", sid}, {"AccountSid", fake_.account_sid()}, {"From", caller_phone},
        {"To", biz_phone}, {"Body", body}, {"NumSegments", "1"}, {"SmsStatus", "received"}};
    twilio::form f;
    for (auto& [k, v] : fields)
      f.add(k, v);
    auto r = http::fetch("POST", base_ + "/twilio/sms",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Twilio-Signature", fixtures::twilio_signature(token, base_ + "/twilio/sms", fields)}},
                         twilio::encode_form(f));
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    return r->body;
  }

  fixtures::scratch_database db_;
  fixtures::fake_twilio fake_{"AC00000000000000000000000000000e2e", token}; // one token: webhooks and REST
  std::unique_ptr<node> node_;
  std::string base_;
};

} // namespace

TEST_F(texts, a_booked_call_texts_its_confirmation_and_r_then_2_moves_it_with_its_reminders) {
  auto voice = speech::make_flite_tts("rms");
  auto words = [&](const char* t) { return *speech::synthesize_all(*voice, t); };
  caller::sim_options o;
  o.base_url = base_;
  o.auth_token = token;
  o.to = biz_phone;
  o.from = caller_phone;
  o.quiet_to_hang_up = 2s;
  o.max_call = 60s;
  o.words_speed = 4; // what is texted is checked, not how fast the call went
  o.audio = words("I would like to book a cleaning tomorrow at eleven a m.");
  o.turns.push_back({words("My name is John Smith."), 0ms});
  o.turns.push_back({words("Yes please."), 0ms});
  o.turns.push_back({words("No thank you."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("We'll send a text confirmation"), std::string::npos) << transcript;
  ASSERT_TRUE(fake_has(1));
  auto confirmation = fake_.messages()[0];
  EXPECT_EQ(confirmation.to, caller_phone);
  EXPECT_EQ(confirmation.from, biz_phone);
  EXPECT_EQ(confirmation.body, "Bright Smile Dental: you're booked for Thursday, March 5 at "
                               "11:00 AM. 1200 Main Street. Reply C to cancel or R to reschedule.");
  EXPECT_EQ(confirmation.status_callback, base_ + "/twilio/sms-status");
  // Reminders: 24 h before (Wednesday 11 AM) is past; 2 h before is 9 AM.
  EXPECT_EQ(row("SELECT string_agg(to_char(send_at AT TIME ZONE 'America/Chicago', 'Dy HH24:MI'), ',') "
                "FROM reminders WHERE status = 'pending'"),
            "Thu 09:00");

  auto offer = text("SMe2e1", "R");
  EXPECT_NE(offer.find("<Message>Bright Smile Dental: reply 1, 2 or 3 to move your appointment"),
            std::string::npos)
      << offer;
  // The open hours nearest Thursday 11 AM: 10 AM and noon, then 9 AM (before 1 PM), in time order.
  EXPECT_NE(offer.find("1) Thursday, March 5 at 9:00 AM\n2) Thursday, March 5 at 10:00 AM\n3) "
                       "Thursday, March 5 at 12:00 PM"),
            std::string::npos)
      << offer;
  auto moved = text("SMe2e2", "2");
  EXPECT_NE(moved.find("your appointment is moved to Thursday, March 5 at 10:00 AM"), std::string::npos)
      << moved;
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD HH24:MI') "
                "FROM appointments WHERE status = 'booked'"),
            "2026-03-05 10:00");
  // The reminder followed: 2 h before 10 AM is 8 AM, as the quiet hours end.
  EXPECT_EQ(row("SELECT string_agg(to_char(send_at AT TIME ZONE 'America/Chicago', 'Dy HH24:MI'), ',') "
                "FROM reminders WHERE status = 'pending'"),
            "Thu 08:00");
  // The status callback for the confirmation, signed as Twilio signs it.
  std::vector<std::pair<std::string, std::string>> cb{{"MessageSid", confirmation.sid},
                                                      {"MessageStatus", "delivered"}};
  twilio::form f;
  for (auto& [k, v] : cb)
    f.add(k, v);
  auto st = http::fetch("POST", base_ + "/twilio/sms-status",
                        {{"X-Twilio-Signature", fixtures::twilio_signature(token, base_ + "/twilio/sms-status", cb)}},
                        twilio::encode_form(f));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 200);
  EXPECT_EQ(row("SELECT status FROM sms_log WHERE provider_sid = '" + confirmation.sid + "'"), "delivered");
  // The node is ready (its outbox is not stuck) and counts what it did.
  auto ready = http::fetch("GET", base_ + "/ready", {}, "");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  auto metrics = http::fetch("GET", base_ + "/metrics", {}, "");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("frontdesk_sms_total{result=\"sent\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("frontdesk_webhooks_total{route=\"sms\",result=\"ok\"} 2\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("frontdesk_outbox_oldest_due_seconds"), std::string::npos);
  EXPECT_NE(metrics->body.find("frontdesk_outbox_depth"), std::string::npos);
}
