// A watch's live path on one node, against a real PostgreSQL and no live feed at all: the
// gateway's sessions get a call's turns, latencies, states and end straight from the call's tap
// (the database's event feed is never fed here), a watch attached while turns keep coming sees
// each exactly once and in order across the snapshot/live boundary, a call taken over from a
// lost node numbers its turns after those of its saved transcript, and a console that stops
// reading is dropped while the call's side carries on. A console process that gives a
// receiver gets one batch per tick for all its consoles, a payload several consoles share going
// once, and is dropped as a whole when it stops reading. The consoles of one process watching a
// call share one subscription of its tap; a call that has only its first row (from the live
// feed) is watched through a tap opened for it, closed by the gateway if the row ends first.
// `watch --all` watches every call of the user's businesses as it starts.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/console/gateway.hpp"
#include "actors/console/receiver.hpp"
#include "adapters/store/console.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/actor/cluster_messages.hpp"
#include "protocols/console/tap.hpp"
#include "tests/integration/cluster/loopback.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;
namespace json = boost::json;
using frontdesk::fixtures::wait_for;

namespace {

bool wait_for_subscribers(const console::call_tap& t, std::size_t n) {
  return wait_for([&] { return t.subscribers() == n; }, 10s);
}

const std::string biz = "00000000-0000-0000-0000-0000000000c1";
const std::string node = "node-t";

std::string call_id(int i) {
  auto s = std::to_string(i);
  return "00000000-0000-0000-0000-" + std::string(12 - s.size(), '0') + s;
}

class console_push : public ::testing::Test {
protected:
  void SetUp() override {
    sql("INSERT INTO businesses (id, name, phone_number, timezone) VALUES ('" + biz +
        "', 'Gamma', '+15550400001', 'UTC')");
    sql("INSERT INTO staff_users (business_id, email, role) VALUES ('" + biz +
        "', 'ops@gamma.test', 'admin')");
    auto t = store::console_repo(app_).issue_token("ops@gamma.test");
    ASSERT_TRUE(t) << t.error().message;
    token_ = *t;
    cfg_.add_message_types<caf::id_block::frontdesk>();
    cfg_.add_message_types<caf::id_block::frontdesk_cluster>();
    cfg_.add_message_types<caf::id_block::frontdesk_console>();
    cfg_.set("scheduler.max-threads", std::size_t{2});
    sys_ = std::make_unique<caf::actor_system>(cfg_);
  }
  void TearDown() override {
    for (auto& g : gateways_)
      caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
    sys_.reset();
    pool_.stop();
  }

  std::string sql(const std::string& q) {
    pqxx::connection c(db_.owner_dsn());
    pqxx::nontransaction tx(c);
    auto r = tx.exec(q);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  // A live call's row on this node, with a saved transcript.
  void add_call(const std::string& id, const std::string& transcript = "[]") {
    sql("INSERT INTO calls (id, business_id, call_sid, caller, node, status, transcript) VALUES ('" +
        id + "', '" + biz + "', 'CA" + id.substr(24) + "', '+15557770000', '" + node +
        "', 'in-progress', '" + transcript + "'::jsonb)");
  }

  caf::actor gateway(std::size_t max_unacked = 4096,
                     std::chrono::milliseconds batch = std::chrono::milliseconds(20)) {
    console::gateway_services s;
    s.db = &app_;
    s.pool = &pool_;
    s.node_name = node;
    s.taps = taps_;
    s.max_unacked = max_unacked;
    s.batch_delay = batch;
    gateways_.push_back(console::spawn_gateway(*sys_, s));
    return gateways_.back();
  }

  // Logs `self` in as a console; the session.
  caf::actor login(caf::scoped_actor& self, const caf::actor& gw,
                   const caf::actor& receiver = {}) {
    caf::actor session;
    self->request(gw, 10s, proto::console_login{proto::console_protocol, token_, "test", receiver})
        .receive([&](proto::console_welcome& w) { session = w.session; },
                 [&](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
    return session;
  }

  static std::string command(caf::scoped_actor& self, const caf::actor& session,
                             const std::string& line) {
    std::string result;
    self->request(session, 10s, proto::console_command{"t", line})
        .receive([&](proto::console_reply& r) { result = r.result + ": " + r.detail; },
                 [&](caf::error& e) { result = caf::to_string(e); });
    return result;
  }

  // The events a console gets until `stop` says so (or `limit` passes), acknowledged as read.
  static std::vector<json::object> events(caf::scoped_actor& self, const caf::actor& session,
                                          std::function<bool(const json::object&)> stop,
                                          std::chrono::seconds limit = 20s) {
    std::vector<json::object> out;
    auto until = std::chrono::steady_clock::now() + limit;
    bool done = false;
    while (!done && std::chrono::steady_clock::now() < until)
      self->receive(
          [&](proto::console_event& e) {
            proto::for_each_event_line(e.json, [&](std::string_view line) {
              auto v = json::parse(line);
              out.push_back(v.as_object());
              if (stop(out.back()))
                done = true;
            });
            self->send(session, proto::console_ack_atom::value, e.seq);
          },
          caf::after(100ms) >> [] {});
    return out;
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 4};
  worker_pool pool_{"blocking", 2, 1000};
  std::shared_ptr<console::call_taps> taps_ = std::make_shared<console::call_taps>();
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::vector<caf::actor> gateways_;
  std::string token_;
};

std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

std::vector<std::string> turns_of(const std::vector<json::object>& evs, std::vector<long long>* ns) {
  std::vector<std::string> out;
  for (auto& e : evs)
    if (str(e, "type") == "turn") {
      out.push_back(str(e, "text"));
      ns->push_back(e.at("n").as_int64());
    }
  return out;
}

} // namespace

TEST_F(console_push, a_turn_reaches_a_watcher_from_the_calls_tap_without_the_database_feed) {
  auto gw = gateway();
  auto id = call_id(1);
  add_call(id);
  auto tap = taps_->open(id);
  tap->turn("agent", "Gamma, how can I help?", 10, false); // before the watch: replayed
  caf::scoped_actor con{*sys_};
  auto session = login(con, gw);
  ASSERT_TRUE(session);
  EXPECT_EQ(command(con, session, "watch " + id), "done: watching " + id);
  ASSERT_TRUE(wait_for_subscribers(*tap, 1));
  tap->state("thinking");
  tap->turn("caller", "What are your hours?", 2000, false);
  tap->latency(R"({"turn":1,"first_frame_ms":412.5})");
  taps_->close(id, "stop");
  auto evs = events(con, session, [](const json::object& o) { return str(o, "type") == "ended"; });
  std::vector<long long> ns;
  EXPECT_EQ(turns_of(evs, &ns),
            (std::vector<std::string>{"Gamma, how can I help?", "What are your hours?"}));
  EXPECT_EQ(ns, (std::vector<long long>{0, 1}));
  std::vector<std::string> types;
  for (auto& e : evs)
    types.push_back(str(e, "type"));
  EXPECT_EQ(types, (std::vector<std::string>{"snapshot", "state", "turn", "state", "turn",
                                             "latency", "ended"}));
  // The live turn says when the call told it; the replayed one does not (it is no delay).
  EXPECT_FALSE(evs[2].contains("at_us"));
  EXPECT_TRUE(evs[4].contains("at_us"));
  EXPECT_EQ(evs[4].at("live").as_bool(), true);
  EXPECT_EQ(evs[5].at("first_frame_ms").as_double(), 412.5);
  EXPECT_EQ(str(evs.back(), "end_reason"), "stop");
  // Nothing came through the database: the transcript there is still empty.
  EXPECT_EQ(sql("SELECT jsonb_array_length(transcript) FROM calls WHERE id = '" + id + "'"), "0");
}

TEST_F(console_push, a_watch_attached_while_turns_come_sees_each_once_in_order) {
  auto gw = gateway();
  constexpr int consoles = 4;
  std::vector<std::string> ids;
  for (int i = 0; i < consoles; ++i) {
    ids.push_back(call_id(10 + i));
    add_call(ids.back());
  }
  std::vector<std::shared_ptr<console::call_tap>> call_taps;
  for (auto& id : ids)
    call_taps.push_back(taps_->open(id));
  // Each call says its turns from its own thread, a little apart, before its watch attaches,
  // while it does, and for 100 turns after every watch has attached.
  std::atomic<int> said{0};
  std::atomic<bool> attached{false};
  std::vector<int> totals(consoles, 0);
  std::vector<std::thread> calls;
  for (std::size_t i = 0; i < call_taps.size(); ++i)
    calls.emplace_back([&, i] {
      auto& t = call_taps[i];
      int n = 0, stop_at = -1;
      while (stop_at < 0 || n < stop_at) {
        t->turn(n % 2 ? "agent" : "caller", "turn " + std::to_string(n), n * 10, false);
        ++n;
        said.fetch_add(1);
        if (stop_at < 0 && attached.load())
          stop_at = n + 100;
        std::this_thread::sleep_for(300us);
      }
      totals[i] = n;
    });
  while (said.load() < consoles * 50)
    std::this_thread::sleep_for(1ms);
  std::vector<std::unique_ptr<caf::scoped_actor>> cons;
  std::vector<caf::actor> sessions;
  for (int i = 0; i < consoles; ++i) {
    cons.push_back(std::make_unique<caf::scoped_actor>(*sys_));
    sessions.push_back(login(*cons.back(), gw));
    EXPECT_EQ(command(*cons.back(), sessions.back(), "watch " + ids[static_cast<std::size_t>(i)]),
              "done: watching " + ids[static_cast<std::size_t>(i)]);
  }
  attached = true;
  for (auto& c : calls)
    c.join();
  for (auto& id : ids)
    taps_->close(id, "stop");
  for (int i = 0; i < consoles; ++i) {
    auto evs = events(*cons[static_cast<std::size_t>(i)], sessions[static_cast<std::size_t>(i)],
                      [](const json::object& o) { return str(o, "type") == "ended"; });
    std::vector<long long> ns;
    auto texts = turns_of(evs, &ns);
    auto turns = totals[static_cast<std::size_t>(i)];
    ASSERT_EQ(texts.size(), static_cast<std::size_t>(turns)) << "console " << i;
    for (int n = 0; n < turns; ++n) {
      EXPECT_EQ(ns[static_cast<std::size_t>(n)], n);
      EXPECT_EQ(texts[static_cast<std::size_t>(n)], "turn " + std::to_string(n));
    }
  }
}

TEST_F(console_push, a_call_taken_over_numbers_its_turns_after_its_saved_transcript) {
  auto gw = gateway();
  auto id = call_id(20);
  // Two turns on the lost node, and this node's first, already saved.
  add_call(id, R"([{"role":"agent","text":"Hello.","at_ms":100,"interrupted":false},)"
               R"({"role":"caller","text":"Hi there.","at_ms":900,"interrupted":false},)"
               R"({"role":"agent","text":"Welcome back.","at_ms":1500,"interrupted":false}])");
  auto tap = taps_->open(id);
  tap->origin_ms(1200);
  tap->turn("agent", "Welcome back.", 1500, false);
  caf::scoped_actor con{*sys_};
  auto session = login(con, gw);
  EXPECT_EQ(command(con, session, "watch " + id), "done: watching " + id);
  ASSERT_TRUE(wait_for_subscribers(*tap, 1));
  tap->turn("caller", "Is it still open?", 3000, false);
  taps_->close(id, "stop");
  auto evs = events(con, session, [](const json::object& o) { return str(o, "type") == "ended"; });
  std::vector<long long> ns;
  EXPECT_EQ(turns_of(evs, &ns), (std::vector<std::string>{"Hello.", "Hi there.", "Welcome back.",
                                                          "Is it still open?"}));
  EXPECT_EQ(ns, (std::vector<long long>{0, 1, 2, 3}));
}

TEST_F(console_push, a_console_that_stops_reading_is_dropped_and_the_call_carries_on) {
  auto gw = gateway(8); // eight unacknowledged batches at most
  auto id = call_id(30);
  add_call(id);
  auto tap = taps_->open(id);
  caf::scoped_actor slow{*sys_}, fast{*sys_};
  auto slow_session = login(slow, gw), fast_session = login(fast, gw);
  EXPECT_EQ(command(slow, slow_session, "watch " + id), "done: watching " + id);
  EXPECT_EQ(command(fast, fast_session, "watch " + id), "done: watching " + id);
  ASSERT_TRUE(wait_for_subscribers(*tap, 2));
  fast->monitor(slow_session);
  // The call goes on saying turns; the slow console reads nothing and acknowledges nothing.
  constexpr int turns = 300;
  std::thread call([&] {
    for (int n = 0; n < turns; ++n) {
      tap->turn("agent", "line " + std::to_string(n), n, false);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<json::object> evs;
  bool dropped = false;
  auto until = std::chrono::steady_clock::now() + 30s;
  std::size_t turns_seen = 0;
  while ((!dropped || turns_seen < turns) && std::chrono::steady_clock::now() < until)
    fast->receive(
        [&](proto::console_event& e) {
          proto::for_each_event_line(e.json, [&](std::string_view line) {
            evs.push_back(json::parse(line).as_object());
            turns_seen += str(evs.back(), "type") == "turn";
          });
          fast->send(fast_session, proto::console_ack_atom::value, e.seq);
        },
        [&](caf::down_msg& dm) { dropped = dm.source == slow_session.address(); },
        caf::after(100ms) >> [] {});
  call.join();
  EXPECT_TRUE(dropped);
  // The reader got every turn, in order; the dropped console's subscription is gone.
  std::vector<long long> ns;
  auto texts = turns_of(evs, &ns);
  ASSERT_EQ(texts.size(), static_cast<std::size_t>(turns));
  for (int n = 0; n < turns; ++n)
    EXPECT_EQ(ns[static_cast<std::size_t>(n)], n);
  EXPECT_TRUE(wait_for_subscribers(*tap, 1));
  EXPECT_TRUE(wait_for([&] {
    return sql("SELECT count(*) FROM audit_log WHERE verb = 'drop'") == "1";
  }, 10s));
}

// A receiver's view: the batches a console process gets, each console's events assembled from
// the parts it is named in.
struct process_view {
  std::size_t batches = 0, shared_parts = 0;
  std::map<std::uint64_t, std::vector<json::object>> by_console;
  std::uint64_t last_seq = 0;
  bool in_order = true;
};

// A console process's receiver: takes its batches (acknowledging each) into `v` until `done`
// says so or 20 s pass.
void receive_batches(caf::scoped_actor& rcv, const caf::actor& gw, process_view& v,
                     const std::function<bool()>& done) {
  auto until = std::chrono::steady_clock::now() + 20s;
  while (!done() && std::chrono::steady_clock::now() < until)
    rcv->receive(
        [&](proto::console_batch& b) {
          ++v.batches;
          v.in_order = v.in_order && b.seq == v.last_seq + 1;
          v.last_seq = b.seq;
          for (auto& p : b.parts) {
            v.shared_parts += p.consoles.size() > 1;
            for (auto c : p.consoles)
              proto::for_each_event_line(p.json, [&](std::string_view line) {
                v.by_console[c].push_back(json::parse(line).as_object());
              });
          }
          rcv->send(gw, proto::console_batch_ack_atom::value, b.seq);
        },
        caf::after(100ms) >> [] {});
}

TEST_F(console_push, a_console_process_gets_one_batch_per_tick_shared_by_its_consoles) {
  auto gw = gateway();
  auto id = call_id(40);
  add_call(id);
  auto tap = taps_->open(id);
  caf::scoped_actor rcv{*sys_};
  constexpr int consoles = 3;
  std::vector<std::unique_ptr<caf::scoped_actor>> cons;
  for (int i = 0; i < consoles; ++i) {
    cons.push_back(std::make_unique<caf::scoped_actor>(*sys_));
    auto session = login(*cons.back(), gw, caf::actor_cast<caf::actor>(rcv));
    ASSERT_TRUE(session);
    EXPECT_EQ(command(*cons.back(), session, "watch " + id), "done: watching " + id);
  }
  ASSERT_TRUE(wait_for_subscribers(*tap, consoles));
  constexpr int turns = 60;
  auto started = std::chrono::steady_clock::now();
  std::atomic<long long> took_ms{0};
  std::thread call([&] {
    for (int n = 0; n < turns; ++n) {
      tap->turn("agent", "line " + std::to_string(n), n, false);
      std::this_thread::sleep_for(1ms);
    }
    // A pause, then changes that every session has handled before the next tick: the
    // consoles' parts of that tick are the same text.
    std::this_thread::sleep_for(100ms);
    tap->state("thinking");
    tap->state("speaking");
    std::this_thread::sleep_for(100ms);
    taps_->close(id, "stop");
    took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
  });
  process_view v;
  auto ended = [&] {
    if (v.by_console.size() < consoles)
      return false;
    for (auto& [c, evs] : v.by_console)
      if (evs.empty() || str(evs.back(), "type") != "ended")
        return false;
    return true;
  };
  receive_batches(rcv, gw, v, ended);
  call.join();
  ASSERT_TRUE(ended());
  EXPECT_TRUE(v.in_order);
  // Each console got every turn once, in order, though none was sent to it directly.
  for (auto& c : cons) {
    auto& evs = v.by_console[(*c)->id()];
    std::vector<long long> ns;
    auto texts = turns_of(evs, &ns);
    ASSERT_EQ(texts.size(), static_cast<std::size_t>(turns));
    for (int n = 0; n < turns; ++n)
      EXPECT_EQ(ns[static_cast<std::size_t>(n)], n);
    bool direct = false;
    (*c)->receive([&](proto::console_event&) { direct = true; }, caf::after(0ms) >> [] {});
    EXPECT_FALSE(direct);
  }
  // One message per tick, not one per event or per console; the consoles watching the same call
  // shared its events.
  EXPECT_LE(v.batches, static_cast<std::size_t>(took_ms.load() / 20 + 4)) << took_ms.load() << " ms";
  EXPECT_GT(v.shared_parts, 0u);
}

TEST_F(console_push, the_receiver_hands_each_console_its_events) {
  auto gw = gateway(12); // the receiver must acknowledge, or its consoles are dropped
  auto id = call_id(41), other = call_id(42);
  add_call(id);
  add_call(other);
  auto tap = taps_->open(id), tap2 = taps_->open(other);
  auto receiver = console::spawn_receiver(*sys_);
  caf::scoped_actor a{*sys_}, b{*sys_};
  console::enroll(receiver, caf::actor_cast<caf::actor>(a));
  console::enroll(receiver, caf::actor_cast<caf::actor>(b));
  auto sa = login(a, gw, receiver), sb = login(b, gw, receiver);
  EXPECT_EQ(command(a, sa, "watch " + id), "done: watching " + id);
  EXPECT_EQ(command(b, sb, "watch " + other), "done: watching " + other);
  ASSERT_TRUE(wait_for_subscribers(*tap, 1));
  ASSERT_TRUE(wait_for_subscribers(*tap2, 1));
  constexpr int turns = 200; // 400 ms and more: far more than 12 batches
  std::thread call([&] {
    for (int n = 0; n < turns; ++n) {
      tap->turn("agent", "a " + std::to_string(n), n, false);
      tap2->turn("agent", "b " + std::to_string(n), n, false);
      std::this_thread::sleep_for(2ms);
    }
    taps_->close(id, "stop");
    taps_->close(other, "stop");
  });
  auto is_end = [](const json::object& o) { return str(o, "type") == "ended"; };
  auto ea = events(a, sa, is_end, 30s), eb = events(b, sb, is_end, 30s);
  call.join();
  std::vector<long long> na, nb;
  auto ta = turns_of(ea, &na), tb = turns_of(eb, &nb);
  ASSERT_EQ(ta.size(), static_cast<std::size_t>(turns));
  ASSERT_EQ(tb.size(), static_cast<std::size_t>(turns));
  for (int n = 0; n < turns; ++n) {
    // Each console only its own call's events, in order.
    EXPECT_EQ(ta[static_cast<std::size_t>(n)], "a " + std::to_string(n));
    EXPECT_EQ(tb[static_cast<std::size_t>(n)], "b " + std::to_string(n));
    EXPECT_EQ(na[static_cast<std::size_t>(n)], n);
  }
  caf::anon_send_exit(receiver, caf::exit_reason::user_shutdown);
}

TEST_F(console_push, a_console_process_that_stops_reading_is_dropped_and_the_call_carries_on) {
  auto gw = gateway(8); // eight unacknowledged batches at most
  auto id = call_id(43);
  add_call(id);
  auto tap = taps_->open(id);
  caf::scoped_actor rcv{*sys_}, con{*sys_}, fast{*sys_};
  auto session = login(con, gw, caf::actor_cast<caf::actor>(rcv));
  auto fast_session = login(fast, gw);
  EXPECT_EQ(command(con, session, "watch " + id), "done: watching " + id);
  EXPECT_EQ(command(fast, fast_session, "watch " + id), "done: watching " + id);
  ASSERT_TRUE(wait_for_subscribers(*tap, 2));
  fast->monitor(session);
  constexpr int turns = 300;
  std::thread call([&] {
    for (int n = 0; n < turns; ++n) {
      tap->turn("agent", "line " + std::to_string(n), n, false);
      std::this_thread::sleep_for(1ms);
    }
  });
  // The receiver reads nothing and acknowledges nothing; the other console reads.
  bool dropped = false;
  std::size_t turns_seen = 0;
  auto until = std::chrono::steady_clock::now() + 30s;
  while ((!dropped || turns_seen < turns) && std::chrono::steady_clock::now() < until)
    fast->receive(
        [&](proto::console_event& e) {
          proto::for_each_event_line(e.json, [&](std::string_view line) {
            turns_seen += str(json::parse(line).as_object(), "type") == "turn";
          });
          fast->send(fast_session, proto::console_ack_atom::value, e.seq);
        },
        [&](caf::down_msg& dm) { dropped = dm.source == session.address(); },
        caf::after(100ms) >> [] {});
  call.join();
  EXPECT_TRUE(dropped);
  EXPECT_EQ(turns_seen, static_cast<std::size_t>(turns));
  EXPECT_TRUE(wait_for_subscribers(*tap, 1));
  EXPECT_TRUE(wait_for([&] {
    return sql("SELECT count(*) FROM audit_log WHERE verb = 'drop'") == "1";
  }, 10s));
}

// Consoles of one process watching a call of this node share one subscription to its tap: a
// console that joins later hears the turns so far once, then the live ones, even while turns
// come; one that leaves stops getting them and the others carry on; the last to leave ends the
// subscription.
TEST_F(console_push, consoles_of_one_process_share_one_subscription_of_a_call) {
  auto gw = gateway();
  auto id = call_id(50), other = call_id(51);
  add_call(id);
  add_call(other);
  auto tap = taps_->open(id), tap2 = taps_->open(other);
  tap->describe(biz, "+15557770000"); // the call's actors have started: no read of its row
  tap2->describe(biz, "+15557770000");
  caf::scoped_actor rcv{*sys_};
  constexpr int consoles = 3;
  std::vector<std::unique_ptr<caf::scoped_actor>> cons;
  std::vector<caf::actor> sessions;
  for (int i = 0; i < consoles; ++i) {
    cons.push_back(std::make_unique<caf::scoped_actor>(*sys_));
    sessions.push_back(login(*cons.back(), gw, caf::actor_cast<caf::actor>(rcv)));
    ASSERT_TRUE(sessions.back());
  }
  int n = 0;
  auto say = [&](int upto) {
    for (; n < upto; ++n) {
      tap->turn("agent", "line " + std::to_string(n), n, false);
      std::this_thread::sleep_for(200us);
    }
  };
  say(5);
  // A session subscribes (or joins its process's subscription) on its own actor as its watch is
  // answered: the count is read once it has settled (bounded).
  EXPECT_EQ(command(*cons[0], sessions[0], "watch " + id), "done: watching " + id);
  EXPECT_EQ(command(*cons[1], sessions[1], "watch " + id), "done: watching " + id);
  EXPECT_TRUE(wait_for_subscribers(*tap, 1));
  std::thread call([&] { say(200); }); // the third joins while turns come
  EXPECT_EQ(command(*cons[2], sessions[2], "watch " + id), "done: watching " + id);
  call.join();
  EXPECT_TRUE(wait_for_subscribers(*tap, 1));
  EXPECT_EQ(command(*cons[1], sessions[1], "unwatch " + id), "done: stopped watching");
  EXPECT_TRUE(wait_for_subscribers(*tap, 1)); // two consoles still watch
  say(210);
  // The last console of the process to leave a call ends its subscription.
  EXPECT_EQ(command(*cons[0], sessions[0], "watch " + other), "done: watching " + other);
  EXPECT_EQ(command(*cons[2], sessions[2], "watch " + other), "done: watching " + other);
  EXPECT_TRUE(wait_for_subscribers(*tap2, 1));
  EXPECT_EQ(command(*cons[0], sessions[0], "unwatch " + other), "done: stopped watching");
  EXPECT_EQ(command(*cons[2], sessions[2], "unwatch " + other), "done: stopped watching");
  EXPECT_TRUE(wait_for_subscribers(*tap2, 0));
  taps_->close(id, "stop");

  process_view v;
  auto ended = [&] {
    for (int i : {0, 2}) {
      auto& evs = v.by_console[(*cons[static_cast<std::size_t>(i)])->id()];
      if (evs.empty() || str(evs.back(), "type") != "ended")
        return false;
    }
    return true;
  };
  receive_batches(rcv, gw, v, ended);
  ASSERT_TRUE(ended());
  for (int i : {0, 2}) { // every turn once, in order, the first ones replayed
    std::vector<long long> ns;
    auto texts = turns_of(v.by_console[(*cons[static_cast<std::size_t>(i)])->id()], &ns);
    ASSERT_EQ(texts.size(), 210u) << "console " << i;
    for (std::size_t k = 0; k < texts.size(); ++k) {
      EXPECT_EQ(ns[k], static_cast<long long>(k));
      EXPECT_EQ(texts[k], "line " + std::to_string(k));
    }
  }
  // The one that left: what came before it left, once and in order; no end.
  auto& left = v.by_console[(*cons[1])->id()];
  std::vector<long long> ns;
  auto texts = turns_of(left, &ns);
  ASSERT_GE(texts.size(), 200u);
  EXPECT_LT(texts.size(), 210u);
  for (std::size_t k = 0; k < texts.size(); ++k)
    EXPECT_EQ(ns[k], static_cast<long long>(k));
  for (auto& e : left)
    EXPECT_NE(str(e, "type"), "ended");
}

// A call whose first row the live feed brought, before its actors and tap: a watch opens its tap
// from what the feed said (no read of the row), and when the row ends before any actor closed
// the tap, the gateway does and the watcher hears the end. Another node's call in the feed
// opens no tap here.
TEST_F(console_push, a_watch_of_a_call_that_has_only_its_first_row_opens_its_tap) {
  auto gw = gateway();
  auto id = call_id(60), elsewhere = call_id(61);
  auto row = [&](const std::string& call, const std::string& where, bool ended) {
    json::object d{{"id", call},       {"node", where},  {"caller", "+15557770000"},
                   {"status", "ringing"}, {"turns", 0}, {"started_at", "2026-01-01T10:00:00+00:00"},
                   {"ended_at", nullptr}};
    if (ended) {
      d["status"] = "failed";
      d["ended_at"] = "2026-01-01T10:00:05+00:00";
      d["end_reason"] = "no_stream";
    }
    console::feed(gw, 1, biz, "call", json::serialize(d));
  };
  row(id, node, false);
  row(elsewhere, "node-x", false);
  caf::scoped_actor self{*sys_};
  auto session = login(self, gw); // after the feed's rows: the gateway has read them
  ASSERT_TRUE(session);
  EXPECT_EQ(command(self, session, "watch " + id), "done: watching " + id);
  auto tap = taps_->find(id);
  ASSERT_TRUE(tap);
  EXPECT_TRUE(wait_for_subscribers(*tap, 1)); // this console has no receiver: the gateway's
  // Not in the database and not this node's: the refusal is the database's, and no tap opens.
  EXPECT_EQ(command(self, session, "watch " + elsewhere),
            "refused: no call " + elsewhere + " in your businesses");
  EXPECT_FALSE(taps_->find(elsewhere));
  row(id, node, true);
  auto evs = events(self, session, [](const json::object& o) { return str(o, "type") == "ended"; });
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(str(evs.front(), "type"), "snapshot");
  EXPECT_EQ(str(evs.front(), "business"), biz);
  EXPECT_EQ(str(evs.front(), "status"), "ringing");
  EXPECT_EQ(str(evs.back(), "type"), "ended");
  EXPECT_EQ(str(evs.back(), "end_reason"), "no_stream");
  EXPECT_FALSE(taps_->find(id));
}

// `watch --all`: a console watches every live call of its businesses, those live when it asks
// (read from the database) and each that starts after (the live feed's first row): the gateway
// joins the consoles of a process to a new call of its node at once, with no command of theirs,
// and a console without a receiver is told by its session. Each watch has its audit entry
// under the `watch --all` command's id; after `unwatch --all` a new call is not watched.
TEST_F(console_push, watch_all_follows_every_call_as_it_starts_with_an_audit_entry_each) {
  auto gw = gateway();
  auto before = call_id(70), fresh = call_id(71), later = call_id(72);
  add_call(before);
  auto tap0 = taps_->open(before);
  tap0->describe(biz, "+15557770000");
  tap0->turn("agent", "Gamma, how can I help?", 10, false);
  auto first_row = [&](const std::string& call) {
    console::feed(gw, 1, biz, "call",
                  json::serialize(json::object{{"id", call},
                                               {"node", node},
                                               {"caller", "+15557770001"},
                                               {"status", "ringing"},
                                               {"turns", 0},
                                               {"started_at", "2026-01-01T10:00:00+00:00"},
                                               {"ended_at", nullptr}}));
  };
  caf::scoped_actor rcv{*sys_}, a{*sys_}, b{*sys_}, c{*sys_};
  auto sa = login(a, gw, caf::actor_cast<caf::actor>(rcv));
  auto sb = login(b, gw, caf::actor_cast<caf::actor>(rcv));
  auto sc = login(c, gw); // no receiver: its session sends it its events
  for (auto* s : {&sa, &sb})
    EXPECT_EQ(command(a, *s, "watch --all"), "done: watching 1 live calls and each that starts");
  EXPECT_EQ(command(c, sc, "watch --all"), "done: watching 1 live calls and each that starts");
  EXPECT_EQ(command(c, sc, "watch --all"), "not_applicable: already watching every call");
  EXPECT_EQ(command(a, sa, "watch " + before), "not_applicable: already watching " + before);
  // One subscription for the process's two consoles, one for the console without a receiver.
  EXPECT_TRUE(wait_for_subscribers(*tap0, 2));
  first_row(fresh);
  std::shared_ptr<console::call_tap> tap1;
  ASSERT_TRUE(wait_for([&] { return (tap1 = taps_->find(fresh)) != nullptr; }, 10s));
  EXPECT_TRUE(wait_for_subscribers(*tap1, 2));
  tap1->turn("caller", "Is it open today?", 20, false);
  taps_->close(fresh, "stop");
  taps_->close(before, "stop");

  auto saw = [](const std::vector<json::object>& evs, const std::string& call) {
    std::vector<std::string> out;
    for (auto& e : evs)
      if (str(e, "call") == call)
        out.push_back(str(e, "type") + (str(e, "type") == "turn" ? " " + str(e, "text") : ""));
    return out;
  };
  auto ends = [&](const std::vector<json::object>& evs) {
    return std::count_if(evs.begin(), evs.end(),
                         [](const json::object& o) { return str(o, "type") == "ended"; });
  };
  process_view v;
  receive_batches(rcv, gw, v, [&] {
    return ends(v.by_console[a->id()]) == 2 && ends(v.by_console[b->id()]) == 2;
  });
  std::vector<json::object> ec;
  auto until = std::chrono::steady_clock::now() + 20s;
  while (ends(ec) < 2 && std::chrono::steady_clock::now() < until) {
    auto more = events(c, sc, [](const json::object& o) { return str(o, "type") == "ended"; });
    ec.insert(ec.end(), more.begin(), more.end());
  }
  for (auto* evs : {&v.by_console[a->id()], &v.by_console[b->id()], &ec}) {
    EXPECT_EQ(saw(*evs, fresh), (std::vector<std::string>{"snapshot", "state",
                                                          "turn Is it open today?", "ended"}));
    EXPECT_EQ(saw(*evs, before), (std::vector<std::string>{"snapshot", "state",
                                                           "turn Gamma, how can I help?", "ended"}));
  }
  auto audits = [&](const std::string& call) {
    return sql("SELECT count(*) FROM audit_log WHERE verb = 'watch' AND result = 'done' AND "
               "command_id = 't' AND actor = 'ops@gamma.test' AND call_id = '" + call + "'");
  };
  EXPECT_TRUE(wait_for([&] { return audits(fresh) == "3" && audits(before) == "3"; }, 10s))
      << audits(fresh) << " " << audits(before);

  // After `unwatch --all` a console watches no new call; the others do.
  EXPECT_EQ(command(a, sa, "unwatch --all"), "done: stopped watching 0 calls");
  EXPECT_EQ(command(a, sa, "unwatch --all"), "not_applicable: stopped watching 0 calls");
  first_row(later);
  std::shared_ptr<console::call_tap> tap2;
  ASSERT_TRUE(wait_for([&] { return (tap2 = taps_->find(later)) != nullptr; }, 10s));
  EXPECT_TRUE(wait_for_subscribers(*tap2, 2));
  EXPECT_TRUE(wait_for([&] { return audits(later) == "2"; }, 10s)) << audits(later);
  EXPECT_EQ(command(b, sb, "unwatch " + later), "done: stopped watching");
  EXPECT_EQ(command(c, sc, "unwatch --all"), "done: stopped watching 1 calls");
  EXPECT_TRUE(wait_for_subscribers(*tap2, 0));
  taps_->close(later, "stop");
}
