#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::media {

using steady_time = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

/// Paces a call's outbound audio toward Twilio, tracks what the caller has heard, and clears.
///
/// Twilio plays what it receives in real time and buffers the rest, so we send ahead, but only a
/// little (max_lead) and never faster than max_rate times real time, which keeps its buffer
/// shallow and makes `clear` effective. A mark follows each queued segment; Twilio echoes it once
/// the audio before it has played, which is how we know what the caller actually heard.
/// Pure: time is a parameter; the media actor calls poll() on its tick (settings::tick).
class pacer {
public:
  struct settings {
    milliseconds message{20};   // audio per media message: 20 or 40 ms
    milliseconds max_lead{200}; // how far ahead of playback we may be
    double max_rate = 2.0;      // never faster than this times real time
    milliseconds tick{20};      // how often poll() is called: each poll may send a tick's worth
  };

  /// What to send to Twilio now.
  struct item {
    enum class kind { media, mark } what;
    std::vector<std::uint8_t> audio; // μ-law, for media
    std::string mark;                // for marks
  };

  /// What a clear cut off.
  struct cut {
    std::uint32_t utterance = 0;
    milliseconds heard{0}; // of that utterance, by acknowledged marks
    milliseconds sent{0};  // of that utterance, sent to Twilio
    bool was_playing = false;
  };

  pacer() : pacer(settings{}) {}
  explicit pacer(settings s);

  /// Queues μ-law audio of one utterance; a mark follows it when `mark_after` (end of a sentence
  /// or chunk). Audio of a new utterance may be queued before the previous one finished.
  void enqueue(std::uint32_t utterance, std::span<const std::uint8_t> mulaw, bool mark_after);

  /// The messages due at `now`, in order.
  std::vector<item> poll(steady_time now);

  /// Twilio echoed a mark. Unknown or stale names are ignored (returns false).
  bool on_mark(std::string_view name);

  /// Barge-in: drops everything queued. The caller then sends `clear` to Twilio.
  cut clear(steady_time now);

  /// Audio queued but not yet sent, in ms.
  milliseconds queued() const;
  /// Nothing queued and every mark acknowledged: the caller has heard everything.
  bool idle() const { return queue_.empty() && pending_marks_.empty(); }
  /// Something was sent and not yet acknowledged as played, or is still queued.
  bool speaking() const { return !idle(); }
  /// Ms of this utterance the caller has heard, by acknowledged marks.
  milliseconds heard(std::uint32_t utterance) const;
  std::uint32_t current_utterance() const { return current_utt_; }
  std::uint64_t frames_sent() const { return frames_sent_; }

private:
  struct segment {
    std::uint32_t utterance;
    std::vector<std::uint8_t> audio;
    std::size_t offset = 0;
    bool mark_after = false;
  };
  struct pending_mark {
    std::string name;
    std::uint32_t utterance;
    milliseconds position; // audio of the utterance played once this mark comes back
  };

  settings settings_;
  std::deque<segment> queue_;
  std::deque<pending_mark> pending_marks_;
  std::optional<steady_time> last_poll_;
  steady_time playback_end_{}; // when Twilio will have played everything we sent
  double budget_ms_ = 0;       // rate limiter: ms of audio we may still send
  std::uint32_t current_utt_ = 0;
  milliseconds sent_of_current_{0};
  milliseconds heard_of_current_{0};
  std::uint64_t mark_seq_ = 0;
  std::uint64_t frames_sent_ = 0;
};

} // namespace frontdesk::media
