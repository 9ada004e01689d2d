#include "actors/vad/listener.hpp"

#include <caf/all.hpp>

#include "actors/call/shell.hpp"
#include "actors/dialog/engine.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/speech/waiting_session.hpp"
#include "protocols/console/tap.hpp"

namespace frontdesk::call {
namespace {

// What the dialog expects next reaches the listener as a number (dialog::expecting) and is
// read as the recogniser's hint and the endpointer's expectation: the three lists must match.
template <class A, class B>
constexpr bool same_place(A a, B b) {
  return static_cast<int>(a) == static_cast<int>(b);
}
#define FD_SAME_EXPECTATION(x)                                                                 \
  static_assert(same_place(dialog::expecting::x, speech::listen_for::x) &&                    \
                same_place(dialog::expecting::x, turn::expectation::x))
FD_SAME_EXPECTATION(anything);
FD_SAME_EXPECTATION(digits);
FD_SAME_EXPECTATION(name);
FD_SAME_EXPECTATION(email);
FD_SAME_EXPECTATION(yes_no);
FD_SAME_EXPECTATION(spelling);
FD_SAME_EXPECTATION(when);
FD_SAME_EXPECTATION(choice);
#undef FD_SAME_EXPECTATION

using namespace proto;

using listener_self = listener_actor::stateful_pointer<struct listener_state>;

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
  // What the dialog waits for: the recogniser leans towards it.
  speech::listen_for hint = speech::listen_for::anything;
};

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
                                n = st.utterances++, hint = st.hint] {
            // With every decoder busy the utterance waits for one, keeping its audio.
            rec->session = speech::make_waiting_session(
                [svc, info, n, hint]() -> std::unique_ptr<speech::stt_session> {
                  return svc->open_stt ? svc->open_stt(*info, n, hint)
                         : svc->stt    ? svc->stt->start(info->business_id, hint)
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
              std::shared_ptr<console::call_tap> tap;
              {
                std::lock_guard lk(route->mtx);
                tap = route->tap;
                route->front.set_partial(turn, words);
              }
              if (tap) // watching consoles see the words as they come
                tap->partial(words);
            }
          });
        }
        if (!a.ended)
          return;
        // A cloud recogniser's last words come back over its socket: the queue waits for them
        // without holding a worker (the call's next jobs wait behind it, in order).
        if (st.queue)
          st.queue->post_suspending([rec = st.current](serial_queue::resume_fn resume) {
            if (!rec->session || !rec->session->when_ready(resume))
              resume();
          });
        // The caller waits for this one: ahead of other calls' partial decoding.
        run_speech_first(st.queue, [rec = std::exchange(st.current, {}), sup = st.supervisor,
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
            for (auto& w : r.words)
              if (w.unsure)
                h.unsure.push_back(w.word);
            h.rejected = r.rejected;
            h.unavailable = r.unavailable;
            h.note = std::move(r.note);
            h.vendor_wait_us = r.vendor_wait_us;
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
        auto hint = static_cast<speech::listen_for>(e);
        self->state.hint = hint <= speech::listen_for::choice ? hint : speech::listen_for::anything;
        with_front(
            [&](turn::front_end& f) { f.set_expectation(static_cast<turn::expectation>(e)); });
      },
  };
}

} // namespace

proto::listener_actor spawn_listener(caf::local_actor* parent, proto::supervisor_actor supervisor,
                                     call_services* services, call_info info,
                                     std::shared_ptr<audio_route> route) {
  return parent->spawn<caf::monitored>(listener_fn, std::move(supervisor), services,
                                       std::move(info), std::move(route));
}

} // namespace frontdesk::call
