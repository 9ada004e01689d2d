#include <chrono>
#include <cmath>

#include <gtest/gtest.h>

#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk;
using namespace std::chrono;

TEST(resampler, converts_rate_and_keeps_a_tone) {
  speech::resampler down(16000, 8000);
  std::vector<std::int16_t> in(16000), out;
  for (std::size_t i = 0; i < in.size(); ++i)
    in[i] = static_cast<std::int16_t>(10000 * std::sin(2 * M_PI * 440 * double(i) / 16000));
  for (std::size_t off = 0; off < in.size(); off += 320) // in 20 ms blocks
    down.process(std::span(in).subspan(off, 320), out);
  EXPECT_NEAR(double(out.size()), 8000, 100);
  double energy = 0;
  for (auto s : out)
    energy += double(s) * s;
  EXPECT_NEAR(std::sqrt(energy / double(out.size())), 10000 / std::sqrt(2.0), 800);
}

TEST(flite, unknown_voice_is_refused) { EXPECT_EQ(speech::make_flite_tts("nobody"), nullptr); }

TEST(flite, streams_8k_mulaw_quickly) {
  auto tts = speech::make_flite_tts("kal16");
  ASSERT_TRUE(tts);
  std::atomic<bool> cancel{false};
  auto t0 = steady_clock::now();
  std::optional<steady_clock::duration> first;
  std::size_t bytes = 0, chunks = 0;
  auto r = tts->synthesize(
      "Thank you for calling Bright Smile Dental. How can I help you today?",
      [&](std::span<const std::uint8_t> c) {
        if (!first)
          first = steady_clock::now() - t0;
        bytes += c.size();
        ++chunks;
        return true;
      },
      cancel);
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  ASSERT_TRUE(first);
  EXPECT_GT(chunks, 3u);
  // About three seconds of speech at 8000 bytes a second.
  EXPECT_GT(bytes, 16000u);
  EXPECT_LT(bytes, 48000u);
  std::cout << "kal16 first audio after " << duration_cast<microseconds>(*first).count()
            << " us, " << bytes << " bytes\n";
}

TEST(flite, cancel_stops_mid_sentence) {
  auto tts = speech::make_flite_tts("kal16");
  ASSERT_TRUE(tts);
  std::atomic<bool> cancel{false};
  std::size_t bytes = 0;
  auto text = "This is a long sentence that goes on and on about appointments, insurance, "
              "parking, opening hours, and many other things a caller might want to know.";
  auto full = speech::synthesize_all(*tts, text);
  ASSERT_TRUE(full);
  auto r = tts->synthesize(
      text,
      [&](std::span<const std::uint8_t> c) {
        bytes += c.size();
        if (bytes > 4000)
          cancel = true; // a barge-in from another thread would set it the same way
        return true;
      },
      cancel);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_LT(bytes, full->size() / 2);
}

TEST(flite, voices_differ) {
  auto a = speech::make_flite_tts("kal16"), b = speech::make_flite_tts("rms");
  ASSERT_TRUE(a && b);
  auto x = speech::synthesize_all(*a, "hello there");
  auto y = speech::synthesize_all(*b, "hello there");
  ASSERT_TRUE(x && y);
  EXPECT_NE(*x, *y);
}
