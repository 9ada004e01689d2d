// Booking against a real PostgreSQL as the application role: holds, bookings, the exclusion
// constraint under concurrency, cancel, reschedule, knowledge search.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string biz = "00000000-0000-0000-0000-0000000000a1";
const std::string other = "00000000-0000-0000-0000-0000000000b1";

class appointments : public ::testing::Test {
protected:
  void SetUp() override {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone) VALUES "
            "('" + biz + "', 'Alpha', '+15550100001', 'America/Chicago'), "
            "('" + other + "', 'Beta', '+15550100002', 'UTC')");
    tx.exec("INSERT INTO knowledge (business_id, body) VALUES "
            "('" + biz + "', 'We accept Delta Dental, Cigna and Aetna insurance.'),"
            "('" + biz + "', 'Parking is free in the lot behind the building.'),"
            "('" + biz + "', 'A cleaning costs one hundred twenty dollars without insurance.'),"
            "('" + biz + "', 'We see patients of all ages, including children.'),"
            "('" + other + "', 'Beta secret: walk-ins welcome on Saturdays.')");
    tx.commit();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  store::interval at(const char* start, std::chrono::minutes len = 60min) {
    auto s = *parse_rfc3339(start);
    return {s, s + len};
  }
  store::booking_request req(const char* start, const char* name = "Ann Lee") {
    return {at(start), name, "+15557770001", "cleaning", "", "", "", true};
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 4};
  store::appointments_repo repo_{app_};
  frontdesk::sys_time now_ = *parse_rfc3339("2026-03-04T15:00:00Z");
};

} // namespace

TEST_F(appointments, books_and_refuses_an_overlap_as_slot_taken) {
  auto a = repo_.book(biz, req("2026-03-05T15:00:00Z"), "", now_);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->status, "booked");
  EXPECT_EQ(format_rfc3339(a->during.start), "2026-03-05T15:00:00.000Z");
  auto b = repo_.book(biz, req("2026-03-05T15:30:00Z", "Bo"), "", now_);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, "slot_taken");
  // Another business is unaffected.
  EXPECT_TRUE(repo_.book(other, req("2026-03-05T15:30:00Z"), "", now_));
}

TEST_F(appointments, the_same_idempotency_key_books_once) {
  auto r = req("2026-03-05T15:00:00Z");
  r.idempotency_key = "call-1:book";
  auto a = repo_.book(biz, r, "", now_);
  auto b = repo_.book(biz, r, "", now_);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(a->id, b->id);
  EXPECT_EQ(row("SELECT count(*) FROM appointments"), "1");
}

TEST_F(appointments, a_hold_blocks_others_until_it_expires_or_is_released) {
  auto h = repo_.hold(biz, at("2026-03-05T15:00:00Z"), "", now_ + 2min, now_);
  ASSERT_TRUE(h) << h.error().message;
  auto other_hold = repo_.hold(biz, at("2026-03-05T15:00:00Z"), "", now_ + 2min, now_);
  ASSERT_FALSE(other_hold);
  EXPECT_EQ(other_hold.error().code, "slot_taken");
  // After it expires, the slot is free again.
  auto later = repo_.hold(biz, at("2026-03-05T15:00:00Z"), "", now_ + 10min, now_ + 3min);
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_TRUE(*repo_.release(biz, *later));
  EXPECT_EQ(row("SELECT count(*) FROM appointments"), "0");
}

TEST_F(appointments, a_hold_becomes_the_booking_and_queues_the_confirmation) {
  auto h = repo_.hold(biz, at("2026-03-05T15:00:00Z"), "", now_ + 2min, now_);
  ASSERT_TRUE(h);
  auto a = repo_.book(biz, req("2026-03-05T15:00:00Z"), *h, now_);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->id, *h);
  EXPECT_TRUE(a->confirmation_queued);
  EXPECT_EQ(row("SELECT status::text FROM appointments"), "booked");
  // The text is rendered in the business's zone: 15:00Z is 9 AM in Chicago.
  EXPECT_EQ(row("SELECT payload->>'body' FROM outbox"),
            "Alpha: you're booked for Thursday, March 5 at 9:00 AM. Reply C to cancel or R to "
            "reschedule.");
  EXPECT_EQ(row("SELECT payload->>'to' FROM outbox"), "+15557770001");
  EXPECT_EQ(row("SELECT payload->>'from' FROM outbox"), "+15550100001");
  EXPECT_EQ(row("SELECT dedupe_key FROM outbox"), "sms:" + *h + ":booked:1");
}

TEST_F(appointments, fifty_concurrent_attempts_at_overlapping_slots_book_exactly_one) {
  std::atomic<int> ok{0}, taken{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&, i] {
      // Starts spread over 15:00-15:49: all overlap 15:00-16:00 and each other's neighbours.
      auto start = *parse_rfc3339("2026-03-05T15:00:00Z") + std::chrono::minutes(i % 50);
      store::booking_request r{{start, start + 60min}, "C" + std::to_string(i), "", "", "", "", "", true};
      auto a = repo_.book(biz, r, "", now_);
      if (a)
        ++ok;
      else if (a.error().code == "slot_taken")
        ++taken;
      else
        ++other_errors;
    });
  for (auto& t : threads)
    t.join();
  // Every start lies within 50 minutes of every other: any two overlap, so exactly one wins.
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(taken.load(), 49);
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1");
}

TEST_F(appointments, cancel_then_rebook_the_same_slot) {
  auto a = repo_.book(biz, req("2026-03-05T15:00:00Z"), "", now_);
  ASSERT_TRUE(a);
  EXPECT_TRUE(*repo_.cancel(biz, a->id, now_));
  EXPECT_FALSE(*repo_.cancel(biz, a->id, now_)); // already cancelled
  EXPECT_TRUE(repo_.book(biz, req("2026-03-05T15:00:00Z", "Bo"), "", now_));
}

TEST_F(appointments, reschedule_moves_atomically_even_onto_an_overlapping_time) {
  auto a = repo_.book(biz, req("2026-03-05T15:00:00Z"), "", now_);
  ASSERT_TRUE(a);
  auto blocker = repo_.book(biz, req("2026-03-05T18:00:00Z", "Zed"), "", now_);
  ASSERT_TRUE(blocker);
  // A move by 30 minutes overlaps the old slot itself: fine, the old one goes in the same step.
  auto moved = repo_.reschedule(biz, a->id, at("2026-03-05T15:30:00Z"), now_);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->customer_name, "Ann Lee");
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "2");
  // Onto a taken slot: refused, and the appointment stays where it was.
  auto refused = repo_.reschedule(biz, moved->id, at("2026-03-05T18:30:00Z"), now_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "slot_taken");
  EXPECT_EQ(row("SELECT status::text FROM appointments WHERE id = '" + moved->id + "'"), "booked");
}

TEST_F(appointments, find_upcoming_by_phone_or_name) {
  ASSERT_TRUE(repo_.book(biz, req("2026-03-06T15:00:00Z"), "", now_));
  ASSERT_TRUE(repo_.book(biz, req("2026-03-05T15:00:00Z"), "", now_));
  ASSERT_TRUE(repo_.book(biz, req("2026-03-01T15:00:00Z"), "", now_)); // past
  auto found = repo_.find_upcoming(biz, "+15557770001", "", now_);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ(format_rfc3339((*found)[0].during.start), "2026-03-05T15:00:00.000Z");
  auto by_name = repo_.find_upcoming(biz, "", "ann lee", now_);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->size(), 2u);
  auto none = repo_.find_upcoming(biz, "+19999999999", "", now_);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(appointments, busy_time_includes_bookings_live_holds_and_calendar_busy) {
  ASSERT_TRUE(repo_.book(biz, req("2026-03-05T15:00:00Z"), "", now_));
  ASSERT_TRUE(repo_.hold(biz, at("2026-03-05T17:00:00Z"), "", now_ + 2min, now_));
  ASSERT_TRUE(repo_.hold(biz, at("2026-03-05T19:00:00Z"), "", now_ - 1min, now_ - 5min)); // expired
  {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO calendar_links (id, business_id) VALUES "
            "('00000000-0000-0000-0000-0000000000c1', '" + biz + "')");
    tx.exec("INSERT INTO calendar_busy VALUES ('" + biz + "', '00000000-0000-0000-0000-0000000000c1', "
            "'ev', '[2026-03-05 21:00Z, 2026-03-05 22:00Z)')");
    tx.commit();
  }
  auto b = repo_.busy(biz, at("2026-03-05T00:00:00Z", 24h * 60), now_);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->size(), 3u);
  EXPECT_EQ(format_rfc3339((*b)[2].start), "2026-03-05T21:00:00.000Z");
}

TEST_F(appointments, knowledge_search_answers_related_questions_only) {
  store::knowledge_repo k(app_);
  auto r = k.search(biz, question_concepts("do you take delta dental insurance"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(r->empty());
  EXPECT_NE((*r)[0].text.find("Delta Dental"), std::string::npos);
  auto parking = k.search(biz, question_concepts("where can I park"));
  ASSERT_TRUE(parking);
  ASSERT_FALSE(parking->empty());
  EXPECT_NE((*parking)[0].text.find("Parking"), std::string::npos);
  auto unrelated = k.search(biz, question_concepts("what's the weather like on mars"));
  ASSERT_TRUE(unrelated);
  EXPECT_TRUE(unrelated->empty());
  // Another business's knowledge never answers.
  auto walkins = k.search(biz, question_concepts("walk-ins on saturdays"));
  ASSERT_TRUE(walkins);
  EXPECT_TRUE(walkins->empty());
  // A caller's own words for what the knowledge says otherwise.
  auto kids = k.search(biz, question_concepts("do you guys see kids"));
  ASSERT_TRUE(kids) << kids.error().message;
  ASSERT_FALSE(kids->empty());
  EXPECT_NE((*kids)[0].text.find("children"), std::string::npos);
  auto price = k.search(biz, question_concepts("how much is a cleaning"));
  ASSERT_TRUE(price);
  ASSERT_FALSE(price->empty());
  EXPECT_NE((*price)[0].text.find("costs"), std::string::npos);
  // The price of one service does not answer the price of another.
  auto other_price = k.search(biz, question_concepts("how much does a whitening cost"));
  ASSERT_TRUE(other_price);
  EXPECT_TRUE(other_price->empty());
  auto empty = k.search(biz, question_concepts(""));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

namespace {

// Collects what arrives on the booking events channel.
class booking_listener final : public pqxx::notification_receiver {
public:
  explicit booking_listener(pqxx::connection_base& c)
      : pqxx::notification_receiver(c, "frontdesk_booking_events") {}
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
  std::vector<std::string> payloads;
};

} // namespace

TEST_F(appointments, bookings_cancellations_and_moves_are_published_as_events) {
  pqxx::connection listen(db_.owner_dsn());
  booking_listener events(listen);
  auto h = repo_.hold(biz, at("2026-03-05T15:00:00Z"), "", now_ + 2min, now_);
  ASSERT_TRUE(h);
  auto a = repo_.book(biz, req("2026-03-05T15:00:00Z"), *h, now_); // the hold becomes a booking
  ASSERT_TRUE(a) << a.error().message;
  auto moved = repo_.reschedule(biz, a->id, at("2026-03-06T15:00:00Z"), now_);
  ASSERT_TRUE(moved) << moved.error().message;
  ASSERT_TRUE(repo_.cancel(biz, moved->id, now_));
  for (int i = 0; i < 50 && events.payloads.size() < 4; ++i)
    listen.await_notification(0, 100000);
  ASSERT_EQ(events.payloads.size(), 4u);
  EXPECT_NE(events.payloads[0].find("\"kind\" : \"booked\""), std::string::npos) << events.payloads[0];
  EXPECT_NE(events.payloads[1].find("\"kind\" : \"cancelled\""), std::string::npos); // the old time
  EXPECT_NE(events.payloads[2].find("\"kind\" : \"rescheduled\""), std::string::npos);
  EXPECT_NE(events.payloads[3].find("\"kind\" : \"cancelled\""), std::string::npos);
  EXPECT_NE(events.payloads[0].find(biz), std::string::npos);
  // The same, kept, and only for the business itself.
  auto kinds = app_.as_business(biz, [](pqxx::work& tx) {
    std::string s;
    for (auto r : tx.exec("SELECT kind FROM booking_events ORDER BY id"))
      s += r[0].as<std::string>() + " ";
    return s;
  });
  EXPECT_EQ(kinds, "booked cancelled rescheduled cancelled ");
  auto seen_by_other = app_.as_business(other, [](pqxx::work& tx) {
    return tx.exec1("SELECT count(*) FROM booking_events")[0].as<int>();
  });
  EXPECT_EQ(seen_by_other, 0);
  // A hold alone publishes nothing.
  ASSERT_TRUE(repo_.hold(biz, at("2026-03-09T15:00:00Z"), "", now_ + 2min, now_));
  EXPECT_EQ(row("SELECT count(*) FROM booking_events"), "4");
}
