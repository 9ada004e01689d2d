#pragma once

// The media role's actor shell: paces the call's outbound audio (media::pacer), sends marks and
// clears, and taps what was said both ways for the recording. Actor code only (CAF).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "adapters/speech/recorder.hpp"
#include "adapters/workers/serial.hpp"
#include "protocols/actor/interfaces.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/call/call_port.hpp"

namespace frontdesk::console {
class call_tap;
}

namespace frontdesk::call {

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
  /// Caller audio goes from the connection's thread to the media actor, and from there to the
  /// recording pool, a second at a time: each block costs an actor message, a pool job and an
  /// Ogg page written, so 200 ms blocks were five of each a second per call (at 1,000 calls,
  /// 10,000 hand-offs a second for the recording alone). A crash loses at most the last block.
  static constexpr std::size_t block_samples = 50 * audio::frame_samples;
  static constexpr int max_backlog = 30; // 30 s of 1 s blocks
};

/// Spawns a call's media actor, linked to `parent` (the call's supervisor, which it reports
/// to). `rec`: the call's recording, or null. `tap`: where what is sent to the caller is also
/// told to listening consoles, or null.
proto::media_actor spawn_media(caf::local_actor* parent, std::shared_ptr<media_out> out,
                               proto::supervisor_actor supervisor, std::shared_ptr<recording> rec,
                               call_info info, std::shared_ptr<console::call_tap> tap = nullptr);

/// Spawns a media actor that is the whole call: it echoes the caller (transport tests and
/// benchmarks) and reports through `on_end`.
proto::media_actor spawn_echo(caf::actor_system& sys, std::shared_ptr<media_out> out,
                              call_info info, std::function<void(call_report)> on_end);

} // namespace frontdesk::call
