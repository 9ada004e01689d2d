#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::speech {

/// Text to speech. Implementations stream audio as it is produced and stop when cancelled.
class tts_engine {
public:
  virtual ~tts_engine() = default;
  /// Receives 8 kHz μ-law audio in chunks as synthesis produces it. Returning false cancels.
  using sink = std::function<bool(std::span<const std::uint8_t> mulaw)>;
  /// Synthesises `text`; blocks until done or cancelled (run it on a worker, never on a
  /// scheduler thread). `cancel` may be set from any thread.
  virtual expected<bool> synthesize(std::string_view text, const sink& out,
                                    const std::atomic<bool>& cancel) = 0;
  /// The same in a voice a business chose (a cloud vendor's voice name; "" the engine's own).
  /// An engine with one voice speaks with it whatever is asked.
  virtual expected<bool> synthesize_voice(std::string_view text, std::string_view voice,
                                          const sink& out, const std::atomic<bool>& cancel) {
    (void)voice;
    return synthesize(text, out, cancel);
  }
  virtual std::string name() const = 0;
};

/// Streaming sample-rate conversion of 16-bit mono audio.
class resampler {
public:
  resampler(int from_rate, int to_rate, int quality = 5);
  ~resampler();
  resampler(const resampler&) = delete;
  resampler& operator=(const resampler&) = delete;
  /// Converts a block; output is appended to `out`.
  void process(std::span<const std::int16_t> in, std::vector<std::int16_t>& out);
  int from() const { return from_; }
  int to() const { return to_; }

private:
  void* state_ = nullptr;
  int from_, to_;
};

/// Raw 16-bit little-endian mono PCM arriving in chunks of any size (an HTTP body splits
/// samples anywhere) turned into 8 kHz audio: the odd byte is carried to the next chunk and the
/// filtered resampler keeps its state across chunks, so chunked and whole input give the same
/// output. One per stream.
class pcm_stream_to_8k {
public:
  explicit pcm_stream_to_8k(int from_rate);
  ~pcm_stream_to_8k();
  pcm_stream_to_8k(const pcm_stream_to_8k&) = delete;
  pcm_stream_to_8k& operator=(const pcm_stream_to_8k&) = delete;
  /// Appends the 8 kHz samples of `bytes` to `out`.
  void feed(std::span<const std::uint8_t> bytes, std::vector<std::int16_t>& out);
  /// Appends the 8 kHz μ-law of `bytes` to `out`.
  void feed_mulaw(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& out);
  /// A byte waiting for its sample's other half?
  bool carrying() const { return has_odd_; }

private:
  std::unique_ptr<resampler> rs_; // null when the input is already 8 kHz
  bool has_odd_ = false;
  std::uint8_t odd_ = 0;
  std::vector<std::int16_t> in_, out_;
};

/// Flite voices shipped by Debian: kal, kal16, rms, slt, awb.
std::unique_ptr<tts_engine> make_flite_tts(const std::string& voice);

/// Synthesises a whole text to 8 kHz μ-law at once (tests, the caller simulator's --say).
expected<std::vector<std::uint8_t>> synthesize_all(tts_engine& tts, std::string_view text);

} // namespace frontdesk::speech
