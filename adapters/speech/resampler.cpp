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

#include "protocols/audio/mulaw.hpp"

namespace frontdesk::speech {

pcm_stream_to_8k::pcm_stream_to_8k(int from_rate) {
  if (from_rate != 8000)
    rs_ = std::make_unique<resampler>(from_rate, 8000);
}

pcm_stream_to_8k::~pcm_stream_to_8k() = default;

void pcm_stream_to_8k::feed(std::span<const std::uint8_t> bytes, std::vector<std::int16_t>& out) {
  in_.clear();
  std::size_t i = 0;
  if (has_odd_ && !bytes.empty()) {
    in_.push_back(static_cast<std::int16_t>(odd_ | (bytes[0] << 8)));
    has_odd_ = false;
    i = 1;
  }
  for (; i + 1 < bytes.size(); i += 2)
    in_.push_back(static_cast<std::int16_t>(bytes[i] | (bytes[i + 1] << 8)));
  if (i < bytes.size()) {
    odd_ = bytes[i];
    has_odd_ = true;
  }
  if (rs_)
    rs_->process(in_, out);
  else
    out.insert(out.end(), in_.begin(), in_.end());
}

void pcm_stream_to_8k::feed_mulaw(std::span<const std::uint8_t> bytes,
                                  std::vector<std::uint8_t>& out) {
  out_.clear();
  feed(bytes, out_);
  // mulaw_encode replaces its output: encode the new samples where they go.
  std::vector<std::uint8_t> coded;
  audio::mulaw_encode(out_, coded);
  out.insert(out.end(), coded.begin(), coded.end());
}

} // namespace frontdesk::speech
