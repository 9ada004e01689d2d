#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace frontdesk::caller {

using steady_time = std::chrono::steady_clock::time_point;

/// Twilio's side of outbound audio, as the caller simulator plays it: media is buffered and
/// played in real time; a mark is echoed once everything queued before it has played; `clear`
/// drops the buffer and echoes the marks still pending. Pure: time is a parameter.
class playback {
public:
  /// A media message arrived (μ-law bytes).
  void on_media(std::span<const std::uint8_t> mulaw, steady_time now);
  /// A mark arrived; it is echoed when the audio before it has played.
  void on_mark(std::string name, steady_time now);
  /// A clear arrived: the buffer is dropped; pending marks are returned to echo at once.
  std::vector<std::string> on_clear(steady_time now);
  /// Marks whose audio has played by `now`, to echo, in order.
  std::vector<std::string> due_marks(steady_time now);

  /// Everything received, in order (what a recording of the call's far end would hold).
  const std::vector<std::uint8_t>& received() const { return received_; }
  /// When the first media arrived.
  std::optional<steady_time> first_audio() const { return first_audio_; }
  /// Audio buffered but not yet played at `now`.
  std::chrono::milliseconds buffered(steady_time now) const;
  /// When everything received so far will have played.
  steady_time playing_until() const { return play_end_; }
  std::uint64_t media_messages() const { return media_messages_; }

private:
  struct queued_mark {
    std::string name;
    steady_time plays_at;
  };
  std::vector<std::uint8_t> received_;
  std::deque<queued_mark> marks_;
  std::optional<steady_time> first_audio_;
  steady_time play_end_{};
  std::uint64_t media_messages_ = 0;
};

} // namespace frontdesk::caller
