#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::http {
class ws_client_pool;
}

namespace frontdesk::caller {

/// What the simulated caller does.
struct sim_options {
  std::string base_url;          // the node, as Twilio reaches it: http://127.0.0.1:8080
                                 // (several, comma-separated: see split_base_urls)
  /// More nodes behind the same balancer: a webhook or <Connect action> request that a node
  /// refuses (connection refused, no answer) goes to the next of base_url, then these.
  std::vector<std::string> more_base_urls;
  /// Where the balancer sends <Connect action> requests first, when not where the webhook went
  /// (a balancer that spreads requests: the node that answers may not be the call's own).
  std::string action_base_url;
  /// How many times a call follows <Connect action> into a new stream (a node lost mid-call).
  int max_resumes = 3;
  std::string public_url;        // the URL the node signs over (default: base_url)
  std::string auth_token;        // signs the webhook and the stream upgrade
  std::string to;                // the dialled number
  std::string from = "+15557770000";
  std::string call_sid;          // default: a fresh CA...
  std::vector<std::uint8_t> audio; // caller audio, 8 kHz μ-law (one turn)
  /// Further turns, each spoken after the receptionist has finished answering the one before;
  /// a turn with `interrupt_after` > 0 is spoken that long into the answer instead (barge-in).
  struct turn {
    std::vector<std::uint8_t> audio;
    std::chrono::milliseconds interrupt_after{0};
  };
  std::vector<turn> turns;
  std::chrono::milliseconds wait_before_speaking{0}; // after the stream starts
  bool wait_for_greeting = true;  // speak only after the receptionist has finished
  std::chrono::milliseconds greeting_timeout{5000}; // ... or after this long without one
  /// How long the receptionist must have been quiet before the next turn is spoken: a pause in
  /// its answer shorter than this ("Let me check that for you." ... the answer) is waited out.
  std::chrono::milliseconds answer_quiet{400};
  std::chrono::milliseconds quiet_to_hang_up{1500}; // hang up after this much silence from us
  std::chrono::milliseconds max_call{120000};
  bool fast = false;              // send audio without real-time pacing and no silence between
  /// The caller's words go out this many frames per 20 ms tick; the silence around them stays
  /// one frame a tick, so the node's endpointing (which counts frames) and every wall-clock
  /// timer of the call behave as in real time. For calls that check what was said and done,
  /// not how fast it was answered: turn latencies and barge-in times are not real ones above 1.
  int words_speed = 1;
  std::vector<std::string> dtmf;  // digits pressed after the audio ("#")
  /// Added to the stream's start parameters (the load generator declares its script to the
  /// node's instant test engines as "script" = "turn one|turn two").
  std::map<std::string, std::string> extra_parameters;
  /// Shared by the callers of a load run (default: the call makes its own). Its io threads
  /// are also the callers' media clock: each sends its frames from its connection's thread.
  std::shared_ptr<http::ws_client_pool> ws_pool;
};

/// What happened, as a JSON-able record.
struct sim_report {
  std::string call_sid;
  std::string stream_sid;
  std::map<std::string, std::string> stream_parameters; // the <Parameter>s of the <Stream>
  int webhook_status = 0;
  std::string twiml;
  double first_audio_ms = -1;     // stream start → first media from the node
  std::uint64_t frames_sent = 0;
  std::uint64_t media_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t marks_received = 0;
  std::uint64_t marks_echoed = 0;
  std::uint64_t clears = 0;
  double send_late_p50_ms = 0, send_late_p99_ms = 0, send_late_max_ms = 0;
  // Our audio against the 20 ms clock: how much later than the frame before plus its length
  // each media message arrived (within a run of audio; silences between replies excluded).
  double recv_late_p50_ms = 0, recv_late_p99_ms = 0, recv_late_max_ms = 0;
  std::uint64_t recv_late_over_20ms = 0; // frames that would have left a gap in playback
  /// Per caller turn: last frame of the caller's words sent → first reply frame received.
  std::vector<double> turn_latency_ms;
  /// Per interrupting turn: first frame of the interruption sent → clear received.
  std::vector<double> barge_in_ms;
  std::uint64_t turns_unanswered = 0; // turns no reply came to within 10 s
  std::string ended;              // "caller_hung_up", "server_closed:1000:call ended", ...
  /// Streams that ended with the call still going, after which <Connect action> answered with
  /// a new stream (the node was lost and another took the call over).
  int resumes = 0;
  /// Per resume: the end of the old stream → the first audio on the new one (the caller's
  /// silence).
  std::vector<double> resume_gap_ms;
  std::vector<std::string> stream_urls; // the <Stream url> of each stream, in order
  std::string after_stream_twiml; // what the node answered to <Connect action> after it closed
  std::string transferred_to;     // the <Dial><Number> in it, if any
  double duration_ms = 0;
  std::vector<std::uint8_t> received_audio; // what the caller heard (μ-law)
  std::string to_json() const;
};

/// Places one call the way Twilio does: a signed voice webhook, then the Media Stream named in
/// the TwiML, with paced caller audio, marks echoed as audio "plays", clears honoured.
expected<sim_report> simulate_call(const sim_options& options);

/// A base_url naming several nodes, comma-separated ("http://a:8080,http://b:8080"), becomes
/// the first and more_base_urls (the balancer's other nodes).
void split_base_urls(sim_options& options);

/// A fresh CallSid-shaped id (CA + 32 hex).
std::string new_sid(const char* prefix);

} // namespace frontdesk::caller
