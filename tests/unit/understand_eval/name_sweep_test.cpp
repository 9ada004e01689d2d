// The sweep the booking defects asked for: over every line of both phrasing corpora, a name is
// found only where the caller gave one, and never made of a date, time, service or common word.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "actors/dialog/caller_details.hpp"
#include "apps/understand-bench/eval.hpp"

using namespace frontdesk;

namespace {

std::vector<understand_eval::utterance> load(const char* file) {
  std::ifstream in(std::string(FRONTDESK_SOURCE_DIR "/tests/corpus/") + file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = understand_eval::parse_corpus(ss.str());
  EXPECT_TRUE(c) << file << ": " << (c ? "" : c.error().message);
  return c ? *c : std::vector<understand_eval::utterance>{};
}

const std::vector<std::string> services = {"cleaning", "whitening", "checkup", "filling"};

} // namespace

TEST(name_sweep, no_name_is_taken_from_a_line_that_gives_none) {
  std::size_t lines = 0, named = 0;
  for (auto file : {"utterances.jsonl", "heldout.jsonl", "heldout2.jsonl"})
    for (auto& u : load(file)) {
      ++lines;
      bool gives_name = u.name_labelled && u.name;
      named += gives_name ? 1 : 0;
      // Read as the dialog would, expecting a name where the line answers that question.
      auto n = dialog::extract_name(u.text, u.context == "name", services);
      if (!gives_name) {
        EXPECT_EQ(n, std::nullopt) << file << ":" << u.line << " \"" << u.text << "\"";
      }
    }
  EXPECT_GT(lines, 600u);
  EXPECT_GT(named, 20u);
}

TEST(name_sweep, names_given_are_found) {
  std::size_t right = 0, total = 0;
  for (auto file : {"utterances.jsonl", "heldout.jsonl", "heldout2.jsonl"})
    for (auto& u : load(file))
      if (u.name_labelled && u.name) {
        ++total;
        auto n = dialog::extract_name(u.text, u.context == "name", services);
        right += n == u.name ? 1 : 0;
      }
  ASSERT_GT(total, 0u);
  // Reported, and held to a floor so that a change that loses names fails.
  std::printf("names found: %zu of %zu\n", right, total);
  EXPECT_GE(double(right) / double(total), 0.95);
}
