#include "adapters/speech/recorder.hpp"

#include <algorithm>
#include <vector>

#include "protocols/audio/mulaw.hpp"

extern "C" {
#include <opus/opusenc.h>
}

namespace frontdesk::speech {

expected<std::unique_ptr<recorder>> recorder::open(const std::string& path,
                                                   const std::string& title) {
  OggOpusComments* comments = ope_comments_create();
  ope_comments_add(comments, "TITLE", title.c_str());
  int err = 0;
  OggOpusEnc* enc = ope_encoder_create_file(path.c_str(), comments, 8000, 1, 0, &err);
  ope_comments_destroy(comments);
  if (!enc)
    return fail("recording_failed", "cannot create " + path + ": " + ope_strerror(err));
  ope_encoder_ctl(enc, OPUS_SET_BITRATE(12000));
  ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  // Telephone audio is narrowband already. At the default complexity (10) and bandwidth one
  // call's recording cost ~400 us of CPU per 20 ms frame; narrowband, complexity 0 and 60 ms
  // packets cost ~75 us at about the same size (measured on 60 s of audio).
  ope_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_NARROWBAND));
  ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(0));
  ope_encoder_ctl(enc, OPUS_SET_EXPERT_FRAME_DURATION(OPUS_FRAMESIZE_60_MS));
  // 200 ms pages instead of libopusenc's 1 s and 2 s buffering: a crash loses little.
  ope_encoder_ctl(enc, OPE_SET_MUXING_DELAY(9600));
  ope_encoder_ctl(enc, OPE_SET_DECISION_DELAY(9600));
  std::unique_ptr<recorder> r(new recorder());
  r->enc_ = enc;
  return r;
}

recorder::~recorder() { close(); }

void recorder::write(std::span<const std::uint8_t> caller, std::span<const std::uint8_t> agent) {
  if (!enc_)
    return;
  std::size_t n = std::max<std::size_t>(audio::frame_samples, std::max(caller.size(), agent.size()));
  std::vector<std::int16_t> mix(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    int s = (i < caller.size() ? audio::mulaw_decode(caller[i]) : 0) +
            (i < agent.size() ? audio::mulaw_decode(agent[i]) : 0);
    mix[i] = static_cast<std::int16_t>(std::clamp(s, -32768, 32767));
  }
  ope_encoder_write(static_cast<OggOpusEnc*>(enc_), mix.data(), static_cast<int>(n));
  samples_ += n;
}

void recorder::close() {
  if (!enc_)
    return;
  ope_encoder_drain(static_cast<OggOpusEnc*>(enc_));
  ope_encoder_destroy(static_cast<OggOpusEnc*>(enc_));
  enc_ = nullptr;
}

} // namespace frontdesk::speech
