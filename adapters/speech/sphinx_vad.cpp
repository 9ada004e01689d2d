#include <algorithm>
#include <vector>

#include "adapters/speech/recognizer.hpp"

extern "C" {
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
}

namespace frontdesk::speech {
namespace {

class sphinx_vad final : public vad {
public:
  sphinx_vad() {
    err_set_logfp(nullptr);
    // 8 kHz telephone audio, 10 ms frames; short hangovers so that our endpointer decides.
    cmd_ln_t* cfg = cmd_ln_init(nullptr, fe_get_args(), FALSE, "-samprate", "8000", "-nfft",
                                "256", "-lowerf", "200", "-upperf", "3500", "-nfilt", "31",
                                "-vad_prespeech", "2", "-vad_startspeech", "3",
                                "-vad_postspeech", "5", "-vad_threshold", "2.0", nullptr);
    fe_ = fe_init_auto_r(cfg);
    if (fe_) {
      fe_start_utt(fe_);
      cep_.resize(static_cast<std::size_t>(fe_get_output_size(fe_)) * 8);
      rows_.resize(8);
      for (std::size_t i = 0; i < rows_.size(); ++i)
        rows_[i] = cep_.data() + i * static_cast<std::size_t>(fe_get_output_size(fe_));
    }
  }
  ~sphinx_vad() override {
    if (fe_)
      fe_free(fe_);
  }
  bool ok() const { return fe_ != nullptr; }

  bool is_speech(std::span<const std::int16_t> frame) override {
    // The front end learns the line's noise level over its first frames and calls them speech
    // meanwhile: on steady line noise of any level (RMS 30 to 1000) it reported speech from
    // 300 to 700 ms into the stream, which would cut the greeting for a barge-in on every noisy
    // line. Those frames are fed but not believed; the greeting is playing then, so a caller
    // who speaks that early is rare.
    bool warming_up = frames_seen_++ < warm_up_frames;
    // Digital silence (every sample zero: what a muted or suppressed line sends) is never
    // speech and does not go through the front end, which costs 4-7 µs a frame: on a busy
    // node most callers are quiet most of the time. (Line noise that follows digital silence
    // still reads as speech for ~500 ms while the front end learns it, as it did when the
    // silence was fed: 600 ms.)
    if (std::all_of(frame.begin(), frame.end(), [](std::int16_t x) { return x == 0; }))
      return false;
    const std::int16_t* p = frame.data();
    std::size_t n = frame.size();
    bool speech = false;
    while (n > 0) {
      int32 nframes = static_cast<int32>(rows_.size());
      fe_process_frames(fe_, &p, &n, rows_.data(), &nframes, nullptr);
      speech |= fe_get_vad_state(fe_) != 0;
      if (nframes == 0)
        break;
    }
    return !warming_up && (speech || fe_get_vad_state(fe_) != 0);
  }

  void reset() override {
    int32 n = 0;
    fe_end_utt(fe_, cep_.data(), &n);
    fe_start_utt(fe_);
    frames_seen_ = 0;
  }

private:
  static constexpr int warm_up_frames = 40; // 800 ms
  int frames_seen_ = 0;
  fe_t* fe_ = nullptr;
  std::vector<mfcc_t> cep_;
  std::vector<mfcc_t*> rows_;
};

} // namespace

std::unique_ptr<vad> make_sphinx_vad() {
  auto v = std::make_unique<sphinx_vad>();
  if (!v->ok())
    return nullptr;
  return v;
}

} // namespace frontdesk::speech
