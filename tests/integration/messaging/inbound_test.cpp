// Inbound texts and delivery callbacks against a real PostgreSQL, and through the node's HTTP
// server with Twilio's signature: every keyword, a few sentences, dedupe, out-of-order callbacks.
#include "adapters/http/http.hpp"
#include "adapters/messaging/inbound.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/twilio/form.hpp"
#include "tests/integration/messaging/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_messaging;

namespace {

class inbound : public messaging_test {
protected:
  messaging::inbound_reply text(const std::string& body, const std::string& type = "",
                                const std::string& from = customer, const std::string& to = biz_phone) {
    return messaging::handle_inbound_sms(app_, "SM" + std::to_string(++n_), from, to, body, type,
                                         clock_.now());
  }
  int n_ = 0;
};

} // namespace

TEST_F(inbound, c_cancels_the_next_appointment_and_says_so) {
  auto first = book("2026-03-05T20:00:00Z");
  auto second = book("2026-03-06T20:00:00Z");
  auto r = text(" c. ");
  EXPECT_EQ(r.action, "cancelled");
  EXPECT_EQ(r.text, "Bright Smile Dental: your appointment on Thursday, March 5 at 2:00 PM is "
                    "cancelled. To book again, call +15550100001.");
  EXPECT_EQ(row("SELECT status::text FROM appointments WHERE id = '" + first.id + "'"), "cancelled");
  EXPECT_EQ(row("SELECT status::text FROM appointments WHERE id = '" + second.id + "'"), "booked");
  // The reply is the confirmation: no second text through the outbox.
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload->>'notice' = 'cancelled'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE appointment_id = '" + first.id + "' AND status = 'pending'"), 0);
  EXPECT_EQ(text("Cancel my appointment").action, "cancelled"); // T12: a sentence
  EXPECT_EQ(text("C").action, "nothing");                       // none left
  EXPECT_NE(text("C").text.find("could not find an upcoming appointment"), std::string::npos);
}

TEST_F(inbound, r_offers_three_slots_and_a_choice_moves_the_appointment_and_its_reminders) {
  auto a = book("2026-03-05T20:00:00Z");
  auto r = text("R");
  EXPECT_EQ(r.action, "offered");
  // The open slots nearest the appointment (Thursday 2 PM), not the soonest (Monday 11 AM on):
  // 1:30 and 2:30 are 30 minutes off, then 1:00 and 3:00 an hour (the earlier wins), in time order.
  EXPECT_EQ(r.text, "Bright Smile Dental: reply 1, 2 or 3 to move your appointment on Thursday, "
                    "March 5 at 2:00 PM to:\n1) Thursday, March 5 at 1:00 PM\n2) Thursday, March 5 at "
                    "1:30 PM\n3) Thursday, March 5 at 2:30 PM");
  auto moved = text("2");
  EXPECT_EQ(moved.action, "moved");
  EXPECT_EQ(moved.text, "Bright Smile Dental: your appointment is moved to Thursday, March 5 at "
                        "1:30 PM. 12 Main St. Reply C to cancel or R to reschedule.");
  EXPECT_EQ(row("SELECT status::text FROM appointments WHERE id = '" + a.id + "'"), "cancelled");
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'UTC', 'MM-DD HH24:MI') FROM appointments "
                "WHERE status = 'booked'"), "03-05 19:30");
  // The reminders follow: 24 h and 2 h before 1:30 PM.
  EXPECT_EQ(row("SELECT string_agg(to_char(send_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI'), ',' ORDER BY "
                "send_at) FROM reminders WHERE status = 'pending'"), "03-04 19:30,03-05 17:30");
  EXPECT_EQ(text("2").action, "nothing"); // the offer was used
}

TEST_F(inbound, r_skips_taken_times_and_offers_the_nearest_open_ones) {
  // Friday 4:30 PM, the week's last slot; 3:00, 3:30 and 4:00 PM are booked by others.
  auto a = book("2026-03-06T22:30:00Z");
  for (const char* t : {"2026-03-06T21:00:00Z", "2026-03-06T21:30:00Z", "2026-03-06T22:00:00Z"})
    book(t, "+15557770100");
  auto r = text("R");
  EXPECT_EQ(r.action, "offered");
  // 2:30 PM is 2 h off, 2:00 PM 2.5 h, 1:30 PM 3 h; Monday 9 AM (the weekend is closed) 64.5 h.
  EXPECT_NE(r.text.find("\n1) Friday, March 6 at 1:30 PM\n2) Friday, March 6 at 2:00 PM\n3) Friday, "
                        "March 6 at 2:30 PM"),
            std::string::npos)
      << r.text;
  EXPECT_EQ(row("SELECT appointment_id::text FROM sms_conversations"), a.id);
}

TEST_F(inbound, a_choice_after_a_day_is_not_taken) {
  book("2026-03-05T20:00:00Z");
  text("R");
  clock_.advance(std::chrono::hours(25));
  EXPECT_EQ(text("1").action, "nothing");
}

TEST_F(inbound, stop_words_opt_out_with_no_reply_and_cancel_also_tells_staff) {
  auto a = book("2026-03-05T20:00:00Z");
  auto r = text("CANCEL", "STOP");
  EXPECT_EQ(r.action, "opted_out");
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(row("SELECT status::text FROM appointments WHERE id = '" + a.id + "'"), "booked"); // kept
  EXPECT_EQ(row("SELECT kind || ' ' || appointment_id FROM staff_tasks"), "sms_cancel_keyword " + a.id);
  EXPECT_EQ(row("SELECT phone FROM sms_opt_outs"), customer);
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'pending'"), 0);
  for (const char* w : {"STOP", "stopall", "Unsubscribe", "END", "quit", "STOP texting me please"})
    EXPECT_EQ(text(w).action, "opted_out") << w;
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks"), 1);
  // Opted out: a new booking queues no text, the texts already queued are dropped.
  EXPECT_FALSE(book("2026-03-09T20:00:00Z").confirmation_queued);
  auto sink = messaging::make_log_sink();
  messaging::outbox_worker w(worker_settings(), app_, *sink, clock_);
  w.run_once();
  EXPECT_EQ(row("SELECT status FROM outbox"), "dropped");
  // START opts back in; a booking texts again.
  EXPECT_EQ(text("START").action, "opted_in");
  EXPECT_NE(text("unstop").text.find("appointment texts again"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM sms_opt_outs"), 0);
  EXPECT_TRUE(book("2026-03-10T20:00:00Z").confirmation_queued);
}

TEST_F(inbound, help_names_the_business_and_anything_else_gets_a_help_line) {
  auto help = text("HELP");
  EXPECT_EQ(help.action, "help");
  EXPECT_EQ(help.text, "Bright Smile Dental appointment texts. Call +15550100001. Reply C to "
                       "cancel or R to reschedule, STOP to opt out.");
  EXPECT_EQ(text("info", "HELP").text, ""); // Twilio answered it already
  auto other = text("what time do you open?");
  EXPECT_EQ(other.text, "Bright Smile Dental: reply C to cancel or R to reschedule your "
                        "appointment. For anything else, call +15550100001.");
  // No appointment: answered politely.
  EXPECT_NE(text("R", "", "+15557770055").text.find("could not find an upcoming appointment"),
            std::string::npos);
  for (auto* t : {help.text.c_str(), other.text.c_str()})
    EXPECT_EQ(std::string(t).find("CANCEL"), std::string::npos);
}

TEST_F(inbound, the_same_message_twice_is_handled_once_and_unknown_numbers_get_nothing) {
  book("2026-03-05T20:00:00Z");
  book("2026-03-06T20:00:00Z");
  auto once = messaging::handle_inbound_sms(app_, "SMsame", customer, biz_phone, "C", "", clock_.now());
  auto twice = messaging::handle_inbound_sms(app_, "SMsame", customer, biz_phone, "C", "", clock_.now());
  EXPECT_EQ(once.action, "cancelled");
  EXPECT_EQ(twice.action, "duplicate");
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'cancelled'"), 1);
  EXPECT_EQ(text("C", "", customer, "+15559990000").action, "unknown_number");
  // A text to business B never touches A's appointments.
  EXPECT_EQ(text("C", "", customer, other_phone).action, "nothing");
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'booked'"), 1);
}

TEST_F(inbound, status_callbacks_out_of_order_and_repeated_leave_the_log_right) {
  book("2026-03-05T20:00:00Z");
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  auto sid = fake_.messages().at(0).sid;
  EXPECT_TRUE(messaging::apply_sms_status(app_, sid, "delivered", 0, clock_.now()));
  EXPECT_TRUE(messaging::apply_sms_status(app_, sid, "sent", 0, clock_.now()));
  EXPECT_TRUE(messaging::apply_sms_status(app_, sid, "delivered", 0, clock_.now()));
  EXPECT_TRUE(messaging::apply_sms_status(app_, sid, "undelivered", 30003, clock_.now()));
  EXPECT_EQ(row("SELECT status || ' ' || coalesce(error_code, 0) FROM sms_log"), "delivered 0");
  EXPECT_FALSE(messaging::apply_sms_status(app_, "SMnotours", "delivered", 0, clock_.now()));
}

TEST_F(inbound, the_webhooks_check_signatures_and_answer_twiml) {
  http::server server({}, 1);
  worker_pool pool("blocking", 2, 100);
  metrics::registry reg;
  const std::string token = "hook-token";
  // Twilio signs the public URL it was given, whatever the node listens on.
  const std::string public_url = "https://sms.example.test";
  messaging::sms_webhooks hooks({public_url, token, true}, server, app_, pool, clock_, reg);
  hooks.install();
  auto port = server.listen("127.0.0.1", 0);
  ASSERT_TRUE(port);
  const std::string local = "http://127.0.0.1:" + std::to_string(*port);
  book("2026-03-05T20:00:00Z");
  auto post = [&](const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields,
                  bool sign = true) {
    twilio::form f;
    for (auto& [k, v] : fields)
      f.add(k, v);
    http::header_list h{{"Content-Type", "application/x-www-form-urlencoded"}};
    h.emplace_back("X-Twilio-Signature",
                   sign ? fixtures::twilio_signature(token, public_url + path, fields) : "forged");
    return http::fetch("POST", local + path, h, twilio::encode_form(f));
  };
  std::vector<std::pair<std::string, std::string>> c{{"MessageSid", "SMhttp1"}, {"From", customer},
                                                     {"To", biz_phone}, {"Body", "C"},
                                                     {"NumSegments", "1"}, {"SmsStatus", "received"}};
  auto forged = post("/twilio/sms", c, false);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(count("SELECT count(*) FROM sms_log WHERE direction = 'inbound'"), 0); // nothing recorded
  auto ok = post("/twilio/sms", c);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->header("Content-Type").find("xml"), std::string::npos);
  EXPECT_NE(ok->body.find("<Response><Message>Bright Smile Dental: your appointment on Thursday, "
                          "March 5 at 2:00 PM is cancelled."),
            std::string::npos)
      << ok->body;
  // Emoji and three segments decode as UTF-8 (T18).
  auto emoji = post("/twilio/sms", {{"MessageSid", "SMhttp2"}, {"From", customer}, {"To", biz_phone},
                                    {"Body", "Thanks \xF0\x9F\x98\x80"}, {"NumSegments", "3"}});
  ASSERT_TRUE(emoji);
  EXPECT_EQ(emoji->status, 200);
  EXPECT_EQ(row("SELECT body FROM sms_log WHERE provider_sid = 'SMhttp2'"), "Thanks \xF0\x9F\x98\x80");
  // Malformed and incomplete bodies: 4xx.
  http::header_list h{{"X-Twilio-Signature", "x"}};
  auto bad = http::fetch("POST", local + "/twilio/sms", h, "a=%zz");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto missing = post("/twilio/sms", {{"Body", "C"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  // Status callbacks: signed, and a bad ErrorCode is refused.
  auto st = post("/twilio/sms-status", {{"MessageSid", "SMx"}, {"MessageStatus", "delivered"}});
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 200);
  EXPECT_EQ(post("/twilio/sms-status", {{"MessageSid", "SMx"}, {"MessageStatus", "delivered"}}, false)->status, 403);
  EXPECT_EQ(post("/twilio/sms-status", {{"MessageSid", "SMx"}, {"MessageStatus", "failed"}, {"ErrorCode", "3x"}})->status, 400);
  server.stop();
  pool.stop();
}
