// A call's actor tree. The supervisor owns the call and routes between its children:
//   media     (linked)    pacing, marks, clear, the recording tap; dies with the call
//   listener  (monitored) the recogniser on the speech pool, for the turns the VAD cut (the
//                         VAD, endpointing and barge-in run where the frames arrive: audio_route)
//   dialog    (monitored) the conversation engine
//   speaker   (monitored) synthesis on the speech pool, streamed to media
// A failed monitored child is restarted (bounded); the call goes on. Every role is a typed
// actor (protocols/actor/interfaces.hpp): a message a role does not take does not compile.
// The media actor paces on the actor clock, so a test on CAF's test coordinator moves its time.

#include "actors/call/runtime.hpp"
#include "actors/call/calendar_actor.hpp"
#include "actors/call/supervision.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/calendar/calendar.hpp"
#include "actors/calendar/profile_cache.hpp"
#include "actors/dialog/engine.hpp"
#include "adapters/clock/clock.hpp"
#include "actors/media/pacer.hpp"
#include "actors/vad/barge_in.hpp"
#include "actors/vad/front_end.hpp"
#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/recorder.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/speech/waiting_session.hpp"
#include "adapters/workers/pool.hpp"
#include "adapters/workers/serial.hpp"
#include "protocols/actor/interfaces.hpp"
#include "protocols/audio/mulaw.hpp"

namespace frontdesk::call {
namespace {

using namespace std::chrono_literals;
using namespace proto;

// Each role's interface and atoms: protocols/actor/interfaces.hpp.
using media_self = media_actor::stateful_pointer<struct media_state>;
using listener_self = listener_actor::stateful_pointer<struct listener_state>;
using speaker_self = speaker_actor::stateful_pointer<struct speaker_state>;
using dialog_self = dialog_actor::stateful_pointer<struct dialog_state>;
using supervisor_self = supervisor_actor::stateful_pointer<struct supervisor_state>;

// The media actor's pacing tick. Twilio buffers what we send ahead (up to the pacer's lead), so
// three frames every 60 ms play as smoothly as one every 20 ms, at a third of the timer and
// actor wake-ups (the main per-call cost measured at 100+ calls).
constexpr auto tick_period = 60ms;
// Every call's later ticks fall on one shared 10 ms grid, so CAF's clock thread wakes once per
// grid step for all the calls due then (instead of once per call), and the scheduler and io
// threads get them as one burst. The pacer sends by the time actually elapsed, and the first
// tick of a reply is not on the grid: its first frame goes out at once.
constexpr auto tick_grid = 10ms;

caf::actor_clock::time_point on_tick_grid(caf::actor_clock::time_point t) {
  using duration = caf::actor_clock::time_point::duration;
  auto steps = (t.time_since_epoch() + tick_grid - duration{1}) / tick_grid;
  return caf::actor_clock::time_point{std::chrono::duration_cast<duration>(steps * tick_grid)};
}
constexpr std::uint64_t echo_mark_every = 25;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A call's recognition or synthesis job: on its speech queue (in order), or here and now when
// the engines never block (no queue).
template <class F>
void run_speech(const std::shared_ptr<serial_queue>& queue, F&& job) {
  if (queue)
    queue->post(std::forward<F>(job));
  else
    job();
}

// ---------------------------------------------------------------------------------------------
// media

// A call's recording. The file is opened, written and closed by jobs on the recording pool
// (spare CPU time: a busy node lets the recording lag rather than the voice), in order.
struct recording {
  std::string path;
  std::unique_ptr<speech::recorder> file;
  std::shared_ptr<serial_queue> queue;
  std::atomic<bool> open_failed{false};
  // Blocks handed to the pool and not yet written. Past the bound (a node so loaded that the
  // pool cannot keep up) new blocks are dropped and counted instead of queued without end.
  std::atomic<int> backlog{0};
  std::atomic<std::uint64_t> dropped_samples{0};
  static constexpr int max_backlog = 150; // 30 s of 200 ms blocks
};

struct media_state {
  media_state() = default; // CAF constructs state(self): keep it from being an aggregate
  std::shared_ptr<media_out> out;
  supervisor_actor supervisor; // empty in echo mode
  bool echo = false;
  media::pacer pacer{media::pacer::settings{20ms, 200ms, 2.0, tick_period}};
  caf::actor_clock::time_point next_tick;
  bool ticking = false;
  bool speaking = false;
  std::uint32_t echo_utterance = 1;
  std::uint32_t last_first_sent = 0;
  std::deque<std::uint8_t> agent_tap; // what we sent, not yet written to the recording
  std::shared_ptr<recording> rec;
  std::vector<std::uint8_t> rec_caller, rec_agent; // the next block for the recording
  call_report* report = nullptr;      // echo mode reports through its own state
  call_report own_report;
  std::function<void(call_report)> on_end; // echo mode only
  bool ended = false;
};

void media_update_speaking(media_self self) {
  auto& s = self->state;
  bool now = s.pacer.speaking();
  if (now != s.speaking) {
    s.speaking = now;
    if (s.supervisor)
      self->send(s.supervisor, speaking_atom::value, now);
  }
}

void media_flush_recording(media_self self) {
  auto& s = self->state;
  if (!s.rec || s.rec_caller.empty())
    return;
  if (s.rec->backlog.load() >= recording::max_backlog) {
    s.rec->dropped_samples += s.rec_caller.size();
    s.rec_caller.clear();
    s.rec_agent.clear();
    return;
  }
  ++s.rec->backlog;
  s.rec->queue->post([rec = s.rec, caller = std::exchange(s.rec_caller, {}),
                      agent = std::exchange(s.rec_agent, {})] {
    if (rec->file)
      rec->file->write(caller, agent);
    --rec->backlog;
  });
}

void media_start_ticking(media_self self) {
  auto& s = self->state;
  if (s.ticking)
    return;
  s.ticking = true;
  s.next_tick = self->clock().now();
  self->send(self, tick_atom::value);
}

media_actor::behavior_type media_fn(media_self self, std::shared_ptr<media_out> out,
                                    supervisor_actor supervisor, std::shared_ptr<recording> rec,
                                    bool echo, call_info info,
                                    std::function<void(call_report)> on_end) {
  auto& s = self->state;
  s.out = std::move(out);
  s.supervisor = std::move(supervisor);
  s.rec = std::move(rec);
  s.echo = echo;
  s.report = &s.own_report;
  s.own_report.info = std::move(info);
  s.on_end = std::move(on_end);
  return {
      [=](audio_in& a) {
        auto& st = self->state;
        // One frame, or a block of them for the recording alone (see audio_route).
        st.report->frames_in += std::max<std::size_t>(1, a.mulaw.size() / audio::frame_samples);
        // The echo repeats what the caller says; the silence between words is not sent back.
        bool silent = std::all_of(a.mulaw.begin(), a.mulaw.end(),
                                  [](std::uint8_t b) { return b == 0xFF || b == 0x7F; });
        if (st.echo && !silent) {
          st.pacer.enqueue(st.echo_utterance, a.mulaw,
                           st.report->frames_in % echo_mark_every == 0);
          media_start_ticking(self);
        }
        if (st.rec) {
          // The recording follows Twilio's inbound clock: each caller frame with what we sent,
          // handed to the writer every 200 ms (one wake-up of a worker, not ten).
          st.rec_caller.insert(st.rec_caller.end(), a.mulaw.begin(), a.mulaw.end());
          auto tapped = std::min(a.mulaw.size(), st.agent_tap.size()); // then silence
          auto tap_end = st.agent_tap.begin() + static_cast<std::ptrdiff_t>(tapped);
          st.rec_agent.insert(st.rec_agent.end(), st.agent_tap.begin(), tap_end);
          st.agent_tap.erase(st.agent_tap.begin(), tap_end);
          st.rec_agent.resize(st.rec_caller.size(), audio::mulaw_silence);
          if (st.rec_caller.size() >= 10 * audio::frame_samples)
            media_flush_recording(self);
        }
      },
      [=](play& p) {
        auto& st = self->state;
        st.pacer.enqueue(p.utterance,
                         std::span(reinterpret_cast<const std::uint8_t*>(p.mulaw.data()),
                                   p.mulaw.size()),
                         p.mark_after);
        media_start_ticking(self);
      },
      [=](tick_atom) {
        auto& st = self->state;
        auto items = st.pacer.poll(self->clock().now());
        // Frames that follow each other go out as one media message (marks keep their place):
        // Twilio plays what it is sent in order whatever the size, and a tick's three frames in
        // one message are a third of the messages to build, send and parse.
        using kind = media::pacer::item::kind;
        std::vector<media::pacer::item> messages;
        messages.reserve(items.size());
        for (auto& item : items) {
          if (item.what == kind::mark) {
            messages.push_back(std::move(item));
            continue;
          }
          ++st.report->frames_out;
          if (st.rec && st.agent_tap.size() < 8000 * 30)
            st.agent_tap.insert(st.agent_tap.end(), item.audio.begin(), item.audio.end());
          auto utt = st.pacer.current_utterance();
          if (utt != st.last_first_sent) {
            st.last_first_sent = utt;
            if (st.supervisor)
              self->send(st.supervisor, milestone{utt, now_us(), false});
          }
          if (!messages.empty() && messages.back().what == kind::media)
            messages.back().audio.insert(messages.back().audio.end(), item.audio.begin(),
                                         item.audio.end());
          else
            messages.push_back(std::move(item));
        }
        std::vector<media_out::outbound> batch; // one hand-over to the connection per tick
        batch.reserve(messages.size());
        for (auto& m : messages)
          batch.push_back(m.what == kind::media ? media_out::outbound{m.audio, {}}
                              : media_out::outbound{{}, m.mark});
        if (!batch.empty())
          st.out->send_batch(batch);
        media_update_speaking(self);
        if (st.pacer.queued() == 0ms) {
          st.ticking = false;
          return;
        }
        st.next_tick = on_tick_grid(std::max(st.next_tick + tick_period, self->clock().now()));
        self->scheduled_send(self, st.next_tick, tick_atom::value);
      },
      [=](mark_played& m) {
        auto& st = self->state;
        if (st.pacer.on_mark(m.name))
          ++st.report->marks_played;
        media_update_speaking(self);
      },
      [=](dtmf_in& d) {
        auto& st = self->state;
        if (st.echo && d.digit == "#") { // the echo's test hook for clear
          st.pacer.clear(self->clock().now());
          st.out->send_clear();
          ++st.report->clears;
          ++st.echo_utterance;
        }
      },
      [=](clear_atom) -> cut {
        auto& st = self->state;
        auto c = st.pacer.clear(self->clock().now());
        // Always tell Twilio, whatever we think is still buffered there.
        st.out->send_clear();
        ++st.report->clears;
        media_update_speaking(self);
        return cut{c.utterance, static_cast<std::int32_t>(c.heard.count()),
                   static_cast<std::int32_t>(c.sent.count()), c.was_playing};
      },
      [=](hangup_atom, const std::string& why) { self->state.out->close(why); },
      [=](stream_ended& e) { // echo mode: the media actor is the whole call
        auto& st = self->state;
        if (st.ended)
          return;
        st.ended = true;
        st.report->end_reason = e.reason;
        if (st.on_end)
          st.on_end(*st.report);
        self->quit();
      },
      [=](summary_atom) -> std::vector<std::uint64_t> {
        media_flush_recording(self); // the call is ending: the recording gets its last block
        auto& r = *self->state.report;
        return {r.frames_in, r.frames_out, r.marks_played, r.clears};
      },
  };
}

// The pool that writes a call's recording, or null when calls are not recorded.
worker_pool* recording_pool(const call_services& s) {
  if (s.recordings_dir.empty())
    return nullptr;
  return s.recording_pool ? s.recording_pool : s.blocking;
}

// ---------------------------------------------------------------------------------------------
// the route of the caller's audio, and the VAD that runs on it

// Where the caller's frames go. The edge calls hear() for each frame on the thread that read
// it from the socket; the VAD, the endpointer and the barge-in judge run there, at once, and
// only what they decide becomes a message: a turn's audio for the listener 100 ms at a time,
// a barge-in for the supervisor, the recording's caller audio for the media actor 200 ms at a
// time. The silence between turns costs no actor message at all (at 500 calls, 25,000 fewer
// messages a second through the scheduler). The supervisor attaches its children once they
// exist, and keeps the route current across restarts.
struct audio_route {
  std::mutex mtx;
  supervisor_actor supervisor;
  listener_actor listener;
  media_actor media;      // only when recording
  bool recording = false; // caller audio is kept for the recording from the first frame
  std::unique_ptr<speech::vad> vad;
  turn::front_end front;
  std::vector<std::int16_t> pcm;  // the frame being heard, decoded
  std::vector<speech_audio> held; // for the listener, before it is attached
  static constexpr std::size_t max_held = 100; // 10 s of speech: far more than an attach takes
  std::atomic<std::uint64_t> frames_in{0};
  // Caller audio for the recording, handed to the media actor 200 ms at a time. The
  // supervisor takes what is left when the call ends.
  std::vector<std::uint8_t> rec_pending;
  std::uint64_t rec_pending_ts = 0;
  static constexpr std::size_t rec_block = 10 * audio::frame_samples;
};

void hear(audio_route& r, std::vector<std::uint8_t> mulaw, std::uint64_t ts) {
  media_actor media;
  std::vector<std::uint8_t> block; // the recording's next 200 ms, when complete
  std::uint64_t block_ts = 0;
  listener_actor listener;
  std::optional<speech_audio> for_listener;
  supervisor_actor barge;
  supervisor_actor failed; // the VAD threw: the supervisor replaces the listener (and its VAD)
  std::string why;
  {
    std::lock_guard lk(r.mtx);
    ++r.frames_in;
    if (r.recording) {
      if (r.rec_pending.empty())
        r.rec_pending_ts = ts;
      r.rec_pending.insert(r.rec_pending.end(), mulaw.begin(), mulaw.end());
      if (r.rec_pending.size() >= audio_route::rec_block && r.media) {
        media = r.media;
        block = std::exchange(r.rec_pending, {});
        r.rec_pending.reserve(audio_route::rec_block);
        block_ts = r.rec_pending_ts;
      }
    }
    audio::mulaw_decode(mulaw, r.pcm);
    bool speech = false;
    try {
      speech = r.vad && r.vad->is_speech(r.pcm);
    } catch (const std::exception& e) {
      r.vad.reset(); // the next listener brings a new one; until then nothing is speech
      failed = r.supervisor;
      why = e.what();
    }
    auto out = r.front.feed(r.pcm, speech);
    if (out.barge)
      barge = r.supervisor;
    if (out.for_recogniser() && (r.listener || r.held.size() < audio_route::max_held)) {
      speech_audio m{out.turn, std::move(out.audio), out.started, out.ended, 0, 0, 0};
      if (out.ended) {
        m.decided_us = now_us();
        m.speech_end_us = m.decided_us - out.trailing_silence.count() * 1000;
        m.speech_ms = static_cast<std::int32_t>(out.speech.count());
      }
      // Once the listener is attached nothing is held (the attach sends what was).
      if (r.listener) {
        listener = r.listener;
        for_listener = std::move(m);
      } else {
        r.held.push_back(std::move(m));
      }
    }
  }
  // Sent outside the lock: one call's frames are heard one after the other, so these keep
  // their order.
  if (media)
    caf::anon_send(media, audio_in{std::move(block), block_ts});
  if (for_listener)
    caf::anon_send(listener, std::move(*for_listener));
  if (barge)
    caf::anon_send(barge, barge_atom::value);
  if (failed)
    caf::anon_send(failed, vad_failed_atom::value, std::move(why));
}

// ---------------------------------------------------------------------------------------------
// listener: recognition of the turns the VAD cut, on the speech pool

struct recognition {
  std::unique_ptr<speech::stt_session> session;
};

struct listener_state {
  listener_state() = default;
  supervisor_actor supervisor;
  call_services* services = nullptr;
  std::shared_ptr<audio_route> route;
  std::shared_ptr<serial_queue> queue;
  std::shared_ptr<recognition> current;
  std::uint64_t turn = 0; // the turn `current` recognises
  std::size_t utterances = 0;
  std::shared_ptr<const call_info> info;
};

template <class Self>
void log_failures(Self* self, const std::string& call_sid, const char* role);

listener_actor::behavior_type listener_fn(listener_self self, supervisor_actor supervisor,
                                          call_services* services, call_info info,
                                          std::shared_ptr<audio_route> route) {
  auto& s = self->state;
  log_failures(self, info.call_sid, "listener");
  s.info = std::make_shared<const call_info>(std::move(info));
  s.supervisor = std::move(supervisor);
  s.services = services;
  s.route = std::move(route);
  if (services->speech_blocks)
    s.queue = std::make_shared<serial_queue>(*services->speech_pool);
  if (s.route) { // the VAD is the listener's, lent to the route that runs it on each frame
    auto vad = services->make_vad ? services->make_vad() : nullptr;
    std::lock_guard lk(s.route->mtx);
    s.route->vad = std::move(vad);
  }
  auto with_front = [self](auto f) {
    if (auto& r = self->state.route) {
      std::lock_guard lk(r->mtx);
      f(r->front);
    }
  };
  return {
      [=](speech_audio& a) {
        auto& st = self->state;
        if (a.started) {
          st.turn = a.turn;
          st.current = std::make_shared<recognition>();
          run_speech(st.queue, [rec = st.current, svc = st.services, info = st.info,
                                n = st.utterances++] {
            // With every decoder busy the utterance waits for one, keeping its audio.
            rec->session = speech::make_waiting_session(
                [svc, info, n]() -> std::unique_ptr<speech::stt_session> {
                  return svc->open_stt ? svc->open_stt(*info, n)
                         : svc->stt    ? svc->stt->start(info->business_id)
                                       : nullptr;
                });
          });
        }
        if (!st.current || a.turn != st.turn) // begun before this listener (a restart)
          return;
        if (!a.pcm.empty()) {
          // The partial words go straight to the endpointer (a complete request ends the turn
          // after a shorter pause), not back through this actor: under load each hop costs.
          run_speech(st.queue, [rec = st.current, pcm = std::move(a.pcm), route = st.route,
                                turn = a.turn] {
            if (!rec->session)
              return;
            rec->session->feed(pcm);
            auto words = rec->session->partial();
            if (route) {
              std::lock_guard lk(route->mtx);
              route->front.set_partial(turn, std::move(words));
            }
          });
        }
        if (!a.ended)
          return;
        run_speech(st.queue, [rec = std::exchange(st.current, {}), sup = st.supervisor,
                              speech_end = a.speech_end_us, speech_ms = a.speech_ms,
                              decided = a.decided_us] {
          heard h;
          h.speech_end_us = speech_end;
          h.decided_us = decided;
          h.speech_ms = speech_ms;
          if (rec->session) {
            auto r = rec->session->finish();
            h.text = r.text;
            h.confidence = r.confidence;
            h.rejected = r.rejected;
            h.unavailable = r.unavailable;
            h.note = std::move(r.note);
            rec->session.reset(); // the decoder goes back to the pool
          } else {
            h.rejected = true;
            h.unavailable = true;
          }
          h.final_us = now_us();
          caf::anon_send(sup, std::move(h));
        });
      },
      [=](speaking_atom, bool on) {
        with_front([&](turn::front_end& f) { f.set_agent_speaking(on); });
      },
      [=](expect_atom, std::int32_t e) {
        with_front(
            [&](turn::front_end& f) { f.set_expectation(static_cast<turn::expectation>(e)); });
      },
  };
}

// ---------------------------------------------------------------------------------------------
// speaker: synthesis on the speech pool, streamed to media sentence by sentence

struct speaker_state {
  speaker_state() = default;
  supervisor_actor supervisor;
  media_actor media;
  call_services* services = nullptr;
  std::shared_ptr<serial_queue> queue;
  std::shared_ptr<std::atomic<bool>> cancel;
};

std::vector<std::string> sentences(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    cur += c;
    if (c == '.' || c == '?' || c == '!') {
      if (cur.find_first_not_of(" .?!") != std::string::npos)
        out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" ") != std::string::npos)
    out.push_back(cur);
  return out;
}

speaker_actor::behavior_type speaker_fn(speaker_self self, supervisor_actor supervisor,
                                        media_actor media, call_services* services,
                                        std::string call_sid, std::string call_id) {
  auto& s = self->state;
  log_failures(self, call_sid, "speaker");
  s.supervisor = std::move(supervisor);
  s.media = std::move(media);
  s.services = services;
  if (services->speech_blocks)
    s.queue = std::make_shared<serial_queue>(*services->speech_pool);
  return {
      [=](say& sy) {
        auto& st = self->state;
        if (st.cancel)
          *st.cancel = true;
        st.cancel = std::make_shared<std::atomic<bool>>(false);
        run_speech(st.queue, [tts = st.services->tts, media = st.media, sup = st.supervisor,
                              cancel = st.cancel, utt = sy.utterance, parts = sentences(sy.text),
                              svc = st.services, call_id] {
          bool first = true;
          std::string pending;
          for (std::size_t i = 0; i < parts.size() && !*cancel; ++i) {
            if (svc->on_synthesised)
              svc->on_synthesised(call_id, parts[i].size());
            tts->synthesize(
                parts[i],
                [&](std::span<const std::uint8_t> chunk) {
                  if (first) {
                    first = false;
                    caf::anon_send(sup, milestone{utt, now_us(), true});
                  }
                  pending.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
                  if (pending.size() >= 800) { // 100 ms per message to the media actor
                    caf::anon_send(media, play{utt, std::move(pending), false, false});
                    pending.clear();
                  }
                  return !*cancel;
                },
                *cancel);
            if (*cancel)
              break;
            caf::anon_send(media, play{utt, std::move(pending), true, i + 1 == parts.size()});
            pending.clear();
          }
          caf::anon_send(sup, spoken_atom::value, utt, !*cancel);
        });
      },
      [=](clear_atom) {
        auto& st = self->state;
        if (st.cancel)
          *st.cancel = true;
      },
  };
}

// ---------------------------------------------------------------------------------------------
// dialog: the engine behind a thin shell

struct dialog_state {
  dialog_state() = default;
  bool engine_ready = false;
  std::shared_ptr<booking::business_profile> profile;
  supervisor_actor supervisor;
  calendar_actor calendar; // the business's calendar actor runs the tools (empty: they fail)
  call_services* services = nullptr;
  call_info info;
  std::vector<std::string> waiting; // caller turns that came before the engine was ready
  std::uint64_t generation = 0;     // of the tool round in flight
  std::size_t tools_pending = 0;
  std::string filler;               // said if the tools take a while
  bool filler_said = false;
  // Tool results, handed over from the worker pool; each comes with a tool_atom message.
  struct results {
    std::mutex mtx;
    std::deque<std::pair<std::uint64_t, dialog::tool_result>> items;
  };
  std::shared_ptr<results> done = std::make_shared<results>();
  // A blocking engine (the LLM's) runs on a worker, one call at a time; its replies come back
  // through `engine_out` with an engine_atom each.
  std::shared_ptr<serial_queue> engine_queue;
  struct replies {
    std::mutex mtx;
    std::deque<dialog::reply> items;
  };
  std::shared_ptr<replies> engine_out = std::make_shared<replies>();
  std::shared_ptr<dialog::dialog_engine> shared_engine; // owned with the queue's jobs
  caf::typed_response_promise<std::vector<std::string>> summary_promise;
};

reply_text to_reply(const dialog::reply& r) {
  return reply_text{r.say, r.end_call, static_cast<std::int32_t>(r.next)};
}

void dialog_handle(dialog_self self, dialog::reply r);

// Calls the engine: inline when it never blocks, otherwise on the dialog pool in order.
void dialog_engine_call(dialog_self self, std::function<dialog::reply(dialog::dialog_engine&)> f) {
  auto& st = self->state;
  if (!st.engine_queue) {
    dialog_handle(self, f(*st.shared_engine));
    return;
  }
  auto me = caf::actor_cast<dialog_actor>(self);
  st.engine_queue->post([engine = st.shared_engine, out = st.engine_out, me, f = std::move(f),
                         call_sid = st.info.call_sid] {
    dialog::reply r;
    try {
      r = f(*engine);
    } catch (const std::exception& e) {
      spdlog::error("call {}: dialog engine failed: {}", call_sid, e.what());
      r.say = "I'm sorry, could you say that again?";
    }
    {
      std::lock_guard lk(out->mtx);
      out->items.push_back(std::move(r));
    }
    caf::anon_send(me, engine_atom::value);
  });
}

// Has the business's calendar actor run the reply's tools; each result comes back as a message.
void dialog_run_tools(dialog_self self, const dialog::reply& r) {
  auto& st = self->state;
  ++st.generation;
  st.tools_pending = r.tools.size();
  st.filler = r.say;
  st.filler_said = false;
  bool transfer = std::any_of(r.tools.begin(), r.tools.end(),
                              [](const dialog::tool_call& t) { return t.name == "transfer"; });
  if (transfer && !st.filler.empty()) {
    // "Let me connect you" is no filler: the caller must hear it before the line changes.
    st.filler_said = true;
    self->send(st.supervisor, reply_text{st.filler, false, 0});
  } else if (!st.filler.empty()) {
    self->delayed_send(self, 600ms, filler_atom::value, st.generation);
  }
  for (auto& t : r.tools) {
    if (t.name == "transfer")
      self->send(st.supervisor, transfer_atom::value, t.args.count("reason") ? t.args.at("reason") : "");
    auto deliver = [self, done = st.done, gen = st.generation](dialog::tool_result r) {
      {
        std::lock_guard lk(done->mtx);
        done->items.emplace_back(gen, std::move(r));
      }
      self->send(self, tool_atom::value);
    };
    if (!st.calendar) { // no calendar service or no business: the tool cannot run
      deliver({t.name, false, {}, {}, {}});
      continue;
    }
    // The business's calendar actor answers, in turn with the business's other calls.
    self->request(st.calendar, 30s, tool_request{st.info.call_id, t.name, t.args})
        .then(
            [deliver](tool_reply& r) {
              deliver({r.name, r.ok, r.values, r.options, r.option_values});
            },
            [deliver, name = t.name](caf::error&) { deliver({name, false, {}, {}, {}}); });
  }
}

void dialog_handle(dialog_self self, dialog::reply r) {
  auto& st = self->state;
  if (r.tools.empty()) {
    if (!r.say.empty() || r.end_call)
      self->send(st.supervisor, to_reply(r));
    return;
  }
  dialog_run_tools(self, r);
}

dialog_actor::behavior_type dialog_fn(dialog_self self, call_services* services,
                                      call_info info, supervisor_actor supervisor, bool greet,
                                      calendar_actor calendar) {
  log_failures(self, info.call_sid, "dialog");
  auto& s = self->state;
  s.calendar = std::move(calendar);
  s.services = services;
  s.info = std::move(info);
  s.supervisor = std::move(supervisor);
  s.profile = std::make_shared<booking::business_profile>();
  s.profile->id = s.info.business_id;
  s.profile->name = s.info.business_name;
  s.profile->greeting = s.info.greeting;
  auto ready = [self, greet] {
    auto& st = self->state;
    st.shared_engine = st.services->make_dialog(*st.profile);
    if (st.shared_engine->blocking()) {
      auto* pool = st.services->dialog_pool ? st.services->dialog_pool : st.services->blocking;
      st.engine_queue = std::make_shared<serial_queue>(*pool);
    }
    st.engine_ready = true;
    if (greet) {
      dialog::business_context ctx;
      ctx.name = st.profile->name;
      ctx.greeting = st.profile->greeting;
      ctx.timezone = st.profile->timezone;
      ctx.address = st.profile->address;
      ctx.hours_text = st.profile->hours_text;
      ctx.services = st.profile->services;
      ctx.can_transfer = !st.profile->transfer_number.empty();
      ctx.caller_number = st.info.caller;
      dialog_engine_call(self, [ctx](dialog::dialog_engine& e) { return e.start(ctx); });
    }
    for (auto& t : std::exchange(st.waiting, {}))
      dialog_engine_call(self, [t](dialog::dialog_engine& e) { return e.on_caller(t); });
  };
  std::shared_ptr<const booking::business_profile> cached;
  if (services->profiles)
    cached = services->profiles->fresh(s.profile->id, std::chrono::steady_clock::now());
  if (cached) {
    // Read for a recent call of the same business: no database round trip, no pool queue.
    *s.profile = *cached;
    self->send(self, loaded_atom::value);
  } else if (services->calendar && services->blocking) {
    // The business's data comes from the database, off the scheduler.
    auto me = caf::actor_cast<dialog_actor>(self);
    services->blocking->post([cal = services->calendar, holder = s.profile, me,
                              on_business = services->on_business,
                              profiles = services->profiles] {
      auto p = cal->profile(holder->id);
      if (p) {
        *holder = std::move(*p);
        if (profiles)
          profiles->put(*holder, std::chrono::steady_clock::now());
      } else {
        spdlog::error("business {}: {}", holder->id, p.error().message);
      }
      auto loaded = p ? std::make_optional(*holder) : std::nullopt;
      caf::anon_send(me, loaded_atom::value);
      if (loaded && on_business)
        on_business(*loaded); // after the greeting is on its way
    });
  } else {
    self->send(self, loaded_atom::value);
  }
  return {
      [=](loaded_atom) { ready(); },
      [=](turn_atom, const std::string& text) {
        auto& st = self->state;
        if (!st.engine_ready) {
          st.waiting.push_back(text);
          return;
        }
        dialog_engine_call(self, [text](dialog::dialog_engine& e) { return e.on_caller(text); });
      },
      [=](engine_atom) {
        auto& st = self->state;
        dialog::reply r;
        {
          std::lock_guard lk(st.engine_out->mtx);
          if (st.engine_out->items.empty())
            return;
          r = std::move(st.engine_out->items.front());
          st.engine_out->items.pop_front();
        }
        dialog_handle(self, std::move(r));
      },
      [=](tool_atom) {
        auto& st = self->state;
        std::pair<std::uint64_t, dialog::tool_result> item;
        {
          std::lock_guard lk(st.done->mtx);
          if (st.done->items.empty())
            return;
          item = std::move(st.done->items.front());
          st.done->items.pop_front();
        }
        if (item.first != st.generation || st.tools_pending == 0)
          return; // a stale round: the caller moved on
        --st.tools_pending;
        dialog_engine_call(self, [result = std::move(item.second)](dialog::dialog_engine& e) {
          return e.on_result(result);
        });
      },
      [=](filler_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen == st.generation && st.tools_pending > 0 && !st.filler_said) {
          st.filler_said = true;
          self->send(st.supervisor, reply_text{st.filler, false, 0});
        }
      },
      [=](interrupt_atom, const std::string& heard) {
        auto& st = self->state;
        if (!st.engine_ready)
          return;
        dialog_engine_call(self, [heard](dialog::dialog_engine& e) {
          e.on_interrupted(heard);
          return dialog::reply{};
        });
      },
      [=](summary_atom) -> caf::result<std::vector<std::string>> {
        auto& st = self->state;
        if (!st.engine_ready)
          return std::vector<std::string>{"", ""};
        if (!st.engine_queue) {
          auto s = st.shared_engine->summarize();
          return std::vector<std::string>{s.text(), s.outcome};
        }
        // The LLM writes the summary: off the scheduler, after the engine's queued work.
        st.summary_promise = self->make_response_promise<std::vector<std::string>>();
        auto me = caf::actor_cast<dialog_actor>(self);
        st.engine_queue->post([engine = st.shared_engine, me] {
          std::vector<std::string> out{"", ""};
          try {
            auto s = engine->summarize();
            out = {s.text(), s.outcome};
          } catch (const std::exception& e) {
            spdlog::error("dialog summary failed: {}", e.what());
          }
          caf::anon_send(me, summarized_atom::value, std::move(out));
        });
        return st.summary_promise;
      },
      [=](summarized_atom, std::vector<std::string>& s) {
        auto& st = self->state;
        if (st.summary_promise.pending())
          st.summary_promise.deliver(std::move(s));
      },
  };
}

// ---------------------------------------------------------------------------------------------
// the supervisor

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
  // A barge-in waiting for the interrupting words.
  bool interrupted = false;
  std::string unheard; // what the caller did not hear of the cut reply
};

void speak(supervisor_self self, const std::string& text) {
  auto& s = self->state;
  if (text.empty())
    return;
  s.current_text = text;
  ++s.utterance;
  self->send(s.speaker, say{s.utterance, text});
  if (s.services->events)
    s.services->events->on_turn(s.info, turn_record{"agent", text,
                                                    (now_us() - s.started_us) / 1000, false});
}

void answer(supervisor_self self, const reply_text& r) {
  auto& s = self->state;
  s.trace.decision_ms = double(now_us() - s.speech_end_us) / 1000.0;
  self->send(s.listener, expect_atom::value, r.expecting);
  speak(self, r.text);
  s.reply_utterance = s.utterance;
  if (r.end_call) {
    s.hang_up_when_done = true;
    if (r.text.empty() && !s.speaking) // nothing more to say and nothing playing: end now
      self->send(s.media, hangup_atom::value, std::string("call ended"));
  }
}

// An exception in a child's handler is logged and kills only that child (the supervisor then
// restarts it); CAF's default would print to stderr.
template <class Self>
void log_failures(Self* self, const std::string& call_sid, const char* role) {
  self->set_exception_handler(
      [call_sid, role](caf::scheduled_actor*, std::exception_ptr& e) -> caf::error {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("call {}: {} failed: {}", call_sid, role, ex.what());
        } catch (...) {
          spdlog::error("call {}: {} failed", call_sid, role);
        }
        return caf::sec::runtime_error;
      });
}

// The restartable children. Only the first dialog greets; a restarted one takes over mid-call.
listener_actor spawn_listener(supervisor_self self) {
  auto& s = self->state;
  return self->spawn<caf::monitored>(listener_fn, caf::actor_cast<supervisor_actor>(self),
                                     s.services, s.info, s.route);
}

speaker_actor spawn_speaker(supervisor_self self) {
  auto& s = self->state;
  return self->spawn<caf::monitored>(speaker_fn, caf::actor_cast<supervisor_actor>(self), s.media,
                                     s.services, s.info.call_sid, s.info.call_id);
}

dialog_actor spawn_dialog(supervisor_self self) {
  auto& s = self->state;
  bool greet = !s.dialog;
  return self->spawn<caf::monitored>(dialog_fn, s.services, s.info,
                                     caf::actor_cast<supervisor_actor>(self), greet, s.calendar);
}

void finish(supervisor_self self, const std::string& reason) {
  auto& s = self->state;
  if (s.ended)
    return;
  s.ended = true;
  s.report.end_reason = reason;
  // A slot the call still holds is free for other callers at once. The end of the call's record
  // drops its holds too; this catches a hold whose tool was still queued at the calendar then.
  if (s.calendar)
    caf::anon_send(s.calendar, tool_request{s.info.call_id, "release_slot", {}});
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
  s.media = self->spawn<caf::linked>(media_fn, s.out, caf::actor_cast<supervisor_actor>(self),
                                     s.rec, false, s.info, std::function<void(call_report)>{});
  s.dialog = spawn_dialog(self);
  s.listener = spawn_listener(self);
  if (s.route) { // the caller's frames reach the VAD, the listener and the recording
    std::lock_guard lk(s.route->mtx);
    s.route->media = s.rec ? s.media : media_actor{}; // `recording` was set with the route
    s.route->listener = s.listener;
    // What the VAD cut before now, sent under the lock so that it comes before what follows.
    for (auto& m : std::exchange(s.route->held, {}))
      caf::anon_send(s.listener, std::move(m));
  }
  s.speaker = spawn_speaker(self);
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
      st.listener = spawn_listener(self);
      if (st.route) {
        std::lock_guard lk(st.route->mtx);
        st.route->listener = st.listener;
      }
      break;
    case child::speaker:
      st.speaker = spawn_speaker(self);
      break;
    case child::dialog:
      st.dialog = spawn_dialog(self);
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
          hear(*r, std::move(a.mulaw), a.timestamp_ms);
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
        } else {
          st.trace.first_frame_ms = ms;
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
          if (s2.services->events)
            s2.services->events->on_turn(
                s2.info, turn_record{"agent", heard, (now_us() - s2.started_us) / 1000, true});
        });
      },
      [=](heard& h) {
        auto& st = self->state;
        spdlog::debug("call {}: heard '{}' (confidence {:.4f}{}, {} ms of speech)",
                      st.info.call_sid, h.text, h.confidence, h.rejected ? ", rejected" : "",
                      h.speech_ms);
        if (st.services->events)
          st.services->events->on_heard(st.info, h.rejected, h.unavailable);
        if (!h.note.empty() && st.services->events) // how this turn was heard, for the transcript
          st.services->events->on_turn(
              st.info, turn_record{"system", h.note, (h.speech_end_us - st.started_us) / 1000, false});
        if (st.interrupted) {
          st.interrupted = false;
          turn::barge_in judge;
          if (judge.judge(h.text, std::chrono::milliseconds(h.speech_ms)) ==
              turn::barge_in::verdict::resume) {
            speak(self, st.unheard); // a cough or an "okay": carry on
            return;
          }
        }
        if (h.rejected) {
          speak(self, "Sorry, I didn't catch that. Could you say it again?");
          return;
        }
        ++st.turns;
        st.trace = turn_latency{st.turns, double(h.final_us - h.speech_end_us) / 1000.0, 0, 0, 0,
                                double(h.decided_us - h.speech_end_us) / 1000.0};
        st.speech_end_us = h.speech_end_us;
        if (st.services->events)
          st.services->events->on_turn(
              st.info, turn_record{"caller", h.text, (h.speech_end_us - st.started_us) / 1000, false});
        st.awaiting_dialog = true;
        self->send(st.dialog, turn_atom::value, h.text);
      },
      [=](reply_text& r) {
        self->state.awaiting_dialog = false;
        answer(self, r);
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

class actor_call_handle final : public call_handle {
public:
  explicit actor_call_handle(call_actor a, std::shared_ptr<audio_route> route = nullptr)
      : actor_(std::move(a)), route_(std::move(route)) {}
  ~actor_call_handle() override { caf::anon_send(actor_, stream_ended{"handle_released"}); }
  void audio(std::vector<std::uint8_t> mulaw, std::uint64_t ts) override {
    if (route_)
      hear(*route_, std::move(mulaw), ts); // on the connection's thread: see audio_route
    else
      caf::anon_send(actor_, audio_in{std::move(mulaw), ts});
  }
  void mark(std::string name) override { caf::anon_send(actor_, mark_played{std::move(name)}); }
  void dtmf(std::string digit) override { caf::anon_send(actor_, dtmf_in{std::move(digit)}); }
  void end(std::string reason) override { caf::anon_send(actor_, stream_ended{std::move(reason)}); }

private:
  call_actor actor_;
  std::shared_ptr<audio_route> route_;
};

class runtime final : public call_runtime {
public:
  runtime(caf::actor_system& sys, call_services services)
      : sys_(sys), services_(std::move(services)) {}

  std::shared_ptr<call_handle> start(call_info info, std::shared_ptr<media_out> out,
                                     std::function<void(call_report)> on_end) override {
    auto ended = services_.on_call_end && !services_.echo ? std::make_shared<const call_info>(info)
                                                          : nullptr;
    call_actor a;
    std::shared_ptr<audio_route> route;
    if (services_.echo)
      a = sys_.spawn(media_fn, std::move(out), supervisor_actor{}, std::shared_ptr<recording>{},
                     true, std::move(info), std::move(on_end));
    else {
      if (services_.on_call_start)
        services_.on_call_start(info);
      auto calendar = calendar_for(info.business_id);
      route = std::make_shared<audio_route>();
      route->recording = recording_pool(services_) != nullptr; // from the first frame
      auto sup = sys_.spawn(supervisor_fn, std::move(info), std::move(out), std::move(on_end),
                            &services_, std::move(calendar), route);
      {
        std::lock_guard lk(route->mtx);
        route->supervisor = sup;
      }
      a = sup;
    }
    {
      std::lock_guard lk(mtx_);
      actors_[a.id()] = a;
    }
    ++live_;
    // Runs however the actor ends (quit, exception, system shutdown).
    a->attach_functor([this, id = a.id(), ended = std::move(ended)] {
      {
        std::lock_guard lk(mtx_);
        actors_.erase(id);
        --live_;
      }
      if (ended)
        services_.on_call_end(*ended);
    });
    return std::make_shared<actor_call_handle>(std::move(a), std::move(route));
  }

  std::size_t live() const override { return live_.load(); }

  void end_all(const std::string& reason) override {
    std::lock_guard lk(mtx_);
    for (auto& [id, a] : actors_)
      caf::anon_send(a, stream_ended{reason});
  }

  void shutdown() override {
    std::lock_guard lk(mtx_);
    for (auto& [id, c] : calendars_)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    calendars_.clear();
  }

  ~runtime() override { shutdown(); }

private:
  // The business's calendar actor, started with its first call on this node.
  calendar_actor calendar_for(const std::string& business_id) {
    if (!services_.calendar || !services_.blocking || business_id.empty())
      return {};
    std::lock_guard lk(mtx_);
    auto& c = calendars_[business_id];
    if (!c && services_.calendar_route)
      c = caf::actor_cast<calendar_actor>(services_.calendar_route(business_id));
    if (!c)
      c = spawn_calendar_actor(sys_, *services_.calendar, *services_.blocking, services_.clk,
                               business_id, services_.profiles);
    return c;
  }

  caf::actor_system& sys_;
  call_services services_;
  std::atomic<std::size_t> live_{0};
  std::mutex mtx_;
  std::unordered_map<caf::actor_id, call_actor> actors_;
  std::unordered_map<std::string, calendar_actor> calendars_;
};

} // namespace

std::unique_ptr<call_runtime> make_call_runtime(caf::actor_system& sys, call_services services) {
  return std::make_unique<runtime>(sys, std::move(services));
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::frontdesk>();
}

} // namespace frontdesk::call
