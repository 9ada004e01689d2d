#include "protocols/twilio/base64.hpp"

#include <array>

namespace frontdesk::twilio {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> r{};
  for (auto& v : r)
    v = -1;
  for (int i = 0; i < 64; ++i)
    r[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return r;
}
constexpr auto reverse = make_reverse();

} // namespace

void base64_encode_to(std::span<const std::uint8_t> b, std::string& out) {
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    std::uint32_t v = std::uint32_t(b[i]) << 16 | std::uint32_t(b[i + 1]) << 8 | b[i + 2];
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (auto rest = b.size() - i; rest == 1) {
    std::uint32_t v = std::uint32_t(b[i]) << 16;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    std::uint32_t v = std::uint32_t(b[i]) << 16 | std::uint32_t(b[i + 1]) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  base64_encode_to(bytes, out);
  return out;
}

bool base64_decode_to(std::string_view t, std::vector<std::uint8_t>& out) {
  out.clear();
  if (t.size() % 4 != 0)
    return false;
  out.reserve(t.size() / 4 * 3);
  for (std::size_t i = 0; i < t.size(); i += 4) {
    bool last = i + 4 == t.size();
    int pad = 0;
    if (last) {
      if (t[i + 3] == '=')
        ++pad;
      if (pad && t[i + 2] == '=')
        ++pad;
    }
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      if (k >= 4 - pad) {
        v <<= 6;
        continue;
      }
      auto d = reverse[static_cast<unsigned char>(t[i + static_cast<std::size_t>(k)])];
      if (d < 0)
        return false;
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (pad < 2)
      out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (pad < 1)
      out.push_back(static_cast<std::uint8_t>(v));
    // Canonical form: the bits dropped by padding must be zero.
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
      return false;
  }
  return true;
}

expected<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  if (!base64_decode_to(text, out))
    return fail("bad_base64", "invalid base64");
  return out;
}

} // namespace frontdesk::twilio
