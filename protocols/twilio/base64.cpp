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

// Four 6-bit values (already checked) as the 24 bits they stand for.
constexpr std::uint32_t join(int a, int b, int c, int d) {
  return std::uint32_t(a) << 18 | std::uint32_t(b) << 12 | std::uint32_t(c) << 6 |
         std::uint32_t(d);
}

} // namespace

// Every media message in and out of the node carries base64 (216 characters a 20 ms frame), so
// both directions work a group at a time into storage sized up front, without a check per byte.
void base64_encode_to(std::span<const std::uint8_t> b, std::string& out) {
  auto at = out.size();
  out.resize(at + (b.size() + 2) / 3 * 4);
  char* d = out.data() + at;
  const std::uint8_t* s = b.data();
  std::size_t whole = b.size() / 3;
  for (std::size_t i = 0; i < whole; ++i, s += 3, d += 4) {
    std::uint32_t v = std::uint32_t(s[0]) << 16 | std::uint32_t(s[1]) << 8 | s[2];
    d[0] = alphabet[v >> 18];
    d[1] = alphabet[(v >> 12) & 63];
    d[2] = alphabet[(v >> 6) & 63];
    d[3] = alphabet[v & 63];
  }
  if (auto rest = b.size() - whole * 3; rest > 0) {
    std::uint32_t v = std::uint32_t(s[0]) << 16 | (rest == 2 ? std::uint32_t(s[1]) << 8 : 0);
    d[0] = alphabet[v >> 18];
    d[1] = alphabet[(v >> 12) & 63];
    d[2] = rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    d[3] = '=';
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
  if (t.empty())
    return true;
  auto refuse = [&out] {
    out.clear();
    return false;
  };
  // Every group of four but the last has no padding: four lookups, one check, three bytes.
  std::size_t groups = t.size() / 4;
  out.resize((groups - 1) * 3);
  auto* s = reinterpret_cast<const unsigned char*>(t.data());
  std::uint8_t* d = out.data();
  for (std::size_t g = 0; g + 1 < groups; ++g, s += 4, d += 3) {
    int a = reverse[s[0]], b = reverse[s[1]], c = reverse[s[2]], e = reverse[s[3]];
    if ((a | b | c | e) < 0) // '=' and anything outside the alphabet look up as -1
      return refuse();
    auto v = join(a, b, c, e);
    d[0] = static_cast<std::uint8_t>(v >> 16);
    d[1] = static_cast<std::uint8_t>(v >> 8);
    d[2] = static_cast<std::uint8_t>(v);
  }
  // The last group: "xxxx", "xxx=" or "xx==".
  int pad = s[3] == '=' ? (s[2] == '=' ? 2 : 1) : 0;
  int a = reverse[s[0]], b = reverse[s[1]];
  int c = pad == 2 ? 0 : reverse[s[2]];
  int e = pad >= 1 ? 0 : reverse[s[3]];
  if ((a | b | c | e) < 0)
    return refuse();
  auto v = join(a, b, c, e);
  // Canonical form: the bits dropped by padding must be zero.
  if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
    return refuse();
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  if (pad < 2)
    out.push_back(static_cast<std::uint8_t>(v >> 8));
  if (pad < 1)
    out.push_back(static_cast<std::uint8_t>(v));
  return true;
}

expected<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  if (!base64_decode_to(text, out))
    return fail("bad_base64", "invalid base64");
  return out;
}

} // namespace frontdesk::twilio
