#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/speech/instant.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk;

TEST(instant_engines, the_scripted_session_hears_its_text_from_the_first_frame) {
  auto s = speech::make_script_session("book me tomorrow at two p m");
  std::vector<std::int16_t> pcm(160, 1000);
  s->feed(pcm);
  EXPECT_EQ(s->partial(), "book me tomorrow at two p m");
  auto r = s->finish();
  EXPECT_EQ(r.text, "book me tomorrow at two p m");
  EXPECT_FALSE(r.rejected);
  EXPECT_DOUBLE_EQ(r.confidence, 1.0);
  // Beyond the script: nothing intelligible, as a recogniser rejects noise.
  auto none = speech::make_script_session("")->finish();
  EXPECT_TRUE(none.rejected);
  // A script's turns in order; past its end, nothing intelligible.
  std::vector<std::string> script{"first turn", "second turn"};
  EXPECT_EQ(speech::make_script_session(script, 1)->finish().text, "second turn");
  EXPECT_TRUE(speech::make_script_session(script, 2)->finish().rejected);
}

TEST(instant_engines, the_tone_is_as_long_as_the_words_and_comes_at_once) {
  auto tts = speech::make_tone_tts(250);
  std::atomic<bool> cancel{false};
  std::vector<std::size_t> chunks;
  std::vector<std::uint8_t> all;
  auto ok = tts->synthesize("one two three four", [&](std::span<const std::uint8_t> c) {
    chunks.push_back(c.size());
    all.insert(all.end(), c.begin(), c.end());
    return true;
  }, cancel);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(all.size(), 4u * 250 * 8); // 1 s at 8 kHz
  // It is a tone, not silence.
  std::size_t loud = 0;
  for (auto b : all)
    loud += std::abs(audio::mulaw_decode(b)) > 1000;
  EXPECT_GT(loud, all.size() / 2);
  cancel = true;
  chunks.clear();
  auto stopped = tts->synthesize("hello", [&](std::span<const std::uint8_t> c) {
    chunks.push_back(c.size());
    return true;
  }, cancel);
  ASSERT_TRUE(stopped);
  EXPECT_FALSE(*stopped);
  EXPECT_TRUE(chunks.empty());
}
