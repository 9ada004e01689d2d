#pragma once

// The route of a call's caller audio, and the VAD that runs on it (the listener role's front).
// Actor code only (CAF).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "actors/media/media_actor.hpp"
#include "actors/vad/front_end.hpp"
#include "adapters/speech/recognizer.hpp"
#include "protocols/actor/interfaces.hpp"
#include "protocols/audio/mulaw.hpp"

namespace frontdesk::console {
class call_tap;
}

namespace frontdesk::call {

// Where the caller's frames go. The edge calls hear() for each frame on the thread that read
// it from the socket; the VAD, the endpointer and the barge-in judge run there, at once, and
// only what they decide becomes a message: a turn's audio for the listener 100 ms at a time,
// a barge-in for the supervisor, the recording's caller audio for the media actor a second at
// a time (recording::block_samples). The silence between turns costs no actor message at all
// (at 500 calls, 25,000 fewer messages a second through the scheduler). The supervisor
// attaches its children once they exist, and keeps the route current across restarts.
struct audio_route {
  std::mutex mtx;
  proto::supervisor_actor supervisor;
  proto::listener_actor listener;
  proto::media_actor media; // only when recording
  bool recording = false;   // caller audio is kept for the recording from the first frame
  std::unique_ptr<speech::vad> vad;
  turn::front_end front;
  std::vector<std::int16_t> pcm;         // the frame being heard, decoded
  std::vector<proto::speech_audio> held; // for the listener, before it is attached
  static constexpr std::size_t max_held = 100; // 10 s of speech: far more than an attach takes
  std::atomic<std::uint64_t> frames_in{0};
  // Caller audio for the recording, handed to the media actor a block at a time. The
  // supervisor takes what is left when the call ends.
  std::vector<std::uint8_t> rec_pending;
  std::uint64_t rec_pending_ts = 0;
  static constexpr std::size_t rec_block = recording::block_samples;
  // The call's console tap (caller audio for listeners, partial words for watchers); may be
  // empty.
  std::shared_ptr<console::call_tap> tap;
};

/// Hears one caller frame on the thread that read it: runs the VAD, the endpointer and the
/// barge-in judge, and sends only what they decide.
void hear(audio_route& r, std::span<const std::uint8_t> mulaw, std::uint64_t ts);

} // namespace frontdesk::call
