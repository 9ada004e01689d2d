#include "protocols/audio/mulaw.hpp"

namespace frontdesk::audio {
namespace {

// The G.711 algorithm itself, used to fill the tables.
constexpr std::uint8_t encode_reference(int pcm) {
  constexpr int bias = 0x84, clip = 32635;
  int sign = (pcm >> 8) & 0x80;
  if (sign)
    pcm = -pcm;
  if (pcm > clip)
    pcm = clip;
  pcm += bias;
  int exponent = 7;
  for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1)
    --exponent;
  int mantissa = (pcm >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

constexpr std::int16_t decode_reference(std::uint8_t code) {
  code = static_cast<std::uint8_t>(~code);
  int sign = code & 0x80, exponent = (code >> 4) & 0x07, mantissa = code & 0x0F;
  int sample = ((mantissa << 3) + 0x84) << exponent;
  sample -= 0x84;
  return static_cast<std::int16_t>(sign ? -sample : sample);
}

struct tables {
  std::array<std::int16_t, 256> decode{};
  std::array<std::uint8_t, 16384> encode{};
  constexpr tables() {
    for (int i = 0; i < 256; ++i)
      decode[static_cast<std::size_t>(i)] = decode_reference(static_cast<std::uint8_t>(i));
    // The encoder ignores the two lowest bits (values are clipped to 14 bits of magnitude
    // after the bias), so a table over sample >> 2 is exact.
    for (int i = 0; i < 16384; ++i)
      encode[static_cast<std::size_t>(i)] = encode_reference(static_cast<std::int16_t>(i << 2));
  }
};

const tables& t() {
  static const tables instance;
  return instance;
}

} // namespace

std::int16_t mulaw_decode(std::uint8_t code) { return t().decode[code]; }

std::uint8_t mulaw_encode(std::int16_t sample) {
  return t().encode[static_cast<std::uint16_t>(sample) >> 2];
}

void mulaw_decode(std::span<const std::uint8_t> in, std::vector<std::int16_t>& out) {
  auto& d = t().decode;
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i)
    out[i] = d[in[i]];
}

void mulaw_encode(std::span<const std::int16_t> in, std::vector<std::uint8_t>& out) {
  auto& e = t().encode;
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i)
    out[i] = e[static_cast<std::uint16_t>(in[i]) >> 2];
}

} // namespace frontdesk::audio
