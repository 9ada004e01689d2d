// Reminders: planned in the booking's transaction (24 h and 2 h before, quiet hours), re-planned
// on every move and cancel, rendered when they go, once each even after a node was down.
#include "tests/integration/messaging/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_messaging;

namespace {
std::string ts_sql(const char* col) {
  return std::string("to_char(") + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI\"Z\"')";
}
} // namespace

TEST_F(messaging_test, a_booking_plans_two_reminders_in_its_transaction) {
  book("2026-03-05T20:00:00Z"); // Thursday 2 PM CST
  EXPECT_EQ(row("SELECT string_agg(" + ts_sql("send_at") + ", ',' ORDER BY send_at) FROM reminders WHERE status = 'pending'"),
            "2026-03-04T20:00Z,2026-03-05T18:00Z");
}

TEST_F(messaging_test, quiet_hours_move_a_reminder_to_their_end_per_business_settings) {
  // 8:30 AM: the 2 h reminder (6:30) waits for 8:00; the 24 h one is at 8:30 the day before.
  book("2026-03-05T14:30:00Z");
  EXPECT_EQ(row("SELECT string_agg(" + ts_sql("send_at") + ", ',' ORDER BY send_at) FROM reminders"),
            "2026-03-04T14:30Z,2026-03-05T14:00Z");
  // A business with quiet hours until 9 and a single 1 h reminder: 7:30 is quiet, and 9:00 is
  // after an 8:30 appointment, so none.
  exec("UPDATE businesses SET quiet_end = '09:00', reminder_minutes = '{60}' WHERE id = '" + biz + "'");
  book("2026-03-06T14:30:00Z");
  EXPECT_EQ(count("SELECT count(*) FROM reminders r JOIN appointments a ON a.id = r.appointment_id "
                  "WHERE lower(a.during) = '2026-03-06T14:30:00Z'"), 0);
}

TEST_F(messaging_test, moves_and_cancels_replan_reminders) {
  auto a = book("2026-03-05T20:00:00Z");
  auto moved = store::appointments_repo(app_).reschedule(
      biz, a.id, {at("2026-03-10T19:00:00Z"), at("2026-03-10T19:30:00Z")}, clock_.now());
  ASSERT_TRUE(moved);
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE appointment_id = '" + a.id + "' AND status = 'pending'"), 0);
  // Tuesday March 10th 2 PM CDT (after the DST change): 24 h and 2 h before in real time.
  EXPECT_EQ(row("SELECT string_agg(" + ts_sql("send_at") + ", ',' ORDER BY send_at) FROM reminders "
                "WHERE status = 'pending'"),
            "2026-03-09T19:00Z,2026-03-10T17:00Z");
  ASSERT_TRUE(*store::appointments_repo(app_).cancel(biz, moved->id, clock_.now()));
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'pending'"), 0);
}

TEST_F(messaging_test, a_reminder_is_rendered_when_it_goes_and_goes_once) {
  book("2026-03-05T20:00:00Z");
  // The business renames itself after the booking: the reminder says the new name.
  exec("UPDATE businesses SET name = 'Bright Smile' WHERE id = '" + biz + "'");
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once(); // the confirmation
  clock_.set(at("2026-03-04T20:00:30Z"));
  EXPECT_EQ(w.run_once(), 1);
  EXPECT_EQ(w.run_once(), 0);
  auto sent = fake_.messages();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].body, "Reminder from Bright Smile: your appointment is Thursday, March 5 at "
                          "2:00 PM. 12 Main St. Reply C to cancel or R to reschedule.");
  EXPECT_EQ(count("SELECT count(*) FROM reminders WHERE status = 'sent'"), 1);
  EXPECT_EQ(row("SELECT payload->>'body' FROM outbox WHERE kind = 'sms.reminder'"), sent[1].body);
}

TEST_F(messaging_test, a_node_that_was_down_sends_what_fell_due_once) {
  book("2026-03-05T20:00:00Z");
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  // Down from before the 24 h reminder until after the 2 h one fell due: one reminder goes
  // (the latest), the older is skipped, and nothing goes twice.
  clock_.set(at("2026-03-05T18:30:00Z"));
  w.run_once();
  w.run_once();
  messaging::outbox_worker again(worker_settings(), app_, *sender, clock_);
  again.run_once();
  auto sent = fake_.messages();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].body.rfind("Reminder from Bright Smile Dental", 0), 0u);
  EXPECT_EQ(row("SELECT string_agg(offset_minutes || ':' || status, ',' ORDER BY send_at) FROM reminders"),
            "1440:skipped,120:sent");
}

TEST_F(messaging_test, a_reminder_of_a_moved_or_cancelled_appointment_never_goes) {
  auto a = book("2026-03-05T20:00:00Z");
  auto sender = messaging::make_twilio_sender(twilio_settings());
  messaging::outbox_worker w(worker_settings(), app_, *sender, clock_);
  w.run_once();
  // The reminder is moved into the outbox, then the appointment is cancelled before it goes.
  clock_.set(at("2026-03-04T20:00:30Z"));
  store::outbox_repo(app_).enqueue_due_reminders(clock_.now(), 10);
  ASSERT_TRUE(*store::appointments_repo(app_).cancel(biz, a.id, clock_.now(), false));
  w.run_once();
  EXPECT_EQ(fake_.messages().size(), 1u); // the confirmation only
  EXPECT_EQ(row("SELECT status FROM outbox WHERE kind = 'sms.reminder'"), "dropped");
}
