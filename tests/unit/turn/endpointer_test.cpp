#include <gtest/gtest.h>

#include "actors/vad/barge_in.hpp"
#include "actors/vad/endpointer.hpp"

using namespace frontdesk::turn;
using namespace std::chrono_literals;

namespace {

// Feeds exactly `frames` frames of one value; returns the frame index (from 1) of the first
// event of kind `want`, or 0.
int feed(endpointer& ep, bool speech, int frames, endpointer::event want) {
  int first = 0;
  for (int i = 1; i <= frames; ++i)
    if (ep.feed(speech) == want && want != endpointer::event::none && first == 0)
      first = i;
  return first;
}

} // namespace

TEST(judge, reads_requests_and_answers) {
  EXPECT_EQ(judge("yes", expectation::anything), completeness::complete);
  EXPECT_EQ(judge("yes please", expectation::yes_no), completeness::complete);
  EXPECT_EQ(judge("i'd like to book tomorrow at two p m", expectation::anything),
            completeness::complete);
  EXPECT_EQ(judge("can i come in on", expectation::anything), completeness::unfinished);
  EXPECT_EQ(judge("my name is", expectation::anything), completeness::unfinished);
  EXPECT_EQ(judge("i was wondering about", expectation::anything), completeness::unfinished);
  EXPECT_EQ(judge("do you take insurance", expectation::anything), completeness::complete);
  EXPECT_EQ(judge("what are your hours", expectation::anything), completeness::complete);
  EXPECT_EQ(judge("do you take", expectation::anything), completeness::neutral);
  EXPECT_EQ(judge("no thank you", expectation::anything), completeness::complete);
  EXPECT_EQ(judge("thank you", expectation::yes_no), completeness::complete);
  EXPECT_EQ(judge("is it", expectation::anything), completeness::complete);
  EXPECT_EQ(judge("you", expectation::anything), completeness::unfinished);
  EXPECT_EQ(judge("what are your", expectation::anything), completeness::unfinished);
  EXPECT_EQ(judge("can i book an appointment for", expectation::anything),
            completeness::unfinished);
  EXPECT_EQ(judge("", expectation::anything), completeness::neutral);
}

TEST(judge, digits_are_complete_only_when_a_whole_number_was_read) {
  EXPECT_EQ(judge("five five five one two", expectation::digits), completeness::unfinished);
  EXPECT_EQ(judge("five five five one two three four five six seven", expectation::digits),
            completeness::complete);
  EXPECT_EQ(judge("555 123 4567", expectation::digits), completeness::complete);
}

TEST(endpointer, a_short_blip_does_not_start_a_turn) {
  endpointer ep;
  EXPECT_EQ(feed(ep, true, 2, endpointer::event::speech_started), 0);
  EXPECT_EQ(feed(ep, false, 50, endpointer::event::speech_started), 0);
  EXPECT_FALSE(ep.in_turn());
}

TEST(endpointer, speech_starts_after_the_minimum_and_a_complete_answer_ends_fast) {
  endpointer ep;
  EXPECT_EQ(feed(ep, true, 10, endpointer::event::speech_started), 3); // 60 ms
  feed(ep, true, 20, endpointer::event::turn_ended);
  ep.set_partial("yes");
  // 260 ms of silence: 13 frames.
  EXPECT_EQ(feed(ep, false, 100, endpointer::event::turn_ended), 13);
  EXPECT_EQ(ep.speech_in_turn(), 600ms); // 10 + 20 frames
}

TEST(endpointer, a_pause_mid_sentence_keeps_the_turn) {
  endpointer ep;
  feed(ep, true, 40, endpointer::event::none);
  ep.set_partial("i would like to book an appointment for");
  // 700 ms pause: not enough for an unfinished sentence (900 ms).
  EXPECT_EQ(feed(ep, false, 35, endpointer::event::turn_ended), 0);
  EXPECT_TRUE(ep.in_turn());
  feed(ep, true, 30, endpointer::event::none);
  ep.set_partial("i would like to book an appointment for tomorrow morning");
  EXPECT_EQ(feed(ep, false, 100, endpointer::event::turn_ended), 13);
}

TEST(endpointer, while_expecting_digits_the_window_is_long_until_the_number_is_whole) {
  endpointer ep;
  ep.set_expectation(expectation::digits);
  feed(ep, true, 40, endpointer::event::none);
  ep.set_partial("five five five");
  EXPECT_EQ(ep.current_window(), 1200ms);
  EXPECT_EQ(feed(ep, false, 55, endpointer::event::turn_ended), 0);
  feed(ep, true, 40, endpointer::event::none);
  ep.set_partial("five five five one two three four five six seven");
  EXPECT_EQ(ep.current_window(), 260ms);
  EXPECT_EQ(feed(ep, false, 100, endpointer::event::turn_ended), 13);
}

TEST(endpointer, a_whole_name_ends_sooner_than_half_a_name) {
  endpointer ep;
  ep.set_expectation(expectation::name);
  feed(ep, true, 40, endpointer::event::none);
  ep.set_partial("my name is");
  EXPECT_EQ(ep.current_window(), 1200ms);
  ep.set_partial("my name is maria garcia");
  EXPECT_EQ(ep.current_window(), 500ms);
}

TEST(endpointer, a_turn_never_runs_past_the_maximum) {
  endpointer ep(endpointer::settings{.max_turn = 2000ms});
  feed(ep, true, 3, endpointer::event::none);
  EXPECT_GT(feed(ep, true, 200, endpointer::event::turn_ended), 0);
}

TEST(barge_in, a_cough_does_not_interrupt_but_speech_does_fast) {
  barge_in b;
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(b.feed(true, true), barge_in::action::none); // 80 ms cough
  EXPECT_EQ(b.feed(false, true), barge_in::action::none);
  int frames = 0;
  barge_in::action a = barge_in::action::none;
  while (a == barge_in::action::none && frames < 50) {
    a = b.feed(true, true);
    ++frames;
  }
  EXPECT_EQ(a, barge_in::action::interrupt);
  EXPECT_EQ(frames, 5); // 100 ms of speech
  EXPECT_EQ(b.feed(true, true), barge_in::action::none); // once per interruption
}

TEST(barge_in, speech_while_the_agent_is_silent_is_not_an_interruption) {
  barge_in b;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(b.feed(true, false), barge_in::action::none);
}

TEST(barge_in, backchannels_and_short_utterances_resume_the_reply) {
  barge_in b;
  EXPECT_EQ(b.judge("okay", 600ms), barge_in::verdict::resume);
  EXPECT_EQ(b.judge("mm-hm", 500ms), barge_in::verdict::resume);
  EXPECT_EQ(b.judge("uh huh yeah", 700ms), barge_in::verdict::resume);
  EXPECT_EQ(b.judge("wait", 200ms), barge_in::verdict::resume);
  EXPECT_EQ(b.judge("no wait i meant thursday", 1200ms), barge_in::verdict::take_turn);
  EXPECT_EQ(b.judge("", 1200ms), barge_in::verdict::take_turn);
  EXPECT_FALSE(barge_in::is_backchannel(""));
  EXPECT_TRUE(barge_in::is_backchannel("Okay."));
}
