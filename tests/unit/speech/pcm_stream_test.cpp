#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk;

namespace {

// A second of a tone at 24 kHz as an HTTP body carries it: 16-bit little-endian bytes.
std::vector<std::uint8_t> tone_24k(double hz, double seconds = 1.0, double amplitude = 12000) {
  std::vector<std::uint8_t> b;
  auto n = static_cast<std::size_t>(24000 * seconds);
  for (std::size_t i = 0; i < n; ++i) {
    auto s = static_cast<std::int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * double(i) / 24000));
    b.push_back(static_cast<std::uint8_t>(s & 0xff));
    b.push_back(static_cast<std::uint8_t>((static_cast<std::uint16_t>(s) >> 8) & 0xff));
  }
  return b;
}

// Fed in the odd sizes a vendor's chunked body arrives in (1, 4063, 1697 bytes, ...).
std::vector<std::int16_t> convert_chunked(const std::vector<std::uint8_t>& body) {
  speech::pcm_stream_to_8k conv(24000);
  std::vector<std::int16_t> out;
  const std::size_t sizes[] = {1, 4063, 1697, 3, 640, 7};
  std::size_t off = 0, k = 0;
  while (off < body.size()) {
    auto n = std::min(sizes[k++ % 6], body.size() - off);
    conv.feed(std::span(body).subspan(off, n), out);
    off += n;
  }
  EXPECT_FALSE(conv.carrying());
  return out;
}

double rms(const std::vector<std::int16_t>& s, std::size_t skip = 200) {
  double e = 0;
  for (std::size_t i = skip; i < s.size(); ++i)
    e += double(s[i]) * s[i];
  return std::sqrt(e / double(s.size() - skip));
}

} // namespace

TEST(pcm_stream, odd_chunks_give_the_same_audio_as_the_whole_body) {
  auto body = tone_24k(1000);
  speech::pcm_stream_to_8k whole(24000);
  std::vector<std::int16_t> a;
  whole.feed(body, a);
  auto b = convert_chunked(body);
  EXPECT_EQ(a, b);
  // Every split point, on a shorter body, including a split inside each sample.
  auto small = tone_24k(1000, 0.01);
  std::vector<std::int16_t> ref;
  speech::pcm_stream_to_8k r(24000);
  r.feed(small, ref);
  for (std::size_t cut = 0; cut <= small.size(); ++cut) {
    speech::pcm_stream_to_8k c(24000);
    std::vector<std::int16_t> out;
    c.feed(std::span(small).first(cut), out);
    EXPECT_EQ(c.carrying(), cut % 2 == 1);
    c.feed(std::span(small).subspan(cut), out);
    ASSERT_EQ(out, ref) << "split at " << cut;
  }
}

TEST(pcm_stream, output_is_8k_and_a_6khz_tone_is_attenuated_40db) {
  auto low = convert_chunked(tone_24k(1000));
  auto high = convert_chunked(tone_24k(6000));
  // One second in, one second out at 8000 Hz (less the filter's delay).
  EXPECT_NEAR(double(low.size()), 8000, 64);
  EXPECT_NEAR(double(high.size()), 8000, 64);
  double pass = rms(low), stop = rms(high);
  EXPECT_NEAR(pass, 12000 / std::sqrt(2.0), 12000 * 0.1);
  double attenuation_db = 20 * std::log10(pass / std::max(stop, 1e-9));
  EXPECT_GE(attenuation_db, 40) << "a 6 kHz tone aliased into the telephone band";
  RecordProperty("attenuation_6khz_db", std::to_string(attenuation_db));
  std::printf("6 kHz tone after 24 -> 8 kHz: %.1f dB below the 1 kHz tone\n", attenuation_db);
  // A naive every-third-sample decimation folds 6 kHz onto 2 kHz at full level: the check
  // above can fail.
  auto body = tone_24k(6000);
  std::vector<std::int16_t> naive;
  for (std::size_t i = 0; i + 1 < body.size(); i += 6)
    naive.push_back(static_cast<std::int16_t>(body[i] | (body[i + 1] << 8)));
  EXPECT_LT(20 * std::log10(pass / rms(naive)), 40);
}

TEST(pcm_stream, mulaw_output_keeps_the_band_and_drops_the_alias) {
  speech::pcm_stream_to_8k conv(24000);
  std::vector<std::uint8_t> mu;
  auto body = tone_24k(6000);
  conv.feed_mulaw(std::span(body).first(4063), mu);
  conv.feed_mulaw(std::span(body).subspan(4063), mu);
  std::vector<std::int16_t> back;
  audio::mulaw_decode(mu, back);
  EXPECT_NEAR(double(back.size()), 8000, 64);
  EXPECT_LT(rms(back), 12000 / std::sqrt(2.0) / 100); // at least 40 dB down after μ-law too
}

TEST(pcm_stream, eight_khz_input_passes_through) {
  speech::pcm_stream_to_8k conv(8000);
  std::vector<std::int16_t> out;
  const std::uint8_t bytes[] = {0x34, 0x12, 0xff};
  conv.feed(bytes, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], 0x1234);
  EXPECT_TRUE(conv.carrying());
  const std::uint8_t rest[] = {0x7f};
  conv.feed(rest, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], 0x7fff);
}
