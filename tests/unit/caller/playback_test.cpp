#include <gtest/gtest.h>

#include "adapters/caller/playback.hpp"

using namespace frontdesk::caller;
using namespace std::chrono_literals;

TEST(playback, marks_are_echoed_when_the_audio_before_them_has_played) {
  playback p;
  steady_time t0{};
  std::vector<std::uint8_t> frame(160, 1); // 20 ms
  for (int i = 0; i < 5; ++i)
    p.on_media(frame, t0);
  p.on_mark("m1", t0);
  EXPECT_EQ(p.buffered(t0), 100ms);
  EXPECT_TRUE(p.due_marks(t0 + 99ms).empty());
  auto due = p.due_marks(t0 + 100ms);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], "m1");
  EXPECT_EQ(p.received().size(), 800u);
  EXPECT_EQ(p.first_audio(), t0);
}

TEST(playback, audio_arriving_slower_than_real_time_plays_as_it_comes) {
  playback p;
  steady_time t{};
  std::vector<std::uint8_t> frame(160, 1);
  p.on_media(frame, t);
  p.on_media(frame, t + 100ms); // the buffer ran dry in between
  p.on_mark("m", t + 100ms);
  EXPECT_TRUE(p.due_marks(t + 119ms).empty());
  EXPECT_EQ(p.due_marks(t + 120ms).size(), 1u);
}

TEST(playback, clear_drops_the_buffer_and_returns_pending_marks) {
  playback p;
  steady_time t{};
  std::vector<std::uint8_t> second(8000, 1);
  p.on_media(second, t);
  p.on_mark("a", t);
  p.on_media(second, t);
  p.on_mark("b", t);
  auto pending = p.on_clear(t + 10ms);
  EXPECT_EQ(pending, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.buffered(t + 10ms), 0ms);
  EXPECT_TRUE(p.due_marks(t + 10s).empty());
}

TEST(playback, a_mark_with_nothing_buffered_is_due_at_once) {
  playback p;
  steady_time t{};
  p.on_mark("x", t);
  EXPECT_EQ(p.due_marks(t).size(), 1u);
  EXPECT_FALSE(p.first_audio());
}
