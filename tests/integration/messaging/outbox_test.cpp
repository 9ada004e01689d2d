// The outbox against a real PostgreSQL and a fake Twilio on loopback: confirmations in the
// booking's transaction, vendor errors, retries with backoff, lost responses reconciled,
// concurrent workers.
#include <pthread.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/integration/messaging/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_messaging;

TEST_F(messaging_test, a_booking_queues_its_confirmation_in_the_same_transaction_and_it_goes_once) {
  auto a = book("2026-03-05T20:00:00Z"); // Thursday 2 PM in Chicago
  EXPECT_TRUE(a.confirmation_queued);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 1);
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(w.run_once(), 0);
  auto sent = fake_.messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, customer);
  EXPECT_EQ(sent[0].from, biz_phone);
  EXPECT_EQ(sent[0].body, "Bright Smile Dental: you're booked for Thursday, March 5 at 2:00 PM. "
                          "12 Main St. Reply C to cancel or R to reschedule.");
  EXPECT_EQ(sent[0].status_callback, "http://127.0.0.1:1/twilio/sms-status");
  EXPECT_EQ(row("SELECT status FROM outbox"), "done");
  EXPECT_EQ(row("SELECT provider_ref FROM outbox"), sent[0].sid);
  EXPECT_EQ(row("SELECT provider_sid || ' ' || status || ' ' || encoding || ' ' || segments FROM sms_log"),
            sent[0].sid + " queued GSM-7 1");
  EXPECT_EQ(fake_.unauthorized(), 0);
}

TEST_F(messaging_test, a_failed_booking_queues_nothing_and_a_move_and_cancel_each_confirm) {
  auto a = book("2026-03-05T20:00:00Z");
  // The same slot again: refused, and no text for it.
  store::booking_request r{{at("2026-03-05T20:00:00Z"), at("2026-03-05T20:30:00Z")}, "Bo", "+15557770002", "", "", "", "", true};
  EXPECT_FALSE(store::appointments_repo(app_).book(biz, r, "", clock_.now()));
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);
  auto moved = store::appointments_repo(app_).reschedule(biz, a.id, {at("2026-03-06T15:00:00Z"), at("2026-03-06T15:30:00Z")}, clock_.now());
  ASSERT_TRUE(moved);
  EXPECT_TRUE(moved->confirmation_queued);
  ASSERT_TRUE(*store::appointments_repo(app_).cancel(biz, moved->id, clock_.now()));
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 3);
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  auto sent = fake_.messages();
  ASSERT_EQ(sent.size(), 3u);
  std::set<std::string> bodies;
  for (auto& m : sent)
    bodies.insert(m.body);
  EXPECT_TRUE(bodies.count("Bright Smile Dental: your appointment is moved to Friday, March 6 at "
                           "9:00 AM. 12 Main St. Reply C to cancel or R to reschedule."));
  EXPECT_TRUE(bodies.count("Bright Smile Dental: your appointment on Friday, March 6 at 9:00 AM is "
                           "cancelled. To book again, call +15550100001."));
  for (auto& b : bodies)
    EXPECT_EQ(b.find("CANCEL"), std::string::npos);
}

TEST_F(messaging_test, invalid_number_is_final_and_unsubscribed_records_an_opt_out) {
  book("2026-03-05T20:00:00Z");
  book("2026-03-06T20:00:00Z", "+15557770009");
  fake_.push_faults({fixtures::fake_twilio::fault::invalid_number, fixtures::fake_twilio::fault::unsubscribed});
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  EXPECT_EQ(w.run_once(), 2);
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(w.run_once(), 0); // neither is retried
  EXPECT_EQ(fake_.creates(), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'failed'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE last_error LIKE '%21211%'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM sms_log WHERE status = 'failed' AND error_code IN (21211, 21610)"), 2);
  // 21610 went to the second row's recipient: that number is opted out for this business only.
  EXPECT_EQ(row("SELECT phone FROM sms_opt_outs"), "+15557770009");
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'pending' AND appointment_id IN "
                  "(SELECT id FROM appointments WHERE customer_phone = '+15557770009')"), 0);
  // A later booking of the opted-out number queues no text.
  auto later = book("2026-03-09T20:00:00Z", "+15557770009");
  EXPECT_FALSE(later.confirmation_queued);
}

TEST_F(messaging_test, rate_limits_and_server_errors_retry_with_backoff_and_honour_retry_after) {
  book("2026-03-05T20:00:00Z");
  fake_.set_retry_after(30);
  fake_.push_faults({fixtures::fake_twilio::fault::rate_limited,
                     fixtures::fake_twilio::fault::rate_limited_no_header,
                     fixtures::fake_twilio::fault::server_error,
                     fixtures::fake_twilio::fault::unavailable});
  auto sender = messaging::make_twilio_sender(twilio_settings());
  auto ws = worker_settings();
  ws.retry.max_attempts = 8;
  messaging::outbox_worker w(ws, app_, *sender, clock_);
  auto start = clock_.now();
  EXPECT_EQ(w.run_once(), 1);
  // Retry-After: 30 s, more than the first backoff (0.5-1 s): not due before it.
  EXPECT_EQ(row("SELECT status FROM outbox"), "pending");
  auto next = at(row("SELECT to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM outbox").c_str());
  EXPECT_GE(next - start, 30s);
  EXPECT_LE(next - start, 31s);
  clock_.advance(29s);
  EXPECT_EQ(w.run_once(), 0);
  for (int i = 0; i < 4; ++i) {
    clock_.advance(std::chrono::minutes(2));
    EXPECT_EQ(w.run_once(), 1) << i;
  }
  EXPECT_EQ(fake_.creates(), 5);
  EXPECT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(row("SELECT status || ' ' || attempts FROM outbox"), "done 5");
  EXPECT_EQ(w.counts().retried.load(), 4u);
}

TEST_F(messaging_test, a_row_out_of_attempts_is_dead_with_its_last_error_and_can_be_retried) {
  book("2026-03-05T20:00:00Z");
  using f = fixtures::fake_twilio::fault;
  fake_.push_faults({f::server_error, f::server_error, f::server_error, f::unavailable});
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_); // 4 attempts
  for (int i = 0; i < 6; ++i) {
    w.run_once();
    clock_.advance(std::chrono::minutes(5));
  }
  EXPECT_EQ(fake_.creates(), 4);
  EXPECT_EQ(row("SELECT status FROM outbox"), "dead");
  EXPECT_NE(row("SELECT last_error FROM outbox").find("503"), std::string::npos);
  store::outbox_repo repo(app_);
  auto id = count("SELECT id FROM outbox");
  auto figures = repo.figures(clock_.now());
  ASSERT_TRUE(figures);
  EXPECT_EQ(figures->dead, 1);
  ASSERT_TRUE(*repo.retry(id, clock_.now()));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(row("SELECT status FROM outbox"), "done");
  EXPECT_FALSE(*repo.drop(id, clock_.now())); // done rows stay done
}

TEST_F(messaging_test, a_lost_response_is_reconciled_from_the_message_list_not_sent_twice) {
  // T4: accepted, then the connection resets before the reply.
  book("2026-03-05T20:00:00Z");
  fake_.push_faults({fixtures::fake_twilio::fault::accept_then_reset});
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(row("SELECT status FROM outbox"), "sending"); // unknown: look before sending
  EXPECT_EQ(fake_.messages().size(), 1u);
  clock_.advance(std::chrono::minutes(2));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(fake_.lists(), 1);
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(row("SELECT status FROM outbox"), "done");
  EXPECT_EQ(row("SELECT provider_ref FROM outbox"), fake_.messages()[0].sid);
  EXPECT_EQ(w.counts().reconciled.load(), 1u);
}

TEST_F(messaging_test, a_timeout_with_nothing_accepted_is_sent_once_after_the_look) {
  // T5: the vendor hangs without accepting; the call times out.
  book("2026-03-05T20:00:00Z");
  fake_.set_hang_for(3000ms);
  fake_.push_faults({fixtures::fake_twilio::fault::hang});
  auto ts = twilio_settings();
  ts.timeout = 300ms;
  auto sender = messaging::make_twilio_sender(ts);
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(row("SELECT status FROM outbox"), "sending");
  EXPECT_NE(row("SELECT last_error FROM outbox").find("transport"), std::string::npos);
  clock_.advance(std::chrono::minutes(2));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(row("SELECT status || ' ' || attempts FROM outbox"), "done 2");
}

TEST_F(messaging_test, an_accepted_then_hung_send_is_found_by_the_reconciliation) {
  book("2026-03-05T20:00:00Z");
  fake_.set_hang_for(3000ms);
  fake_.push_faults({fixtures::fake_twilio::fault::accept_then_hang});
  auto ts = twilio_settings();
  ts.timeout = 300ms;
  auto sender = messaging::make_twilio_sender(ts);
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  clock_.advance(std::chrono::minutes(2));
  w.run_once();
  EXPECT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(row("SELECT status FROM outbox"), "done");
}

TEST_F(messaging_test, bad_credentials_are_retried_not_lost) {
  book("2026-03-05T20:00:00Z");
  auto ts = twilio_settings();
  ts.auth_token = "wrong";
  auto sender = messaging::make_twilio_sender(ts);
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  EXPECT_EQ(fake_.unauthorized(), 1);
  EXPECT_EQ(row("SELECT status FROM outbox"), "pending");
  EXPECT_NE(row("SELECT last_error FROM outbox").find("20003"), std::string::npos);
}

TEST_F(messaging_test, the_log_sink_writes_what_would_have_gone_to_sms_log) {
  book("2026-03-05T20:00:00Z");
  auto sink = messaging::make_log_sink();
  messaging::outbox_worker w(worker_settings(), app_, *sink, clock_);
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(row("SELECT status FROM sms_log"), "logged");
  EXPECT_EQ(row("SELECT body FROM sms_log").rfind("Bright Smile Dental: you're booked for Thursday", 0), 0u);
  EXPECT_EQ(fake_.creates(), 0);
}

TEST_F(messaging_test, a_curly_quote_in_a_name_is_counted_as_ucs2) {
  // T19
  exec("UPDATE businesses SET name = 'Zoe\u2019s Dental' WHERE id = '" + biz + "'");
  book("2026-03-05T20:00:00Z");
  auto sink = messaging::make_log_sink();
  messaging::outbox_worker w(worker_settings(), app_, *sink, clock_);
  w.run_once();
  EXPECT_EQ(row("SELECT encoding || ' ' || segments FROM sms_log"), "UCS-2 2");
}

TEST_F(messaging_test, ten_thousand_due_rows_over_two_workers_are_each_sent_once) {
  exec("INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at) SELECT '" + biz +
       "', 'sms', json_build_object('to', '+1555' || lpad(i::text, 7, '0'), 'from', '" + biz_phone +
       "', 'body', 'Bulk message ' || i), 'bulk:' || i, '2026-03-01T00:00:00Z' "
       "FROM generate_series(1, 10000) i");
  auto sender = messaging::make_twilio_sender(twilio_settings());
  auto a = worker_settings("node-a"), b = worker_settings("node-b");
  a.threads = b.threads = 2;
  a.batch = b.batch = 50;
  a.poll = b.poll = 20ms;
  store::database db_b{db_.app_dsn(), 3};
  messaging::outbox_worker wa(a, app_, *sender, clock_), wb(b, db_b, *sender, clock_);
  wa.start();
  wb.start();
  auto deadline = std::chrono::steady_clock::now() + 240s;
  while (fake_.messages().size() < 10000 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(300ms); // anything extra would show up now
  wa.stop();
  wb.stop();
  auto sent = fake_.messages();
  std::set<std::string> bodies;
  for (auto& m : sent)
    bodies.insert(m.body);
  EXPECT_EQ(sent.size(), 10000u);
  EXPECT_EQ(bodies.size(), 10000u); // none twice
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'done'"), 10000);
  EXPECT_GT(wa.counts().sent.load(), 0u);
  EXPECT_GT(wb.counts().sent.load(), 0u);
  EXPECT_EQ(wa.counts().sent.load() + wb.counts().sent.load(), 10000u);
}

// The real Twilio client, slowed before each send: a text stays in flight long enough for
// another thread to act on its row.
class slow_sender final : public messaging::sms_sender {
public:
  slow_sender(messaging::sms_sender& inner, std::chrono::milliseconds delay) : inner_(inner), delay_(delay) {}
  sms::send_outcome send(const sms::outgoing& m) override {
    std::this_thread::sleep_for(delay_);
    return inner_.send(m);
  }
  expected<std::vector<sms::listed_message>> recent(const std::string& to, const std::string& from) override {
    return inner_.recent(to, from);
  }
  expected<sms::message_state> fetch_status(const std::string& sid) override { return inner_.fetch_status(sid); }

private:
  messaging::sms_sender& inner_;
  std::chrono::milliseconds delay_;
};

// The test's clock, read slowly the first time on the worker's first thread: that thread is
// starved while the others run, as on a busy machine.
class starved_first_thread_clock final : public frontdesk::clock {
public:
  explicit starved_first_thread_clock(const frontdesk::clock& inner) : inner_(inner) {}
  sys_time now() const override {
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    if (std::string_view(name) == "fd.outbox0" && !slowed_.exchange(true))
      std::this_thread::sleep_for(300ms);
    return inner_.now();
  }

private:
  const frontdesk::clock& inner_;
  mutable std::atomic<bool> slowed_{false};
};

TEST_F(messaging_test, a_starting_worker_expires_its_old_claims_before_any_thread_claims) {
  // Thread 0 of a starting worker expires the claims its node left when it last stopped. Had
  // another thread claimed a due text before that, the expiry would take the row back while it
  // is being sent, and it would be sent again.
  exec("INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at) VALUES ('" + biz +
       "', 'sms', json_build_object('to', '+15557770012', 'from', '" + biz_phone +
       "', 'body', 'Due text B'), 'due:b', '2026-03-01T00:00:00Z')");
  auto real = messaging::make_twilio_sender(twilio_settings());
  slow_sender sender(*real, 600ms);
  starved_first_thread_clock clock(clock_);
  auto s = worker_settings("node-a");
  s.threads = 2;
  s.poll = 10ms;
  messaging::outbox_worker w(s, app_, sender, clock);
  w.start();
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (row("SELECT status FROM outbox") != "done" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(1500ms); // a second send would reach the fake by now
  w.stop();
  ASSERT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(fake_.messages()[0].body, "Due text B");
  EXPECT_EQ(row("SELECT status FROM outbox"), "done");
  EXPECT_EQ(w.counts().sent.load(), 1u);
}

TEST_F(messaging_test, readiness_reports_a_stuck_outbox_and_recovers) {
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  // Never refreshed: not stuck while a new worker's first report is due (a node starting up).
  EXPECT_EQ(w.stuck_reason(300s), "");
  exec("INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at) VALUES ('" + biz +
       "', 'sms', '{\"to\": \"+15557770001\", \"from\": \"+15550100001\", \"body\": \"hi\"}', 'k', "
       "'2026-03-02T14:50:00Z')");
  w.refresh_figures();
  EXPECT_EQ(w.stuck_reason(300s), "outbox stuck: a due text has waited 600 s (1 due)");
  EXPECT_EQ(w.stuck_reason(900s), "");
  w.run_once();
  w.refresh_figures();
  EXPECT_EQ(w.stuck_reason(300s), "");
}

TEST_F(messaging_test, a_row_of_a_kind_with_no_handler_here_is_left_for_a_node_that_has_one) {
  // A Google Calendar write claimed by a process without the Google handler (`frontdesk outbox
  // run`, a node without Google configured): neither lost nor dead, its attempt not spent.
  exec("INSERT INTO outbox (business_id, kind, payload, next_attempt_at) VALUES ('" + biz +
       "', 'gcal.event', '{}', '2000-01-01Z')");
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  EXPECT_EQ(row("SELECT status || ' ' || attempts FROM outbox"), "pending 0");
  EXPECT_NE(row("SELECT last_error FROM outbox").find("no handler"), std::string::npos);
  EXPECT_EQ(w.run_once(), 0); // not claimed again here at once
  EXPECT_EQ(fake_.creates(), 0);
  // A worker that has the handler carries it out.
  int handled = 0;
  w.add_handler("gcal.event", [&](const store::claimed_row&) {
    ++handled;
    return messaging::handled{};
  });
  clock_.advance(std::chrono::minutes(2));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(row("SELECT status FROM outbox"), "done");
}

TEST_F(messaging_test, only_the_leading_node_polls_often_and_a_follower_takes_over_when_it_leads) {
  // Two nodes of a cluster share the outbox: node-a leads, node-b follows (it looks only every
  // follower_poll). A due row is sent by the leader; once node-b leads, it sends the next one
  // within its own short poll.
  auto sender = messaging::make_twilio_sender(twilio_settings());
  std::atomic<bool> a_leads{true};
  auto a = worker_settings("node-a"), b = worker_settings("node-b");
  a.poll = b.poll = 50ms;
  a.follower_poll = b.follower_poll = 600s;
  a.leads = [&] { return a_leads.load(); };
  b.leads = [&] { return !a_leads.load(); };
  store::database db_b{db_.app_dsn(), 3};
  messaging::outbox_worker wa(a, app_, *sender, clock_), wb(b, db_b, *sender, clock_);
  wa.start();
  wb.start();
  std::this_thread::sleep_for(300ms); // both past their first pass: waiting now
  auto due = [&](const std::string& key) {
    exec("INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at) VALUES ('" + biz +
         "', 'sms', '{\"to\": \"+15557770001\", \"from\": \"+15550100001\", \"body\": \"" + key +
         "\"}', '" + key + "', '2026-03-02T14:50:00Z')");
  };
  // Until the workers have recorded n texts sent (after the fake has them).
  auto wait_sent = [&](std::size_t n) {
    auto until = std::chrono::steady_clock::now() + 10s;
    while (wa.counts().sent.load() + wb.counts().sent.load() < n &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(10ms);
    return fake_.messages().size();
  };
  due("first");
  EXPECT_EQ(wait_sent(1), 1u);
  EXPECT_EQ(wa.counts().sent.load(), 1u);
  EXPECT_EQ(wb.counts().sent.load(), 0u); // the follower did not look meanwhile
  // node-a is lost (it stops looking) and node-b comes to lead: it sends the next row within
  // its short poll, not after its 600 s follower's wait.
  wa.stop();
  a_leads = false;
  due("second");
  EXPECT_EQ(wait_sent(2), 2u);
  EXPECT_EQ(wb.counts().sent.load(), 1u);
  wb.stop();
}
