#include <cstdio>
#include <filesystem>
#include <cmath>
#include <cstring>
#include <fstream>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/speech/recorder.hpp"
#include "protocols/audio/mulaw.hpp"
#include "tests/support/run.hpp"

using namespace frontdesk;

TEST(recorder, writes_a_playable_ogg_opus_file) {
  auto path = ::testing::TempDir() + "call.opus";
  {
    auto r = speech::recorder::open(path, "call CA1");
    ASSERT_TRUE(r) << r.error().message;
    std::vector<std::uint8_t> caller(160), agent(160, 0xff);
    for (int f = 0; f < 250; ++f) { // 5 s
      for (std::size_t i = 0; i < 160; ++i)
        caller[i] = static_cast<std::uint8_t>((f * 160 + i) % 2 ? 0x20 : 0xa0);
      (*r)->write(caller, f % 2 ? std::span<const std::uint8_t>() : agent);
    }
    EXPECT_DOUBLE_EQ((*r)->seconds(), 5.0);
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 4), "OggS");
  EXPECT_NE(bytes.find("OpusHead"), std::string::npos);
  EXPECT_NE(bytes.find("TITLE=call CA1"), std::string::npos);
  // ~12 kbit/s: 5 s is well under 20 KB.
  EXPECT_LT(bytes.size(), 20000u);
  auto info = fixtures::run("opusinfo " + path);
  if (info.exit_code == 127)
    GTEST_SKIP() << "opusinfo not installed";
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("Playback length: 0m:05"), std::string::npos) << info.output;
}

TEST(recorder, an_unwritable_path_is_an_error) {
  auto r = speech::recorder::open("/nonexistent/dir/x.opus", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "recording_failed");
}

namespace {

// Decodes an Ogg Opus file at 8 kHz with opus-tools; empty when it cannot.
std::vector<std::int16_t> decode(const std::string& path) {
  auto wav = path + ".wav";
  auto r = fixtures::run("opusdec --quiet --rate 8000 " + path + " " + wav);
  std::vector<std::int16_t> pcm;
  if (r.exit_code != 0)
    return pcm;
  std::ifstream in(wav, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto data = bytes.find("data");
  if (data == std::string::npos)
    return pcm;
  pcm.resize((bytes.size() - data - 8) / 2);
  std::memcpy(pcm.data(), bytes.data() + data + 8, pcm.size() * 2);
  return pcm;
}

double rms(std::span<const std::int16_t> x) {
  double sum = 0;
  for (auto s : x)
    sum += double(s) * s;
  return x.empty() ? 0 : std::sqrt(sum / double(x.size()));
}

} // namespace

// Written in 200 ms blocks as a call writes it: the decoded file has exactly the samples
// written, the loud second where it was and silence where the call was silent.
TEST(recorder, decodes_to_exactly_what_was_written) {
  if (fixtures::run("opusdec --version").exit_code == 127)
    GTEST_SKIP() << "opusdec not installed";
  auto path = ::testing::TempDir() + "exact.opus";
  {
    auto r = speech::recorder::open(path, "call CA2");
    ASSERT_TRUE(r);
    std::vector<std::uint8_t> caller(1600), agent;
    for (int block = 0; block < 17; ++block) { // 3.4 s: not a whole number of 60 ms packets
      for (std::size_t i = 0; i < caller.size(); ++i) {
        bool loud = block >= 5 && block < 10; // 1.0 s to 2.0 s
        auto s = loud ? std::int16_t(8000 * std::sin(0.05 * double(block * 1600 + long(i)))) : 0;
        caller[i] = audio::mulaw_encode(s);
      }
      (*r)->write(caller, agent);
    }
  }
  auto pcm = decode(path);
  ASSERT_EQ(pcm.size(), 17u * 1600u);
  std::span<const std::int16_t> all(pcm);
  EXPECT_LT(rms(all.subspan(0, 7000)), 100);        // silence before
  EXPECT_GT(rms(all.subspan(8500, 7000)), 3000);    // the tone (~5650 RMS in)
  EXPECT_LT(rms(all.subspan(17000, 10000)), 100);   // silence after
}

// A node that dies mid-call leaves a file that plays up to the last block written.
TEST(recorder, a_call_cut_off_before_close_keeps_what_was_written) {
  if (fixtures::run("opusdec --version").exit_code == 127)
    GTEST_SKIP() << "opusdec not installed";
  auto path = ::testing::TempDir() + "cut.opus";
  auto r = speech::recorder::open(path, "call CA3");
  ASSERT_TRUE(r);
  std::vector<std::uint8_t> block(1600, audio::mulaw_encode(3000));
  for (int i = 0; i < 10; ++i) // 2 s
    (*r)->write(block, {});
  auto copy = path + ".copy";
  std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
  auto pcm = decode(copy); // as the file is on disk now, without its last page
  EXPECT_GE(pcm.size(), 15000u); // at least 1.875 s of the 2 s
}

// A long digital silence (both legs quiet) between two stretches of speech: the recorder
// repeats its settled silence packet there instead of encoding, and the speech after the
// silence decodes as well as the speech before it, in its place.
TEST(recorder, speech_after_a_long_silence_decodes_as_well_as_before) {
  if (fixtures::run("opusdec --version").exit_code == 127)
    GTEST_SKIP() << "opusdec not installed";
  auto path = ::testing::TempDir() + "silence.opus";
  constexpr std::size_t block = 1600; // 200 ms
  auto loud = [](std::size_t b) { return b < 5 || (b >= 30 && b < 35); }; // 1 s, 5 s quiet, 1 s
  auto sample = [](std::size_t k) {
    return std::int16_t(6000 * std::sin(0.07 * double(k)) + double(k * 7919 % 201) - 100.0);
  };
  std::vector<std::int16_t> written; // what the recorder was given, as linear samples
  {
    auto r = speech::recorder::open(path, "call CA3");
    ASSERT_TRUE(r);
    std::vector<std::uint8_t> caller(block), agent;
    for (std::size_t b = 0; b < 40; ++b) {
      for (std::size_t i = 0; i < block; ++i) {
        caller[i] = audio::mulaw_encode(loud(b) ? sample(b * block + i) : std::int16_t(0));
        written.push_back(audio::mulaw_decode(caller[i]));
      }
      (*r)->write(caller, agent);
    }
  }
  auto pcm = decode(path);
  ASSERT_EQ(pcm.size(), written.size());
  auto snr = [&](std::size_t from, std::size_t n) {
    double signal = 0, error = 0;
    for (std::size_t k = from; k < from + n; ++k) {
      signal += double(written[k]) * written[k];
      error += (double(written[k]) - pcm[k]) * (double(written[k]) - pcm[k]);
    }
    return 10 * std::log10(signal / error);
  };
  double before = snr(800, 6400), after = snr(30 * block + 800, 6400);
  EXPECT_GT(before, 10.0);
  EXPECT_NEAR(after, before, 1.0);
  std::span<const std::int16_t> all(pcm);
  EXPECT_LT(rms(all.subspan(6 * block, 20 * block)), 1.0); // the silence is silent
}
