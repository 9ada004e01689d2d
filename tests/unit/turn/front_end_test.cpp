#include <gtest/gtest.h>

#include "actors/vad/front_end.hpp"

#include <cstdint>
#include <vector>

using namespace frontdesk::turn;
using namespace std::chrono_literals;

namespace {

// Frame n of a test call: 160 samples that all hold n, so the audio handed over shows which
// frames it came from and in what order.
std::vector<std::int16_t> frame(int n) { return std::vector<std::int16_t>(160, std::int16_t(n)); }

// Feeds frames [from, to) with one VAD verdict; collects what came out.
struct run {
  front_end& fe;
  std::vector<front_end::output> outs;
  std::vector<int> at; // the frame number of each output that was not empty
  void feed(int from, int to, bool speech) {
    for (int n = from; n < to; ++n) {
      auto f = frame(n);
      auto o = fe.feed(f, speech);
      if (o.barge || o.for_recogniser()) {
        outs.push_back(std::move(o));
        at.push_back(n);
      }
    }
  }
  // The frame numbers of all audio handed over, one entry per frame.
  std::vector<int> frames_handed_over() const {
    std::vector<int> got;
    for (auto& o : outs) {
      EXPECT_EQ(o.audio.size() % 160, 0u);
      for (std::size_t i = 0; i < o.audio.size(); i += 160) {
        for (std::size_t j = i; j < i + 160; ++j)
          EXPECT_EQ(o.audio[j], o.audio[i]) << "a frame was split";
        got.push_back(o.audio[i]);
      }
    }
    return got;
  }
};

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int n = from; n < to; ++n)
    v.push_back(n);
  return v;
}

} // namespace

TEST(front_end, silence_between_turns_says_nothing) {
  front_end fe;
  run r{fe};
  r.feed(0, 500, false); // ten seconds
  EXPECT_TRUE(r.outs.empty());
  EXPECT_EQ(fe.turn(), 0u);
  EXPECT_FALSE(fe.in_turn());
}

TEST(front_end, a_turn_hands_over_its_preroll_and_every_frame_in_blocks_then_ends) {
  front_end fe;
  run r{fe};
  r.feed(1, 41, false);   // 800 ms of silence
  r.feed(41, 91, true);   // one second of speech
  r.feed(91, 200, false); // silence until well past the end of the turn
  ASSERT_FALSE(r.outs.empty());
  // The turn starts on its third speech frame (60 ms of speech).
  EXPECT_TRUE(r.outs.front().started);
  EXPECT_EQ(r.at.front(), 43);
  EXPECT_EQ(r.outs.front().turn, 1u);
  // It ends after the neutral pause (500 ms, nothing recognised): 25 silent frames.
  auto& last = r.outs.back();
  EXPECT_TRUE(last.ended);
  EXPECT_EQ(r.at.back(), 115);
  EXPECT_EQ(last.turn, 1u);
  EXPECT_EQ(last.trailing_silence, 500ms);
  EXPECT_EQ(last.speech, 1000ms);
  EXPECT_FALSE(fe.in_turn());
  // Exactly one start and one end; the 300 ms before the start, then every frame to the end,
  // each once and in order; 100 ms blocks (the first carries the pre-roll).
  int starts = 0, ends = 0;
  for (std::size_t i = 0; i < r.outs.size(); ++i) {
    starts += r.outs[i].started;
    ends += r.outs[i].ended;
    EXPECT_FALSE(r.outs[i].barge);
    EXPECT_EQ(r.outs[i].turn, 1u);
    if (!r.outs[i].ended) {
      EXPECT_GE(r.outs[i].audio.size(), 5u * 160);
    }
  }
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(ends, 1);
  EXPECT_EQ(r.frames_handed_over(), range(43 - 15, 116));
  // 88 frames: the first block holds the 16 frames up to the start, then blocks of five
  // and the end's remainder: one message per 100 ms, not one per frame.
  EXPECT_EQ(r.outs.size(), 1u + 14u + 1u);
}

TEST(front_end, a_turn_at_the_start_of_the_call_has_only_the_preroll_there_was) {
  front_end fe;
  run r{fe};
  r.feed(1, 4, false);
  r.feed(4, 30, true);
  r.feed(30, 80, false);
  auto got = r.frames_handed_over();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front(), 1);
  EXPECT_EQ(got.back(), 54);
}

TEST(front_end, second_turn_is_numbered_and_gets_only_its_own_audio) {
  front_end fe;
  run first{fe};
  first.feed(1, 20, true);
  first.feed(20, 60, false);
  ASSERT_EQ(fe.turn(), 1u);
  run second{fe};
  second.feed(60, 100, false);
  second.feed(100, 120, true);
  second.feed(120, 160, false);
  EXPECT_EQ(fe.turn(), 2u);
  for (auto& o : second.outs)
    EXPECT_EQ(o.turn, 2u);
  EXPECT_EQ(second.frames_handed_over(), range(102 - 15, 145));
}

TEST(front_end, complete_words_end_the_turn_sooner_but_stale_ones_do_not) {
  front_end fe;
  run r{fe};
  r.feed(1, 20, true);
  fe.set_partial(fe.turn(), "what are your hours");
  r.feed(20, 60, false);
  EXPECT_EQ(r.outs.back().trailing_silence, 260ms);

  front_end stale;
  run s{stale};
  s.feed(1, 20, true);
  stale.set_partial(stale.turn() + 1, "what are your hours"); // not this turn's words
  s.feed(20, 60, false);
  EXPECT_EQ(s.outs.back().trailing_silence, 500ms);

  front_end late; // words that arrive after the turn ended do not carry into the next
  run l{late};
  l.feed(1, 20, true);
  l.feed(20, 60, false);
  late.set_partial(1, "what are your hours");
  l.feed(60, 80, true);
  l.feed(80, 140, false);
  EXPECT_EQ(l.outs.back().trailing_silence, 500ms);
}

TEST(front_end, what_the_dialog_expects_lengthens_the_pause) {
  front_end fe;
  fe.set_expectation(expectation::digits);
  run r{fe};
  r.feed(1, 20, true);
  r.feed(20, 120, false);
  ASSERT_TRUE(r.outs.back().ended);
  EXPECT_EQ(r.outs.back().trailing_silence, 1200ms);
}

TEST(front_end, speech_over_the_reply_barges_in_once_and_only_while_we_speak) {
  front_end fe;
  run quiet{fe};
  quiet.feed(1, 20, true); // we are not speaking: a turn, no barge-in
  quiet.feed(20, 60, false);
  for (auto& o : quiet.outs)
    EXPECT_FALSE(o.barge);

  fe.set_agent_speaking(true);
  run r{fe};
  r.feed(60, 62, true); // a 40 ms cough
  r.feed(62, 70, false);
  r.feed(70, 90, true);
  int barges = 0, at = 0;
  for (std::size_t i = 0; i < r.outs.size(); ++i)
    if (r.outs[i].barge && ++barges == 1)
      at = r.at[i];
  EXPECT_EQ(barges, 1);
  EXPECT_EQ(at, 74); // 100 ms of speech over the reply
  fe.set_agent_speaking(false);
  fe.set_agent_speaking(true); // a new reply: the caller can interrupt it again
  run again{fe};
  again.feed(90, 100, false);
  again.feed(100, 110, true);
  bool barged = false;
  for (auto& o : again.outs)
    barged = barged || o.barge;
  EXPECT_TRUE(barged);
}

TEST(front_end, after_a_long_silence_the_preroll_is_still_the_last_300_ms) {
  front_end fe;
  run r{fe};
  r.feed(1, 1001, false); // 20 s: the kept audio is cut back many times
  r.feed(1001, 1020, true);
  r.feed(1020, 1060, false);
  auto got = r.frames_handed_over();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front(), 1003 - 15);
  EXPECT_EQ(got, range(1003 - 15, got.back() + 1));
}
