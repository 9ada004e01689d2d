#include "actors/media/pacer.hpp"

#include <algorithm>

namespace frontdesk::media {
namespace {
constexpr std::size_t bytes_per_ms = 8; // 8 kHz μ-law
} // namespace

pacer::pacer(settings s) : settings_(s) {}

void pacer::enqueue(std::uint32_t utterance, std::span<const std::uint8_t> mulaw,
                    bool mark_after) {
  if (mulaw.empty() && !mark_after)
    return;
  queue_.push_back(segment{utterance, {mulaw.begin(), mulaw.end()}, 0, mark_after});
}

std::vector<pacer::item> pacer::poll(steady_time now) {
  std::vector<item> out;
  double elapsed = last_poll_ ? std::chrono::duration<double, std::milli>(now - *last_poll_).count()
                              : double(std::max(settings_.message, settings_.tick).count());
  last_poll_ = now;
  // Earn sending time at max_rate, but never bank more than a tick's (or two messages') worth.
  budget_ms_ = std::min(budget_ms_ + elapsed * settings_.max_rate,
                        std::max(2.0 * double(settings_.message.count()),
                                 settings_.max_rate * double(settings_.tick.count())));
  if (playback_end_ < now)
    playback_end_ = now;
  auto msg_bytes = static_cast<std::size_t>(settings_.message.count()) * bytes_per_ms;
  while (!queue_.empty()) {
    auto& seg = queue_.front();
    if (seg.utterance != current_utt_) {
      current_utt_ = seg.utterance;
      sent_of_current_ = milliseconds{0};
      heard_of_current_ = milliseconds{0};
    }
    if (seg.offset < seg.audio.size()) {
      auto n = std::min(msg_bytes, seg.audio.size() - seg.offset);
      milliseconds len{static_cast<long>(n / bytes_per_ms)};
      if (playback_end_ - now + len > settings_.max_lead || budget_ms_ < double(len.count()))
        break;
      item m{item::kind::media, {}, {}};
      m.audio.assign(seg.audio.begin() + long(seg.offset), seg.audio.begin() + long(seg.offset + n));
      seg.offset += n;
      budget_ms_ -= double(len.count());
      playback_end_ += len;
      sent_of_current_ += len;
      ++frames_sent_;
      out.push_back(std::move(m));
      continue;
    }
    if (seg.mark_after) {
      auto name = "u" + std::to_string(seg.utterance) + "." + std::to_string(++mark_seq_);
      pending_marks_.push_back({name, seg.utterance, sent_of_current_});
      out.push_back(item{item::kind::mark, {}, name});
    }
    queue_.pop_front();
  }
  return out;
}

bool pacer::on_mark(std::string_view name) {
  // Marks come back in order; anything before the named one has played too.
  auto it = std::find_if(pending_marks_.begin(), pending_marks_.end(),
                         [&](const pending_mark& m) { return m.name == name; });
  if (it == pending_marks_.end())
    return false;
  if (it->utterance == current_utt_)
    heard_of_current_ = std::max(heard_of_current_, it->position);
  pending_marks_.erase(pending_marks_.begin(), it + 1);
  return true;
}

pacer::cut pacer::clear(steady_time now) {
  cut c;
  c.utterance = current_utt_;
  c.heard = heard_of_current_;
  c.sent = sent_of_current_;
  c.was_playing = speaking();
  queue_.clear();
  // Twilio echoes the marks still pending after a clear; they no longer tell us anything.
  pending_marks_.clear();
  playback_end_ = now;
  return c;
}

milliseconds pacer::queued() const {
  std::size_t bytes = 0;
  for (auto& s : queue_)
    bytes += s.audio.size() - s.offset;
  return milliseconds{static_cast<long>(bytes / bytes_per_ms)};
}

milliseconds pacer::heard(std::uint32_t utterance) const {
  return utterance == current_utt_ ? heard_of_current_ : milliseconds{0};
}

} // namespace frontdesk::media
