#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocols/tts/sentence_stream.hpp"

using namespace frontdesk::tts;

namespace {

// Everything the stream hands out for `pieces`, the end's rest included.
std::vector<std::string> all(const std::vector<std::string>& pieces, std::size_t max = 1000) {
  sentence_stream s(max);
  std::vector<std::string> out;
  for (auto& p : pieces)
    for (auto& x : s.feed(p))
      out.push_back(x);
  if (auto rest = s.finish(); !rest.empty())
    out.push_back(rest);
  return out;
}

using v = std::vector<std::string>;

} // namespace

TEST(tts_sentence_stream, a_sentence_goes_as_soon_as_the_next_one_begins) {
  sentence_stream s;
  EXPECT_TRUE(s.feed("Sure, we are open").empty());
  EXPECT_TRUE(s.feed(" until five today.").empty()); // a dot alone decides nothing yet
  EXPECT_EQ(s.feed(" Is there"), v{"Sure, we are open until five today."});
  EXPECT_TRUE(s.feed(" anything else? \n ").empty()); // the last stays until more begins
  EXPECT_EQ(s.finish(), "Is there anything else?");
  EXPECT_EQ(s.finish(), ""); // it starts afresh
}

TEST(tts_sentence_stream, every_split_of_a_reply_gives_the_same_sentences) {
  const std::vector<std::string> texts = {
      "You're booked for Thursday at 11 AM. Anything else? Great!",
      "Dr. Lee sees patients from 9 a.m. to 5 p.m. on weekdays. The fee is $3.50 per visit.",
      "He said \"come in at ten.\" Then he left! Okay?! Yes... fine.",
      "Line one\nLine two. Caf\xC3\xA9 closes at six \xE2\x80\x9Ctoday.\xE2\x80\x9D See you.",
      "J. Smith, e.g. a returning patient, is welcome. Visit www.example.com. Bye.",
      "   \n\n  . ! ? ",
      "We close at 5 p.m. Anything else, etc. or so? Mr. and Mrs. Lee are in.",
  };
  const std::vector<v> expected = {
      {"You're booked for Thursday at 11 AM.", "Anything else?", "Great!"},
      {"Dr. Lee sees patients from 9 a.m. to 5 p.m. on weekdays.", "The fee is $3.50 per visit."},
      {"He said \"come in at ten.\"", "Then he left!", "Okay?!", "Yes...", "fine."},
      {"Line one", "Line two.", "Caf\xC3\xA9 closes at six \xE2\x80\x9Ctoday.\xE2\x80\x9D", "See you."},
      {"J. Smith, e.g. a returning patient, is welcome.", "Visit www.example.com.", "Bye."},
      {},
      {"We close at 5 p.m.", "Anything else, etc. or so?", "Mr. and Mrs. Lee are in."},
  };
  for (std::size_t t = 0; t < texts.size(); ++t) {
    auto& text = texts[t];
    EXPECT_EQ(all({text}), expected[t]) << text;
    for (std::size_t a = 0; a <= text.size(); ++a) {
      EXPECT_EQ(all({text.substr(0, a), text.substr(a)}), expected[t]) << text << " cut at " << a;
      for (std::size_t b = a; b <= text.size(); b += 7)
        EXPECT_EQ(all({text.substr(0, a), text.substr(a, b - a), text.substr(b)}), expected[t])
            << text << " cut at " << a << " and " << b;
    }
    v bytes; // one byte at a time
    for (char c : text)
      bytes.push_back(std::string(1, c));
    EXPECT_EQ(all(bytes), expected[t]) << text;
  }
}

TEST(tts_sentence_stream, a_sentence_without_an_end_is_not_held_past_the_limit) {
  std::string words;
  while (words.size() < 100)
    words += "and then some more words ";
  sentence_stream s(40);
  auto out = s.feed(words);
  ASSERT_FALSE(out.empty());
  for (auto& x : out)
    EXPECT_LE(x.size(), 40u) << x;
  // One long word with multi-byte characters: cut at the limit, never inside a character.
  sentence_stream t(16);
  std::string e_acute;
  for (int i = 0; i < 30; ++i)
    e_acute += "\xC3\xA9";
  auto cut = t.feed(e_acute);
  ASSERT_FALSE(cut.empty());
  for (auto& x : cut) {
    EXPECT_LE(x.size(), 16u);
    EXPECT_EQ(x.size() % 2, 0u) << "a UTF-8 character was split";
  }
  auto rest = t.finish();
  EXPECT_EQ(rest.size() % 2, 0u);
}

TEST(tts_sentence_stream, malformed_input_never_breaks_it) {
  // Stray continuation bytes, a lone lead byte at the end, NULs, only marks.
  const std::vector<std::string> odd = {
      std::string("\x80\x80. \xE2", 5), std::string("a.\0b. c", 7), "!!!!!!!!", "\xE2\x80",
      ". . . x. ", std::string(3000, '.'), std::string(3000, 'x')};
  for (auto& text : odd) {
    sentence_stream s(64);
    std::size_t total = 0;
    for (auto& x : s.feed(text)) {
      EXPECT_FALSE(x.empty());
      EXPECT_LE(x.size(), 64u);
      total += x.size();
    }
    total += s.finish().size();
    EXPECT_LE(total, text.size());
  }
}
