// The media role's shell: the pacer (pacer.hpp) on the actor clock, so a test on CAF's test
// coordinator moves its time.

#include "actors/media/media_actor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <vector>

#include <caf/all.hpp>

#include "actors/call/shell.hpp"
#include "actors/media/pacer.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/console/tap.hpp"

namespace frontdesk::call {
namespace {

using namespace std::chrono_literals;
using namespace proto;

using media_self = media_actor::stateful_pointer<struct media_state>;

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
  std::shared_ptr<console::call_tap> tap; // listening consoles hear what is sent
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
                                    std::function<void(call_report)> on_end,
                                    std::shared_ptr<console::call_tap> tap) {
  auto& s = self->state;
  s.tap = std::move(tap);
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
          // handed to the writer a block at a time (one wake-up of a worker a second, not 50).
          st.rec_caller.insert(st.rec_caller.end(), a.mulaw.begin(), a.mulaw.end());
          auto tapped = std::min(a.mulaw.size(), st.agent_tap.size()); // then silence
          auto tap_end = st.agent_tap.begin() + static_cast<std::ptrdiff_t>(tapped);
          st.rec_agent.insert(st.rec_agent.end(), st.agent_tap.begin(), tap_end);
          st.agent_tap.erase(st.agent_tap.begin(), tap_end);
          st.rec_agent.resize(st.rec_caller.size(), audio::mulaw_silence);
          if (st.rec_caller.size() >= recording::block_samples)
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
          if (st.tap)
            st.tap->agent_audio(item.audio);
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

} // namespace

proto::media_actor spawn_media(caf::local_actor* parent, std::shared_ptr<media_out> out,
                               proto::supervisor_actor supervisor, std::shared_ptr<recording> rec,
                               call_info info, std::shared_ptr<console::call_tap> tap) {
  return parent->spawn<caf::linked>(media_fn, std::move(out), std::move(supervisor),
                                    std::move(rec), false, std::move(info),
                                    std::function<void(call_report)>{}, std::move(tap));
}

proto::media_actor spawn_echo(caf::actor_system& sys, std::shared_ptr<media_out> out,
                              call_info info, std::function<void(call_report)> on_end) {
  return sys.spawn(media_fn, std::move(out), proto::supervisor_actor{},
                   std::shared_ptr<recording>{}, true, std::move(info), std::move(on_end),
                   std::shared_ptr<console::call_tap>{});
}

} // namespace frontdesk::call
