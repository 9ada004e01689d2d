#include "actors/vad/audio_route.hpp"

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include <caf/all.hpp>

#include "actors/call/shell.hpp"
#include "protocols/console/tap.hpp"

namespace frontdesk::call {

using namespace proto;

void hear(audio_route& r, std::span<const std::uint8_t> mulaw, std::uint64_t ts) {
  media_actor media;
  std::vector<std::uint8_t> block; // the recording's next block, when complete
  std::uint64_t block_ts = 0;
  listener_actor listener;
  std::optional<speech_audio> for_listener;
  supervisor_actor barge;
  supervisor_actor failed; // the VAD threw: the supervisor replaces the listener (and its VAD)
  std::string why;
  std::shared_ptr<console::call_tap> tap;
  {
    std::lock_guard lk(r.mtx);
    ++r.frames_in;
    tap = r.tap;
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
  if (tap)
    tap->caller_audio(mulaw);
  if (media)
    caf::anon_send(media, audio_in{std::move(block), block_ts});
  if (for_listener)
    caf::anon_send(listener, std::move(*for_listener));
  if (barge)
    caf::anon_send(barge, barge_atom::value);
  if (failed)
    caf::anon_send(failed, vad_failed_atom::value, std::move(why));
}

} // namespace frontdesk::call
