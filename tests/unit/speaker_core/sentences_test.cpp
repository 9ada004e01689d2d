#include <gtest/gtest.h>

#include "actors/speaker/sentences.hpp"

using frontdesk::speaker::sentences;
using v = std::vector<std::string>;

TEST(sentences, cuts_after_each_full_stop_question_and_exclamation) {
  EXPECT_EQ(sentences("Hello. How can I help? Great!"),
            (v{"Hello.", " How can I help?", " Great!"}));
}

TEST(sentences, keeps_a_tail_without_punctuation) {
  EXPECT_EQ(sentences("One moment. let me check"), (v{"One moment.", " let me check"}));
  EXPECT_EQ(sentences("no stop at all"), (v{"no stop at all"}));
}

TEST(sentences, drops_bare_punctuation_and_blank_pieces) {
  EXPECT_EQ(sentences("Yes... ?! Okay.  "), (v{"Yes.", " Okay."}));
  EXPECT_TRUE(sentences("").empty());
  EXPECT_TRUE(sentences("   ").empty());
  EXPECT_TRUE(sentences(" . ? !").empty());
}
