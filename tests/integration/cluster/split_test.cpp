// A split: two nodes that cannot see each other each take themselves for the home of one
// business, so two calendar actors serve it at once. Callers on both sides ask for the same
// slot at the same moment through each node's calendar route: the database's exclusion
// constraint lets exactly one booking through, and everyone else is told the slot is taken.
#include <atomic>
#include <cstdio>
#include <thread>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pqxx/pqxx>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/calendar/calendar.hpp"
#include "actors/call/calendar_actor.hpp"
#include "actors/cluster/cluster.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/actor/messages.hpp"
#include "protocols/core/time.hpp"
#include "tests/integration/cluster/loopback.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

using frontdesk::fixtures::free_port;
using frontdesk::fixtures::wait_for;

const std::string biz = "00000000-0000-0000-0000-0000000000b1";

// One side of the split: a node alone (no seeds), with real calendar actors on its own pool
// and database connections.
struct lone_node {
  lone_node(const std::string& name, const std::string& dsn) : app(dsn, 4), service(app) {
    cluster::settings s;
    s.node_name = name;
    s.listen = "127.0.0.1:" + std::to_string(free_port());
    s.insecure = true;
    cfg.set("scheduler.max-threads", std::size_t{2});
    cfg.add_message_types<caf::id_block::frontdesk>();
    cluster::configure(cfg, s);
    sys = std::make_unique<caf::actor_system>(cfg);
    cluster::hooks h;
    h.spawn_calendar = [this](const std::string& business) {
      return caf::actor_cast<caf::actor>(
          call::spawn_calendar_actor(*sys, service, pool, clk.get(), business));
    };
    auto c = cluster::node_cluster::start(*sys, s, std::move(h));
    if (c)
      node = std::move(*c);
    else
      ADD_FAILURE() << c.error().message;
  }
  ~lone_node() {
    node.reset();
    sys.reset();
    pool.stop();
  }
  store::database app;
  booking::calendar_service service;
  worker_pool pool{"blocking", 4, 1000};
  std::shared_ptr<frontdesk::clock> clk = make_clock(*parse_rfc3339("2026-03-04T15:00:00-06:00"));
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<cluster::node_cluster> node;
};

} // namespace

TEST(cluster_split, two_homes_of_one_business_never_double_book) {
  fixtures::scratch_database db;
  {
    pqxx::connection c(db.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, appointment_minutes, "
            "min_notice_minutes) VALUES ('" + biz + "', 'Split', '+15550100009', "
            "'America/Chicago', 60, 60)");
    for (int i = 1; i <= 20; ++i)
      tx.exec("INSERT INTO calls (id, business_id, call_sid) VALUES "
              "('00000000-0000-0000-0000-" + std::string(12 - std::to_string(i).size(), '0') +
              std::to_string(i) + "', '" + biz + "', 'CA" + std::to_string(i) + "')");
    for (int d = 0; d < 5; ++d)
      tx.exec("INSERT INTO business_hours VALUES ('" + biz + "', " + std::to_string(d) +
              ", '09:00', '17:00')");
    tx.commit();
  }
  lone_node left("left", db.app_dsn()), right("right", db.app_dsn());
  ASSERT_TRUE(left.node && right.node);
  // Each side sees only itself, so each is the business's home.
  EXPECT_EQ(left.node->home_of(biz), "left");
  EXPECT_EQ(right.node->home_of(biz), "right");
  std::atomic<int> booked{0}, taken{0}, other{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 20; ++i)
    callers.emplace_back([&, i] {
      auto& side = i % 2 ? right : left;
      caf::scoped_actor me{*side.sys};
      auto route = caf::actor_cast<proto::calendar_actor>(side.node->calendar_route(biz));
      char id[40];
      std::snprintf(id, sizeof id, "00000000-0000-0000-0000-%012d", i + 1);
      me->request(route, 20s,
                  proto::tool_request{id, "book",
                                      {{"start", "2026-03-05T14:00"},
                                       {"name", "Caller " + std::to_string(i)},
                                       {"phone", "+1555888" + std::to_string(1000 + i)}}})
          .receive(
              [&](proto::tool_reply& r) {
                if (r.ok)
                  ++booked;
                else if (r.values["reason"] == "taken")
                  ++taken;
                else
                  ++other;
              },
              [&](caf::error& e) {
                ++other;
                ADD_FAILURE() << caf::to_string(e);
              });
    });
  for (auto& t : callers)
    t.join();
  EXPECT_EQ(booked.load(), 1);
  EXPECT_EQ(taken.load(), 19);
  EXPECT_EQ(other.load(), 0);
  pqxx::connection c(db.owner_dsn());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM appointments WHERE status = 'booked'")[0].as<int>(), 1);
}
