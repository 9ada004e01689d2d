// The call tap: what a live call tells watching and listening consoles, the listener's
// drop-oldest queue, and the WAV of a listened call (its base64 is the Twilio codec's, tested
// there).
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "protocols/audio/mulaw.hpp"
#include "protocols/console/tap.hpp"

using namespace frontdesk::console;
using kind = tap_item::kind;

namespace {

struct recorder {
  std::vector<tap_item> items;
  call_tap::sink sink() {
    return [this](const tap_item& it) { items.push_back(it); };
  }
  std::vector<std::string> texts(kind k) const {
    std::vector<std::string> out;
    for (auto& i : items)
      if (i.k == k)
        out.push_back(i.text);
    return out;
  }
};

std::vector<std::uint8_t> frame(std::uint8_t b, std::size_t n = 160) { return std::vector<std::uint8_t>(n, b); }

} // namespace

TEST(call_tap, a_watcher_hears_the_current_state_then_changes_and_partials_without_repeats) {
  call_tap t;
  t.state("speaking"); // before anyone watches: kept, not sent
  recorder w;
  ASSERT_NE(t.subscribe(false, w.sink()), 0u);
  t.state("speaking");
  t.state("listening");
  t.partial("what are");
  t.partial("what are");
  t.partial("what are your hours");
  t.partial("");
  t.state("thinking");
  t.caller_audio(frame(0x10)); // a watcher hears no audio
  t.agent_audio(frame(0x20));
  EXPECT_EQ(w.texts(kind::state), (std::vector<std::string>{"speaking", "listening", "thinking"}));
  EXPECT_EQ(w.texts(kind::partial), (std::vector<std::string>{"what are", "what are your hours"}));
  EXPECT_EQ(w.texts(kind::caller_audio).size() + w.texts(kind::agent_audio).size(), 0u);
}

TEST(call_tap, a_listener_hears_both_legs_in_order_placed_on_the_callers_clock) {
  call_tap t;
  t.caller_audio(frame(1)); // before the listener: counted, not sent
  recorder l;
  auto id = t.subscribe(true, l.sink());
  t.caller_audio(frame(2));
  t.agent_audio(frame(3, 480)); // 60 ms sent ahead at once
  t.agent_audio(frame(4, 480)); // plays after the first, not over it
  t.caller_audio(frame(5));
  std::vector<tap_item> audio;
  for (auto& i : l.items)
    if (i.k == kind::caller_audio || i.k == kind::agent_audio)
      audio.push_back(i);
  ASSERT_EQ(audio.size(), 4u);
  EXPECT_EQ(audio[0].k, kind::caller_audio);
  EXPECT_EQ(audio[0].n, 160u);
  EXPECT_EQ(audio[0].at, 160u);
  EXPECT_EQ(audio[1].k, kind::agent_audio);
  EXPECT_EQ(audio[1].n, 0u);
  EXPECT_EQ(audio[1].at, 320u); // the caller's clock when it was sent
  EXPECT_EQ(audio[2].n, 480u);
  EXPECT_EQ(audio[2].at, 800u); // right after the first
  EXPECT_EQ(audio[3].at, 320u);
  EXPECT_EQ(t.caller_samples(), 480u);
  EXPECT_EQ(t.agent_samples(), 960u);
  t.unsubscribe(id);
  t.caller_audio(frame(6));
  EXPECT_EQ(l.items.size(), 5u); // the first state and four audio items; nothing after
  EXPECT_EQ(t.subscribers(), 0u);
}

TEST(call_tap, the_end_reaches_every_subscriber_once_and_nothing_follows) {
  call_taps taps;
  auto t = taps.open("c1");
  EXPECT_EQ(taps.open("c1"), t);
  recorder w, l;
  t->subscribe(false, w.sink());
  t->subscribe(true, l.sink());
  t->caller_audio(frame(1));
  taps.close("c1", "caller_hung_up");
  taps.close("c1", "again");
  EXPECT_EQ(taps.find("c1"), nullptr);
  EXPECT_EQ(taps.size(), 0u);
  t->state("speaking");
  t->caller_audio(frame(2));
  EXPECT_EQ(t->subscribe(true, l.sink()), 0u); // too late
  for (auto* r : {&w, &l}) {
    ASSERT_FALSE(r->items.empty());
    EXPECT_EQ(r->items.back().k, kind::ended);
    EXPECT_EQ(r->items.back().text, "caller_hung_up");
    EXPECT_EQ(r->texts(kind::ended).size(), 1u);
  }
  EXPECT_EQ(l.items.back().n, 160u); // the caller's samples at the end
}

TEST(call_tap, publishing_from_several_threads_keeps_each_legs_order) {
  call_tap t;
  recorder l;
  t.subscribe(true, l.sink());
  std::thread caller([&] {
    for (int i = 0; i < 500; ++i)
      t.caller_audio(frame(static_cast<std::uint8_t>(i)));
  });
  std::thread agent([&] {
    for (int i = 0; i < 500; ++i)
      t.agent_audio(frame(static_cast<std::uint8_t>(i)));
  });
  caller.join();
  agent.join();
  std::uint64_t next_caller = 0, next_agent = 0, last_at = 0;
  for (auto& i : l.items) {
    if (i.k == kind::caller_audio) {
      EXPECT_EQ(i.n, next_caller);
      next_caller += 160;
    } else if (i.k == kind::agent_audio) {
      EXPECT_EQ(i.n, next_agent);
      EXPECT_GE(i.at, last_at);
      last_at = i.at + 160;
      next_agent += 160;
    }
  }
  EXPECT_EQ(next_caller, 500u * 160);
  EXPECT_EQ(next_agent, 500u * 160);
}

TEST(audio_ring, drops_the_oldest_audio_and_keeps_an_end) {
  audio_ring r(3);
  for (std::uint64_t i = 0; i < 5; ++i)
    r.push(tap_item{kind::caller_audio, "c", i * 160, i * 160, frame(1)});
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.dropped_items(), 2u);
  EXPECT_EQ(r.dropped_samples(), 320u);
  r.push(tap_item{kind::ended, "c", 0, 0, {}});
  r.push(tap_item{kind::agent_audio, "d", 0, 0, frame(2)});
  r.push(tap_item{kind::agent_audio, "d", 160, 160, frame(2)});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.pop().k, kind::ended);
  EXPECT_EQ(r.pop().n, 0u);
  EXPECT_EQ(r.pop().n, 160u);
  EXPECT_TRUE(r.empty());
  audio_ring ends(1);
  ends.push(tap_item{kind::ended, "a", 0, 0, {}});
  ends.push(tap_item{kind::ended, "b", 0, 0, {}});
  EXPECT_EQ(ends.size(), 2u); // ends are never dropped
}

TEST(stereo_call, places_each_leg_and_writes_a_playable_wav) {
  stereo_call c;
  std::vector<std::uint8_t> tone;
  for (int i = 0; i < 160; ++i)
    tone.push_back(frontdesk::audio::mulaw_encode(static_cast<std::int16_t>(i % 2 ? 8000 : -8000)));
  c.add(true, 0, tone);
  c.add(false, 320, tone);
  EXPECT_EQ(c.samples(), 480u);
  EXPECT_EQ(c.received(true), 160u);
  EXPECT_EQ(c.received(false), 160u);
  EXPECT_NEAR(c.rms(true), 8000, 300);
  EXPECT_NEAR(c.rms(false), 8000, 300);
  auto wav = c.wav();
  ASSERT_EQ(wav.size(), 44u + 480 * 4);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(wav.substr(36, 4), "data");
  auto sample = [&](std::size_t frame, int channel) {
    std::int16_t v;
    std::memcpy(&v, wav.data() + 44 + frame * 4 + static_cast<std::size_t>(channel) * 2, 2);
    return v;
  };
  EXPECT_NEAR(std::abs(sample(0, 0)), 8000, 300); // the caller, left
  EXPECT_EQ(sample(0, 1), 0);                     // the receptionist not yet
  EXPECT_EQ(sample(200, 0), 0);
  EXPECT_NEAR(std::abs(sample(330, 1)), 8000, 300);
  stereo_call far;
  far.add(true, ~0ull - 10, tone); // past an hour: ignored, not a huge allocation
  EXPECT_EQ(far.samples(), 0u);
}

TEST(call_tap, a_late_subscriber_hears_every_turn_and_latency_so_far_then_live_ones) {
  call_tap t;
  t.origin_ms(1200);
  t.turn("agent", "Hello.", 1300, false);
  t.latency(R"({"turn":1})");
  t.turn("caller", "Hi.", 2000, false);
  recorder w;
  ASSERT_NE(t.subscribe(false, w.sink()), 0u);
  t.turn("agent", "How can I help?", 2500, true);
  ASSERT_EQ(w.items.size(), 5u);
  // First the subscription's opening state: n 1, where this node's stretch starts.
  EXPECT_EQ(w.items[0].k, kind::state);
  EXPECT_EQ(w.items[0].n, 1u);
  EXPECT_EQ(w.items[0].at, 1200u);
  EXPECT_EQ(w.texts(kind::turn), (std::vector<std::string>{"Hello.", "Hi.", "How can I help?"}));
  EXPECT_EQ(w.items[2].k, kind::latency);
  EXPECT_EQ(w.items[2].n, 0u);
  // Turns are numbered from 0 in order; replayed items have no serial, live ones do.
  EXPECT_EQ(w.items[1].n, 0u);
  EXPECT_EQ(w.items[3].n, 1u);
  EXPECT_EQ(w.items[4].n, 2u);
  EXPECT_EQ(w.items[4].role, "agent");
  EXPECT_TRUE(w.items[4].interrupted);
  EXPECT_EQ(w.items[1].serial, 0u);
  EXPECT_NE(w.items[4].serial, 0u);
  EXPECT_NE(w.items[4].at_us, 0);
}

TEST(call_tap, every_subscriber_gets_one_published_item_with_the_same_serial) {
  call_tap t;
  recorder a, b;
  t.subscribe(false, a.sink());
  t.subscribe(true, b.sink());
  t.state("thinking");
  t.turn("agent", "One moment.", 10, false);
  ASSERT_EQ(a.items.size(), 3u);
  ASSERT_EQ(b.items.size(), 3u);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_NE(a.items[i].serial, 0u);
    EXPECT_EQ(a.items[i].serial, b.items[i].serial);
  }
  EXPECT_NE(a.items[1].serial, a.items[2].serial);
  t.end("stop");
  t.turn("agent", "too late", 20, false); // after the end: nothing
  EXPECT_EQ(a.texts(kind::turn).size(), 1u);
}

TEST(call_tap, says_whose_call_it_is_once_described_and_that_it_ended) {
  call_taps taps;
  auto t = taps.open("c1"); // a subscriber's, before the call's actors start
  EXPECT_TRUE(t->about().business_id.empty());
  EXPECT_FALSE(t->about().ended);
  taps.open("c1")->describe("b1", "+15550001111"); // the call's actors take the same tap
  EXPECT_EQ(t->about().business_id, "b1");
  EXPECT_EQ(t->about().caller, "+15550001111");
  taps.close("c1", "caller_hung_up");
  EXPECT_TRUE(t->about().ended);
  EXPECT_EQ(t->about().business_id, "b1");
}

TEST(live_calls, keeps_a_call_from_its_first_row_until_its_end) {
  live_calls live;
  EXPECT_FALSE(live.find("c1"));
  EXPECT_TRUE(live.update(
      "c1", {"b1", "node-a", "+15550001111", "ringing", "2026-01-01T10:00:00+00:00", 0}, false));
  auto r = live.find("c1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->business_id, "b1");
  EXPECT_EQ(r->node, "node-a");
  EXPECT_EQ(r->status, "ringing");
  EXPECT_EQ(r->turns, 0);
  EXPECT_FALSE(live.update(
      "c1", {"b1", "node-a", "+15550001111", "in-progress", "2026-01-01T10:00:00+00:00", 2},
      false)); // a later row replaces the earlier; the call is not new
  EXPECT_EQ(live.find("c1")->turns, 2);
  EXPECT_EQ(live.find("c1")->status, "in-progress");
  EXPECT_FALSE(live.update("c1", {"b1", "node-a", "+15550001111", "completed", "", 6}, true));
  EXPECT_FALSE(live.find("c1"));
  // An ended call's first row is no new live call; a late row of an ended call (its last
  // writes trail its end) does not bring it back.
  EXPECT_FALSE(live.update("c2", {"b1", "node-a", "", "failed", "", 0}, true));
  EXPECT_FALSE(live.update("c1", {"b1", "node-a", "+15550001111", "in-progress", "", 6}, false));
  EXPECT_FALSE(live.find("c1"));
  // A call finished as lost with its node opens again on the node that takes it over.
  EXPECT_TRUE(live.update("c1", {"b1", "node-b", "+15550001111", "in-progress", "", 6}, false));
  EXPECT_EQ(live.find("c1")->node, "node-b");
  EXPECT_EQ(live.size(), 1u);
}

TEST(live_calls, holds_at_most_its_bound_and_forgets_the_oldest_first) {
  live_calls live(3);
  for (int i = 0; i < 5; ++i)
    live.update("c" + std::to_string(i), {"b", "n", "", "ringing", "", 0}, false);
  EXPECT_EQ(live.size(), 3u);
  EXPECT_FALSE(live.find("c0"));
  EXPECT_FALSE(live.find("c1"));
  EXPECT_TRUE(live.find("c4"));
  live.update("c2", {"b", "n", "", "completed", "", 0}, true);
  // Many calls that start and end while there is room: what ended leaves nothing behind, and
  // the calls that last are kept.
  for (int i = 0; i < 1000; ++i) {
    live.update("x" + std::to_string(i), {"b", "n", "", "ringing", "", 0}, false);
    live.update("x" + std::to_string(i), {"b", "n", "", "completed", "", 0}, true);
  }
  EXPECT_EQ(live.size(), 2u);
  EXPECT_TRUE(live.find("c3"));
  EXPECT_TRUE(live.find("c4"));
  // A call seen again after it was forgotten is kept anew, as the newest; when full, the
  // oldest goes.
  EXPECT_TRUE(live.update("c0", {"b", "n", "", "ringing", "", 0}, false));
  live.update("c1", {"b", "n", "", "ringing", "", 0}, false);
  EXPECT_TRUE(live.find("c0"));
  EXPECT_TRUE(live.find("c1"));
  EXPECT_FALSE(live.find("c3"));
  EXPECT_EQ(live.size(), 3u);
}

TEST(call_tap, a_replay_tells_what_a_subscriber_would_hear_first_then_runs_its_step) {
  call_tap t;
  recorder live;
  t.subscribe(false, live.sink());
  t.state("speaking");
  t.turn("caller", "hello", 10, false);
  t.latency(R"({"total_ms":12})");
  recorder late;
  bool joined = false;
  EXPECT_TRUE(t.replay(late.sink(), [&] {
    joined = true;
    EXPECT_EQ(late.items.size(), 3u); // the step runs after the replay
  }));
  EXPECT_TRUE(joined);
  ASSERT_EQ(late.items.size(), 3u);
  EXPECT_EQ(late.items[0].k, kind::state);
  EXPECT_EQ(late.items[0].text, "speaking");
  EXPECT_EQ(late.items[0].n, 1u);
  EXPECT_EQ(late.items[1].k, kind::turn);
  EXPECT_EQ(late.items[1].text, "hello");
  EXPECT_EQ(late.items[1].serial, 0u);
  EXPECT_EQ(late.items[2].k, kind::latency);
  // A replay subscribes nothing: what follows reaches the subscriber only.
  t.turn("agent", "hi", 20, false);
  EXPECT_EQ(late.items.size(), 3u);
  EXPECT_EQ(live.texts(kind::turn).back(), "hi");
  t.end("done");
  EXPECT_FALSE(t.replay(late.sink(), [&] { ADD_FAILURE() << "ran after the end"; }));
}
