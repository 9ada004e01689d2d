// Deepgram live recognition against a fake Deepgram on loopback that speaks the real wire
// format, with PocketSphinx (real, on Flite speech) as the fallback.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/cloud_speech/cloud_speech.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/workers/serial.hpp"
#include "protocols/audio/mulaw.hpp"
#include "tests/support/fake_deepgram.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;
using fixtures::fake_deepgram;
using fixtures::turn_style;

namespace {

std::vector<std::int16_t> telephone(const std::string& text) {
  auto tts = speech::make_flite_tts("rms");
  auto mulaw = speech::synthesize_all(*tts, text);
  std::vector<std::int16_t> pcm;
  audio::mulaw_decode(*mulaw, pcm);
  return pcm;
}

std::unique_ptr<speech::stt_engine> pocketsphinx() {
  speech::pocketsphinx_settings s;
  s.phrases = {"book a haircut", "tomorrow at three", "yes please", "no thank you",
               "my name is ann lee"};
  s.decoders = 1;
  auto e = speech::make_pocketsphinx(s);
  EXPECT_TRUE(e) << e.error().message;
  return e ? std::move(*e) : nullptr;
}

speech::deepgram_stt_settings settings(const fake_deepgram& fake) {
  speech::deepgram_stt_settings s;
  s.base_url = fake.url();
  s.api_key = "dg-test-key";
  s.finalize_wait = 800ms;
  s.connect_timeout = 2000ms;
  return s;
}

// Feeds an utterance as the listener does: 100 ms blocks, as they come (`pace`: in real time).
void feed(speech::stt_session& s, const std::vector<std::int16_t>& pcm, bool pace = false) {
  for (std::size_t off = 0; off < pcm.size(); off += 800) {
    s.feed(std::span(pcm).subspan(off, std::min<std::size_t>(800, pcm.size() - off)));
    if (pace)
      std::this_thread::sleep_for(100ms);
  }
}

std::vector<std::int16_t> speechlike(std::size_t ms) {
  std::vector<std::int16_t> pcm(ms * 8);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<std::int16_t>(3000 * ((i / 20) % 2 ? 1 : -1));
  return pcm;
}

template <class F>
bool eventually(F f, std::chrono::milliseconds limit = 3000ms) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (f())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

} // namespace

TEST(deepgram_stt, a_call_streams_its_turns_over_one_socket_and_closes_it) {
  fake_deepgram fake({"book a haircut", "tomorrow at three"});
  metrics::registry reg;
  auto m = speech::register_vendor_metrics(reg, "deepgram", "stt");
  auto dg = speech::make_deepgram_stt(settings(fake), nullptr, m);
  dg->start_call("c1");
  auto s1 = dg->open("c1", "b1", 0);
  feed(*s1, speechlike(600));
  EXPECT_TRUE(eventually([&] { return !s1->partial().empty(); })) << "no interim result";
  auto r1 = s1->finish();
  EXPECT_EQ(r1.text, "book a haircut");
  EXPECT_FALSE(r1.rejected);
  EXPECT_TRUE(r1.note.empty());
  auto s2 = dg->open("c1", "b1", 1);
  feed(*s2, speechlike(400));
  auto r2 = s2->finish();
  EXPECT_EQ(r2.text, "tomorrow at three");
  EXPECT_EQ(dg->live_sockets(), 1u);
  EXPECT_NEAR(dg->end_call("c1"), 1.0, 0.01);
  ASSERT_TRUE(eventually([&] { return fake.open_sockets() == 0 && dg->live_sockets() == 0; }));
  auto conns = fake.connections();
  ASSERT_EQ(conns.size(), 1u);
  auto& c = conns[0];
  EXPECT_EQ(c.authorization, "Token dg-test-key");
  for (const char* q : {"encoding=mulaw", "sample_rate=8000", "channels=1", "interim_results=true",
                        "endpointing=300", "utterance_end_ms=1000", "model=nova-3"})
    EXPECT_NE(c.target.find(q), std::string::npos) << q << " missing from " << c.target;
  EXPECT_EQ(c.audio_bytes, 8000u); // one μ-law byte per sample, nothing lost or repeated
  EXPECT_TRUE(c.close_stream);
  // A turn's job that runs after the call ended opens no socket nobody would close.
  auto late = dg->open("c1", "b1", 2);
  late->feed(speechlike(100));
  EXPECT_TRUE(late->finish().unavailable);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(fake.connections().size(), 1u);
  EXPECT_EQ(m.requests->value(), 1u);
  EXPECT_EQ(m.failures->value(), 0u);
  EXPECT_EQ(m.units->value(), 1000u);
  EXPECT_GE(m.first_ms->count(), 1u);
}

TEST(deepgram_stt, every_way_a_turn_can_end_gives_it_once) {
  for (auto style : {turn_style::speech_final, turn_style::final_then_utterance_end,
                     turn_style::both, turn_style::interims_only, turn_style::silent_server}) {
    fake_deepgram fake({"yes please", "no thank you", "my name is ann lee"}, style);
    auto dg = speech::make_deepgram_stt(settings(fake), nullptr);
    // The first turn ends at the fake's endpointing (a 300 ms gap) before we ask; the second
    // when we send Finalize at once.
    auto s1 = dg->open("c", "b", 0);
    feed(*s1, speechlike(400));
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(s1->finish().text, "yes please") << int(style);
    auto s2 = dg->open("c", "b", 1);
    feed(*s2, speechlike(400));
    EXPECT_EQ(s2->finish().text, "no thank you") << int(style);
    auto s3 = dg->open("c", "b", 2);
    feed(*s3, speechlike(400));
    EXPECT_EQ(s3->finish().text, "my name is ann lee") << int(style);
    dg->end_call("c");
  }
}

TEST(deepgram_stt, a_silent_caller_keeps_the_socket_with_text_keepalives) {
  fake_deepgram fake({"yes please"}, turn_style::speech_final, [](int) {
    fixtures::fake_deepgram_plan p;
    p.idle_close = 1000ms; // the real server's 10 s, scaled down
    return p;
  });
  auto s = settings(fake);
  s.keepalive_after = 300ms;
  auto dg = speech::make_deepgram_stt(s, nullptr);
  dg->start_call("c");
  std::this_thread::sleep_for(2500ms); // on hold
  auto conns = fake.connections();
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_FALSE(conns[0].closed_by_idle);
  EXPECT_GE(conns[0].keepalives, 4u);
  EXPECT_EQ(conns[0].binary_frames, 0u); // KeepAlive never as audio (the fake closes 1008 on it)
  auto u = dg->open("c", "b", 0);
  feed(*u, speechlike(300));
  EXPECT_EQ(u->finish().text, "yes please");
  dg->end_call("c");
}

TEST(deepgram_stt, a_refused_handshake_falls_back_to_the_embedded_engine_in_the_same_turn) {
  auto ps = pocketsphinx();
  ASSERT_TRUE(ps);
  for (int status : {401, 402, 429}) {
    fake_deepgram fake({"book a haircut"}, turn_style::speech_final, [status](int) {
      fixtures::fake_deepgram_plan p;
      p.refuse_status = status;
      return p;
    });
    metrics::registry reg;
    auto m = speech::register_vendor_metrics(reg, "deepgram", "stt");
    auto dg = speech::make_deepgram_stt(settings(fake), ps.get(), m);
    auto s = dg->open("c", "b", 0);
    auto pcm = telephone("yes please");
    pcm.insert(pcm.end(), 2400, 0);
    feed(*s, pcm);
    auto r = s->finish();
    EXPECT_EQ(r.text, "yes please") << status;
    EXPECT_NE(r.note.find(std::to_string(status)), std::string::npos) << r.note;
    EXPECT_EQ(fake.connections().size(), 1u) << "a refused handshake is not retried";
    // The next turn goes straight to the embedded engine, with no note.
    auto s2 = dg->open("c", "b", 1);
    feed(*s2, pcm);
    auto r2 = s2->finish();
    EXPECT_EQ(r2.text, "yes please");
    EXPECT_TRUE(r2.note.empty());
    EXPECT_EQ(m.failures->value(), 1u);
    EXPECT_EQ(m.fallbacks->value(), 2u);
    dg->end_call("c");
  }
}

TEST(deepgram_stt, a_dropped_socket_reconnects_once_and_replays_what_was_not_final) {
  for (bool reset : {true, false}) { // a TCP reset, then a 1011 close
    fake_deepgram fake({"book a haircut", "tomorrow at three"}, turn_style::speech_final,
                       [reset](int n) {
                         fixtures::fake_deepgram_plan p;
                         if (n == 1) {
                           if (reset)
                             p.reset_after_bytes = 6000; // inside the second turn
                           else
                             p.close_1011_after_bytes = 6000;
                         }
                         return p;
                       });
    auto dg = speech::make_deepgram_stt(settings(fake), nullptr);
    auto s1 = dg->open("c", "b", 0);
    feed(*s1, speechlike(500)); // 4000 bytes
    EXPECT_EQ(s1->finish().text, "book a haircut");
    auto s2 = dg->open("c", "b", 1);
    feed(*s2, speechlike(500), true); // the socket drops at 6000 bytes
    auto r2 = s2->finish();
    EXPECT_EQ(r2.text, "tomorrow at three") << (reset ? "reset" : "1011");
    EXPECT_TRUE(r2.note.empty());
    auto conns = fake.connections();
    ASSERT_EQ(conns.size(), 2u);
    // The new socket got the second turn's audio again from its start (nothing of it was
    // final), not the first turn's.
    EXPECT_EQ(conns[1].audio_bytes, 4000u);
    dg->end_call("c");
  }
}

TEST(deepgram_stt, a_vendor_that_dies_mid_call_leaves_the_call_on_the_embedded_engine) {
  auto ps = pocketsphinx();
  ASSERT_TRUE(ps);
  // The fake would say "no thank you" for the second turn: what is heard comes from PocketSphinx.
  fake_deepgram fake({"book a haircut", "no thank you"});
  auto dg = speech::make_deepgram_stt(settings(fake), ps.get());
  dg->start_call("c");
  auto s1 = dg->open("c", "b", 0);
  feed(*s1, speechlike(400));
  EXPECT_EQ(s1->finish().text, "book a haircut");
  auto s2 = dg->open("c", "b", 1);
  auto pcm = telephone("yes please");
  pcm.insert(pcm.end(), 2400, 0);
  feed(*s2, std::vector<std::int16_t>(pcm.begin(), pcm.begin() + 1600));
  fake.kill(); // reset, and every reconnect refused
  feed(*s2, std::vector<std::int16_t>(pcm.begin() + 1600, pcm.end()));
  auto r2 = s2->finish();
  EXPECT_EQ(r2.text, "yes please");
  EXPECT_NE(r2.note.find("embedded recogniser"), std::string::npos) << r2.note;
  auto s3 = dg->open("c", "b", 2);
  auto yes = telephone("yes please");
  yes.insert(yes.end(), 2400, 0);
  feed(*s3, yes);
  auto r3 = s3->finish();
  EXPECT_EQ(r3.text, "yes please");
  EXPECT_TRUE(r3.note.empty());
  dg->end_call("c");
}

TEST(deepgram_stt, a_stalled_socket_is_dropped_and_the_turn_replayed_on_a_new_one) {
  fake_deepgram fake({"book a haircut"}, turn_style::speech_final, [](int n) {
    fixtures::fake_deepgram_plan p;
    p.mute = n == 1; // takes the audio, answers nothing
    return p;
  });
  auto s = settings(fake);
  s.stall_after = 500ms;
  auto dg = speech::make_deepgram_stt(s, nullptr);
  auto u = dg->open("c", "b", 0);
  feed(*u, speechlike(1000), true);
  auto r = u->finish();
  EXPECT_EQ(r.text, "book a haircut");
  auto conns = fake.connections();
  ASSERT_EQ(conns.size(), 2u);
  EXPECT_EQ(conns[1].audio_bytes, 8000u); // the whole turn again, nothing of it was final
  dg->end_call("c");
}

// The end of a turn as the listener asks for it: when_ready sends Finalize and calls back once
// the words are in, so the call's queue waits without a thread. On a pool of one thread,
// another call's job runs while the turn waits on a vendor that ignores Finalize.
TEST(deepgram_stt, a_turn_ends_without_a_thread_waiting_for_the_vendor) {
  for (auto style : {turn_style::speech_final, turn_style::silent_server}) {
    fake_deepgram fake({"yes please", "no thank you"}, style);
    auto dg = speech::make_deepgram_stt(settings(fake), nullptr);
    worker_pool pool("speech", 1, 100);
    auto call = std::make_shared<serial_queue>(pool);
    auto other = std::make_shared<serial_queue>(pool);
    using clock = std::chrono::steady_clock;
    std::atomic<bool> asked_async{false}, finished{false};
    clock::time_point ready_at{}, other_at{};
    std::string text;
    std::int64_t waited_us = -1;
    auto s = dg->open("c", "b", 0);
    feed(*s, speechlike(400));
    auto start = clock::now();
    ASSERT_TRUE(call->post_suspending([&](serial_queue::resume_fn resume) {
      asked_async = s->when_ready([&ready_at, resume] {
        ready_at = clock::now();
        resume();
      });
      if (!asked_async)
        resume();
    }));
    ASSERT_TRUE(call->post([&] {
      auto r = s->finish();
      text = r.text;
      waited_us = r.vendor_wait_us;
      finished = true;
    }));
    ASSERT_TRUE(other->post([&] { other_at = clock::now(); }));
    ASSERT_TRUE(eventually([&] { return finished.load(); }, 5000ms));
    pool.stop();
    EXPECT_EQ(text, "yes please") << int(style);
    EXPECT_GE(waited_us, 0);
    auto conns = fake.connections();
    ASSERT_EQ(conns.size(), 1u);
    EXPECT_LE(conns[0].finalizes, 1u) << "finish() after when_ready asks nothing again";
    ASSERT_NE(other_at, clock::time_point{});
    if (style == turn_style::silent_server) {
      // Interims only, never ended by the server: Finalize went, nothing answered it, and the
      // interims became the turn once finalize_wait had passed, the thread free meanwhile.
      EXPECT_TRUE(asked_async.load());
      EXPECT_EQ(conns[0].finalizes, 1u);
      EXPECT_GE(ready_at - start, 700ms);
      EXPECT_LT(other_at, ready_at) << "the other call's job waited behind the turn";
      // The turn waited on the vendor from Finalize to giving up on its answer.
      EXPECT_GE(waited_us, 700'000);
      EXPECT_LE(waited_us, std::chrono::duration_cast<std::chrono::microseconds>(ready_at - start).count());
    }
    // The next turn goes on over the same socket.
    auto s2 = dg->open("c", "b", 1);
    feed(*s2, speechlike(400));
    EXPECT_EQ(s2->finish().text, "no thank you") << int(style);
    dg->end_call("c");
  }
}

// A drop while the caller speaks: the new socket waits for their pause (by the quiet timer, or
// at the turn's end), then gets the whole utterance replayed, and the turn is heard whole.
TEST(deepgram_stt, a_drop_while_the_caller_speaks_reconnects_once_they_pause) {
  for (bool by_timer : {true, false}) {
    fake_deepgram fake({"book a haircut"}, turn_style::speech_final, [](int n) {
      fixtures::fake_deepgram_plan p;
      if (n == 1)
        p.reset_after_bytes = 2400; // 300 ms into the utterance
      return p;
    });
    auto s = settings(fake);
    s.reconnect_quiet = 1000ms; // wider than any pause in the paced audio below
    s.finalize_wait = 1500ms;
    auto dg = speech::make_deepgram_stt(s, nullptr);
    auto u = dg->open("c", "b", 0);
    auto pcm = speechlike(1200);
    std::size_t most_while_speaking = 0;
    for (std::size_t off = 0; off < pcm.size(); off += 800) {
      u->feed(std::span(pcm).subspan(off, 800));
      std::this_thread::sleep_for(100ms);
      if (off >= 4000) // the drop is well past
        most_while_speaking = std::max(most_while_speaking, fake.connections().size());
    }
    EXPECT_EQ(most_while_speaking, 1u) << "reconnected while the caller spoke";
    if (by_timer) { // the pause alone brings the new socket
      EXPECT_TRUE(eventually([&] { return fake.connections().size() == 2; }, 4000ms));
    }
    std::atomic<bool> ready{false};
    if (u->when_ready([&] { ready = true; })) {
      ASSERT_TRUE(eventually([&] { return ready.load(); }, 4000ms));
    }
    auto r = u->finish();
    EXPECT_EQ(r.text, "book a haircut") << by_timer;
    auto conns = fake.connections();
    ASSERT_EQ(conns.size(), 2u);
    EXPECT_EQ(conns[1].audio_bytes, 9600u) << "the whole utterance, once";
    dg->end_call("c");
  }
}

// The caller's 20 ms frames go out in 100 ms messages (send_every); what is held back goes at
// once at the turn's end, before its Finalize, and at the call's end, before CloseStream.
TEST(deepgram_stt, the_callers_frames_go_in_100_ms_messages_and_the_rest_at_the_turns_end) {
  fake_deepgram fake({"book a haircut", "tomorrow at three"});
  auto dg = speech::make_deepgram_stt(settings(fake), nullptr);
  dg->start_call("c");
  ASSERT_TRUE(eventually([&] { return dg->live_sockets() == 1; }));
  auto frames = [](speech::stt_session& s, std::size_t n) {
    auto pcm = speechlike(20 * n);
    for (std::size_t off = 0; off < pcm.size(); off += 160)
      s.feed(std::span(pcm).subspan(off, 160));
  };
  auto s1 = dg->open("c", "b", 0);
  frames(*s1, 23); // 460 ms: four messages of 100 ms, and 60 ms held back
  ASSERT_TRUE(eventually([&] {
    auto c = fake.connections();
    return !c.empty() && c[0].audio_bytes == 3200;
  })) << "the four full messages go as they fill";
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(fake.connections()[0].binary_frames, 4u);
  EXPECT_EQ(fake.connections()[0].audio_bytes, 3200u) << "60 ms held back until the turn ends";
  EXPECT_EQ(s1->finish().text, "book a haircut");
  auto c = fake.connections()[0];
  EXPECT_EQ(c.audio_bytes, 3680u); // every byte once
  EXPECT_EQ(c.binary_frames, 5u);
  ASSERT_FALSE(c.texts.empty());
  EXPECT_NE(c.texts.back().find("Finalize"), std::string::npos) << "the rest went before it";
  // A call that ends mid-utterance sends what it held before CloseStream.
  auto s2 = dg->open("c", "b", 1);
  frames(*s2, 3);
  dg->end_call("c");
  ASSERT_TRUE(eventually([&] { return fake.open_sockets() == 0; }));
  c = fake.connections()[0];
  EXPECT_EQ(c.audio_bytes, 3680u + 480u);
  EXPECT_EQ(c.binary_frames, 6u);
  EXPECT_TRUE(c.close_stream);
}

// A socket that goes down with a write in flight: the write still reads its buffer until its
// completion runs, so the buffer must live until then (freeing it at the drop was a use after
// free, and the completion's pop of the emptied queue aborted a loaded node with a double
// free). The fake reads nothing, so an 8 MB message cannot drain into the kernel's buffers
// (the client's send buffer is at most 4 MB) and is certainly in flight when the socket goes:
// dropped by us as stalled (the drop handled while the write waits, then the write's
// completion), or reset by the fake. The call then goes on: one reconnect, the audio that was
// not final replayed, the turn heard.
TEST(deepgram_stt, a_drop_with_a_large_write_in_flight_reconnects_and_the_turn_is_heard) {
  for (bool stalled : {true, false}) {
    fake_deepgram fake({"book a haircut"}, turn_style::speech_final, [](int n) {
      fixtures::fake_deepgram_plan p;
      p.deaf = n == 1;
      return p;
    });
    auto s = settings(fake);
    s.reconnect_quiet = 200ms;
    s.finalize_wait = 2000ms;
    s.stall_after = stalled ? 600ms : 60000ms;
    auto dg = speech::make_deepgram_stt(s, nullptr);
    dg->start_call("c");
    ASSERT_TRUE(eventually([&] { return dg->live_sockets() == 1; }));
    auto u = dg->open("c", "b", 0);
    u->feed(speechlike(1'000'000)); // 1,000 s of audio: one 8 MB message
    // The message has started, and the fake's buffer is full: the write waits for room that
    // never comes.
    ASSERT_TRUE(eventually([&] { return fake.unread_bytes() >= 64 * 1024; })) << stalled;
    if (!stalled) {
      std::this_thread::sleep_for(100ms);
      fake.reset_sockets();
    }
    ASSERT_TRUE(eventually([&] { return fake.connections().size() == 2; }, 4000ms))
        << "no reconnect after the drop " << stalled;
    auto r = u->finish();
    EXPECT_EQ(r.text, "book a haircut") << stalled;
    EXPECT_TRUE(r.note.empty()) << r.note;
    auto conns = fake.connections();
    ASSERT_EQ(conns.size(), 2u);
    EXPECT_EQ(conns[0].audio_bytes, 0u); // the deaf socket read nothing
    // The replay: the newest 30 s of the utterance (max_replay_bytes), once.
    EXPECT_EQ(conns[1].audio_bytes, s.max_replay_bytes) << stalled;
    EXPECT_EQ(dg->live_sockets(), 1u);
    dg->end_call("c");
    // (The deaf socket never reads, so the fake never sees it go: only ours is checked.)
    EXPECT_TRUE(eventually([&] { return dg->live_sockets() == 0; }));
    EXPECT_TRUE(fake.connections()[1].close_stream);
  }
}
