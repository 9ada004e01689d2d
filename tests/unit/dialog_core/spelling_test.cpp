// Spelled words: letters as callers say them and as the recogniser writes them, examples ("b as
// in boy"), doubles, fillers around them; nothing from words that are not spelled.
#include <gtest/gtest.h>

#include <cctype>

#include "actors/dialog/spelling.hpp"

using namespace frontdesk::dialog;

TEST(spelling, letters_as_written_and_said) {
  EXPECT_EQ(spelled_word("s m i t h"), "Smith");
  EXPECT_EQ(spelled_word("S-M-I-T-H"), "Smith");
  EXPECT_EQ(spelled_word("S. M. I. T. H."), "Smith");
  EXPECT_EQ(spelled_word("ess em eye tee aitch"), "Smith");
  EXPECT_EQ(spelled_word("k e double l y"), "Kelly");
  EXPECT_EQ(spelled_word("double u e b b"), "Webb");
  EXPECT_EQ(spelled_word("g a r c i a"), "Garcia");
  EXPECT_EQ(spelled_word("zed oh ee"), "Zoe");
}

TEST(spelling, examples_give_the_letter) {
  EXPECT_EQ(spelled_word("b as in boy, e, l, l"), "Bell");
  EXPECT_EQ(spelled_word("p as in peter a r k"), "Park");
  // The example is the better heard of the two: "d as in boy" was a b.
  EXPECT_EQ(spelled_word("d as in boy r o w n"), "Brown");
  EXPECT_EQ(spelled_word("n for nancy g u y e n"), "Nguyen");
  EXPECT_EQ(spelled_word("l like larry e e"), "Lee");
}

TEST(spelling, fillers_and_lead_ins_around_the_letters) {
  EXPECT_EQ(spelled_word("um, it's s m i t h"), "Smith");
  EXPECT_EQ(spelled_word("sure, that's l e e"), "Lee");
  EXPECT_EQ(spelled_word("thank you, s m i t h"), "Smith");
  EXPECT_EQ(spelled_word("s m i t h, thank you"), "Smith");
  EXPECT_EQ(spelled_word("my last name is spelled o b r i e n"), "Obrien");
  EXPECT_EQ(spelled_word("w o n g for the appointment"), "Wong");
}

TEST(spelling, nothing_when_not_spelled) {
  EXPECT_EQ(spelled_word(""), std::nullopt);
  EXPECT_EQ(spelled_word("smith"), std::nullopt);
  EXPECT_EQ(spelled_word("it's smith"), std::nullopt);
  EXPECT_EQ(spelled_word("i said it already"), std::nullopt);
  EXPECT_EQ(spelled_word("why are you asking"), std::nullopt);
  EXPECT_EQ(spelled_word("a"), std::nullopt);
  EXPECT_EQ(spelled_word("1 2 3 4"), std::nullopt);
  EXPECT_EQ(spelled_word("double"), std::nullopt);
  EXPECT_EQ(spelled_word("b as in"), std::nullopt);
}

// Every prefix and suffix of spelled answers, and malformed bytes: letters only, never longer
// than the input, never a crash.
TEST(spelling, every_split_and_malformed_input) {
  auto check = [](std::string_view in) {
    auto w = spelled_word(in);
    if (!w)
      return;
    ASSERT_GE(w->size(), 2u) << in;
    ASSERT_LE(w->size(), in.size()) << in;
    for (char c : *w)
      ASSERT_TRUE(std::isalpha(static_cast<unsigned char>(c))) << in;
  };
  for (std::string in : {"b as in boy, e double l", "um it's double u e b b thank you",
                         "S-M-I-T-H", "k e double l y for the booking", "p like peter a r k"}) {
    for (std::size_t i = 0; i <= in.size(); ++i) {
      check(std::string_view(in).substr(0, i));
      check(std::string_view(in).substr(i));
    }
  }
  std::string junk;
  for (int i = 0; i < 2000; ++i) {
    junk += static_cast<char>((i * 37 + 11) % 256);
    if (i % 50 == 0)
      check(junk);
  }
  check(std::string(1, '\0') + "s m\0i t h");
  check(std::string(5000, 'a'));
  std::string many;
  for (int i = 0; i < 3000; ++i)
    many += "double ";
  check(many);
}
