#include "adapters/speech/speech.hpp"

#include <stdexcept>

extern "C" {
#include <speex/speex_resampler.h>
}

namespace frontdesk::speech {

resampler::resampler(int from_rate, int to_rate, int quality) : from_(from_rate), to_(to_rate) {
  int err = 0;
  state_ = speex_resampler_init(1, static_cast<spx_uint32_t>(from_rate),
                                static_cast<spx_uint32_t>(to_rate), quality, &err);
  if (!state_ || err != RESAMPLER_ERR_SUCCESS)
    throw std::runtime_error("cannot create a resampler " + std::to_string(from_rate) + " -> " +
                             std::to_string(to_rate));
  speex_resampler_skip_zeros(static_cast<SpeexResamplerState*>(state_));
}

resampler::~resampler() { speex_resampler_destroy(static_cast<SpeexResamplerState*>(state_)); }

void resampler::process(std::span<const std::int16_t> in, std::vector<std::int16_t>& out) {
  auto* st = static_cast<SpeexResamplerState*>(state_);
  std::size_t done = 0;
  while (done < in.size()) {
    spx_uint32_t in_len = static_cast<spx_uint32_t>(in.size() - done);
    std::size_t room = (in.size() - done) * static_cast<std::size_t>(to_) / static_cast<std::size_t>(from_) + 64;
    auto base = out.size();
    out.resize(base + room);
    spx_uint32_t out_len = static_cast<spx_uint32_t>(room);
    speex_resampler_process_int(st, 0, in.data() + done, &in_len, out.data() + base, &out_len);
    out.resize(base + out_len);
    done += in_len;
    if (in_len == 0 && out_len == 0)
      break;
  }
}

} // namespace frontdesk::speech
