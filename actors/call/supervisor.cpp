// A call's actor tree. The supervisor owns the call and routes between its children:
//   media     (linked)    pacing, marks, clear, the recording tap; dies with the call
//                         (actors/media/media_actor.cpp)
//   listener  (monitored) the recogniser on the speech pool, for the turns the VAD cut (the
//                         VAD, endpointing and barge-in run where the frames arrive:
//                         actors/vad/audio_route.cpp; the listener: actors/vad/listener.cpp)
//   dialog    (monitored) the conversation engine (actors/dialog/dialog_actor.cpp)
//   speaker   (monitored) synthesis on the speech pool, streamed to media
//                         (actors/speaker/speaker.cpp)
// A failed monitored child is restarted (bounded); the call goes on. Every role is a typed
// actor (protocols/actor/interfaces.hpp): a message a role does not take does not compile.

#include "actors/call/supervisor.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/call/shell.hpp"
#include "actors/call/supervision.hpp"
#include "actors/dialog/dialog_actor.hpp"
#include "actors/media/media_actor.hpp"
#include "actors/speaker/speaker.hpp"
#include "actors/vad/barge_in.hpp"
#include "actors/vad/listener.hpp"
#include "adapters/speech/recorder.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/call/latency_json.hpp"
#include "protocols/console/tap.hpp"

namespace frontdesk::call {
namespace {

using namespace std::chrono_literals;
using namespace proto;

using supervisor_self = supervisor_actor::stateful_pointer<struct supervisor_state>;

struct supervisor_state {
  supervisor_state() = default;
  call_info info;
  call_services* services = nullptr;
  std::shared_ptr<media_out> out;
  std::function<void(call_report)> on_end;
  std::shared_ptr<recording> rec;
  media_actor media;
  listener_actor listener;
  speaker_actor speaker;
  dialog_actor dialog;
  std::shared_ptr<dialog_memory> dialog_saved = std::make_shared<dialog_memory>();
  calendar_actor calendar; // the business's, shared with its other calls (may be empty)
  std::shared_ptr<audio_route> route;
  restart_policy policy;
  call_report report;
  std::int64_t started_us = 0;
  std::uint32_t utterance = 0;
  std::string current_text; // of the utterance being spoken
  bool speaking = false;
  bool hang_up_when_done = false;
  bool awaiting_dialog = false; // a caller turn went to the dialog, no answer yet
  bool ended = false;
  std::int64_t turns = 0;
  // The turn being answered.
  turn_latency trace;
  std::int64_t speech_end_us = 0;
  std::uint32_t reply_utterance = 0;
  // A reply the dialog streams sentence by sentence (reply_text.more): its sentences join
  // utterance reply_utterance as they come; the transcript gets it whole at its end.
  bool reply_open = false;
  bool reply_cut = false;      // barged in on, or spoken over: the rest is not said
  std::string reply_said;      // its sentences so far
  std::string reply_rest;      // what came after the cut
  std::int64_t reply_at_ms = 0;
  // A barge-in waiting for the interrupting words.
  bool interrupted = false;
  std::string unheard; // what the caller did not hear of the cut reply
  // An operator holds the AI: caller turns are written but not answered; they go to the
  // dialog together when the operator resumes it.
  bool ai_held = false;
  std::vector<std::string> held_words;
  std::shared_ptr<console::call_tap> tap; // what watching consoles see as it happens
};

// The call's state for watching consoles: on hold, speaking, thinking or listening.
void tell_state(supervisor_self self) {
  auto& s = self->state;
  if (!s.tap)
    return;
  s.tap->state(s.ai_held     ? "on_hold"
               : s.speaking  ? "speaking"
               : s.awaiting_dialog ? "thinking"
                                   : "listening");
}

// A turn for the transcript: saved through the call's events, and told to watching consoles
// at once through the call's tap (they never wait on the database).
void record_turn(supervisor_self self, turn_record t) {
  auto& s = self->state;
  if (s.tap)
    s.tap->turn(t.role, t.text, t.at_ms + s.info.at_offset_ms, t.interrupted);
  if (s.services->events)
    s.services->events->on_turn(s.info, t);
}

// `role`: "agent", or "operator" when a person at a console wrote the words; no role: the
// transcript gets the words later (a streamed reply, whole at its end).
void speak(supervisor_self self, const std::string& text, const char* role = "agent") {
  auto& s = self->state;
  if (text.empty())
    return;
  s.current_text = text;
  ++s.utterance;
  self->send(s.speaker, say{s.utterance, text});
  if (role)
    record_turn(self, turn_record{role, text, (now_us() - s.started_us) / 1000, false});
}

// A further sentence of the streamed reply: the speaker adds it to the utterance playing (the
// same number), unless the caller cut in or something else was said since.
void continue_reply(supervisor_self self, const std::string& text) {
  auto& s = self->state;
  if (text.empty())
    return;
  s.reply_said += (s.reply_said.empty() ? "" : " ") + text;
  if (s.reply_cut || s.utterance != s.reply_utterance) {
    s.reply_cut = true;
    s.reply_rest += (s.reply_rest.empty() ? "" : " ") + text;
    return;
  }
  s.current_text += " " + text;
  self->send(s.speaker, say{s.utterance, text});
}

// Stops what is playing now (the operator speaks over it, or holds the AI).
void cut_playback(supervisor_self self) {
  auto& s = self->state;
  if (!s.speaking)
    return;
  self->send(s.speaker, clear_atom::value);
  self->request(s.media, 1s, clear_atom::value).then([](cut&) {});
}

void answer(supervisor_self self, const reply_text& r) {
  auto& s = self->state;
  if (s.reply_open) {
    continue_reply(self, r.text);
  } else {
    s.trace.decision_ms = double(now_us() - s.speech_end_us) / 1000.0;
    if (s.speech_end_us) // a turn being answered
      s.trace.vendor_wait_ms += double(r.vendor_wait_us) / 1000.0; // the language model's
    if (r.more) { // the first sentence of a streamed reply
      s.reply_open = true;
      s.reply_cut = false;
      s.reply_said = r.text;
      s.reply_rest.clear();
      s.reply_at_ms = (now_us() - s.started_us) / 1000;
      speak(self, r.text, nullptr);
    } else {
      speak(self, r.text);
    }
    s.reply_utterance = s.utterance;
  }
  if (r.more)
    return;
  if (std::exchange(s.reply_open, false) && !s.reply_cut)
    record_turn(self, turn_record{"agent", s.reply_said, s.reply_at_ms, false});
  self->send(s.listener, expect_atom::value, r.expecting);
  if (r.end_call) {
    s.hang_up_when_done = true;
    if (r.text.empty() && !s.speaking) // nothing more to say and nothing playing: end now
      self->send(s.media, hangup_atom::value, std::string("call ended"));
  }
}

// The restartable children. Only the first dialog greets; a restarted one takes over mid-call.
listener_actor new_listener(supervisor_self self) {
  auto& s = self->state;
  return spawn_listener(self, caf::actor_cast<supervisor_actor>(self), s.services, s.info,
                        s.route);
}

speaker_actor new_speaker(supervisor_self self) {
  auto& s = self->state;
  return spawn_speaker(self, caf::actor_cast<supervisor_actor>(self), s.media, s.services,
                       s.info.call_sid, s.info.call_id, s.info.tts_voice);
}

dialog_actor new_dialog(supervisor_self self) {
  auto& s = self->state;
  bool greet = !s.dialog;
  return spawn_dialog(self, s.services, s.info, caf::actor_cast<supervisor_actor>(self), greet,
                      s.calendar, s.dialog_saved);
}

void finish(supervisor_self self, const std::string& reason) {
  auto& s = self->state;
  if (s.ended)
    return;
  s.ended = true;
  s.report.end_reason = reason;
  if (s.tap) // watching and listening consoles hear the end now
    s.services->taps->close(s.info.call_id, reason);
  // A slot the call still holds is free for other callers at once. The end of the call's record
  // drops its holds too; this catches a hold whose tool was still queued at the calendar then.
  // (`call_ended`: the calendar skips it when the call holds nothing there.)
  if (s.calendar)
    caf::anon_send(s.calendar, tool_request{s.info.call_id, "release_slot", {{"call_ended", "1"}}});
  auto done = [self](std::vector<std::uint64_t> m, std::vector<std::string> d) {
    auto& st = self->state;
    // Caller frames: the route counts them all; the media actor too when it records.
    if (st.route)
      st.report.frames_in += st.route->frames_in.load();
    if (m.size() == 4) {
      st.report.frames_in = std::max(st.report.frames_in, m[0]);
      st.report.frames_out = m[1];
      st.report.marks_played = m[2];
      st.report.clears = m[3];
    }
    if (d.size() == 2) {
      st.report.summary = d[0];
      st.report.outcome = d[1];
    }
    if (st.rec) { // close the recording after every queued frame is written
      if (st.rec->open_failed)
        st.report.recording_path.clear();
      st.rec->queue->post([rec = st.rec, call_sid = st.info.call_sid] {
        rec->file.reset();
        if (auto lost = rec->dropped_samples.load())
          spdlog::warn("call {}: the recording lacks {:.1f} s: the node was too busy to encode it",
                       call_sid, double(lost) / 8000.0);
      });
    }
    if (st.on_end)
      st.on_end(st.report);
    auto stop = [self](const auto& child) {
      if (child)
        self->send_exit(child, caf::exit_reason::user_shutdown);
    };
    stop(st.media);
    stop(st.listener);
    stop(st.speaker);
    stop(st.dialog);
    self->quit();
  };
  // The caller audio the route still holds goes to the recording before the media actor sums up.
  if (s.route && s.media) {
    std::vector<std::uint8_t> rest;
    std::uint64_t rest_ts = 0;
    {
      std::lock_guard lk(s.route->mtx);
      rest = std::exchange(s.route->rec_pending, {});
      rest_ts = s.route->rec_pending_ts;
      s.route->media = media_actor{}; // later frames are past the end of the recording
      s.route->recording = false;
    }
    if (!rest.empty())
      self->send(s.media, audio_in{std::move(rest), rest_ts});
  }
  // Ask media and dialog for their figures, then end; a child that does not answer in time
  // does not hold the call open.
  self->request(s.media, 1s, summary_atom::value)
      .then(
          [=](std::vector<std::uint64_t> m) {
            // An LLM writes its summary over the network: give it time.
            self->request(self->state.dialog, 15s, summary_atom::value)
                .then([=](std::vector<std::string> d) { done(m, d); },
                      [=](caf::error&) { done(m, {}); });
          },
          [=](caf::error&) { done({}, {}); });
}

supervisor_actor::behavior_type supervisor_fn(supervisor_self self, call_info info,
                                              std::shared_ptr<media_out> out,
                                              std::function<void(call_report)> on_end,
                                              call_services* services, calendar_actor calendar,
                                              std::shared_ptr<audio_route> route) {
  auto& s = self->state;
  s.calendar = std::move(calendar);
  s.route = std::move(route);
  s.info = std::move(info);
  s.services = services;
  s.out = std::move(out);
  s.on_end = std::move(on_end);
  s.report.info = s.info;
  s.started_us = now_us();
  s.policy = restart_policy(services->max_restarts);
  if (auto* rec_pool = recording_pool(*services)) {
    s.rec = std::make_shared<recording>();
    s.rec->path = services->recordings_dir + "/" + s.info.call_sid + ".opus";
    s.rec->queue = std::make_shared<serial_queue>(*rec_pool);
    s.report.recording_path = s.rec->path;
    s.rec->queue->post([rec = s.rec, call_sid = s.info.call_sid] { // file I/O: off the scheduler
      auto file = speech::recorder::open(rec->path, "call " + call_sid);
      if (file) {
        rec->file = std::move(*file);
      } else {
        rec->open_failed = true;
        spdlog::warn("call {}: not recorded: {}", call_sid, file.error().message);
      }
    });
  }
  if (services->taps) {
    s.tap = services->taps->open(s.info.call_id);
    s.tap->origin_ms(s.info.at_offset_ms);
    s.tap->describe(s.info.business_id, s.info.caller);
  }
  s.media = spawn_media(self, s.out, caf::actor_cast<supervisor_actor>(self), s.rec, s.info, s.tap);
  s.dialog = new_dialog(self);
  s.listener = new_listener(self);
  if (s.route) { // the caller's frames reach the VAD, the listener and the recording
    std::lock_guard lk(s.route->mtx);
    s.route->media = s.rec ? s.media : media_actor{}; // `recording` was set with the route
    s.route->listener = s.listener;
    s.route->tap = s.tap;
    // What the VAD cut before now, sent under the lock so that it comes before what follows.
    for (auto& m : std::exchange(s.route->held, {}))
      caf::anon_send(s.listener, std::move(m));
  }
  s.speaker = new_speaker(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.ended)
      return;
    std::optional<child> which;
    if (dm.source == st.listener.address())
      which = child::listener;
    else if (dm.source == st.speaker.address())
      which = child::speaker;
    else if (dm.source == st.dialog.address())
      which = child::dialog;
    if (!which)
      return;
    auto d = st.policy.on_failure(*which, st.awaiting_dialog);
    st.report.restarts = static_cast<std::uint64_t>(st.policy.restarts());
    switch (d.what) {
    case restart_decision::action::apologise_and_end:
      spdlog::error("call {}: {} failed {} times; ending the call", st.info.call_sid,
                    to_string(*which), d.failures);
      speak(self, d.say);
      st.hang_up_when_done = true;
      return;
    case restart_decision::action::hang_up:
      spdlog::error("call {}: {} failed {} times; ending the call", st.info.call_sid,
                    to_string(*which), d.failures);
      self->send(st.media, hangup_atom::value, std::string("technical trouble"));
      return;
    case restart_decision::action::restart:
      break;
    }
    spdlog::warn("call {}: {} failed ({}); restarting it", st.info.call_sid, to_string(*which),
                 caf::to_string(dm.reason));
    switch (*which) {
    case child::listener:
      st.listener = new_listener(self);
      if (st.route) {
        std::lock_guard lk(st.route->mtx);
        st.route->listener = st.listener;
      }
      break;
    case child::speaker:
      st.speaker = new_speaker(self);
      break;
    case child::dialog:
      if (!d.say.empty()) { // the line it died on counts as heard: the caller says it anew
        std::lock_guard lk(st.dialog_saved->mtx);
        ++st.dialog_saved->heard;
      }
      st.dialog = new_dialog(self);
      st.reply_open = false; // the reply it was streaming ends where it stopped
      break;
    }
    if (!d.say.empty()) { // the dialog died with the caller's turn: ask again
      st.awaiting_dialog = false;
      speak(self, d.say);
    }
    if (which == child::listener)
      self->send(st.listener, speaking_atom::value, st.speaking);
  });
  // The dialog greets by itself once it knows the business.
  return {
      [=](audio_in& a) { // the edge hears frames through the route itself; this is for others
        if (auto& r = self->state.route)
          hear(*r, a.mulaw, a.timestamp_ms);
      },
      [=](mark_played& m) { self->send(self->state.media, std::move(m)); },
      [=](vad_failed_atom, const std::string& why) {
        auto& st = self->state;
        spdlog::error("call {}: listener failed: the VAD: {}", st.info.call_sid, why);
        self->send_exit(st.listener, caf::sec::runtime_error); // restarted like any failure
      },
      [=](dtmf_in&) {},
      [=](speaking_atom, bool on) {
        auto& st = self->state;
        st.speaking = on;
        tell_state(self);
        self->send(st.listener, speaking_atom::value, on);
        if (!on && st.hang_up_when_done)
          self->send(st.media, hangup_atom::value, std::string("call ended"));
      },
      [=](milestone& m) {
        auto& st = self->state;
        if (m.utterance != st.reply_utterance || st.speech_end_us == 0)
          return;
        double ms = double(m.at_us - st.speech_end_us) / 1000.0;
        if (m.synthesised) {
          st.trace.tts_first_ms = ms;
          st.trace.vendor_wait_ms += double(m.vendor_wait_us) / 1000.0; // the cloud voice's
        } else {
          st.trace.first_frame_ms = ms;
          if (st.tap)
            st.tap->latency(call::latency_json(st.trace));
          if (st.services->events)
            st.services->events->on_latency(st.info, st.trace);
          st.speech_end_us = 0;
        }
      },
      [=](spoken_atom, std::uint32_t, bool) {},
      [=](barge_atom) {
        auto& st = self->state;
        if (!st.speaking)
          return;
        // Stop the reply now; the words that interrupted decide later whether it resumes.
        self->send(st.speaker, clear_atom::value);
        if (st.reply_open)
          st.reply_cut = true; // its sentences still to come are not said
        self->request(st.media, 1s, clear_atom::value).then([=](cut& c) {
          auto& s2 = self->state;
          s2.interrupted = true;
          auto text = s2.current_text;
          // What the caller heard, by the marks: the same share of the words.
          double total_ms = double(text.size()) * 65.0; // ~15 characters a second
          auto keep = c.heard_ms > 0 ? static_cast<std::size_t>(std::min(
                                           1.0, double(c.heard_ms) / total_ms) *
                                       double(text.size()))
                                     : 0;
          while (keep < text.size() && text[keep] != ' ')
            ++keep;
          auto heard = text.substr(0, keep);
          s2.unheard = text.substr(keep);
          self->send(s2.dialog, interrupt_atom::value, heard);
          record_turn(self, turn_record{"agent", heard, (now_us() - s2.started_us) / 1000, true});
        });
      },
      [=](heard& h) {
        auto& st = self->state;
        spdlog::debug("call {}: heard '{}' (confidence {:.4f}{}, {} ms of speech)",
                      st.info.call_sid, h.text, h.confidence, h.rejected ? ", rejected" : "",
                      h.speech_ms);
        if (st.services->events)
          st.services->events->on_heard(st.info, h.rejected, h.unavailable);
        if (!h.note.empty()) // how this turn was heard, for the transcript
          record_turn(self,
                      turn_record{"system", h.note, (h.speech_end_us - st.started_us) / 1000, false});
        if (st.interrupted) {
          st.interrupted = false;
          turn::barge_in judge;
          if (judge.judge(h.text, std::chrono::milliseconds(h.speech_ms)) ==
              turn::barge_in::verdict::resume) {
            // A cough or an "okay": carry on, with what a streamed reply brought meanwhile.
            auto rest = st.unheard;
            if (st.reply_cut && !st.reply_rest.empty())
              rest += (rest.empty() ? "" : " ") + std::exchange(st.reply_rest, {});
            speak(self, rest);
            if (st.reply_open) { // its next sentences join the resumed words
              st.reply_cut = false;
              st.reply_utterance = st.utterance;
            }
            return;
          }
        }
        if (h.rejected) {
          speak(self, "Sorry, I didn't catch that. Could you say it again?");
          return;
        }
        ++st.turns;
        st.trace = turn_latency{st.turns, double(h.final_us - h.speech_end_us) / 1000.0, 0, 0, 0,
                                double(h.decided_us - h.speech_end_us) / 1000.0,
                                double(h.vendor_wait_us) / 1000.0}; // the recogniser's
        st.speech_end_us = h.speech_end_us;
        record_turn(self,
                    turn_record{"caller", h.text, (h.speech_end_us - st.started_us) / 1000, false});
        if (st.ai_held) { // the operator answers; the AI hears it all on resume
          st.held_words.push_back(h.text);
          st.speech_end_us = 0;
          return;
        }
        st.awaiting_dialog = true;
        tell_state(self);
        self->send(st.dialog, turn_atom::value, h.text, std::move(h.unsure));
      },
      [=](reply_text& r) {
        self->state.awaiting_dialog = false;
        if (self->state.ai_held) { // an answer that was under way when the operator took over
          if (!r.more)
            self->state.reply_open = false;
          return;
        }
        answer(self, r);
        tell_state(self);
      },
      [=](operator_atom, std::string& verb, std::string& arg,
          bool interrupt) -> caf::result<std::string, std::string> {
        auto& st = self->state;
        auto na = [](std::string why) {
          return caf::result<std::string, std::string>(std::string("not_applicable"), std::move(why));
        };
        if (st.ended || st.hang_up_when_done)
          return na("the call is ending");
        if (verb == "say") {
          if (interrupt)
            cut_playback(self);
          speak(self, arg, "operator");
          return {std::string("done"), std::string(interrupt || !st.speaking
                                                        ? "said now"
                                                        : "said after the current reply")};
        }
        if (verb == "hold-ai") {
          if (st.ai_held)
            return na("the AI is on hold already");
          st.ai_held = true;
          cut_playback(self);
          tell_state(self);
          return {std::string("done"), std::string("the AI is on hold; speak with say")};
        }
        if (verb == "resume-ai") {
          if (!st.ai_held)
            return na("the AI is not on hold");
          st.ai_held = false;
          if (!st.held_words.empty()) { // the AI answers what the caller said meanwhile
            std::string all;
            for (auto& w : st.held_words)
              all += (all.empty() ? "" : " ") + w;
            auto lines = static_cast<std::int32_t>(st.held_words.size());
            st.held_words.clear();
            st.awaiting_dialog = true;
            self->send(st.dialog, turn_atom::value, all, lines);
          }
          tell_state(self);
          return {std::string("done"), std::string("the AI answers again")};
        }
        if (verb == "transfer") {
          st.report.transfer_reason = "operator";
          if (st.services->events)
            st.services->events->on_transfer(st.info, st.report.transfer_reason);
          cut_playback(self);
          speak(self, "Please hold while I transfer your call.", "operator");
          st.hang_up_when_done = true; // the stream ends after the sentence; Twilio dials
          return {std::string("done"), "transferring to " + arg};
        }
        if (verb == "hangup") {
          finish(self, "operator_hangup");
          return {std::string("done"), std::string("the call is ended")};
        }
        return na("unknown operator verb " + verb);
      },
      [=](transfer_atom, const std::string& why) {
        auto& st = self->state;
        st.report.transfer_reason = why.empty() ? "requested" : why;
        if (st.services->events)
          st.services->events->on_transfer(st.info, st.report.transfer_reason);
        st.hang_up_when_done = true; // after "connecting you", the stream ends and Twilio dials
      },
      [=](stream_ended& e) { finish(self, e.reason); },
  };
}

} // namespace

worker_pool* recording_pool(const call_services& s) {
  if (s.recordings_dir.empty())
    return nullptr;
  return s.recording_pool ? s.recording_pool : s.blocking;
}

proto::supervisor_actor spawn_supervisor(caf::actor_system& sys, call_info info,
                                         std::shared_ptr<media_out> out,
                                         std::function<void(call_report)> on_end,
                                         call_services* services, proto::calendar_actor calendar,
                                         std::shared_ptr<audio_route> route) {
  return sys.spawn(supervisor_fn, std::move(info), std::move(out), std::move(on_end), services,
                   std::move(calendar), std::move(route));
}

} // namespace frontdesk::call
