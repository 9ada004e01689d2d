// Question concepts: the words a question is about, with the words a business's knowledge may
// use for the same thing.
#include <gtest/gtest.h>

#include "protocols/core/concepts.hpp"

using namespace frontdesk;

namespace {

bool has_word(const question_concept& c, std::string_view w) {
  return (" " + c.words + " ").find(" " + std::string(w) + " ") != std::string::npos;
}

} // namespace

TEST(question_concepts, everyday_words_bring_the_words_a_business_writes) {
  auto c = question_concepts("Do you guys see kids? My son is four.");
  // "guys" is a filler; "kids" and "son" are one concept, which includes "children".
  std::size_t child_concepts = 0;
  for (auto& x : c) {
    EXPECT_NE(x.words, "guys");
    if (has_word(x, "children")) {
      ++child_concepts;
      EXPECT_FALSE(x.aspect);
    }
  }
  EXPECT_EQ(child_concepts, 1u);
  EXPECT_NE(std::find(c.begin(), c.end(), question_concept{"see", false}), c.end());
}

TEST(question_concepts, price_and_hours_are_aspects_of_a_subject) {
  auto c = question_concepts("how much does a whitening cost");
  int aspects = 0, subjects_with_whitening = 0;
  for (auto& x : c) {
    if (x.aspect) {
      ++aspects;
      EXPECT_TRUE(has_word(x, "costs"));
    }
    if (x.words == "whitening")
      ++subjects_with_whitening;
  }
  EXPECT_EQ(aspects, 1); // "much" and "cost" say one thing
  EXPECT_EQ(subjects_with_whitening, 1);
  auto open = question_concepts("are you open on saturday");
  bool hours = false, weekend = false;
  for (auto& x : open) {
    hours = hours || (x.aspect && has_word(x, "hours"));
    weekend = weekend || (!x.aspect && has_word(x, "weekends"));
  }
  EXPECT_TRUE(hours);
  EXPECT_TRUE(weekend);
}

TEST(question_concepts, a_word_of_no_group_stands_for_itself_and_nothing_is_doubled) {
  auto c = question_concepts("Aetna aetna AETNA?");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].words, "aetna");
  EXPECT_TRUE(question_concepts("").empty());
  EXPECT_TRUE(question_concepts("?!,. please thanks").empty());
  // "in" is not taken for walking in: groups hold whole words only.
  for (auto& x : question_concepts("is it in the lot")) {
    EXPECT_FALSE(has_word(x, "walk")) << x.words;
    EXPECT_FALSE(x.aspect) << x.words;
  }
}
