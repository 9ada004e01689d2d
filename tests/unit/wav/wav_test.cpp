#include <gtest/gtest.h>

#include "protocols/wav/wav.hpp"

using namespace frontdesk;

TEST(wav, pcm_round_trip) {
  std::vector<std::int16_t> s = {0, 1, -1, 32767, -32768, 1234};
  auto bytes = wav::write_pcm16(s, 16000);
  EXPECT_EQ(bytes.size(), 44u + 12u);
  auto a = wav::parse(bytes);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->sample_rate, 16000);
  EXPECT_FALSE(a->mulaw);
  EXPECT_EQ(a->samples, s);
}

TEST(wav, mulaw_round_trip) {
  std::vector<std::uint8_t> m = {0xff, 0x7f, 0x00, 0x80};
  auto a = wav::parse(wav::write_mulaw(m, 8000));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->mulaw);
  EXPECT_EQ(a->mulaw_bytes, m);
  EXPECT_EQ(a->sample_rate, 8000);
}

TEST(wav, stereo_is_mixed_to_mono_and_unknown_chunks_are_skipped) {
  auto bytes = wav::write_pcm16(std::vector<std::int16_t>{}, 8000);
  // Rebuild as stereo with a LIST chunk before data.
  std::vector<std::uint8_t> f(bytes.begin(), bytes.begin() + 36);
  f[22] = 2;  // channels
  f[32] = 4;  // block align
  const char list[] = {'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0};
  f.insert(f.end(), list, list + sizeof list);
  const std::uint8_t data[] = {'d', 'a', 't', 'a', 8, 0, 0, 0, 100, 0, 200, 0, 0xf6, 0xff, 0xec, 0xff};
  f.insert(f.end(), data, data + sizeof data);
  auto a = wav::parse(f);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->samples, (std::vector<std::int16_t>{150, -15}));
}

TEST(wav, every_truncation_fails_or_parses_a_prefix_cleanly) {
  std::vector<std::int16_t> s(100, 7);
  auto bytes = wav::write_pcm16(s, 8000);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto a = wav::parse(std::span(bytes.data(), n));
    EXPECT_FALSE(a) << n; // the data chunk's size no longer fits
  }
}

TEST(wav, refuses_what_it_cannot_play) {
  EXPECT_FALSE(wav::parse(std::vector<std::uint8_t>{'R', 'I', 'F', 'F'}));
  auto bytes = wav::write_pcm16(std::vector<std::int16_t>(10), 8000);
  bytes[34] = 24; // 24-bit
  EXPECT_FALSE(wav::parse(bytes));
  bytes = wav::write_pcm16(std::vector<std::int16_t>(10), 8000);
  bytes[24] = 1; bytes[25] = 0; bytes[26] = 0; bytes[27] = 0; // 1 Hz
  EXPECT_FALSE(wav::parse(bytes));
}
