// After a text is handed to Twilio (real PostgreSQL, the fake Twilio on loopback): a status
// callback that never comes is made good by polling the message; carrier failures are acted on
// per code (30003 once more, 30005/30006 mark the number, 30007/30034 tell staff once, 30036
// quietly final); reminders carry a ValidityPeriod and are not sent too late; signed callbacks
// and inbound webhooks that Twilio retries (same I-Twilio-Idempotency-Token) act once.
#include "adapters/http/http.hpp"
#include "adapters/messaging/inbound.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/twilio/form.hpp"
#include "tests/integration/messaging/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_messaging;

namespace {

class delivery : public messaging_test {
protected:
  messaging::worker_settings settings() {
    auto w = worker_settings();
    w.status_poll.after = 600s;
    w.status_poll.max_checks = 3;
    return w;
  }
  // Books, sends the confirmation, and returns its sid at the fake.
  std::string send_confirmation(messaging::outbox_worker& w, const char* start = "2026-03-05T20:00:00Z",
                                const std::string& phone = customer) {
    book(start, phone);
    auto before = fake_.messages().size();
    w.run_once();
    auto sent = fake_.messages();
    EXPECT_EQ(sent.size(), before + 1);
    return sent.empty() ? "" : sent.back().sid;
  }
  std::string log_status(const std::string& sid) {
    return row("SELECT status || ' ' || coalesce(error_code, 0) FROM sms_log WHERE provider_sid = '" +
               sid + "'");
  }
  std::unique_ptr<messaging::sms_sender> sender_ = messaging::make_twilio_sender(twilio_settings());
};

} // namespace

TEST_F(delivery, a_callback_that_never_comes_is_settled_by_looking_the_message_up) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  auto sid = send_confirmation(w);
  ASSERT_FALSE(sid.empty());
  EXPECT_EQ(log_status(sid), "queued 0");
  fake_.set_status(sid, "delivered"); // Twilio delivered it; its callback is lost
  clock_.advance(5min);
  EXPECT_EQ(w.poll_statuses().looked, 0); // not overdue yet
  EXPECT_EQ(fake_.fetches(), 0);
  clock_.advance(6min);
  auto p = w.poll_statuses();
  EXPECT_EQ(p.looked, 1);
  EXPECT_EQ(p.settled, 1);
  EXPECT_EQ(fake_.fetches(), 1);
  EXPECT_EQ(log_status(sid), "delivered 0");
  clock_.advance(std::chrono::hours(10));
  EXPECT_EQ(w.poll_statuses().looked, 0); // final: never looked at again
  EXPECT_EQ(fake_.fetches(), 1);
}

TEST_F(delivery, a_text_that_stays_sent_is_looked_at_with_doubling_gaps_then_left) {
  // Some carriers never report delivery: the log ends with Twilio's last word, 'sent'.
  messaging::outbox_worker w(settings(), app_, *sender_, clock_); // at most 3 looks
  auto sid = send_confirmation(w);
  fake_.set_status(sid, "sent");
  clock_.advance(10min);
  EXPECT_EQ(w.poll_statuses().looked, 1);
  EXPECT_EQ(log_status(sid), "sent 0");
  // Another node's poller at the same moment does not look again: the claim moved the next look.
  store::database db_b{db_.app_dsn(), 1};
  messaging::outbox_worker other(settings(), db_b, *sender_, clock_);
  EXPECT_EQ(other.poll_statuses().looked, 0);
  // The next look is 2 x 10 min after the last one, then 4 x.
  clock_.advance(19min);
  EXPECT_EQ(w.poll_statuses().looked, 0);
  clock_.advance(1min);
  EXPECT_EQ(w.poll_statuses().looked, 1);
  clock_.advance(39min);
  EXPECT_EQ(w.poll_statuses().looked, 0);
  clock_.advance(1min);
  EXPECT_EQ(w.poll_statuses().looked, 1);
  clock_.advance(std::chrono::hours(48));
  EXPECT_EQ(w.poll_statuses().looked, 0);
  EXPECT_EQ(fake_.fetches(), 3);
  EXPECT_EQ(row("SELECT status_checks FROM sms_log WHERE provider_sid = '" + sid + "'"), "3");
}

TEST_F(delivery, a_poll_that_finds_a_failure_acts_on_it_like_a_callback_and_30003_goes_once_more) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  auto sid = send_confirmation(w);
  auto body = fake_.messages().back().body;
  fake_.set_status(sid, "undelivered", 30003);
  clock_.advance(11min);
  EXPECT_EQ(w.poll_statuses().looked, 1);
  EXPECT_EQ(log_status(sid), "undelivered 30003");
  // One more go, 15 minutes on, with the same words.
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload ? 'resend_of' AND status = 'pending'"), 1);
  EXPECT_EQ(w.run_once(), 0);
  clock_.advance(15min);
  EXPECT_EQ(w.run_once(), 1);
  auto sent = fake_.messages();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].body, body);
  EXPECT_EQ(sent[1].to, customer);
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks"), 0);
  // It fails the same way again: final now, and staff hear of it.
  ASSERT_TRUE(messaging::apply_sms_status(app_, sent[1].sid, "undelivered", 30003, clock_.now()));
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(w.run_once(), 0);
  EXPECT_EQ(fake_.messages().size(), 2u);
  EXPECT_EQ(row("SELECT kind || ' ' || phone FROM staff_tasks"), "sms_undelivered " + customer);
}

TEST_F(delivery, a_repeated_failure_callback_acts_once) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  auto sid = send_confirmation(w);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(messaging::apply_sms_status(app_, sid, "undelivered", 30003, clock_.now()));
  ASSERT_TRUE(messaging::apply_sms_status(app_, sid, "failed", 30005, clock_.now())); // late, ignored
  EXPECT_EQ(log_status(sid), "undelivered 30003");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload ? 'resend_of'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sms_unusable_numbers"), 0);
}

TEST_F(delivery, a_confirmation_resent_after_its_appointment_moved_is_dropped) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  auto sid = send_confirmation(w);
  ASSERT_TRUE(messaging::apply_sms_status(app_, sid, "undelivered", 30003, clock_.now()));
  auto id = row("SELECT id FROM appointments WHERE status = 'booked'");
  ASSERT_TRUE(store::appointments_repo(app_).reschedule(
      biz, id, {at("2026-03-06T20:00:00Z"), at("2026-03-06T20:30:00Z")}, clock_.now(), "", false));
  clock_.advance(16min);
  w.run_once();
  EXPECT_EQ(fake_.messages().size(), 1u); // "you're booked for Thursday" no longer says what is true
  EXPECT_EQ(row("SELECT status || ': ' || last_error FROM outbox WHERE payload ? 'resend_of'"),
            "dropped: superseded: the appointment changed since this text was written");
}

TEST_F(delivery, landlines_and_unknown_handsets_mark_the_number_so_nothing_more_is_queued) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  auto sid = send_confirmation(w);
  book("2026-03-09T20:00:00Z"); // a second appointment, its confirmation not sent yet
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'pending'"), 4);
  ASSERT_TRUE(messaging::apply_sms_status(app_, sid, "undelivered", 30006, clock_.now()));
  EXPECT_EQ(row("SELECT phone || ' ' || error_code FROM sms_unusable_numbers"), customer + " 30006");
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'pending'"), 0);
  EXPECT_EQ(row("SELECT status FROM outbox ORDER BY id DESC LIMIT 1"), "dropped");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload ? 'resend_of'"), 0); // never again
  EXPECT_EQ(row("SELECT kind FROM staff_tasks"), "sms_number_unusable");
  EXPECT_NE(row("SELECT note FROM staff_tasks").find("landline"), std::string::npos);
  // A reminder already in the outbox for the number does not go either.
  exec("INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at) SELECT "
       "business_id, 'sms.reminder', json_build_object('appointment_id', id, 'for_start', "
       "to_char(lower(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')), 'reminder:x', "
       "'2026-03-01T00:00:00Z' FROM appointments WHERE lower(during) = '2026-03-09T20:00:00Z'");
  w.run_once();
  EXPECT_EQ(row("SELECT status FROM outbox WHERE dedupe_key = 'reminder:x'"), "dropped");
  // A new booking for the number queues no text (and the dialog promises none).
  EXPECT_FALSE(book("2026-03-10T20:00:00Z").confirmation_queued);
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'pending'"), 0);
  w.run_once();
  EXPECT_EQ(fake_.messages().size(), 1u);
  // The number texts the business: it takes texts after all.
  auto r = messaging::handle_inbound_sms(app_, "SMin1", customer, biz_phone, "HELP", "", clock_.now());
  EXPECT_EQ(r.action, "help");
  EXPECT_EQ(count("SELECT count(*) FROM sms_unusable_numbers"), 0);
  EXPECT_TRUE(book("2026-03-11T20:00:00Z").confirmation_queued);
  w.run_once();
  EXPECT_EQ(fake_.messages().size(), 2u);
  // 30005 marks a number the same way.
  auto other = send_confirmation(w, "2026-03-12T20:00:00Z", "+15557770003");
  ASSERT_TRUE(messaging::apply_sms_status(app_, other, "failed", 30005, clock_.now()));
  EXPECT_EQ(row("SELECT error_code FROM sms_unusable_numbers WHERE phone = '+15557770003'"), "30005");
}

TEST_F(delivery, spam_filtering_and_an_unregistered_sender_leave_one_task_each_and_no_resend) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  auto a = send_confirmation(w, "2026-03-05T20:00:00Z", "+15557770011");
  auto b = send_confirmation(w, "2026-03-06T20:00:00Z", "+15557770012");
  auto c = send_confirmation(w, "2026-03-09T20:00:00Z", "+15557770013");
  auto d = send_confirmation(w, "2026-03-10T20:00:00Z", "+15557770014");
  ASSERT_TRUE(messaging::apply_sms_status(app_, a, "undelivered", 30007, clock_.now()));
  ASSERT_TRUE(messaging::apply_sms_status(app_, b, "undelivered", 30007, clock_.now()));
  ASSERT_TRUE(messaging::apply_sms_status(app_, c, "failed", 30034, clock_.now()));
  ASSERT_TRUE(messaging::apply_sms_status(app_, d, "failed", 30034, clock_.now()));
  EXPECT_EQ(row("SELECT string_agg(kind || ':' || coalesce(phone, '-'), ',' ORDER BY kind) FROM staff_tasks"),
            "sms_filtered:-,sms_sender_unregistered:-");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload ? 'resend_of'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM sms_unusable_numbers"), 0); // the numbers are fine
  // Once staff mark the task done, a new failure opens a new one.
  exec("UPDATE staff_tasks SET done_at = now() WHERE kind = 'sms_filtered'");
  auto e = send_confirmation(w, "2026-03-11T20:00:00Z", "+15557770015");
  ASSERT_TRUE(messaging::apply_sms_status(app_, e, "undelivered", 30007, clock_.now()));
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks WHERE kind = 'sms_filtered'"), 2);
}

TEST_F(delivery, reminders_carry_a_validity_period_and_one_that_cannot_arrive_in_time_is_not_sent) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  send_confirmation(w); // Thursday 2 PM in Chicago; reminders at Wednesday 2 PM and Thursday noon
  EXPECT_EQ(fake_.messages().back().validity_period, 0); // a confirmation: Twilio's default
  clock_.set(at("2026-03-04T20:00:10Z"));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(fake_.messages().back().validity_period, 36000);
  clock_.set(at("2026-03-05T18:00:10Z"));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(fake_.messages().back().validity_period, 3595); // arrives by 1 PM or not at all
  // The vendor gave up on it (validity over): final, quiet, not sent again.
  ASSERT_TRUE(messaging::apply_sms_status(app_, fake_.messages().back().sid, "failed", 30036, clock_.now()));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload ? 'resend_of'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks"), 0);

  // A node down until 5 minutes before another appointment: its reminder does not go late.
  book("2026-03-06T20:00:00Z");
  w.run_once(); // its confirmation
  auto sent = fake_.messages().size();
  clock_.set(at("2026-03-06T19:55:00Z"));
  w.run_once();
  EXPECT_EQ(fake_.messages().size(), sent);
  EXPECT_EQ(row("SELECT status || ': ' || last_error FROM outbox WHERE kind = 'sms.reminder' "
                "ORDER BY id DESC LIMIT 1"),
            "dropped: too late: the reminder could not arrive before the appointment");
}

TEST_F(delivery, an_unreachable_reminder_goes_once_more_rendered_anew) {
  messaging::outbox_worker w(settings(), app_, *sender_, clock_);
  send_confirmation(w);
  clock_.set(at("2026-03-04T20:00:10Z"));
  EXPECT_EQ(w.run_once(), 1);
  auto first = fake_.messages().back();
  ASSERT_TRUE(messaging::apply_sms_status(app_, first.sid, "undelivered", 30003, clock_.now()));
  exec("UPDATE businesses SET name = 'Bright Smile' WHERE id = '" + biz + "'");
  clock_.advance(15min);
  EXPECT_EQ(w.run_once(), 1);
  auto second = fake_.messages().back();
  EXPECT_NE(second.sid, first.sid);
  EXPECT_EQ(second.body.rfind("Reminder from Bright Smile: your appointment is Thursday", 0), 0u);
  EXPECT_EQ(second.validity_period, 36000);
}

TEST_F(delivery, signed_callbacks_and_inbound_texts_retried_with_one_token_act_once) {
  http::server server({}, 1);
  worker_pool pool("blocking", 2, 100);
  metrics::registry reg;
  auto port = server.listen("127.0.0.1", 0);
  ASSERT_TRUE(port);
  const std::string local = "http://127.0.0.1:" + std::to_string(*port);
  // The fake signs with the account's auth token, over the URL it posts to.
  messaging::sms_webhooks hooks({local, fake_.auth_token(), true}, server, app_, pool, clock_, reg);
  hooks.install();
  auto ws = settings();
  ws.status_callback_url = local + "/twilio/sms-status";
  messaging::outbox_worker w(ws, app_, *sender_, clock_);
  auto sid = send_confirmation(w);
  // Twilio's callback, then its retry (the same token), then a later callback (a new token).
  EXPECT_EQ(fake_.deliver_status(sid, "undelivered", 30003, "tok-1"), 200);
  EXPECT_EQ(fake_.deliver_status(sid, "undelivered", 30003, "tok-1"), 200);
  EXPECT_EQ(count("SELECT count(*) FROM twilio_webhook_receipts WHERE route = 'sms-status'"), 1);
  EXPECT_EQ(log_status(sid), "undelivered 30003");
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE payload ? 'resend_of'"), 1);

  // An inbound "C", and Twilio's retry of that webhook: one cancel, the same answer twice.
  book("2026-03-06T20:00:00Z");
  auto post = [&](const std::string& message_sid, const std::string& token) {
    std::vector<std::pair<std::string, std::string>> fields{
        {"MessageSid", message_sid}, {"From", customer}, {"To", biz_phone}, {"Body", "C"},
        {"NumSegments", "1"}, {"SmsStatus", "received"}};
    twilio::form f;
    for (auto& [k, v] : fields)
      f.add(k, v);
    http::header_list h{{"Content-Type", "application/x-www-form-urlencoded"},
                        {"X-Twilio-Signature", fixtures::twilio_signature(fake_.auth_token(), local + "/twilio/sms", fields)},
                        {"I-Twilio-Idempotency-Token", token}};
    auto r = http::fetch("POST", local + "/twilio/sms", h, twilio::encode_form(f));
    EXPECT_TRUE(r);
    return r ? r->status == 200 ? r->body : "HTTP " + std::to_string(r->status) : std::string();
  };
  auto first = post("SMin1", "tok-in-1");
  EXPECT_NE(first.find("is cancelled"), std::string::npos) << first;
  EXPECT_EQ(post("SMin1", "tok-in-1"), first);
  // The token alone marks a retry, whatever else the request carries.
  EXPECT_EQ(post("SMin2", "tok-in-1"), first);
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'cancelled'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sms_log WHERE direction = 'inbound'"), 1);
  // An oversized token is refused before anything is recorded.
  EXPECT_EQ(post("SMin3", std::string(300, 'x')), "HTTP 400");
  EXPECT_EQ(count("SELECT count(*) FROM sms_log WHERE direction = 'inbound'"), 1);
  // Old receipts go once Twilio no longer retries.
  clock_.advance(std::chrono::hours(24 * 8));
  EXPECT_EQ(*store::outbox_repo(app_).purge_webhook_receipts(clock_.now() - std::chrono::hours(24 * 7)), 2);
  server.stop();
  pool.stop();
}
