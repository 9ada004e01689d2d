#include <string>

#include <gtest/gtest.h>

#include "protocols/tts/request.hpp"

using namespace frontdesk::tts;
using namespace std::chrono_literals;

namespace {

std::string joined(const std::vector<std::string_view>& v) {
  std::string s;
  for (auto p : v)
    s += p;
  return s;
}

} // namespace

TEST(tts_split_input, short_text_is_one_piece) {
  auto v = split_input("Your cleaning is booked for Thursday at eleven.");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0], "Your cleaning is booked for Thursday at eleven.");
  EXPECT_TRUE(split_input("").empty());
  EXPECT_TRUE(split_input("   \n ").empty());
}

TEST(tts_split_input, long_text_is_cut_at_sentence_ends_within_the_limit) {
  std::string text;
  for (int i = 0; text.size() < 10000; ++i)
    text += "Sentence number " + std::to_string(i) + " says the office opens at nine. ";
  auto v = split_input(text);
  ASSERT_GE(v.size(), 3u);
  EXPECT_EQ(joined(v), text);
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_LE(v[i].size(), max_input);
    if (i + 1 < v.size()) { // every cut but the text's own end is right after a full stop
      EXPECT_EQ(v[i].back(), '.') << i;
    }
  }
}

TEST(tts_split_input, without_sentence_ends_it_cuts_at_spaces_then_between_characters) {
  auto v = split_input("one two three four five six", 10);
  EXPECT_EQ(joined(v), "one two three four five six");
  for (auto p : v) {
    EXPECT_LE(p.size(), 10u);
    EXPECT_TRUE(p.back() == ' ' || p == v.back()) << p;
  }
  // One word of two-byte characters: never cut inside one.
  std::string word;
  for (int i = 0; i < 20; ++i)
    word += "\xC3\xA9"; // é
  auto w = split_input(word, 9);
  EXPECT_EQ(joined(w), word);
  for (auto p : w) {
    EXPECT_LE(p.size(), 9u);
    EXPECT_EQ(p.size() % 2, 0u) << "a character was cut in two";
  }
  // A sentence end just past the limit still counts ("abc. " with the space at max).
  auto s = split_input("abcdefg. hij", 8);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "abcdefg.");
  // A limit below 8 is taken as 8; newlines end pieces too.
  auto n = split_input("line one\nline two\n", 1);
  EXPECT_EQ(joined(n), "line one\nline two\n");
  for (auto p : n)
    EXPECT_LE(p.size(), 8u);
}

TEST(tts_out_of_quota, reads_the_error_envelope) {
  EXPECT_TRUE(out_of_quota(R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})"));
  EXPECT_TRUE(out_of_quota(R"({"error":{"code":"insufficient_quota"}})"));
  EXPECT_FALSE(out_of_quota(R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})"));
  for (const char* bad : {"", "{", "[]", "null", R"({"error":"insufficient_quota"})",
                          R"({"error":{"code":5}})", "insufficient_quota"})
    EXPECT_FALSE(out_of_quota(bad)) << bad;
}
