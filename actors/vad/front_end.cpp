#include "actors/vad/front_end.hpp"

#include <algorithm>
#include <utility>

namespace frontdesk::turn {

front_end::front_end(settings s) : s_(s), endpointer_(s.endpointing), barge_(s.barge) {
  preroll_.reserve(2 * s_.preroll_frames * s_.frame_samples);
}

front_end::output front_end::feed(std::span<const std::int16_t> frame, bool speech) {
  output out;
  out.turn = turn_;
  if (barge_.feed(speech, agent_speaking_) == barge_in::action::interrupt)
    out.barge = true;
  auto ev = endpointer_.feed(speech);
  if (ev == endpointer::event::speech_started) {
    out.started = true;
    out.turn = ++turn_;
    // What came just before the VAD noticed: the last preroll_frames of it.
    auto keep = std::min(preroll_.size(), s_.preroll_frames * s_.frame_samples);
    block_.assign(preroll_.end() - static_cast<std::ptrdiff_t>(keep), preroll_.end());
    preroll_.clear();
  }
  if (endpointer_.in_turn() || ev == endpointer::event::turn_ended) {
    block_.insert(block_.end(), frame.begin(), frame.end());
    if (block_.size() >= s_.block_frames * s_.frame_samples ||
        ev == endpointer::event::turn_ended)
      out.audio = std::exchange(block_, {});
  } else {
    // Kept up to twice what is needed, then cut back at once: one move per preroll_frames
    // frames instead of one per frame.
    auto keep = s_.preroll_frames * s_.frame_samples;
    if (preroll_.size() + frame.size() > 2 * keep)
      preroll_.erase(preroll_.begin(), preroll_.end() - static_cast<std::ptrdiff_t>(keep));
    preroll_.insert(preroll_.end(), frame.begin(), frame.end());
  }
  if (ev == endpointer::event::turn_ended) {
    out.ended = true;
    out.trailing_silence = endpointer_.trailing_silence();
    out.speech = endpointer_.speech_in_turn();
    endpointer_.set_partial("");
  }
  return out;
}

void front_end::set_agent_speaking(bool on) {
  agent_speaking_ = on;
  if (!on)
    barge_.reset();
}

void front_end::set_partial(std::uint64_t turn, std::string text) {
  if (turn == turn_ && endpointer_.in_turn())
    endpointer_.set_partial(std::move(text));
}

} // namespace frontdesk::turn
