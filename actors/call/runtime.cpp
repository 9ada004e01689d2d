#include "actors/call/runtime.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/media/pacer.hpp"
#include "protocols/actor/messages.hpp"

namespace frontdesk::call {
namespace {

using namespace std::chrono_literals;
using proto::audio_in;
using proto::dtmf_in;
using proto::mark_played;
using proto::stream_ended;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

constexpr auto tick_period = 20ms;
// While the call tree is being built (a later issue), the media actor echoes the caller: their
// audio comes back after a mark every half second, and '#' clears what is still playing.
constexpr std::uint64_t echo_mark_every = 25;

struct media_state {
  media_state() = default; // CAF constructs state(self): keep it from being an aggregate
  call_info info;
  std::shared_ptr<media_out> out;
  std::function<void(call_report)> on_end;
  media::pacer pacer;
  call_report report;
  caf::actor_clock::time_point next_tick;
  bool ticking = false;
  std::uint32_t utterance = 1;
  bool ended = false;
};

void send_due(media_state& s) {
  for (auto& item : s.pacer.poll(std::chrono::steady_clock::now())) {
    if (item.what == media::pacer::item::kind::media) {
      s.out->send_media(item.audio);
      ++s.report.frames_out;
    } else {
      s.out->send_mark(item.mark);
    }
  }
}

caf::behavior media_actor(caf::stateful_actor<media_state>* self, call_info info,
                          std::shared_ptr<media_out> out,
                          std::function<void(call_report)> on_end) {
  auto& s = self->state;
  s.info = std::move(info);
  s.out = std::move(out);
  s.on_end = std::move(on_end);
  s.report.info = s.info;
  auto finish = [self](const std::string& reason) {
    auto& st = self->state;
    if (st.ended)
      return;
    st.ended = true;
    st.report.end_reason = reason;
    if (st.on_end)
      st.on_end(st.report);
    self->quit();
  };
  auto start_ticking = [self] {
    auto& st = self->state;
    if (st.ticking)
      return;
    st.ticking = true;
    st.next_tick = self->clock().now();
    self->send(self, tick_atom::value);
  };
  return {
      [=](audio_in& a) {
        auto& st = self->state;
        ++st.report.frames_in;
        st.pacer.enqueue(st.utterance, a.mulaw, st.report.frames_in % echo_mark_every == 0);
        start_ticking();
      },
      [=](tick_atom) {
        auto& st = self->state;
        send_due(st);
        if (st.pacer.queued() == std::chrono::milliseconds{0}) {
          st.ticking = false; // nothing left to pace until more audio arrives
          return;
        }
        // Absolute deadlines: no drift; after a stall, resume from now rather than burst.
        st.next_tick = std::max(st.next_tick + tick_period, self->clock().now());
        self->scheduled_send(self, st.next_tick, tick_atom::value);
      },
      [=](mark_played& m) {
        auto& st = self->state;
        if (st.pacer.on_mark(m.name))
          ++st.report.marks_played;
      },
      [=](dtmf_in& d) {
        auto& st = self->state;
        if (d.digit == "#") {
          st.pacer.clear(std::chrono::steady_clock::now());
          st.out->send_clear();
          ++st.report.clears;
          ++st.utterance;
        }
      },
      [=](stream_ended& e) { finish(e.reason); },
  };
}

class actor_call_handle final : public call_handle {
public:
  explicit actor_call_handle(caf::actor a) : actor_(std::move(a)) {}
  ~actor_call_handle() override { caf::anon_send(actor_, stream_ended{"handle_released"}); }
  void audio(std::vector<std::uint8_t> mulaw, std::uint64_t ts) override {
    caf::anon_send(actor_, audio_in{std::move(mulaw), ts});
  }
  void mark(std::string name) override { caf::anon_send(actor_, mark_played{std::move(name)}); }
  void dtmf(std::string digit) override { caf::anon_send(actor_, dtmf_in{std::move(digit)}); }
  void end(std::string reason) override { caf::anon_send(actor_, stream_ended{std::move(reason)}); }
  const caf::actor& actor() const { return actor_; }

private:
  caf::actor actor_;
};

class runtime final : public call_runtime {
public:
  explicit runtime(caf::actor_system& sys) : sys_(sys) {}

  std::shared_ptr<call_handle> start(call_info info, std::shared_ptr<media_out> out,
                                     std::function<void(call_report)> on_end) override {
    auto a = sys_.spawn(media_actor, std::move(info), std::move(out), std::move(on_end));
    {
      std::lock_guard lk(mtx_);
      actors_[a.id()] = a;
    }
    ++live_;
    // Runs however the actor ends (quit, exception, system shutdown).
    a->attach_functor([this, id = a.id()] {
      std::lock_guard lk(mtx_);
      actors_.erase(id);
      --live_;
    });
    return std::make_shared<actor_call_handle>(std::move(a));
  }

  std::size_t live() const override { return live_.load(); }

  void end_all(const std::string& reason) override {
    std::lock_guard lk(mtx_);
    for (auto& [id, a] : actors_)
      caf::anon_send(a, stream_ended{reason});
  }

private:
  caf::actor_system& sys_;
  std::atomic<std::size_t> live_{0};
  std::mutex mtx_;
  std::unordered_map<caf::actor_id, caf::actor> actors_;
};

} // namespace

std::unique_ptr<call_runtime> make_call_runtime(caf::actor_system& sys) {
  return std::make_unique<runtime>(sys);
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::frontdesk>();
}

} // namespace frontdesk::call
