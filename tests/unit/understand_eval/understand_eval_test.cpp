#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/understand-bench/eval.hpp"

using namespace frontdesk::understand_eval;

namespace {

std::vector<utterance> load_corpus(const std::string& file = "utterances.jsonl") {
  std::ifstream in(FRONTDESK_SOURCE_DIR "/tests/corpus/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse_corpus(ss.str());
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : std::vector<utterance>{};
}

} // namespace

TEST(corpus_parser, reads_every_field) {
  auto c = parse_corpus(
      "{\"text\":\"the first one\",\"class\":\"choice\",\"context\":\"choice\","
      "\"offered\":[\"2026-03-05T09:00\",\"2026-03-05T11:00\"],\"choice\":0}\n\n"
      "{\"text\":\"it's ann\",\"class\":\"name\",\"context\":\"name\",\"name\":\"Ann\","
      "\"date\":\"2026-03-05\",\"time\":\"14:00\",\"part_of_day\":\"afternoon\","
      "\"service\":\"cleaning\",\"digits\":\"5551234\",\"intent\":\"book\"}\r\n"
      "{\"text\":\"x\",\"class\":\"name\",\"context\":\"name\",\"name\":null}");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].choice, 0u);
  EXPECT_EQ((*c)[0].offered.size(), 2u);
  EXPECT_EQ((*c)[1].line, 3u);
  EXPECT_EQ((*c)[1].name, "Ann");
  EXPECT_EQ((*c)[1].date, "2026-03-05");
  EXPECT_EQ((*c)[1].digits, "5551234");
  EXPECT_TRUE((*c)[2].name_labelled);
  EXPECT_EQ((*c)[2].name, std::nullopt);
}

TEST(corpus_parser, rejects_malformed_lines_and_survives_every_split) {
  for (const char* bad : {
           "{", "[]", "\"text\"", "{\"text\":\"a\"}", "{\"text\":\"\",\"class\":\"a\",\"context\":\"b\"}",
           "{\"text\":1,\"class\":\"a\",\"context\":\"b\"}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"date\":5}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"offered\":\"x\"}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"offered\":[1]}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"choice\":0}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"offered\":[\"x\"],\"choice\":-1}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"offered\":[\"x\"],\"choice\":\"0\"}",
           "{\"text\":\"a\",\"class\":\"a\",\"context\":\"b\",\"name\":[]}",
       }) {
    auto c = parse_corpus(bad);
    EXPECT_FALSE(c) << bad;
  }
  std::string good = "{\"text\":\"tomorrow at two\",\"class\":\"time\",\"context\":\"when\","
                     "\"date\":\"2026-03-05\",\"time\":\"14:00\"}";
  for (std::size_t cut = 0; cut <= good.size(); ++cut) {
    auto c = parse_corpus(good.substr(0, cut));
    if (cut == 0)
      EXPECT_TRUE(c && c->empty());
    else if (cut < good.size())
      EXPECT_FALSE(c) << cut;
    else
      EXPECT_TRUE(c && c->size() == 1);
  }
  auto named = parse_corpus("\n{\"text\":\"a\"}");
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().message.find("line 2"), std::string::npos);
}

TEST(corpus_evaluation, counts_right_and_spurious_answers) {
  auto c = parse_corpus(
      "{\"text\":\"i'd like to book a cleaning tomorrow at two p m\",\"class\":\"book\","
      "\"context\":\"anything\",\"intent\":\"book\",\"date\":\"2026-03-05\",\"time\":\"14:00\","
      "\"service\":\"cleaning\"}\n"
      "{\"text\":\"what are your hours\",\"class\":\"hours\",\"context\":\"anything\","
      "\"intent\":\"book\"}\n");
  ASSERT_TRUE(c);
  auto r = evaluate(*c);
  EXPECT_EQ(r.intent_all.total, 2u);
  EXPECT_EQ(r.intent_all.right, 1u); // the second line's label is deliberately wrong
  EXPECT_EQ(r.slots["date"].expected.right, 1u);
  EXPECT_EQ(r.slots["time"].expected.right, 1u);
  EXPECT_EQ(r.slots["part_of_day"].spurious.right, 1u);
  EXPECT_EQ(r.slots["service"].expected.right, 1u);
  EXPECT_EQ(r.slots["name"].spurious.total, 2u);
  EXPECT_EQ(r.whole_all.right, 1u);
  ASSERT_EQ(r.misses.size(), 1u);
  EXPECT_EQ(r.misses[0].what, "intent");
  EXPECT_NE(format(r).find("hours"), std::string::npos);
}

// The corpus was written before the understanding was tuned; these floors keep what was won.
TEST(corpus_evaluation, understanding_stays_above_its_floors) {
  auto corpus = load_corpus();
  ASSERT_GE(corpus.size(), 600u);
  auto r = evaluate(corpus);
  std::cout << format(r);
  // Before the tuning: intents 57.0%, whole lines 52.3%, dates 93.6%, times 82.5%, choices
  // 65.9%, services 90.8%, names 75.0% (and one line in six got a name nobody said).
  EXPECT_GE(r.intent_all.share(), 0.96);
  EXPECT_GE(r.whole_all.share(), 0.94);
  for (auto& [cls, t] : r.intent_by_class)
    EXPECT_GE(t.share(), 0.85) << "intent of " << cls;
  auto slot = [&](const char* name, double said, double none) {
    EXPECT_GE(r.slots[name].expected.share(), said) << name;
    EXPECT_GE(r.slots[name].spurious.share(), none) << name << " found where none was said";
  };
  slot("date", 0.98, 0.95);
  slot("time", 0.97, 0.98);
  slot("part_of_day", 0.97, 0.98);
  slot("service", 0.97, 0.99);
  slot("choice", 0.95, 0.99);
  slot("name", 0.80, 0.99);
  slot("digits", 0.90, 0.5);
}

// The held-out sets whose misses were tuned on (tests/corpus/README.md): what was won stays.
// heldout3.jsonl is left out on purpose: it must stay unseen by the rules and by their floors.
TEST(corpus_evaluation, the_tuned_held_out_sets_stay_understood) {
  for (auto file : {"heldout.jsonl", "heldout2.jsonl", "heldout4.jsonl", "heldout5.jsonl",
                    "heldout6.jsonl", "heldout7.jsonl"}) {
    auto corpus = load_corpus(file);
    ASSERT_GE(corpus.size(), 60u) << file;
    auto r = evaluate(corpus);
    EXPECT_GE(r.whole_all.share(), 0.97) << file << "\n" << format(r);
  }
}

