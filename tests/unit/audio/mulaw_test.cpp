#include <gtest/gtest.h>

#include "protocols/audio/mulaw.hpp"

using namespace frontdesk::audio;

namespace {

// An independent transcription of the ITU-T G.711 reference encoder (Sun's g711.c shape),
// written differently from the library's so the two check each other.
std::uint8_t g711_ulaw(int pcm) {
  static const int seg_end[8] = {0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF};
  int mask;
  pcm >>= 2; // 14-bit magnitude
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7F;
  } else {
    mask = 0xFF;
  }
  if (pcm > 8159)
    pcm = 8159;
  pcm += (0x84 >> 2);
  int seg = 8;
  for (int i = 0; i < 8; ++i)
    if (pcm <= seg_end[i] >> 2 || (i == 7)) {
      if (pcm <= (seg_end[i] >> 2)) {
        seg = i;
        break;
      }
    }
  if (seg >= 8)
    return static_cast<std::uint8_t>(0x7F ^ mask);
  int uval = (seg << 4) | ((pcm >> (seg + 1)) & 0xF);
  return static_cast<std::uint8_t>(uval ^ mask);
}

} // namespace

TEST(mulaw, encode_matches_the_g711_reference_for_every_sample) {
  for (int s = -32768; s <= 32767; ++s)
    ASSERT_EQ(mulaw_encode(static_cast<std::int16_t>(s)), g711_ulaw(s)) << s;
}

TEST(mulaw, every_code_decodes_and_re_encodes_to_itself) {
  for (int c = 0; c < 256; ++c) {
    auto pcm = mulaw_decode(static_cast<std::uint8_t>(c));
    auto back = mulaw_encode(pcm);
    // 0x7F and 0xFF are both zero (negative and positive zero); zero encodes as 0xFF.
    if (c == 0x7F)
      EXPECT_EQ(back, 0xFF);
    else
      EXPECT_EQ(back, c) << c;
  }
}

TEST(mulaw, known_values) {
  EXPECT_EQ(mulaw_decode(0xFF), 0);
  EXPECT_EQ(mulaw_decode(0x80), 32124);
  EXPECT_EQ(mulaw_decode(0x00), -32124);
  EXPECT_EQ(mulaw_encode(0), 0xFF);
  EXPECT_EQ(mulaw_encode(32767), 0x80);
  EXPECT_EQ(mulaw_encode(-32768), 0x00);
}

TEST(mulaw, buffers) {
  std::vector<std::int16_t> pcm = {0, 1000, -1000, 30000};
  std::vector<std::uint8_t> enc;
  mulaw_encode(pcm, enc);
  std::vector<std::int16_t> dec;
  mulaw_decode(enc, dec);
  ASSERT_EQ(dec.size(), pcm.size());
  for (std::size_t i = 0; i < pcm.size(); ++i)
    EXPECT_NEAR(dec[i], pcm[i], std::abs(pcm[i]) / 16 + 8);
}
