#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"

namespace frontdesk::metrics {
class registry;
class counter;
class histogram;
} // namespace frontdesk::metrics

namespace frontdesk::speech {

/// One vendor's health, for /metrics. Every member may be null (not counted).
struct vendor_metrics {
  metrics::counter* requests = nullptr;  // sockets opened, requests made
  metrics::counter* failures = nullptr;  // refused, dropped, failed, too slow
  metrics::counter* fallbacks = nullptr; // turns or sentences the embedded engine took over
  metrics::histogram* first_ms = nullptr; // first result (STT) or first byte (TTS)
  metrics::counter* units = nullptr;     // audio milliseconds streamed, or characters
};

/// Registers `frontdesk_speech_vendor_*{vendor="…"}` in `r`. `unit` names what units counts.
vendor_metrics register_vendor_metrics(metrics::registry& r, const std::string& vendor,
                                       const std::string& kind);

struct deepgram_stt_settings {
  /// wss://api.deepgram.com/v1/listen, or a plain ws:// loopback URL (tests, fakes).
  std::string base_url = "wss://api.deepgram.com/v1/listen";
  std::string api_key;
  std::string model = "nova-3";
  std::string language = "en-US";
  int endpointing_ms = 300;
  int utterance_end_ms = 1000;
  /// A KeepAlive text frame when no audio went for this long (the server closes after 10 s).
  std::chrono::milliseconds keepalive_after{4000};
  /// At the end of a turn without a final yet: how long to wait for Finalize's answer.
  std::chrono::milliseconds finalize_wait{1500};
  std::chrono::milliseconds connect_timeout{5000};
  /// Audio sent and no message back for this long: the socket is stalled and counts as dropped.
  std::chrono::milliseconds stall_after{5000};
  /// A socket dropped while the caller spoke reconnects once no audio came for this long (or
  /// at the end of the turn), with what was not final replayed.
  std::chrono::milliseconds reconnect_quiet{300};
  /// After CloseStream: how long the server may take to send its last results and close.
  std::chrono::milliseconds close_wait{3000};
  /// The caller's audio goes out in messages of this much (Deepgram takes any size): fewer,
  /// larger messages cost the node, the network and the vendor less per second of audio than
  /// one per 20 ms frame. What is held back goes at once at the end of a turn (before
  /// Finalize) and at the end of the call, so no turn waits for it; partial words (barge-in)
  /// come at most this much later.
  std::chrono::milliseconds send_every{100};
  std::size_t io_threads = 1;
  /// Audio kept since the last final, replayed on a reconnect (8 kHz μ-law bytes).
  std::size_t max_replay_bytes = 8000 * 30;
};

/// Deepgram live recognition, one WebSocket per call. The call's utterances stream over it as
/// they arrive; its results are assembled into turns (deepgram::transcript_assembler). A refused
/// handshake (401, 402, 429, ...) sends the call to `fallback` at once (the utterance's own
/// audio is decoded there); a dropped socket reconnects once and replays the audio since the
/// last final; a second drop sends the rest of the call to `fallback`, and the result of the
/// first turn decoded there carries a note saying so. Its sockets run on its own io threads.
/// A session's when_ready() asks for the turn's end (Finalize) and calls back when its words
/// are in (or finalize_wait passed), so no thread waits on the vendor; finish() without it
/// waits (bounded) for the final.
/// A call's own recognition choices (its business's); "" keeps the configured one.
struct deepgram_call_options {
  std::string model;
  std::string language;
};

class deepgram_stt {
public:
  virtual ~deepgram_stt() = default;
  /// Opens the call's socket ahead of its first words (cheap to call again). `o` applies to the
  /// socket the call opens first (by this or by open()).
  virtual void start_call(const std::string& call_id, const deepgram_call_options& o = {}) = 0;
  /// The recognition of the call's `n`th utterance. Use from one thread at a time (a worker).
  virtual std::unique_ptr<stt_session> open(const std::string& call_id,
                                            const std::string& business_id, std::size_t n,
                                            const deepgram_call_options& o = {}) = 0;
  /// The call is over: CloseStream, the last results, the socket goes. Never blocks.
  /// Returns the seconds of audio streamed for the call.
  virtual double end_call(const std::string& call_id) = 0;
  /// Sockets open now (tests, metrics).
  virtual std::size_t live_sockets() const = 0;
  /// Stops every socket and joins the io threads.
  virtual void stop() = 0;
};

std::unique_ptr<deepgram_stt> make_deepgram_stt(deepgram_stt_settings s, stt_engine* fallback,
                                                vendor_metrics m = {});

/// Which vendor a cloud synthesiser speaks to.
enum class tts_vendor { openai, deepgram };

struct cloud_tts_settings {
  tts_vendor vendor = tts_vendor::openai;
  /// https://api.openai.com/v1 or https://api.deepgram.com/v1 (or a loopback http:// URL).
  std::string base_url;
  std::string api_key;
  std::string model = "gpt-4o-mini-tts"; // OpenAI; Deepgram: "aura-2-thalia-en"
  std::string voice = "alloy";           // OpenAI only
  /// A first byte later than this, or a failed request: the sentence is spoken by the fallback.
  std::chrono::milliseconds first_byte_limit{1200};
  std::chrono::milliseconds total_limit{30000};
};

/// A synthesiser that streams a vendor's audio (OpenAI pcm at 24 kHz, resampled; Deepgram
/// Aura μ-law at 8 kHz) to the sink as it downloads, aborts the transfer when cancelled, and
/// speaks with `fallback` (Flite) when the vendor is slow or fails. `fallback` must outlive it.
std::unique_ptr<tts_engine> make_cloud_tts(cloud_tts_settings s, tts_engine* fallback,
                                           vendor_metrics m = {});

} // namespace frontdesk::speech
