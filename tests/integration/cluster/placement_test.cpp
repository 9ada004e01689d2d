// Three cluster members in one process (three actor systems, each with its own middleman on a
// loopback port): they join through seeds, agree on the live set, route each business's
// calendar tools to its rendezvous home over CAF, and move a lost node's businesses to their
// next home. Every cluster message type crosses a real BASP connection here and round-trips
// through CAF's serializers.
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/cluster/cluster.hpp"
#include "adapters/metrics/metrics.hpp"
#include "protocols/actor/cluster_messages.hpp"
#include "tests/integration/cluster/loopback.hpp"

using namespace std::chrono_literals;
using namespace frontdesk;
using proto::tool_reply;
using proto::tool_request;

namespace {

using frontdesk::fixtures::free_port;
using frontdesk::fixtures::wait_for;

// A calendar that says which node answered, for which business. On n3 a "hang" tool is never
// answered (a node that dies with the request in flight). A tool asked with "hold" gives the
// call a hold (its reply names one, as check_slot's does when it holds the slot).
proto::calendar_actor::behavior_type fake_calendar(proto::calendar_actor::pointer self,
                                                   std::string node, std::string business) {
  return {
      [self, node, business](tool_request& r) -> caf::result<tool_reply> {
        if (r.name == "hang" && node == "n3")
          return self->make_response_promise<tool_reply>(); // dropped: no answer ever
        tool_reply out{r.name, true, {{"node", node}, {"business", business}, {"call", r.call_id}},
                       {"option"}, {"value"}};
        if (r.args.count("hold"))
          out.values["hold_id"] = "hold-of-" + r.call_id;
        return out;
      },
      [](proto::tool_done_atom, std::uint64_t, tool_reply&) {},
  };
}

struct member_node {
  std::string name;
  std::uint16_t port = 0;
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<cluster::node_cluster> cluster;
  std::unique_ptr<metrics::registry> metrics;

  void start(const std::string& seeds) {
    cluster::settings s;
    s.node_name = name;
    s.listen = "127.0.0.1:" + std::to_string(port);
    s.seeds = seeds;
    s.public_url = "http://127.0.0.1:1";
    s.insecure = true;
    s.heartbeat = 200ms;
    s.timeout = 1000ms;
    s.request_timeout = 1000ms;
    s.orphan_grace = 100ms;
    cfg = std::make_unique<caf::actor_system_config>();
    cfg->set("scheduler.max-threads", std::size_t{2});
    cfg->add_message_types<caf::id_block::frontdesk>();
    cluster::configure(*cfg, s);
    sys = std::make_unique<caf::actor_system>(*cfg);
    cluster::hooks h;
    metrics = std::make_unique<metrics::registry>();
    h.metrics = metrics.get();
    h.live_calls = [] { return 3u; };
    h.spawn_calendar = [this](const std::string& business) {
      return caf::actor_cast<caf::actor>(sys->spawn(fake_calendar, name, business));
    };
    auto c = cluster::node_cluster::start(*sys, s, std::move(h));
    ASSERT_TRUE(c) << c.error().message;
    cluster = std::move(*c);
  }

  void stop() {
    if (cluster)
      cluster->stop();
    cluster.reset();
    sys.reset(); // closes its connections: the others see it leave
    cfg.reset();
  }

  std::vector<std::string> live() const {
    std::vector<std::string> out;
    for (auto& m : cluster->members())
      out.push_back(m.name);
    return out;
  }
};

// Asks `via`'s calendar route for the business, as a call's dialog would.
tool_reply ask(member_node& via, const std::string& business, const std::string& call = "c1",
               const std::string& tool = "check_slot",
               std::map<std::string, std::string> args = {{"when", "2026-03-05T11:00"}}) {
  caf::scoped_actor self{*via.sys};
  auto route = caf::actor_cast<proto::calendar_actor>(via.cluster->calendar_route(business));
  tool_reply out{"none", false, {}, {}, {}};
  self->request(route, 10s, tool_request{call, tool, std::move(args)})
      .receive([&](tool_reply& r) { out = std::move(r); },
               [&](caf::error& e) { out.values["error"] = caf::to_string(e); });
  return out;
}

// The requests another node answered for `n`, from its metrics.
int cross_node_requests(member_node& n) {
  auto text = n.metrics->render();
  const std::string key = "frontdesk_cluster_request_ms_count ";
  auto at = text.find(key);
  return at == std::string::npos ? -1 : std::stoi(text.substr(at + key.size()));
}

class cluster_placement : public ::testing::Test {
protected:
  void SetUp() override {
    for (auto name : {"n1", "n2", "n3"}) {
      nodes_.push_back(std::make_unique<member_node>());
      nodes_.back()->name = name;
      nodes_.back()->port = free_port();
    }
    auto addr = [this](int i) { return "127.0.0.1:" + std::to_string(nodes_[i]->port); };
    // n1 alone, n2 through n1, n3 through n2 only: n3 must learn n1 from n2.
    nodes_[0]->start("");
    nodes_[1]->start(addr(0));
    nodes_[2]->start(addr(1));
  }
  void TearDown() override {
    for (auto& n : nodes_)
      n->stop();
  }
  bool all_see(std::size_t n) {
    for (auto& x : nodes_)
      if (x->sys && x->live().size() != n)
        return false;
    return true;
  }
  std::vector<std::unique_ptr<member_node>> nodes_;
};

} // namespace

TEST_F(cluster_placement, nodes_join_through_any_seed_and_agree_on_the_live_set) {
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s))
      << nodes_[0]->live().size() << nodes_[1]->live().size() << nodes_[2]->live().size();
  std::vector<std::string> want{"n1", "n2", "n3"};
  for (auto& n : nodes_) {
    EXPECT_EQ(n->live(), want) << n->name;
    // Gossip carries each member's load.
    ASSERT_TRUE(wait_for(
        [&] {
          for (auto& m : n->cluster->members())
            if (m.live_calls != 3u)
              return false;
          return true;
        },
        5s));
  }
}

TEST_F(cluster_placement, tools_reach_the_business_home_and_round_trip_every_field) {
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s));
  std::map<std::string, int> served;
  for (int i = 0; i < 30; ++i) {
    auto business = "business-" + std::to_string(i);
    auto home = cluster::rendezvous_home(business, {"n1", "n2", "n3"});
    for (auto& via : nodes_) {
      EXPECT_EQ(via->cluster->home_of(business), home);
      auto r = ask(*via, business, "call-" + std::to_string(i));
      ASSERT_TRUE(r.ok) << r.values["error"];
      // Every field of the request and the reply crossed (routed_tool and tool_reply).
      EXPECT_EQ(r.name, "check_slot");
      EXPECT_EQ(r.values["node"], home) << business << " via " << via->name;
      EXPECT_EQ(r.values["business"], business);
      EXPECT_EQ(r.values["call"], "call-" + std::to_string(i));
      EXPECT_EQ(r.options, std::vector<std::string>{"option"});
      EXPECT_EQ(r.option_values, std::vector<std::string>{"value"});
    }
    ++served[home];
  }
  EXPECT_EQ(served.size(), 3u); // thirty businesses spread over all three nodes
  // Each node timed the requests another node answered (two thirds of its thirty).
  for (auto& n : nodes_) {
    auto text = n->metrics->render();
    EXPECT_NE(text.find("frontdesk_cluster_members 3"), std::string::npos) << text;
    auto at = text.find("frontdesk_cluster_request_ms_count ");
    ASSERT_NE(at, std::string::npos) << text;
    EXPECT_EQ(std::stoi(text.substr(at + 35)), 30 - served[n->name]) << n->name;
  }
  // The businesses a node serves show in every member's view once gossip has carried them.
  ASSERT_TRUE(wait_for(
      [&] {
        std::size_t n = 0;
        for (auto& m : nodes_[2]->cluster->members())
          n += m.businesses.size();
        return n == 30;
      },
      5s));
}

TEST_F(cluster_placement, a_call_ends_release_crosses_nodes_only_when_the_call_may_hold_a_slot) {
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s));
  std::string business; // homed on n2, asked through n1
  for (int i = 0; business.empty(); ++i)
    if (cluster::rendezvous_home("r" + std::to_string(i), {"n1", "n2", "n3"}) == "n2")
      business = "r" + std::to_string(i);
  auto& n1 = *nodes_[0];
  const std::map<std::string, std::string> ended{{"call_ended", "1"}};
  ASSERT_EQ(cross_node_requests(n1), 0);
  // A call that asked nothing: its end's release is answered on its own node.
  auto r = ask(n1, business, "idle", "release_slot", ended);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.values["released"], "none");
  EXPECT_EQ(r.values.count("node"), 0u);
  EXPECT_EQ(cross_node_requests(n1), 0);
  // A call whose check gave it a hold: the release goes to the home.
  EXPECT_EQ(ask(n1, business, "holder", "check_slot", {{"hold", "1"}}).values["hold_id"],
            "hold-of-holder");
  EXPECT_EQ(cross_node_requests(n1), 1);
  EXPECT_EQ(ask(n1, business, "holder", "release_slot", ended).values["node"], "n2");
  EXPECT_EQ(cross_node_requests(n1), 2);
  // ... once: it holds nothing after that.
  EXPECT_EQ(ask(n1, business, "holder", "release_slot", ended).values["released"], "none");
  EXPECT_EQ(cross_node_requests(n1), 2);
  // A hold that became a booking: nothing left to release.
  ask(n1, business, "booker", "check_slot", {{"hold", "1"}});
  EXPECT_EQ(ask(n1, business, "booker", "book", {{"start", "2026-03-05T11:00"}}).values["node"],
            "n2");
  EXPECT_EQ(cross_node_requests(n1), 4);
  EXPECT_EQ(ask(n1, business, "booker", "release_slot", ended).values["released"], "none");
  EXPECT_EQ(cross_node_requests(n1), 4);
  // A call that released its hold itself (a release mid-call is always sent).
  ask(n1, business, "changer", "check_slot", {{"hold", "1"}});
  EXPECT_EQ(ask(n1, business, "changer", "release_slot", {{"start", "x"}}).values["node"], "n2");
  EXPECT_EQ(ask(n1, business, "changer", "release_slot", ended).values["released"], "none");
  EXPECT_EQ(cross_node_requests(n1), 6);
}

TEST_F(cluster_placement, a_lost_node_is_noticed_and_its_businesses_move_to_their_next_home) {
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s));
  // A business homed on n3.
  std::string business;
  for (int i = 0; business.empty(); ++i)
    if (cluster::rendezvous_home("b" + std::to_string(i), {"n1", "n2", "n3"}) == "n3")
      business = "b" + std::to_string(i);
  EXPECT_EQ(ask(*nodes_[0], business).values["node"], "n3");
  auto next = cluster::rendezvous_order(business, {"n1", "n2", "n3"})[1];
  auto t0 = std::chrono::steady_clock::now();
  nodes_[2]->stop();
  ASSERT_TRUE(wait_for([&] { return nodes_[0]->live().size() == 2 && nodes_[1]->live().size() == 2; },
                       5s));
  auto noticed = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(noticed, 3s);
  EXPECT_EQ(nodes_[0]->cluster->home_of(business), next);
  auto r = ask(*nodes_[0], business);
  ASSERT_TRUE(r.ok) << r.values["error"];
  EXPECT_EQ(r.values["node"], next);
  EXPECT_EQ(ask(*nodes_[1], business).values["node"], next);
}

TEST_F(cluster_placement, a_restarted_node_rejoins_under_its_name) {
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s));
  auto seed = "127.0.0.1:" + std::to_string(nodes_[0]->port);
  nodes_[1]->stop();
  ASSERT_TRUE(wait_for([&] { return nodes_[0]->live().size() == 2; }, 5s));
  nodes_[1]->start(seed); // same name and port, a new incarnation
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s))
      << nodes_[0]->live().size() << nodes_[1]->live().size() << nodes_[2]->live().size();
}

TEST_F(cluster_placement, a_request_in_flight_when_its_node_dies_is_asked_of_the_new_home_at_once) {
  ASSERT_TRUE(wait_for([&] { return all_see(3); }, 10s));
  std::string business;
  for (int i = 0; business.empty(); ++i)
    if (cluster::rendezvous_home("h" + std::to_string(i), {"n1", "n2", "n3"}) == "n3")
      business = "h" + std::to_string(i);
  auto next = cluster::rendezvous_order(business, {"n1", "n2", "n3"})[1];
  tool_reply r;
  std::chrono::steady_clock::duration took{};
  std::thread caller([&] {
    auto t0 = std::chrono::steady_clock::now();
    r = ask(*nodes_[0], business, "c9", "hang"); // n3 never answers it
    took = std::chrono::steady_clock::now() - t0;
  });
  std::this_thread::sleep_for(300ms);
  auto killed = std::chrono::steady_clock::now();
  nodes_[2]->stop();
  caller.join();
  ASSERT_TRUE(r.ok) << r.values["error"];
  EXPECT_EQ(r.values["node"], next); // answered by the business's new home
  // Not after the request timeout (1 s here): as soon as n3 was seen gone.
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 900ms);
  EXPECT_GT(took, 250ms);
  auto text = nodes_[0]->metrics->render();
  EXPECT_NE(text.find("frontdesk_cluster_requests_retried_total 1"), std::string::npos) << text;
}
