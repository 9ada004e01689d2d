#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "adapters/speech/recorder.hpp"
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
