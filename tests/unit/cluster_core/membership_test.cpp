// The cluster's pure membership logic: the live set's bookkeeping, rendezvous placement and the
// seed list parser.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "actors/cluster/membership.hpp"

using namespace frontdesk::cluster;

namespace {

member node(std::string name, std::uint64_t incarnation = 1, std::uint32_t calls = 0) {
  auto port = 7000 + (name.empty() ? 0 : name.back() - 'a');
  return member{name, "127.0.0.1:" + std::to_string(port), "http://127.0.0.1", incarnation,
                calls, 100, {}};
}

} // namespace

TEST(member_table, starts_with_itself_only) {
  member_table t(node("a"));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.live_names(), (std::vector<std::string>{"a"}));
  ASSERT_NE(t.find("a"), nullptr);
  EXPECT_EQ(t.find("b"), nullptr);
  EXPECT_EQ(t.find_by_address("127.0.0.1:7000")->name, "a");
}

TEST(member_table, join_update_and_repeat_are_told_apart) {
  member_table t(node("b"));
  EXPECT_EQ(t.upsert(node("c")), change::joined);
  EXPECT_EQ(t.upsert(node("a")), change::joined);
  EXPECT_EQ(t.upsert(node("a")), change::none); // a repeated join changes nothing
  EXPECT_EQ(t.upsert(node("a", 1, 5)), change::updated);
  EXPECT_EQ(t.find("a")->live_calls, 5u);
  EXPECT_EQ(t.live_names(), (std::vector<std::string>{"a", "b", "c"})); // ordered, self included
  EXPECT_EQ(t.upsert(node("b")), change::none); // itself, reported by a peer
  EXPECT_EQ(t.size(), 3u);
}

TEST(member_table, a_restart_replaces_and_late_news_of_the_old_run_is_ignored) {
  member_table t(node("a"));
  t.upsert(node("b", 10));
  EXPECT_EQ(t.upsert(node("b", 20)), change::replaced);
  EXPECT_EQ(t.upsert(node("b", 10, 7)), change::none); // gossip from the old run
  EXPECT_EQ(t.find("b")->incarnation, 20u);
  // The old run's down notice arrives after the new run joined: it must not remove it.
  EXPECT_EQ(t.remove("b", 10), change::none);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.remove("b", 20), change::left);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.remove("b", 20), change::none); // logged once
  EXPECT_EQ(t.remove("a", t.self().incarnation), change::none); // never itself
}

TEST(member_table, unknown_in_lists_only_nodes_to_dial) {
  member_table t(node("a"));
  t.upsert(node("b", 5));
  auto unknown = t.unknown_in({node("a"), node("b", 5), node("b", 4), node("c"), node("c"),
                               node("d", 6), member{"e", "", "", 1, 0, 0, {}}, node("b", 9)});
  std::vector<std::string> names;
  for (auto& m : unknown)
    names.push_back(m.name);
  // c once, d, and b's newer run; not itself, not b's current or older run, not e (no address).
  EXPECT_EQ(names, (std::vector<std::string>{"c", "d", "b"}));
}

TEST(rendezvous, every_node_computes_the_same_home_whatever_the_order) {
  std::vector<std::string> abc{"a", "b", "c"}, cba{"c", "b", "a"};
  for (int i = 0; i < 200; ++i) {
    auto key = "business-" + std::to_string(i);
    EXPECT_EQ(rendezvous_home(key, abc), rendezvous_home(key, cba));
    EXPECT_EQ(rendezvous_order(key, abc).front(), rendezvous_home(key, abc));
  }
  EXPECT_EQ(rendezvous_home("x", {}), "");
  EXPECT_EQ(rendezvous_home("x", {"only"}), "only");
}

TEST(rendezvous, weights_are_fixed_across_builds) {
  // Nodes of one cluster must agree: the weight is our own hash, not std::hash.
  EXPECT_EQ(rendezvous_weight("node-1", "b1"), rendezvous_weight("node-1", "b1"));
  EXPECT_NE(rendezvous_weight("node-1", "b1"), rendezvous_weight("node-2", "b1"));
  EXPECT_NE(rendezvous_weight("ab", "c"), rendezvous_weight("a", "bc")); // separator counts
}

TEST(rendezvous, a_leaving_node_moves_only_its_own_businesses_and_spreads_them) {
  std::vector<std::string> all{"node-1", "node-2", "node-3"};
  std::vector<std::string> without2{"node-1", "node-3"};
  std::map<std::string, int> load;
  int moved = 0, held_by_2 = 0;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    auto key = "b" + std::to_string(i);
    auto before = rendezvous_home(key, all);
    auto after = rendezvous_home(key, without2);
    ++load[before];
    if (before == "node-2") {
      ++held_by_2;
      EXPECT_EQ(after, rendezvous_order(key, all)[1]); // its successor
    } else {
      EXPECT_EQ(before, after); // nothing else moves
    }
    moved += before != after;
  }
  EXPECT_EQ(moved, held_by_2);
  for (auto& [name, count] : load) { // balanced within 10% of a third
    EXPECT_GT(count, n / 3 * 9 / 10) << name;
    EXPECT_LT(count, n / 3 * 11 / 10) << name;
  }
}

TEST(place_call, stays_home_until_loaded_then_spreads_to_the_least_loaded_with_room) {
  auto a = node("a", 1, 5), b = node("b", 1, 40), c = node("c", 1, 20);
  // max_calls 100 each; spread above 50%.
  EXPECT_EQ(place_call({a, b, c}, "a", 0.5), "a");
  a.live_calls = 50;
  EXPECT_EQ(place_call({a, b, c}, "a", 0.5), "c");
  // Calls already sent to c count until c reports its load again.
  EXPECT_EQ(place_call({a, b, c}, "a", 0.5, {{"c", 25}}), "b");
  EXPECT_EQ(place_call({a, b, c}, "a", 0.5, {{"c", 35}, {"b", 10}}), "a"); // nobody has room
  b.max_calls = 0; // a node that takes no calls is never chosen
  EXPECT_EQ(place_call({a, b, c}, "a", 0.5, {{"c", 30}}), "a");
  EXPECT_EQ(place_call({}, "a", 0.5), "a");
  EXPECT_EQ(place_call({b, c}, "a", 0.5), "a"); // not in its own view: stays
}

TEST(parse_addresses, reads_lists_and_refuses_every_malformed_item) {
  auto ok = parse_addresses(" 127.0.0.1:7001, node-b:7002 ,[::1]:7003");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0], (std::pair<std::string, std::uint16_t>{"127.0.0.1", 7001}));
  EXPECT_EQ((*ok)[1].first, "node-b");
  EXPECT_EQ((*ok)[2].first, "[::1]");
  EXPECT_TRUE(parse_addresses("")->empty());
  EXPECT_TRUE(parse_addresses("  ")->empty());
  for (const char* bad : {"host", ":7001", "host:", "host:0", "host:65536", "host:12a",
                          "host:7001,", ",host:7001", "a b:1", "host:123456", "h:1,,h:2"})
    EXPECT_FALSE(parse_addresses(bad)) << bad;
}

TEST(parse_addresses, every_prefix_of_a_valid_list_parses_or_is_refused_without_crashing) {
  std::string text = "127.0.0.1:7001,localhost:7002";
  std::size_t parsed = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    auto r = parse_addresses(text.substr(0, i));
    if (!r)
      continue;
    ++parsed;
    for (auto& [h, p] : *r) {
      EXPECT_GT(p, 0);
      EXPECT_FALSE(h.empty());
    }
  }
  // "", "127.0.0.1:7", ":70", ":700", ":7001", then "localhost:7".. ":7002".
  EXPECT_EQ(parsed, 9u);
}
