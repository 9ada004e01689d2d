// The business's calendar actor against a real PostgreSQL: many calls asking for one slot at
// once, their tools side by side, get one booking and alternatives for the rest; a call's own
// tools keep their order, and the release a call's end sends is skipped when it holds nothing.
#include <atomic>
#include <cstdio>
#include <future>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <caf/all.hpp>
#include <pqxx/pqxx>

#include "actors/calendar/calendar.hpp"
#include "actors/call/calendar_actor.hpp"
#include "actors/call/runtime.hpp" // add_message_types
#include "adapters/clock/clock.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/actor/messages.hpp"
#include "protocols/core/time.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string biz = "00000000-0000-0000-0000-0000000000a1";

class calendar_actor_test : public ::testing::Test {
protected:
  void SetUp() override {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, appointment_minutes, "
            "min_notice_minutes) VALUES ('" + biz + "', 'Alpha', '+15550100001', "
            "'America/Chicago', 60, 60)");
    for (int i = 1; i <= 30; ++i) // the calls the bookings come from
      tx.exec("INSERT INTO calls (id, business_id, call_sid) VALUES "
              "('00000000-0000-0000-0000-" + std::string(12 - std::to_string(i).size(), '0') +
              std::to_string(i) + "', '" + biz + "', 'CA" + std::to_string(i) + "')");
    for (int d = 0; d < 5; ++d)
      tx.exec("INSERT INTO business_hours VALUES ('" + biz + "', " + std::to_string(d) +
              ", '09:00', '17:00')");
    tx.commit();
    call::add_message_types(cfg_);
    cfg_.set("scheduler.max-threads", size_t{2});
    sys_ = std::make_unique<caf::actor_system>(cfg_);
  }
  void TearDown() override {
    sys_.reset();
    pool_.stop();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  // A value that a write behind a reply makes (a hold granted from the actor's view is written
  // after its reply), waited for at most five seconds.
  std::string eventually(const std::string& sql, const std::string& expected) {
    std::string v;
    for (int i = 0; i < 500 && (v = row(sql)) != expected; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return v;
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 4};
  booking::calendar_service service_{app_};
  worker_pool pool_{"blocking", 4, 1000};
  std::shared_ptr<frontdesk::clock> clk_ = make_clock(*parse_rfc3339("2026-03-04T15:00:00-06:00"));
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
};

} // namespace

TEST_F(calendar_actor_test, thirty_calls_booking_one_slot_get_one_booking_and_alternatives) {
  auto cal = call::spawn_calendar_actor(*sys_, service_, pool_, clk_.get(), biz);
  caf::scoped_actor self{*sys_};
  const int calls = 30;
  std::atomic<int> booked{0}, refused_with_options{0}, other{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < calls; ++i)
    callers.emplace_back([&, i] {
      caf::scoped_actor me{*sys_};
      char id[40];
      std::snprintf(id, sizeof id, "00000000-0000-0000-0000-%012d", i + 1); // a call's uuid
      proto::tool_request req{id, "book",
                              {{"start", "2026-03-05T14:00"},
                               {"name", "Caller " + std::to_string(i)},
                               {"phone", "+1555777" + std::to_string(1000 + i)}}};
      me->request(cal, 20s, req)
          .receive(
              [&](proto::tool_reply& r) {
                if (r.ok)
                  ++booked;
                else if (r.values["reason"] == "taken" && r.options.size() == 3)
                  ++refused_with_options;
                else {
                  ++other;
                  ADD_FAILURE() << "reply: ok=" << r.ok << " reason=" << r.values["reason"]
                                << " options=" << r.options.size();
                }
              },
              [&](caf::error& e) {
                ++other;
                ADD_FAILURE() << "error: " << caf::to_string(e);
              });
    });
  for (auto& t : callers)
    t.join();
  EXPECT_EQ(booked.load(), 1);
  EXPECT_EQ(refused_with_options.load(), calls - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1");
  // The alternatives offered are the nearest open slots that day (not the taken one).
  proto::tool_reply again;
  self->request(cal, 20s, proto::tool_request{"00000000-0000-0000-0000-000000000030", "check_slot",
                                              {{"date", "2026-03-05"}, {"time", "14:00"}}})
      .receive([&](proto::tool_reply& r) { again = r; }, [](caf::error&) {});
  EXPECT_FALSE(again.ok);
  ASSERT_EQ(again.option_values.size(), 3u);
  for (auto& v : again.option_values) {
    EXPECT_EQ(v.rfind("2026-03-05T", 0), 0u) << v; // same day first
    EXPECT_NE(v, "2026-03-05T14:00");
  }
  self->send_exit(cal, caf::exit_reason::user_shutdown);
}

// The release every call's end sends: a call holding nothing is answered without the database;
// a call holding a slot frees it. A call's own tools run in the order it sent them.
TEST_F(calendar_actor_test, a_call_end_release_frees_a_held_slot_and_skips_a_call_holding_none) {
  auto cal = call::spawn_calendar_actor(*sys_, service_, pool_, clk_.get(), biz);
  caf::scoped_actor self{*sys_};
  auto ask = [&](const proto::tool_request& req) {
    proto::tool_reply got;
    self->request(cal, 20s, req)
        .receive([&](proto::tool_reply& r) { got = std::move(r); },
                 [&](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
    return got;
  };
  const std::string holder = "00000000-0000-0000-0000-000000000001";
  const std::string idle = "00000000-0000-0000-0000-000000000002";
  auto held = ask({holder, "check_slot", {{"date", "2026-03-05"}, {"time", "10:00"}}});
  ASSERT_TRUE(held.ok);
  ASSERT_TRUE(held.values.count("hold_id"));
  EXPECT_EQ(eventually("SELECT count(*) FROM appointments WHERE status = 'held'", "1"), "1");

  auto skipped = ask({idle, "release_slot", {{"call_ended", "1"}}});
  EXPECT_EQ(skipped.values["released"], "none") << "a call holding nothing needs no transaction";

  auto freed = ask({holder, "release_slot", {{"call_ended", "1"}}});
  EXPECT_TRUE(freed.ok);
  EXPECT_FALSE(freed.values.count("released"));
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held'"), "0");

  // Sent together, without waiting: the hold runs first, then the release drops it.
  auto h = self->request(cal, 20s, proto::tool_request{holder, "check_slot",
                                                      {{"date", "2026-03-05"}, {"time", "11:00"}}});
  auto r = self->request(cal, 20s, proto::tool_request{holder, "release_slot", {}});
  bool hold_ok = false, release_ok = false;
  h.receive([&](proto::tool_reply& x) { hold_ok = x.ok; }, [](caf::error&) {});
  r.receive([&](proto::tool_reply& x) { release_ok = x.ok; }, [](caf::error&) {});
  EXPECT_TRUE(hold_ok);
  EXPECT_TRUE(release_ok);
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held'"), "0");
  // The end of a call whose tools all answered and that holds nothing: skipped again.
  EXPECT_EQ(ask({holder, "release_slot", {{"call_ended", "1"}}}).values["released"], "none");
  self->send_exit(cal, caf::exit_reason::user_shutdown);
}

// A slot is checked from the actor's view of the business's busy time, with no worker free to
// reach the database: a taken one gets the nearest alternatives, a free one is held at once and
// its row written once a worker is free. A booking made elsewhere after the view was read is
// not seen by the view, and the database refuses the booking that would double it, with the
// nearest alternatives.
TEST_F(calendar_actor_test, slots_are_checked_without_the_database_which_still_arbitrates_the_booking) {
  worker_pool one{"calendar", 1, 1000}; // one worker: jobs run in the order they are posted
  // A long time to live: the view is read once, then only after changes made through the actor.
  auto cal = call::spawn_calendar_actor(*sys_, service_, one, clk_.get(), biz, nullptr, 60s);
  caf::scoped_actor self{*sys_};
  auto ask = [&](const std::string& call, const std::string& tool,
                 std::map<std::string, std::string> args) {
    proto::tool_reply got;
    self->request(cal, 20s, proto::tool_request{call, tool, std::move(args)})
        .receive([&](proto::tool_reply& r) { got = std::move(r); },
                 [&](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
    return got;
  };
  auto call = [](int i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-0000-0000-%012d", i);
    return std::string(id);
  };
  auto held_rows = [&] { return row("SELECT count(*) FROM appointments WHERE status = 'held'"); };
  // The actor reads its view as it starts (its job runs first); the first check holds 10 AM.
  auto first = ask(call(1), "check_slot", {{"date", "2026-03-05"}, {"time", "10:00"}});
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(eventually("SELECT count(*) FROM appointments WHERE status = 'held'", "1"), "1");

  // The only worker is taken: nothing reaches the database until it is let go.
  std::promise<void> go;
  auto gate = go.get_future().share();
  struct opener { // lets the worker go however the test ends
    std::promise<void>& p;
    bool done = false;
    void open() { if (!done) p.set_value(); done = true; }
    ~opener() { open(); }
  } let_go{go};
  std::promise<void> blocked;
  ASSERT_TRUE(one.post([&blocked, gate] {
    blocked.set_value();
    gate.wait();
  }));
  blocked.get_future().wait();

  auto free = ask(call(3), "check_slot", {{"date", "2026-03-05"}, {"time", "11:00"}});
  ASSERT_TRUE(free.ok) << free.values["reason"];
  ASSERT_TRUE(free.values.count("hold_id"));
  EXPECT_EQ(held_rows(), "1") << "the hold's row waits for a worker";

  // A slot the view has taken is confirmed against the database (another writer may have
  // freed it since the read): that answer waits for the worker.
  auto pending = self->request(cal, 20s, proto::tool_request{call(2), "check_slot",
                                                             {{"date", "2026-03-05"}, {"time", "10:00"}}});
  let_go.open();
  proto::tool_reply taken;
  pending.receive([&](proto::tool_reply& r) { taken = std::move(r); },
                  [&](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
  EXPECT_FALSE(taken.ok);
  EXPECT_EQ(taken.values["reason"], "taken");
  EXPECT_EQ(taken.option_values,
            (std::vector<std::string>{"2026-03-05T09:00", "2026-03-05T12:00", "2026-03-05T13:00"}));
  auto behind = ask(call(4), "check_slot", {{"date", "2026-03-05"}, {"time", "11:00"}});
  EXPECT_EQ(behind.values["reason"], "taken") << "the hold granted from the view counts at once";
  EXPECT_EQ(eventually("SELECT count(*) FROM appointments WHERE status = 'held'", "2"), "2");
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'held' AND id = '" +
                free.values["hold_id"] + "'"),
            "1")
      << "the row has the id the caller was given";

  // Freed elsewhere after the view was read (as a cancellation on the dashboard would): the
  // view still has 10 AM taken, the database does not, and the caller is told it is free.
  {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("DELETE FROM appointments WHERE status = 'held' AND lower(during) = '2026-03-05 10:00-06'");
    tx.commit();
  }
  auto freed = ask(call(6), "check_slot", {{"date", "2026-03-05"}, {"time", "10:00"}});
  EXPECT_TRUE(freed.ok) << freed.values["reason"];

  // Booked elsewhere (as the dashboard would), after the view was read: the view still has
  // 2 PM free and holds it, but the database took it first, and the booking is refused.
  ASSERT_TRUE(service_
                  .run(*service_.profile(biz), "",
                       {"book", {{"start", "2026-03-05T14:00"}, {"name", "Walk In"},
                                 {"idempotency_key", "desk-1"}}},
                       clk_->now())
                  .ok);
  auto stale = ask(call(5), "check_slot", {{"date", "2026-03-05"}, {"time", "14:00"}});
  EXPECT_TRUE(stale.ok) << "the view had not seen it";
  auto book = ask(call(5), "book",
                  {{"start", "2026-03-05T14:00"}, {"name", "Late Caller"}, {"phone", "+15557770005"}});
  EXPECT_FALSE(book.ok);
  EXPECT_EQ(book.values["reason"], "taken");
  EXPECT_EQ(book.options.size(), 3u);
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked' AND "
                "lower(during) = '2026-03-05 14:00-06'"),
            "1");
  // The call that held 11 AM books it: its hold, written behind, becomes the booking.
  auto mine = ask(call(3), "book",
                  {{"start", "2026-03-05T11:00"}, {"name", "Caller Three"}, {"phone", "+15557770003"}});
  EXPECT_TRUE(mine.ok) << mine.values["reason"];
  EXPECT_EQ(row("SELECT id FROM appointments WHERE status = 'booked' AND "
                "lower(during) = '2026-03-05 11:00-06'"),
            free.values["hold_id"]);
  self->send_exit(cal, caf::exit_reason::user_shutdown);
  one.stop();
}
