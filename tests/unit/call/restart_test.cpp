// The supervisor's restarts, run deterministically: CAF's test coordinator runs every actor on
// this thread, a manual worker pool runs the speech jobs here too, and the actors' clock moves
// only when the test moves it (20 ms per caller frame, as Twilio sends them). Each run is the
// same run: no sleeps, no timeouts to tune.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/call/runtime.hpp"
#include "actors/dialog/echo_engine.hpp"
#include "actors/dialog/saved_state.hpp"
#include "adapters/speech/instant.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/audio/mulaw.hpp"
#include "tests/support/fragile_dialog.hpp"

using namespace frontdesk;
using namespace frontdesk::call;
using namespace std::chrono_literals;

namespace {

// Twilio's side of the stream: counts frames and clears, and plays marks back at once.
class twilio_side final : public media_out {
public:
  int frames = 0, clears = 0;
  std::vector<std::string> marks; // sent, not yet played back
  std::string closed;             // why we ended the stream (empty: still open)
  bool send_media(std::span<const std::uint8_t> mulaw) override {
    frames += static_cast<int>(mulaw.size() / frontdesk::audio::frame_samples); // a message may hold several
    return true;
  }
  bool send_mark(std::string_view name) override { return marks.emplace_back(name), true; }
  bool send_clear() override { return ++clears, true; }
  void close(std::string_view why) override { closed = std::string(why); }
};

class transcript final : public call_events {
public:
  void on_turn(const call_info&, const turn_record& t) override {
    said.push_back(t.role + ": " + t.text);
  }
  void on_latency(const call_info&, const turn_latency&) override {}
  void on_transfer(const call_info&, const std::string&) override {}
  void on_dialog_state(const call_info&, const std::string& state) override {
    last_state = state;
  }
  std::vector<std::string> said;
  std::string last_state; // as the database would keep it
};

using fixtures::fragile_dialog;

// A dialog that remembers what the caller said (its state: the turns, '|'-joined), and throws
// when the caller says "crash", as a broken engine would.
class remembering_dialog final : public dialog::dialog_engine {
public:
  dialog::reply start(const dialog::business_context& c) override {
    return {c.greeting, {}, dialog::expecting::anything, false};
  }
  dialog::reply on_caller(std::string_view text) override {
    if (text.find("crash") != std::string_view::npos)
      throw std::runtime_error("dialog engine failure (test)");
    std::string say = "You said: " + std::string(text) + ".";
    if (!heard_.empty())
      say += " Before that: " + heard_ + ".";
    heard_ += (heard_.empty() ? "" : ", ") + std::string(text);
    return {say, {}, dialog::expecting::anything, false};
  }
  dialog::reply on_result(const dialog::tool_result&) override { return {}; }
  void on_interrupted(std::string_view) override {}
  dialog::summary summarize() const override { return {heard_, "no_action", "", ""}; }
  std::string save_state() const override { return heard_.empty() ? "" : "heard:" + heard_; }
  std::optional<dialog::reply> resume(const dialog::business_context&,
                                      std::string_view state) override {
    if (state.rfind("heard:", 0) != 0)
      return std::nullopt;
    heard_ = std::string(state.substr(6));
    return dialog::reply{"Sorry, we were cut off.", {}, dialog::expecting::anything, false};
  }

private:
  std::string heard_;
};

// Every VAD it makes fails on its 40th frame.
class failing_vad final : public speech::vad {
public:
  bool is_speech(std::span<const std::int16_t>) override {
    if (++frames_ == 40)
      throw std::runtime_error("vad failure (test)");
    return false;
  }
  void reset() override {}

private:
  int frames_ = 0;
};

struct deterministic_call {
  std::unique_ptr<speech::tts_engine> tone = speech::make_tone_tts();
  std::unique_ptr<speech::tts_engine> caller_voice = speech::make_flite_tts("rms");
  worker_pool speech_pool{"speech", worker_pool::manual, 100000};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<transcript> events = std::make_shared<transcript>();
  std::unique_ptr<call_runtime> rt;
  std::shared_ptr<twilio_side> twilio = std::make_shared<twilio_side>();
  std::shared_ptr<call_handle> call;
  std::optional<call_report> report;
  std::int64_t now_ms = 0; // of the actors' clock, since the call started

  // `taken_over`: the call comes from a lost node with this saved dialog and these caller
  // lines in its transcript.
  explicit deterministic_call(call_services svc, std::vector<std::string> script,
                              std::string taken_over = {},
                              std::vector<std::string> heard_before = {}) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    svc.tts = tone.get();
    svc.speech_pool = &speech_pool;
    svc.events = events;
    svc.open_stt = [](const call_info& info, std::size_t n, speech::listen_for) {
      return speech::make_script_session(info.script, n);
    };
    rt = make_call_runtime(*sys, std::move(svc));
    call_info info{"c1", "b1", "CA1", "MZ1", "+15550001111", "Test Clinic", "Hello.",
                   std::move(script)};
    info.resume_state = std::move(taken_over);
    info.resume_heard = std::move(heard_before);
    call = rt->start(std::move(info), twilio, [this](call_report r) { report = std::move(r); });
    settle();
  }

  ~deterministic_call() {
    call.reset();
    rt->end_all("test over");
    settle();
    rt.reset();
    sys->await_actors_before_shutdown(false);
  }

  // Runs actors and speech jobs until neither has anything left to do.
  void settle() {
    while (sched->run() + speech_pool.run_pending() > 0) {
    }
  }

  // One 20 ms caller frame: Twilio delivers it, the clock moves on, and what the call sent
  // has played (its marks come back).
  void frame(std::vector<std::uint8_t> mulaw) {
    call->audio(std::move(mulaw), static_cast<std::uint64_t>(now_ms));
    now_ms += 20;
    sched->advance_time(20ms);
    settle();
    for (auto& m : std::exchange(twilio->marks, {}))
      call->mark(m);
    settle();
  }

  void silence(std::chrono::milliseconds d) {
    for (auto t = 0ms; t < d; t += 20ms)
      frame(std::vector<std::uint8_t>(160, 0xff));
  }

  // The caller speaks (Flite's voice), then is silent long enough for the turn to end.
  void say(const std::string& text) {
    auto audio = *speech::synthesize_all(*caller_voice, text);
    for (std::size_t off = 0; off + 160 <= audio.size(); off += 160)
      frame({audio.begin() + long(off), audio.begin() + long(off + 160)});
    silence(3s); // the endpointer's wait, the reply, and its playing out
  }

  bool said(const std::string& line) const {
    return std::find(events->said.begin(), events->said.end(), line) != events->said.end();
  }

  std::string all_said() const {
    std::string out;
    for (auto& s : events->said)
      out += s + " | ";
    return out;
  }
};

call_services with_fragile_dialog(int max_restarts) {
  call_services svc;
  svc.make_vad = [] { return speech::make_sphinx_vad(); };
  svc.make_dialog = [](const booking::business_profile&) {
    return std::make_unique<fragile_dialog>();
  };
  svc.max_restarts = max_restarts;
  return svc;
}

} // namespace

TEST(call_restarts, a_restarted_dialog_goes_on_from_the_state_the_failed_one_saved) {
  call_services svc;
  svc.make_vad = [] { return speech::make_sphinx_vad(); };
  svc.make_dialog = [](const booking::business_profile&) {
    return std::make_unique<remembering_dialog>();
  };
  deterministic_call c(std::move(svc), {"my name is ann", "please crash now", "yes please"});
  c.silence(1s);
  ASSERT_TRUE(c.said("agent: Hello.")) << c.all_said();
  c.say("my name is ann");
  EXPECT_TRUE(c.said("agent: You said: my name is ann.")) << c.all_said();
  // The dialog dies on the caller's turn; the new one knows what was said before it, without
  // an apology for a cut the caller never heard: the supervisor asks for the lost turn.
  c.say("please crash now");
  EXPECT_TRUE(c.said("agent: Sorry, could you say that again?")) << c.all_said();
  EXPECT_FALSE(c.said("agent: Sorry, we were cut off.")) << c.all_said();
  c.say("yes please");
  EXPECT_TRUE(c.said("agent: You said: yes please. Before that: my name is ann.")) << c.all_said();
  c.call->end("stop");
  c.settle();
  ASSERT_TRUE(c.report.has_value());
  EXPECT_EQ(c.report->restarts, 1u);
}

call_services with_remembering_dialog() {
  call_services svc;
  svc.make_vad = [] { return speech::make_sphinx_vad(); };
  svc.make_dialog = [](const booking::business_profile&) {
    return std::make_unique<remembering_dialog>();
  };
  return svc;
}

std::int64_t heard_in(const std::string& saved) {
  auto s = dialog::unwrap_saved_dialog(saved);
  return s.heard ? *s.heard : -1;
}

TEST(call_restarts, the_saved_state_counts_the_callers_lines_and_a_line_lost_with_a_dialog) {
  deterministic_call c(with_remembering_dialog(),
                       {"my name is ann", "please crash now", "yes please"});
  c.silence(1s);
  c.say("my name is ann");
  EXPECT_EQ(heard_in(c.events->last_state), 1) << c.events->last_state;
  c.say("please crash now"); // dies with it: asked again, and counted as heard
  c.say("yes please");
  EXPECT_TRUE(c.said("agent: You said: yes please. Before that: my name is ann.")) << c.all_said();
  EXPECT_EQ(heard_in(c.events->last_state), 3) << c.events->last_state;
  EXPECT_EQ(dialog::unwrap_saved_dialog(c.events->last_state).engine,
            "heard:my name is ann, yes please");
}

// A node was killed after it saved the caller's "i want a cleaning" but before it saved the
// dialog's answer: the node taking over answers it after the apology instead of asking the
// question the caller had just answered.
TEST(call_restarts, a_call_taken_over_answers_the_line_its_saved_state_never_saw) {
  deterministic_call c(with_remembering_dialog(), {"tomorrow please"},
                       dialog::wrap_saved_dialog("heard:my name is ann", 1),
                       {"my name is ann", "i want a cleaning"});
  c.silence(1s);
  EXPECT_FALSE(c.said("agent: Hello.")) << c.all_said();
  EXPECT_TRUE(c.said("agent: Sorry, we were cut off.")) << c.all_said();
  EXPECT_TRUE(c.said("agent: You said: i want a cleaning. Before that: my name is ann."))
      << c.all_said();
  EXPECT_EQ(heard_in(c.events->last_state), 2) << c.events->last_state;
  c.say("tomorrow please");
  EXPECT_TRUE(c.said("agent: You said: tomorrow please. Before that: my name is ann, i want a "
                     "cleaning."))
      << c.all_said();
  EXPECT_EQ(heard_in(c.events->last_state), 3) << c.events->last_state;
}

// The caller, cut off before the answer came, says the line again on the new stream: they hear
// the answer again, and the engine does not take the line twice.
TEST(call_restarts, a_caller_who_says_the_answered_line_again_hears_the_answer_again) {
  deterministic_call c(with_remembering_dialog(), {"I want a cleaning.", "tomorrow please"},
                       dialog::wrap_saved_dialog("heard:my name is ann", 1),
                       {"my name is ann", "i want a cleaning"});
  c.silence(1s);
  c.say("i want a cleaning");
  auto answer = "agent: You said: i want a cleaning. Before that: my name is ann.";
  EXPECT_EQ(std::count(c.events->said.begin(), c.events->said.end(), answer), 2) << c.all_said();
  EXPECT_EQ(heard_in(c.events->last_state), 3) << c.events->last_state;
  c.say("tomorrow please");
  EXPECT_TRUE(c.said("agent: You said: tomorrow please. Before that: my name is ann, i want a "
                     "cleaning."))
      << c.all_said();
  EXPECT_EQ(heard_in(c.events->last_state), 4) << c.events->last_state;
}

TEST(call_restarts, a_call_taken_over_whose_state_saw_every_line_only_apologises) {
  deterministic_call c(with_remembering_dialog(), {},
                       dialog::wrap_saved_dialog("heard:my name is ann", 1), {"my name is ann"});
  c.silence(1s);
  EXPECT_EQ(c.all_said(), "agent: Sorry, we were cut off. | ");
}

TEST(call_restarts, a_call_taken_over_before_any_state_was_saved_greets_then_answers) {
  deterministic_call c(with_remembering_dialog(), {}, "", {"i want a cleaning"});
  c.silence(1s);
  EXPECT_EQ(c.all_said(), "agent: Hello. | agent: You said: i want a cleaning. | ");
}

TEST(call_restarts, a_dialog_that_fails_is_restarted_then_the_call_ends_politely) {
  deterministic_call c(with_fragile_dialog(1), {"please crash now", "yes please", "crash again"});
  c.silence(1s);
  ASSERT_TRUE(c.said("agent: Hello.")) << c.all_said();

  // The dialog dies on the caller's turn: a fresh one asks again, and the call goes on.
  c.say("please crash now");
  EXPECT_TRUE(c.said("caller: please crash now")) << c.all_said();
  EXPECT_TRUE(c.said("agent: Sorry, could you say that again?")) << c.all_said();
  c.say("yes please");
  EXPECT_TRUE(c.said("agent: You said: yes please.")) << c.all_said();
  EXPECT_TRUE(c.twilio->closed.empty());

  // A second failure is one more than allowed: the caller hears an apology, then the call
  // hangs up by itself once the apology has played.
  c.say("crash again");
  EXPECT_TRUE(c.said("agent: I'm sorry, we're having technical trouble. Please call back "
                     "later. Goodbye."))
      << c.all_said();
  EXPECT_EQ(c.twilio->closed, "call ended");

  c.call->end("stop"); // Twilio's stop follows the hang-up
  c.settle();
  ASSERT_TRUE(c.report.has_value());
  EXPECT_EQ(c.report->restarts, 1u);
  EXPECT_EQ(c.report->end_reason, "stop");
  EXPECT_GT(c.report->frames_out, 50u);
  EXPECT_EQ(c.rt->live(), 0u);
  EXPECT_EQ(c.sys->registry().running(), 0u); // the whole tree is gone
}

TEST(call_restarts, a_listener_that_keeps_failing_is_replaced_up_to_the_bound) {
  auto svc = with_fragile_dialog(2);
  int vads = 0;
  svc.make_vad = [&vads]() -> std::unique_ptr<speech::vad> {
    ++vads;
    return std::make_unique<failing_vad>();
  };
  deterministic_call c(std::move(svc), {});
  // Each listener fails on its 40th frame (0.8 s): two are replaced, the third failure ends
  // the call politely.
  c.silence(3s);
  EXPECT_EQ(vads, 3);
  EXPECT_TRUE(c.said("agent: I'm sorry, we're having technical trouble. Please call back "
                     "later. Goodbye."))
      << c.all_said();
  c.silence(3s);
  EXPECT_EQ(c.twilio->closed, "call ended");
  EXPECT_EQ(vads, 3); // no listener after the bound
  c.call->end("stop");
  c.settle();
  ASSERT_TRUE(c.report.has_value());
  EXPECT_EQ(c.report->restarts, 2u);
}
