// The call records the telephony edge keeps, against a real PostgreSQL as the application role.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/store/appointments.hpp"
#include "adapters/store/calls.hpp"
#include "adapters/store/database.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

class calls : public ::testing::Test {
protected:
  void SetUp() override {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, greeting) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', 'Alpha', '+15550100001', 'America/Chicago', "
            "'Thanks for calling Alpha'),"
            "('00000000-0000-0000-0000-0000000000b1', 'Beta', '+15550100002', 'UTC', '')");
    tx.commit();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
  store::calls_repo repo_{app_};
  frontdesk::sys_time t0_ = *parse_rfc3339("2026-03-04T15:00:00Z");
};

} // namespace

TEST_F(calls, finds_the_business_by_dialled_number) {
  auto b = repo_.business_for_number("+15550100001");
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_TRUE(*b);
  EXPECT_EQ((*b)->name, "Alpha");
  EXPECT_EQ((*b)->timezone, "America/Chicago");
  EXPECT_EQ((*b)->greeting, "Thanks for calling Alpha");
  auto none = repo_.business_for_number("+15559999999");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(calls, a_repeated_webhook_does_not_create_a_second_call) {
  store::call_start s{"CA00000000000000000000000000000001", "+15557770000", "+15550100001", "n1", t0_};
  auto first = repo_.open_call("00000000-0000-0000-0000-0000000000a1", s);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->created);
  auto again = repo_.open_call("00000000-0000-0000-0000-0000000000a1", s);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(row("SELECT count(*) FROM calls"), "1");
  // The same SID claimed for another business is refused, not shared.
  EXPECT_FALSE(repo_.open_call("00000000-0000-0000-0000-0000000000b1", s));
}

TEST_F(calls, streaming_then_ending_records_times_and_reason) {
  store::call_start s{"CA00000000000000000000000000000002", "+15557770000", "+15550100001", "n1", t0_};
  auto c = repo_.open_call("00000000-0000-0000-0000-0000000000a1", s);
  ASSERT_TRUE(c);
  ASSERT_TRUE(*repo_.mark_streaming(c->business_id, c->id, "MZ1", t0_ + std::chrono::seconds(1)));
  EXPECT_EQ(row("SELECT status FROM calls"), "in-progress");
  auto ended = repo_.end_call(c->business_id, c->id, "completed", "stream_stopped",
                              t0_ + std::chrono::seconds(61));
  ASSERT_TRUE(ended);
  EXPECT_TRUE(*ended);
  EXPECT_EQ(row("SELECT end_reason FROM calls"), "stream_stopped");
  EXPECT_EQ(row("SELECT duration_seconds FROM calls"), "60");
  // A second end does not overwrite the first.
  EXPECT_FALSE(*repo_.end_call(c->business_id, c->id, "failed", "later", t0_ + std::chrono::seconds(90)));
  EXPECT_EQ(row("SELECT end_reason FROM calls"), "stream_stopped");
}

TEST_F(calls, status_callbacks_record_status_and_duration) {
  store::call_start s{"CA00000000000000000000000000000003", "+15557770000", "+15550100001", "n1", t0_};
  ASSERT_TRUE(repo_.open_call("00000000-0000-0000-0000-0000000000a1", s));
  auto done = repo_.record_status(s.call_sid, "completed", 42, t0_ + std::chrono::seconds(45));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(*done);
  EXPECT_EQ(row("SELECT status FROM calls"), "completed");
  EXPECT_EQ(row("SELECT duration_seconds FROM calls"), "42");
  EXPECT_EQ(row("SELECT end_reason FROM calls"), "status_callback");
  EXPECT_NE(row("SELECT ended_at FROM calls"), "NULL");
  // Unknown SIDs are not an error, just nothing to update.
  auto unknown = repo_.record_status("CAunknown", "completed", std::nullopt, t0_);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
}

TEST_F(calls, an_unreachable_database_is_a_value_not_an_exception) {
  store::database nowhere("host=127.0.0.1 port=1 connect_timeout=1 user=x dbname=x", 1);
  store::calls_repo repo(nowhere);
  auto r = repo.business_for_number("+15550100001");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "database_unreachable");
}

// A slot the call still holds is free again the moment the call ends, however it ends.
TEST_F(calls, ending_a_call_releases_the_slots_it_holds) {
  const std::string biz = "00000000-0000-0000-0000-0000000000a1";
  store::appointments_repo appts(app_);
  auto hour = [&](int h) {
    auto s = t0_ + std::chrono::hours(24 + h);
    return store::interval{s, s + std::chrono::hours(1)};
  };
  store::call_start s1{"CA00000000000000000000000000000031", "+15557770000", "+15550100001", "n1", t0_};
  store::call_start s2{"CA00000000000000000000000000000032", "+15557770001", "+15550100001", "n1", t0_};
  auto c1 = repo_.open_call(biz, s1);
  auto c2 = repo_.open_call(biz, s2);
  ASSERT_TRUE(c1 && c2);
  auto later = t0_ + std::chrono::minutes(5);
  ASSERT_TRUE(appts.hold(biz, hour(1), c1->id, later, t0_));
  ASSERT_TRUE(appts.hold(biz, hour(3), c2->id, later, t0_));
  // A call holds one slot at a time: its next hold drops the first.
  ASSERT_TRUE(appts.hold(biz, hour(2), c1->id, later, t0_));
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held'"), "2");
  auto busy = appts.busy(biz, {t0_, t0_ + std::chrono::hours(48)}, t0_);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->size(), 2u);
  // The first call ends through its stream: its hold goes, the other call's stays.
  ASSERT_TRUE(*repo_.end_call(biz, c1->id, "completed", "stream_stopped", t0_ + std::chrono::seconds(30)));
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held' AND call_id = '" + c1->id + "'"), "0");
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held'"), "1");
  // The second ends by Twilio's final status callback alone.
  ASSERT_TRUE(*repo_.record_status(s2.call_sid, "completed", 31, t0_ + std::chrono::seconds(31)));
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held'"), "0");
  // A slot released, another caller can hold it at once (no 5 minutes' wait for expiry).
  EXPECT_TRUE(appts.hold(biz, hour(2), "", later, t0_ + std::chrono::seconds(32)));
}

TEST_F(calls, a_booking_keeps_what_the_caller_asked_for_in_its_notes) {
  const std::string biz = "00000000-0000-0000-0000-0000000000a1";
  store::appointments_repo appts(app_);
  store::booking_request r;
  r.during = {t0_ + std::chrono::hours(30), t0_ + std::chrono::hours(31)};
  r.customer_name = "Ann Lee";
  r.notes = "Caller asked for a checkup.";
  ASSERT_TRUE(appts.book(biz, r, "", t0_));
  EXPECT_EQ(row("SELECT notes FROM appointments"), "Caller asked for a checkup.");
  EXPECT_EQ(row("SELECT service FROM appointments"), "");
  // Also when the call's hold becomes the booking.
  auto h = appts.hold(biz, {t0_ + std::chrono::hours(40), t0_ + std::chrono::hours(41)}, "",
                      t0_ + std::chrono::minutes(5), t0_);
  ASSERT_TRUE(h);
  r.during = {t0_ + std::chrono::hours(40), t0_ + std::chrono::hours(41)};
  r.notes = "Caller asked for your annual physical.";
  ASSERT_TRUE(appts.book(biz, r, *h, t0_));
  EXPECT_EQ(row("SELECT notes FROM appointments WHERE id = '" + *h + "'"),
            "Caller asked for your annual physical.");
}
