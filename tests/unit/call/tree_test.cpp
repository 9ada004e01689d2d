// The call's actor tree on real engines, driven without a network: a failing dialog or
// listener is restarted and the call goes on.
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actors/call/runtime.hpp"
#include "actors/dialog/echo_engine.hpp"
#include "adapters/speech/instant.hpp"
#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/audio/mulaw.hpp"
#include "tests/support/fragile_dialog.hpp"

using namespace frontdesk;
using namespace frontdesk::call;
using namespace std::chrono_literals;

namespace {

class null_out final : public media_out {
public:
  std::atomic<int> frames{0}, clears{0};
  std::atomic<bool> closed{false};
  std::mutex mtx;
  std::vector<std::string> marks; // sent, not yet echoed
  bool send_media(std::span<const std::uint8_t> mulaw) override {
    frames += static_cast<int>(mulaw.size() / frontdesk::audio::frame_samples); // a message may hold several
    return true;
  }
  bool send_mark(std::string_view name) override {
    std::lock_guard lk(mtx);
    marks.emplace_back(name);
    return true;
  }
  // Echoes every mark sent so far, as Twilio does once the audio before it has played.
  void play_out(call_handle& call) {
    std::lock_guard lk(mtx);
    for (auto& m : marks)
      call.mark(m);
    marks.clear();
  }
  bool send_clear() override { return ++clears, true; }
  void close(std::string_view) override { closed = true; }
};

class turns final : public call_events {
public:
  void on_turn(const call_info&, const turn_record& t) override {
    std::lock_guard lk(mtx);
    said.push_back(t.role + ": " + t.text);
    cv.notify_all();
  }
  void on_latency(const call_info&, const turn_latency&) override {}
  void on_transfer(const call_info&, const std::string&) override {}
  // Waits for a turn that starts with `text`.
  bool wait_for(const std::string& text, std::chrono::milliseconds limit = 20s) {
    std::unique_lock lk(mtx);
    return cv.wait_for(lk, limit, [&] {
      for (auto& s : said)
        if (s.rfind(text, 0) == 0)
          return true;
      return false;
    });
  }
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> said;
};

using fixtures::fragile_dialog;

struct tree_fixture {
  std::unique_ptr<speech::tts_engine> tts = speech::make_flite_tts("kal16");
  std::unique_ptr<speech::tts_engine> caller = speech::make_flite_tts("rms");
  std::unique_ptr<speech::stt_engine> stt;
  worker_pool pool{"speech", 2, 1000};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<call_runtime> rt;
  std::shared_ptr<turns> events = std::make_shared<turns>();
  std::atomic<int> vads_made{0};

  tree_fixture() {
    speech::pocketsphinx_settings ps;
    ps.phrases = {"yes please", "please crash now", "no thank you", "goodbye"};
    ps.decoders = 1;
    stt = speech::make_pocketsphinx(ps).value();
    cfg.set("scheduler.max-threads", size_t{2});
    cfg.set("scheduler.policy", caf::atom("sharing"));
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    call_services svc;
    svc.tts = tts.get();
    svc.stt = stt.get();
    svc.speech_pool = &pool;
    svc.events = events;
    svc.make_dialog = [](const booking::business_profile&) {
      return std::make_unique<fragile_dialog>();
    };
    svc.make_vad = [this] { ++vads_made; return speech::make_sphinx_vad(); };
    rt = make_call_runtime(*sys, std::move(svc));
  }
  ~tree_fixture() {
    rt->end_all("test over");
    for (int i = 0; i < 200 && rt->live() > 0; ++i)
      std::this_thread::sleep_for(10ms);
    sys.reset();
    pool.stop();
  }
  // Speaks into the call as Twilio would deliver it: a second of the line before the words (a
  // new listener's VAD spends its first 800 ms learning the line), the words, then a second of
  // silence.
  void say(call_handle& call, const std::string& text) {
    auto words = *speech::synthesize_all(*caller, text);
    words.insert(words.begin(), 8000, 0xff);
    words.resize(words.size() + 8000, 0xff);
    for (std::size_t off = 0; off + 160 <= words.size(); off += 160) {
      call.audio({words.begin() + long(off), words.begin() + long(off + 160)}, 0);
      std::this_thread::sleep_for(2ms); // faster than real time, in order
    }
  }
};

} // namespace

TEST(call_tree, a_failing_dialog_is_restarted_and_the_call_goes_on) {
  tree_fixture f;
  auto out = std::make_shared<null_out>();
  std::promise<call_report> ended;
  auto call = f.rt->start({"c1", "b1", "CA1", "MZ1", "+1555", "Test Clinic", "Hello from the test clinic."},
                          out, [&](call_report r) { ended.set_value(r); });
  ASSERT_TRUE(f.events->wait_for("agent: Hello from the test clinic."));
  std::this_thread::sleep_for(300ms);
  out->play_out(*call);
  f.say(*call, "please crash now");
  ASSERT_TRUE(f.events->wait_for("caller: please crash")) << [&] {
    std::string all;
    for (auto& t : f.events->said)
      all += t + " | ";
    return all;
  }();
  // The dialog died on that turn; the caller is asked again, by a fresh dialog.
  ASSERT_TRUE(f.events->wait_for("agent: Sorry, could you say that again?"));
  std::this_thread::sleep_for(300ms);
  out->play_out(*call);
  f.say(*call, "yes please");
  EXPECT_TRUE(f.events->wait_for("agent: You said: yes please."));
  call->end("stop");
  auto fut = ended.get_future();
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  auto r = fut.get();
  EXPECT_EQ(r.restarts, 1u);
  EXPECT_GT(r.frames_out, 50u);
}

// The first VAD fails after a second of audio, as a broken engine would.
class failing_vad final : public speech::vad {
public:
  explicit failing_vad(std::unique_ptr<speech::vad> inner) : inner_(std::move(inner)) {}
  bool is_speech(std::span<const std::int16_t> f) override {
    if (++frames_ > 50)
      throw std::runtime_error("vad failure (test)");
    return inner_->is_speech(f);
  }
  void reset() override { inner_->reset(); }

private:
  std::unique_ptr<speech::vad> inner_;
  int frames_ = 0;
};

TEST(call_tree, a_failing_listener_is_restarted_and_hears_the_next_turn) {
  tree_fixture f;
  call_services svc;
  svc.tts = f.tts.get();
  svc.stt = f.stt.get();
  svc.speech_pool = &f.pool;
  svc.events = f.events;
  svc.make_dialog = [](const booking::business_profile&) {
    return std::make_unique<dialog::echo_engine>();
  };
  std::atomic<int> made{0};
  svc.make_vad = [&made]() -> std::unique_ptr<speech::vad> {
    if (made++ == 0)
      return std::make_unique<failing_vad>(speech::make_sphinx_vad());
    return speech::make_sphinx_vad();
  };
  auto rt = make_call_runtime(*f.sys, std::move(svc));
  auto out = std::make_shared<null_out>();
  std::promise<call_report> ended;
  auto call = rt->start({"c1", "b1", "CA1", "MZ1", "+1555", "Test Clinic", "Hi."}, out,
                        [&](call_report r) { ended.set_value(r); });
  ASSERT_TRUE(f.events->wait_for("agent: Hi."));
  std::this_thread::sleep_for(200ms);
  out->play_out(*call);
  // A second of silence: the first listener fails on it and is replaced.
  for (int i = 0; i < 60; ++i)
    call->audio(std::vector<std::uint8_t>(160, 0xff), 0);
  for (int i = 0; i < 200 && made.load() < 2; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(made.load(), 2);
  f.say(*call, "yes please");
  EXPECT_TRUE(f.events->wait_for("agent: You said: yes please."));
  call->end("stop");
  auto fut = ended.get_future();
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(fut.get().restarts, 1u);
}

TEST(call_tree, engines_that_never_block_run_in_the_actors_without_the_speech_pool) {
  tree_fixture f;
  auto tone = speech::make_tone_tts();
  worker_pool stopped{"speech", 1, 10};
  stopped.stop(); // every job posted to it is refused: the call must not need it
  call_services svc;
  svc.tts = tone.get();
  svc.speech_pool = &stopped;
  svc.speech_blocks = false;
  svc.open_stt = [](const call_info& info, std::size_t n, speech::listen_for) {
    return speech::make_script_session(info.script, n);
  };
  svc.events = f.events;
  svc.make_dialog = [](const booking::business_profile&) {
    return std::make_unique<dialog::echo_engine>();
  };
  svc.make_vad = [] { return speech::make_sphinx_vad(); };
  auto rt = make_call_runtime(*f.sys, std::move(svc));
  auto out = std::make_shared<null_out>();
  std::promise<call_report> ended;
  call_info info{"c1", "b1", "CA1", "MZ1", "+1555", "Test Clinic", "Hi.", {"yes please"}};
  auto call = rt->start(info, out, [&](call_report r) { ended.set_value(r); });
  ASSERT_TRUE(f.events->wait_for("agent: Hi."));
  for (int i = 0; i < 200 && out->frames.load() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_GT(out->frames.load(), 0); // the greeting was synthesised without the pool
  out->play_out(*call);
  f.say(*call, "yes please");
  EXPECT_TRUE(f.events->wait_for("caller: yes please")); // recognised without the pool
  EXPECT_TRUE(f.events->wait_for("agent: You said: yes please."));
  call->end("stop");
  auto fut = ended.get_future();
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(fut.get().restarts, 0u);
}

namespace {

std::atomic<int> live_vads{0}, live_engines{0}, made_vads{0}, made_engines{0};

// Counts itself, so a test can see every call's parts go away with the call.
class counted_vad final : public speech::vad {
public:
  explicit counted_vad(std::unique_ptr<speech::vad> inner) : inner_(std::move(inner)) {
    ++live_vads;
    ++made_vads;
  }
  ~counted_vad() override { --live_vads; }
  bool is_speech(std::span<const std::int16_t> f) override { return inner_->is_speech(f); }
  void reset() override { inner_->reset(); }

private:
  std::unique_ptr<speech::vad> inner_;
};

class counted_engine final : public dialog::dialog_engine {
public:
  counted_engine() {
    ++live_engines;
    ++made_engines;
  }
  ~counted_engine() override { --live_engines; }
  dialog::reply start(const dialog::business_context& c) override { return inner_.start(c); }
  dialog::reply on_caller(std::string_view t) override { return inner_.on_caller(t); }
  dialog::reply on_result(const dialog::tool_result& r) override { return inner_.on_result(r); }
  void on_interrupted(std::string_view h) override { inner_.on_interrupted(h); }
  dialog::summary summarize() const override { return inner_.summarize(); }

private:
  dialog::echo_engine inner_;
};

} // namespace

TEST(call_tree, a_thousand_whole_trees_leave_no_actor_engine_or_vad_behind) {
  auto tone = speech::make_tone_tts();
  worker_pool pool{"speech", 2, 100000};
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", size_t{2});
  cfg.set("scheduler.policy", caf::atom("sharing"));
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  call_services svc;
  svc.tts = tone.get();
  svc.speech_pool = &pool;
  svc.open_stt = [](const call_info& info, std::size_t n, speech::listen_for) {
    return speech::make_script_session(info.script, n);
  };
  svc.make_dialog = [](const booking::business_profile&) {
    return std::make_unique<counted_engine>();
  };
  svc.make_vad = [] { return std::make_unique<counted_vad>(speech::make_sphinx_vad()); };
  auto rt = make_call_runtime(sys, std::move(svc));
  std::atomic<int> reports{0};
  const int calls = 1000;
  for (int i = 0; i < calls; ++i) {
    auto out = std::make_shared<null_out>();
    call_info info{"c" + std::to_string(i), "b", "CA", "MZ", "+1555", "Clinic", "Hello.",
                   {"hello there"}};
    auto call = rt->start(info, out, [&](call_report) { ++reports; });
    for (int k = 0; k < 5; ++k) // audio in flight when the call ends
      call->audio(std::vector<std::uint8_t>(160, 0xff), 0);
    call->end(i % 2 ? "stop" : "socket_closed");
  }
  for (int i = 0; i < 1500 && (reports.load() < calls || rt->live() > 0); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(reports.load(), calls);
  EXPECT_EQ(rt->live(), 0u);
  for (int i = 0; i < 300 && (sys.registry().running() > 0 || live_vads > 0 || live_engines > 0);
       ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sys.registry().running(), 0u); // supervisors, children, timers' targets: all gone
  EXPECT_EQ(made_vads.load(), calls); // every call had its whole tree
  EXPECT_EQ(made_engines.load(), calls);
  EXPECT_EQ(live_vads.load(), 0);
  EXPECT_EQ(live_engines.load(), 0);
  rt.reset();
  pool.stop();
}
