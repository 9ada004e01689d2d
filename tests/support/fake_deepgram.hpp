#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace frontdesk::fixtures {

/// How the fake's results end one caller turn (the combinations the live endpoint sends).
enum class turn_style {
  speech_final,              // interims, then a final with speech_final
  final_then_utterance_end,  // a final without speech_final, then UtteranceEnd
  both,                      // speech_final, then an UtteranceEnd as well
  interims_only,             // never a final; an UtteranceEnd ends it
  silent_server,             // interims only, no final, no UtteranceEnd, Finalize ignored
};

/// What one connection does, chosen as it arrives (by its 1-based number).
struct fake_deepgram_plan {
  int refuse_status = 0; // 401, 402, 429, 400: the handshake is refused with dg-error
  std::chrono::milliseconds idle_close{10000}; // no audio nor text this long: 1011 NET-0001
  std::size_t reset_after_bytes = 0;      // TCP reset (no close frame) after this much audio
  std::size_t close_1011_after_bytes = 0; // 1011 NET-0000 after this much audio
  std::chrono::milliseconds endpointing{300}; // a gap in the audio this long ends a turn
  std::chrono::milliseconds final_delay{0};   // before each final (slow vendor)
  bool mute = false; // takes audio, never sends a message (a stalled server)
  /// Reads nothing after the handshake: the client's writes back up in the kernel's buffers,
  /// and a large one stays in flight (until reset_sockets()).
  bool deaf = false;
};

/// One connection as the fake saw it.
struct fake_deepgram_connection {
  std::string target;        // "/v1/listen?model=…"
  std::string authorization; // the Authorization header
  std::size_t audio_bytes = 0;
  std::size_t binary_frames = 0;
  std::size_t keepalives = 0;
  std::size_t finalizes = 0;
  bool close_stream = false;  // CloseStream arrived
  bool closed_by_idle = false;
  std::vector<std::string> texts; // every text frame received
  std::vector<std::string> sent;  // every text frame sent
};

/// A Deepgram live-transcription server on 127.0.0.1 (an ephemeral port) speaking the real
/// wire format: it "recognises" the scripted caller turns one after the other, each ended by
/// a gap in the audio or by Finalize, with results in the turn's style; answers CloseStream with
/// the last final, Metadata and a normal close; and can be told to refuse handshakes, close
/// idle sockets, reset or 1011 a socket mid-call, or die.
class fake_deepgram {
public:
  using planner = std::function<fake_deepgram_plan(int connection)>;

  fake_deepgram(std::vector<std::string> turns, turn_style style = turn_style::speech_final,
                planner plan = {});
  ~fake_deepgram();
  fake_deepgram(const fake_deepgram&) = delete;
  fake_deepgram& operator=(const fake_deepgram&) = delete;

  std::uint16_t port() const;
  /// "ws://127.0.0.1:PORT/v1/listen"
  std::string url() const;
  /// The style of the turns from now on.
  void set_style(turn_style s);
  /// Each connection says the script from its first turn (many calls at once: a load run)
  /// instead of one script shared by every connection (one call across reconnects).
  void set_script_per_connection(bool on);
  std::vector<fake_deepgram_connection> connections() const;
  std::size_t open_sockets() const;
  /// Resets every socket and refuses new ones (the vendor is gone).
  void kill();
  /// Resets every open socket (no close frame), and keeps taking new ones.
  void reset_sockets();
  /// Bytes that arrived on the open sockets and were not read yet (a deaf plan's backlog).
  std::size_t unread_bytes() const;
  void stop();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace frontdesk::fixtures
