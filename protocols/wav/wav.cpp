#include "protocols/wav/wav.hpp"

#include <cstring>

namespace frontdesk::wav {
namespace {

std::uint32_t u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}
std::uint16_t u16(const std::uint8_t* p) { return std::uint16_t(p[0] | p[1] << 8); }

void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int i = 0; i < 4; ++i)
    v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}
void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x));
  v.push_back(static_cast<std::uint8_t>(x >> 8));
}
void tag(std::vector<std::uint8_t>& v, const char* t) {
  for (int i = 0; i < 4; ++i)
    v.push_back(static_cast<std::uint8_t>(t[i]));
}

std::vector<std::uint8_t> header(std::uint16_t format, std::uint16_t bits, int rate,
                                 std::size_t data_bytes) {
  std::vector<std::uint8_t> v;
  tag(v, "RIFF");
  put32(v, static_cast<std::uint32_t>(36 + data_bytes));
  tag(v, "WAVE");
  tag(v, "fmt ");
  put32(v, 16);
  put16(v, format);
  put16(v, 1);
  put32(v, static_cast<std::uint32_t>(rate));
  put32(v, static_cast<std::uint32_t>(rate * bits / 8));
  put16(v, static_cast<std::uint16_t>(bits / 8));
  put16(v, bits);
  tag(v, "data");
  put32(v, static_cast<std::uint32_t>(data_bytes));
  return v;
}

} // namespace

expected<audio> parse(std::span<const std::uint8_t> b) {
  auto bad = [](const char* why) { return fail("bad_wav", std::string("not a usable WAV file: ") + why); };
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0)
    return bad("no RIFF/WAVE header");
  std::size_t pos = 12;
  bool have_fmt = false;
  std::uint16_t format = 0, channels = 0, bits = 0;
  std::uint32_t rate = 0;
  while (pos + 8 <= b.size()) {
    const std::uint8_t* c = b.data() + pos;
    std::uint32_t size = u32(c + 4);
    std::size_t body = pos + 8;
    if (size > b.size() - body)
      return bad("a chunk runs past the end of the file");
    if (std::memcmp(c, "fmt ", 4) == 0) {
      if (size < 16)
        return bad("fmt chunk too short");
      format = u16(b.data() + body);
      channels = u16(b.data() + body + 2);
      rate = u32(b.data() + body + 4);
      bits = u16(b.data() + body + 14);
      if (format == 0xFFFE && size >= 26) // WAVE_FORMAT_EXTENSIBLE: the sub-format says
        format = u16(b.data() + body + 24);
      have_fmt = true;
    } else if (std::memcmp(c, "data", 4) == 0) {
      if (!have_fmt)
        return bad("data before fmt");
      if (channels == 0 || channels > 8)
        return bad("channel count");
      if (rate < 4000 || rate > 192000)
        return bad("sample rate");
      audio a;
      a.sample_rate = static_cast<int>(rate);
      const std::uint8_t* d = b.data() + body;
      if (format == 1 && bits == 16) {
        std::size_t frames = size / (2u * channels);
        a.samples.reserve(frames);
        for (std::size_t i = 0; i < frames; ++i) {
          int sum = 0;
          for (std::size_t ch = 0; ch < channels; ++ch)
            sum += static_cast<std::int16_t>(u16(d + (i * channels + ch) * 2));
          a.samples.push_back(static_cast<std::int16_t>(sum / channels));
        }
        return a;
      }
      if (format == 7 && bits == 8 && channels == 1) {
        a.mulaw = true;
        a.mulaw_bytes.assign(d, d + size);
        return a;
      }
      return bad("only 16-bit PCM or mono 8-bit mu-law is supported");
    }
    pos = body + size + (size & 1); // chunks are padded to even sizes
  }
  return bad("no data chunk");
}

std::vector<std::uint8_t> write_pcm16(std::span<const std::int16_t> s, int rate) {
  auto v = header(1, 16, rate, s.size() * 2);
  for (auto x : s)
    put16(v, static_cast<std::uint16_t>(x));
  return v;
}

std::vector<std::uint8_t> write_mulaw(std::span<const std::uint8_t> m, int rate) {
  auto v = header(7, 8, rate, m.size());
  v.insert(v.end(), m.begin(), m.end());
  return v;
}

} // namespace frontdesk::wav
