#pragma once

// The port through which the edge (the Media Stream session) reaches calls: who a call is, what
// it reports, where its audio goes out, and the handle that takes its inbound events. Plain
// C++: the node provides the implementation (the call runtime and its actors), the edge
// includes only this.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::call {

/// Who and what a call is, once its Media Stream has started.
struct call_info {
  std::string call_id;
  std::string business_id;
  std::string call_sid;
  std::string stream_sid;
  std::string caller;
  std::string business_name;
  std::string greeting;
  /// Test engines only (speech.mode = instant): what the caller will say, turn by turn, as the
  /// load generator declared it in the stream's start parameters. Ignored by real engines.
  std::vector<std::string> script;
  /// A call taken over from a lost node: the dialog's saved state (the dialog resumes from it
  /// instead of greeting), and how far into the call this stream starts (ms since the call was
  /// answered), so the transcript keeps its order.
  std::string resume_state;
  std::int64_t at_offset_ms = 0;
  /// ... and what the caller had said by then (the transcript's caller lines, in order): those
  /// the saved state had not taken in are answered first.
  std::vector<std::string> resume_heard;
  /// The business's own cloud speech choices ("" = the node's default): the voice that speaks,
  /// the recogniser's model and language.
  std::string tts_voice, stt_model, stt_language;
};

/// One turn of the conversation as it is saved.
struct turn_record {
  std::string role; // "caller" or "agent"
  std::string text;
  std::int64_t at_ms = 0; // since the stream started
  bool interrupted = false;
};

/// Where one caller turn's time went (milliseconds from the caller's last speech frame).
struct turn_latency {
  std::int64_t turn = 0;
  double stt_final_ms = 0;   // speech end → recogniser's final result (endpointing included)
  double decision_ms = 0;    // → the dialog's reply
  double tts_first_ms = 0;   // → first synthesised audio
  double first_frame_ms = 0; // → first reply frame sent to Twilio
  double endpoint_ms = 0;    // of first_frame_ms: the silence waited before the turn was over
  /// Of runtime_ms(): the time the call waited on remote vendors' answers, each measured from
  /// its request going out to its answer coming back on the socket: a cloud recogniser's final
  /// after the turn's last audio, a language model's reply, a cloud voice's first audio.
  double vendor_wait_ms = 0;
  /// What the runtime added: end of turn declared → first reply frame sent (recognition,
  /// dialog, synthesis and every hop between actors and pools).
  double runtime_ms() const { return first_frame_ms - endpoint_ms; }
  /// What the runtime itself added: runtime_ms() less the vendors' waits. Both are kept: the
  /// first is what the caller feels beyond the endpointing, the vendors included; this one is
  /// what the node's own work and queues cost, which a slow or starved vendor (in a benchmark,
  /// loopback fakes sharing the node's cores) does not move.
  double runtime_own_ms() const { return std::max(0.0, runtime_ms() - vendor_wait_ms); }
};

/// What a call reports while it runs, for saving as it goes. Implementations must not block
/// (they queue work for a worker pool).
class call_events {
public:
  virtual ~call_events() = default;
  virtual void on_turn(const call_info& info, const turn_record& turn) = 0;
  virtual void on_latency(const call_info& info, const turn_latency& latency) = 0;
  /// A caller utterance was recognised, or rejected (low confidence), or not decoded at all
  /// because every decoder was busy.
  virtual void on_heard(const call_info& info, bool rejected, bool unavailable) {
    (void)info;
    (void)rejected;
    (void)unavailable;
  }
  /// The caller is to be handed to a person once the stream ends.
  virtual void on_transfer(const call_info& info, const std::string& reason) = 0;
  /// The dialog's state after a reply (small JSON), saved with the transcript so that another
  /// node can take the call over if this one is lost.
  virtual void on_dialog_state(const call_info& info, const std::string& state) {
    (void)info;
    (void)state;
  }
};

/// Where a call's outbound messages go: the Media Stream connection. Implementations are
/// thread-safe and never block (they queue; a full queue drops and counts).
class media_out {
public:
  virtual ~media_out() = default;
  virtual bool send_media(std::span<const std::uint8_t> mulaw) = 0;
  virtual bool send_mark(std::string_view name) = 0;
  virtual bool send_clear() = 0;
  /// One message of a batch: a frame of audio, or (audio empty) a mark.
  struct outbound {
    std::span<const std::uint8_t> audio;
    std::string_view mark;
  };
  /// Sends several messages in order, handed to the connection at once (the media actor's
  /// frames of one pacing tick). The default sends them one by one.
  virtual void send_batch(std::span<const outbound> batch) {
    for (auto& m : batch) {
      if (m.audio.empty())
        send_mark(m.mark);
      else
        send_media(m.audio);
    }
  }
  /// Ends the stream from our side (hang-up, transfer, shutdown).
  virtual void close(std::string_view reason) = 0;
};

/// How a call went, reported once when it ends.
struct call_report {
  call_info info;
  std::string end_reason;
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;
  std::uint64_t marks_played = 0;
  std::uint64_t clears = 0;
  std::string summary;
  std::string outcome;
  std::string recording_path;
  std::uint64_t restarts = 0;
  std::string transfer_reason; // not empty: the caller is to be handed to a person
};

/// The inbound side of one live call: the edge hands it each Media Stream event. Thread-safe and
/// non-blocking (each call enqueues a message to the call's actors).
class call_handle {
public:
  virtual ~call_handle() = default;
  /// One caller frame (μ-law), read before the call returns: the edge decodes each frame into
  /// one buffer it reuses.
  virtual void audio(std::span<const std::uint8_t> mulaw, std::uint64_t timestamp_ms) = 0;
  virtual void mark(std::string name) = 0;
  virtual void dtmf(std::string digit) = 0;
  /// The stream ended; the call's actors finish and report.
  virtual void end(std::string reason) = 0;
};

/// Starts calls and counts the live ones: what the edge needs of the node's calls.
class call_port {
public:
  virtual ~call_port() = default;
  /// Starts a call. `on_end` runs once, on an actor thread, when the call is over: it must not
  /// block (hand blocking work to a worker pool).
  virtual std::shared_ptr<call_handle> start(call_info info, std::shared_ptr<media_out> out,
                                             std::function<void(call_report)> on_end) = 0;
  virtual std::size_t live() const = 0;
};

} // namespace frontdesk::call
