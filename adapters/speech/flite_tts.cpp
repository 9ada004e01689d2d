#include <cstdlib>
#include <map>
#include <mutex>

#include "adapters/speech/flite_lock.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"

extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_kal(const char*);
cst_voice* register_cmu_us_kal16(const char*);
cst_voice* register_cmu_us_rms(const char*);
cst_voice* register_cmu_us_slt(const char*);
cst_voice* register_cmu_us_awb(const char*);
}

namespace frontdesk::speech {
namespace {

std::mutex& flite_mutex() { return flite_lock(); }

cst_voice* voice_by_name(const std::string& name) {
  static std::map<std::string, cst_voice*> voices;
  static bool initialised = false;
  if (!initialised) {
    flite_init();
    initialised = true;
  }
  auto it = voices.find(name);
  if (it != voices.end())
    return it->second;
  cst_voice* v = nullptr;
  if (name == "kal")
    v = register_cmu_us_kal(nullptr);
  else if (name == "kal16")
    v = register_cmu_us_kal16(nullptr);
  else if (name == "rms")
    v = register_cmu_us_rms(nullptr);
  else if (name == "slt")
    v = register_cmu_us_slt(nullptr);
  else if (name == "awb")
    v = register_cmu_us_awb(nullptr);
  if (v)
    voices[name] = v;
  return v;
}

struct stream_state {
  const tts_engine::sink* out;
  const std::atomic<bool>* cancel;
  std::unique_ptr<resampler> rs;
  std::vector<std::int16_t> pcm8k;
  std::vector<std::uint8_t> mulaw;
  bool stopped = false;
};

int on_chunk(const cst_wave* w, int start, int size, int, cst_audio_streaming_info* asi) {
  auto* st = static_cast<stream_state*>(asi->userdata);
  if (st->cancel->load()) {
    st->stopped = true;
    return CST_AUDIO_STREAM_STOP;
  }
  int rate = w->sample_rate;
  if (!st->rs || st->rs->from() != rate)
    st->rs = rate == 8000 ? nullptr : std::make_unique<resampler>(rate, 8000);
  std::span<const std::int16_t> in(w->samples + start, static_cast<std::size_t>(size));
  st->pcm8k.clear();
  if (st->rs)
    st->rs->process(in, st->pcm8k);
  else
    st->pcm8k.assign(in.begin(), in.end());
  audio::mulaw_encode(st->pcm8k, st->mulaw);
  if (!st->mulaw.empty() && !(*st->out)(st->mulaw)) {
    st->stopped = true;
    return CST_AUDIO_STREAM_STOP;
  }
  return CST_AUDIO_STREAM_CONT;
}

class flite_tts final : public tts_engine {
public:
  explicit flite_tts(std::string voice) : voice_name_(std::move(voice)) {
    std::lock_guard lk(flite_mutex());
    voice_ = voice_by_name(voice_name_);
  }
  bool ok() const { return voice_ != nullptr; }

  expected<bool> synthesize(std::string_view text, const sink& out,
                            const std::atomic<bool>& cancel) override {
    if (text.empty())
      return true;
    std::lock_guard lk(flite_mutex());
    stream_state st{&out, &cancel, nullptr, {}, {}, false};
    cst_audio_streaming_info* asi = new_audio_streaming_info();
    asi->min_buffsize = 400; // ~25 ms at 16 kHz: first audio comes early
    asi->asc = on_chunk;
    asi->userdata = &st;
    feat_set(voice_->features, "streaming_info", audio_streaming_info_val(asi));
    // The voices' unvoiced excitation is noise from the C library's rand(): without a fixed
    // seed the same sentence sounds a little different each time it is said, depending on how
    // much was said before in the process (and the recogniser's tests, which speak the caller's
    // side with Flite, depended on their order). Nothing else here draws from rand().
    std::srand(1);
    std::string copy(text);
    cst_wave* w = flite_text_to_wave(copy.c_str(), voice_);
    feat_remove(voice_->features, "streaming_info");
    if (w)
      delete_wave(w);
    return !st.stopped; // false: cancelled
  }
  std::string name() const override { return "flite/" + voice_name_; }

private:
  std::string voice_name_;
  cst_voice* voice_ = nullptr;
};

} // namespace

// Flite keeps global state and per-voice features (where the streaming callback lives):
// synthesis is serialised. A 15-word sentence takes ~10 ms with kal16, so one lock is cheap
// next to the network and the recogniser.
std::mutex& flite_lock() {
  static std::mutex m;
  return m;
}

std::unique_ptr<tts_engine> make_flite_tts(const std::string& voice) {
  auto t = std::make_unique<flite_tts>(voice);
  if (!t->ok())
    return nullptr;
  return t;
}

expected<std::vector<std::uint8_t>> synthesize_all(tts_engine& tts, std::string_view text) {
  std::vector<std::uint8_t> all;
  std::atomic<bool> never{false};
  auto r = tts.synthesize(
      text,
      [&](std::span<const std::uint8_t> chunk) {
        all.insert(all.end(), chunk.begin(), chunk.end());
        return true;
      },
      never);
  if (!r)
    return r.error();
  return all;
}

} // namespace frontdesk::speech
