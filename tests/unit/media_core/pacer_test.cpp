#include <gtest/gtest.h>

#include "actors/media/pacer.hpp"

using namespace frontdesk::media;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> audio(std::chrono::milliseconds d, std::uint8_t value = 0x7f) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(d.count()) * 8, value);
}

std::size_t count(const std::vector<pacer::item>& items, pacer::item::kind k) {
  std::size_t n = 0;
  for (auto& i : items)
    n += i.what == k;
  return n;
}

} // namespace

TEST(pacer, sends_no_faster_than_twice_real_time_and_no_further_ahead_than_the_lead) {
  pacer p;
  auto a = audio(2000ms);
  p.enqueue(1, a, true);
  steady_time t{};
  std::size_t frames = 0;
  // Over the first 100 ms at 2x, at most ~200 ms of audio goes out.
  for (int tick = 0; tick < 5; ++tick, t += 20ms)
    frames += count(p.poll(t), pacer::item::kind::media);
  EXPECT_LE(frames * 20, 200u + 40u);
  EXPECT_GE(frames * 20, 160u);
  // In steady state: one 20 ms frame per 20 ms tick (the lead caps it).
  for (int tick = 0; tick < 20; ++tick, t += 20ms)
    frames += count(p.poll(t), pacer::item::kind::media);
  std::size_t before = frames;
  for (int tick = 0; tick < 50; ++tick, t += 20ms)
    frames += count(p.poll(t), pacer::item::kind::media);
  EXPECT_EQ(frames - before, 50u);
}

TEST(pacer, frames_carry_the_queued_audio_in_order_and_a_mark_follows) {
  pacer p;
  std::vector<std::uint8_t> a(800);
  for (std::size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<std::uint8_t>(i);
  p.enqueue(3, a, true);
  steady_time t{};
  std::vector<std::uint8_t> got;
  std::vector<std::string> marks;
  for (int tick = 0; tick < 20; ++tick, t += 20ms)
    for (auto& i : p.poll(t)) {
      if (i.what == pacer::item::kind::media) {
        EXPECT_EQ(i.audio.size(), 160u);
        EXPECT_TRUE(marks.empty()) << "audio after the mark";
        got.insert(got.end(), i.audio.begin(), i.audio.end());
      } else {
        marks.push_back(i.mark);
      }
    }
  EXPECT_EQ(got, a);
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_FALSE(p.idle()); // the mark is not acknowledged yet
  EXPECT_TRUE(p.on_mark(marks[0]));
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(p.heard(3), 100ms);
}

TEST(pacer, forty_ms_messages) {
  pacer p(pacer::settings{40ms, 200ms, 2.0});
  p.enqueue(1, audio(400ms), false);
  auto items = p.poll(steady_time{});
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].audio.size(), 320u);
}

TEST(pacer, clear_drops_the_queue_and_reports_what_was_heard) {
  pacer p;
  // Three sentences of one utterance, each followed by a mark.
  p.enqueue(7, audio(100ms), true);
  p.enqueue(7, audio(100ms), true);
  p.enqueue(7, audio(1000ms), true);
  steady_time t{};
  std::vector<std::string> marks;
  for (int tick = 0; tick < 15; ++tick, t += 20ms)
    for (auto& i : p.poll(t))
      if (i.what == pacer::item::kind::mark)
        marks.push_back(i.mark);
  ASSERT_EQ(marks.size(), 2u);
  p.on_mark(marks[0]); // only the first sentence has played
  auto c = p.clear(t);
  EXPECT_TRUE(c.was_playing);
  EXPECT_EQ(c.utterance, 7u);
  EXPECT_EQ(c.heard, 100ms);
  EXPECT_GT(c.sent, 200ms);
  EXPECT_LT(c.sent, 1200ms);
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(p.queued(), 0ms);
  // Marks echoed after the clear are stale.
  EXPECT_FALSE(p.on_mark(marks[1]));
  EXPECT_TRUE(p.poll(t + 20ms).empty());
}

TEST(pacer, a_new_utterance_resets_what_was_heard) {
  pacer p;
  p.enqueue(1, audio(40ms), true);
  steady_time t{};
  std::string m;
  for (int tick = 0; tick < 5; ++tick, t += 20ms)
    for (auto& i : p.poll(t))
      if (i.what == pacer::item::kind::mark)
        m = i.mark;
  p.on_mark(m);
  EXPECT_EQ(p.heard(1), 40ms);
  p.enqueue(2, audio(40ms), false);
  p.poll(t + 20ms);
  EXPECT_EQ(p.current_utterance(), 2u);
  EXPECT_EQ(p.heard(2), 0ms);
}

TEST(pacer, clear_when_silent_reports_nothing_playing) {
  pacer p;
  auto c = p.clear(steady_time{});
  EXPECT_FALSE(c.was_playing);
  EXPECT_EQ(c.sent, 0ms);
}

TEST(pacer, a_long_stall_does_not_cause_a_burst) {
  pacer p;
  p.enqueue(1, audio(3000ms), false);
  steady_time t{};
  p.poll(t);
  // The actor was late by a whole second: still no more than the lead goes out at once.
  auto items = p.poll(t + 1000ms);
  EXPECT_LE(count(items, pacer::item::kind::media) * 20, 200u);
}

TEST(pacer, a_slower_tick_sends_a_ticks_worth_and_never_lets_playback_run_dry) {
  pacer::settings s;
  s.tick = 60ms;
  pacer p(s);
  p.enqueue(1, audio(3000ms), false);
  steady_time t{};
  steady_time playout_end = t;
  std::size_t frames = 0;
  for (int tick = 0; tick < 40; ++tick, t += 60ms) {
    // At each tick the caller still has audio buffered (after the first).
    if (tick > 0) {
      EXPECT_GE(playout_end - t, 60ms) << "tick " << tick;
    }
    auto n = count(p.poll(t), pacer::item::kind::media);
    frames += n;
    playout_end = std::max(playout_end, t) + std::chrono::milliseconds(20 * n);
    EXPECT_LE(playout_end - t, 200ms); // never further ahead than the lead
    EXPECT_LE(n * 20, 120u);           // never more than 2x a tick at once
  }
  // Real time over the 39 ticks after the first, plus what the lead allows ahead.
  EXPECT_GE(frames * 20, 2340u + 60u);
  EXPECT_LE(frames * 20, 2340u + 200u);
}
