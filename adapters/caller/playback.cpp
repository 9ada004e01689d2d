#include "adapters/caller/playback.hpp"

#include <algorithm>

namespace frontdesk::caller {

void playback::on_media(std::span<const std::uint8_t> mulaw, steady_time now) {
  if (!first_audio_)
    first_audio_ = now;
  ++media_messages_;
  received_.insert(received_.end(), mulaw.begin(), mulaw.end());
  // 8 bytes of μ-law are a millisecond of audio.
  auto duration = std::chrono::microseconds(static_cast<long>(mulaw.size()) * 125);
  play_end_ = std::max(play_end_, now) + duration;
}

void playback::on_mark(std::string name, steady_time now) {
  marks_.push_back({std::move(name), std::max(play_end_, now)});
}

std::vector<std::string> playback::on_clear(steady_time now) {
  play_end_ = now;
  std::vector<std::string> out;
  for (auto& m : marks_)
    out.push_back(std::move(m.name));
  marks_.clear();
  return out;
}

std::vector<std::string> playback::due_marks(steady_time now) {
  std::vector<std::string> out;
  while (!marks_.empty() && marks_.front().plays_at <= now) {
    out.push_back(std::move(marks_.front().name));
    marks_.pop_front();
  }
  return out;
}

std::chrono::milliseconds playback::buffered(steady_time now) const {
  if (play_end_ <= now)
    return std::chrono::milliseconds{0};
  return std::chrono::duration_cast<std::chrono::milliseconds>(play_end_ - now);
}

} // namespace frontdesk::caller
