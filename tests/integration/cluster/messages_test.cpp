// Every message type that crosses nodes survives CAF's serialization as BASP uses it: each type
// on its own, and inside a type-erased message (which needs its type id registered on both
// ends). The placement and node tests send them over real connections as well.
#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <gtest/gtest.h>

#include "actors/cluster/cluster.hpp"
#include "protocols/actor/cluster_messages.hpp"

using namespace frontdesk;
using namespace frontdesk::proto;

namespace {

struct cluster_messages : ::testing::Test {
  cluster_messages() {
    cfg.add_message_types<caf::id_block::frontdesk>();
    cluster::settings s;
    s.insecure = true;
    cluster::configure(cfg, s); // the cluster's own type ids, as a node registers them
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  // Serializes `x` and reads it back into a fresh value.
  template <class T>
  T round_trip(T x) {
    std::vector<char> buf;
    caf::binary_serializer sink{*sys, buf};
    EXPECT_FALSE(sink(x));
    T back;
    caf::binary_deserializer source{*sys, buf};
    EXPECT_FALSE(source(back));
    return back;
  }

  // The same inside a message, as a request or reply travels.
  template <class T>
  T in_message(T x) {
    auto msg = caf::make_message(std::move(x));
    std::vector<char> buf;
    caf::binary_serializer sink{*sys, buf};
    EXPECT_FALSE(sink(msg));
    caf::message back;
    caf::binary_deserializer source{*sys, buf};
    EXPECT_FALSE(source(back));
    EXPECT_TRUE(back.match_elements<T>());
    return back.get_as<T>(0);
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
};

bool same(const member_info& a, const member_info& b) {
  return a.name == b.name && a.address == b.address && a.public_url == b.public_url &&
         a.incarnation == b.incarnation && a.live_calls == b.live_calls &&
         a.max_calls == b.max_calls && a.businesses == b.businesses;
}

member_list sample_list() {
  member_list l;
  l.members.push_back({"node-a", "127.0.0.1:7001", "https://a.example.com", 1733390000123456ull,
                       17, 500, {"b1", "b2"}});
  l.members.push_back({"node-b", "10.0.0.2:7001", "http://b", 0, 0, 0, {}});
  return l;
}

} // namespace

TEST_F(cluster_messages, member_lists_round_trip_every_field) {
  auto l = sample_list();
  for (auto back : {round_trip(l), in_message(l)}) {
    EXPECT_EQ(back.protocol, cluster_protocol);
    ASSERT_EQ(back.members.size(), 2u);
    EXPECT_TRUE(same(back.members[0], l.members[0]));
    EXPECT_TRUE(same(back.members[1], l.members[1]));
  }
}

TEST_F(cluster_messages, routed_tools_and_replies_round_trip_every_field) {
  routed_tool t{"00000000-0000-0000-0000-0000000000a1",
                tool_request{"call-1", "book", {{"start", "2026-03-05T14:00"}, {"name", "Ann Lee"}}}};
  for (auto back : {round_trip(t), in_message(t)}) {
    EXPECT_EQ(back.business_id, t.business_id);
    EXPECT_EQ(back.request.call_id, "call-1");
    EXPECT_EQ(back.request.name, "book");
    EXPECT_EQ(back.request.args, t.request.args);
  }
  tool_reply r{"book", true, {{"when", "Thursday at 2 PM"}}, {"Friday 10 AM"}, {"2026-03-06T10:00"}};
  for (auto back : {round_trip(r), in_message(r)}) {
    EXPECT_EQ(back.name, r.name);
    EXPECT_EQ(back.ok, r.ok);
    EXPECT_EQ(back.values, r.values);
    EXPECT_EQ(back.options, r.options);
    EXPECT_EQ(back.option_values, r.option_values);
  }
}

TEST_F(cluster_messages, a_list_of_another_protocol_version_is_told_apart) {
  auto l = sample_list();
  l.protocol = cluster_protocol + 1;
  EXPECT_EQ(round_trip(l).protocol, cluster_protocol + 1); // the receiver refuses it
}
