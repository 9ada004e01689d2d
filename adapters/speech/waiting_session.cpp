#include "adapters/speech/waiting_session.hpp"

#include <vector>

namespace frontdesk::speech {
namespace {

class waiting_session final : public stt_session {
public:
  waiting_session(std::function<std::unique_ptr<stt_session>()> open, std::size_t max_buffered)
      : open_(std::move(open)), max_buffered_(max_buffered) {
    try_open();
  }

  void feed(std::span<const std::int16_t> pcm8k) override {
    if (!inner_ && !try_open()) {
      kept_.insert(kept_.end(), pcm8k.begin(), pcm8k.end());
      if (kept_.size() > max_buffered_)
        kept_.erase(kept_.begin(), kept_.begin() + long(kept_.size() - max_buffered_));
      return;
    }
    inner_->feed(pcm8k);
  }

  std::string partial() override { return inner_ ? inner_->partial() : std::string(); }

  bool when_ready(std::function<void()> ready) override {
    if (!inner_ && !try_open())
      return false; // finish() answers "unavailable" at once
    return inner_->when_ready(std::move(ready));
  }

  stt_result finish() override {
    if (!inner_ && !try_open()) {
      stt_result r;
      r.rejected = true;
      r.unavailable = true;
      return r;
    }
    return inner_->finish();
  }

private:
  // Takes a decoder if one is free and hands it the audio kept so far.
  bool try_open() {
    inner_ = open_();
    if (!inner_)
      return false;
    if (!kept_.empty()) {
      inner_->feed(kept_);
      kept_.clear();
      kept_.shrink_to_fit();
    }
    return true;
  }

  std::function<std::unique_ptr<stt_session>()> open_;
  std::size_t max_buffered_;
  std::unique_ptr<stt_session> inner_;
  std::vector<std::int16_t> kept_;
};

} // namespace

std::unique_ptr<stt_session> make_waiting_session(
    std::function<std::unique_ptr<stt_session>()> open, std::size_t max_buffered_samples) {
  return std::make_unique<waiting_session>(std::move(open), max_buffered_samples);
}

} // namespace frontdesk::speech
