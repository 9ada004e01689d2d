#include "adapters/speech/instant.hpp"

#include <cmath>
#include <numbers>
#include <sstream>
#include <vector>

#include "protocols/audio/mulaw.hpp"

namespace frontdesk::speech {
namespace {

class script_session final : public stt_session {
public:
  explicit script_session(std::string text) : text_(std::move(text)) {}
  void feed(std::span<const std::int16_t>) override {}
  std::string partial() override { return text_; }
  stt_result finish() override { return {text_, text_.empty() ? 0.0 : 1.0, text_.empty()}; }

private:
  std::string text_;
};

class tone_tts final : public tts_engine {
public:
  explicit tone_tts(int ms_per_word) : ms_per_word_(ms_per_word) {
    // One period-aligned second of tone, cut to length per reply.
    second_.reserve(8000);
    for (int i = 0; i < 8000; ++i)
      second_.push_back(audio::mulaw_encode(static_cast<std::int16_t>(
          6000 * std::sin(2 * std::numbers::pi * 440.0 * i / 8000.0))));
  }

  expected<bool> synthesize(std::string_view text, const sink& out,
                            const std::atomic<bool>& cancel) override {
    std::size_t words = 0;
    std::istringstream in{std::string(text)};
    for (std::string w; in >> w;)
      ++words;
    auto samples = static_cast<std::size_t>(std::max<std::size_t>(1, words) * ms_per_word_ * 8);
    std::vector<std::uint8_t> tone;
    tone.reserve(samples);
    while (tone.size() < samples)
      tone.insert(tone.end(), second_.begin(),
                  second_.begin() + static_cast<long>(std::min(second_.size(), samples - tone.size())));
    if (cancel)
      return false;
    return out(tone);
  }

  std::string name() const override { return "instant tone"; }

private:
  int ms_per_word_;
  std::vector<std::uint8_t> second_;
};

} // namespace

std::unique_ptr<stt_session> make_script_session(std::string text) {
  return std::make_unique<script_session>(std::move(text));
}

std::unique_ptr<stt_session> make_script_session(const std::vector<std::string>& script,
                                                 std::size_t n) {
  return make_script_session(n < script.size() ? script[n] : std::string());
}

std::unique_ptr<tts_engine> make_tone_tts(int ms_per_word) {
  return std::make_unique<tone_tts>(ms_per_word);
}

} // namespace frontdesk::speech
