#include "protocols/tts/request.hpp"

#include <cmath>
#include <string>

#include <boost/json.hpp>

namespace frontdesk::tts {
namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// The end of the longest prefix of `text` (at most `max` bytes) worth cutting after.
std::size_t cut(std::string_view text, std::size_t max) {
  auto head = text.substr(0, max + 1); // a sentence end may be the byte just past max
  for (std::size_t i = std::min(max, head.size() - 1); i > 0; --i) {
    char c = head[i - 1];
    bool end = (c == '.' || c == '?' || c == '!') && (head[i] == ' ' || head[i] == '\n');
    if (end || c == '\n')
      return i;
  }
  for (std::size_t i = max; i > 0; --i)
    if (head[i - 1] == ' ')
      return i;
  // One long word: cut before a UTF-8 continuation byte, never inside a character.
  std::size_t i = max;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
    --i;
  return i > 0 ? i : max;
}

// A non-negative decimal number ("1500", "0.5"), nothing else.
std::optional<double> number(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return std::nullopt;
  s = s.substr(first, s.find_last_not_of(" \t") - first + 1);
  if (s.size() > 20)
    return std::nullopt;
  double v = 0, scale = 0;
  bool digits = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits = true;
      if (scale == 0)
        v = v * 10 + (c - '0');
      else
        v += (c - '0') * (scale /= 10);
    } else if (c == '.' && scale == 0) {
      scale = 1;
    } else {
      return std::nullopt;
    }
  }
  if (!digits || !std::isfinite(v))
    return std::nullopt;
  return v;
}

} // namespace

std::vector<std::string_view> split_input(std::string_view text, std::size_t max) {
  if (max < 8)
    max = 8;
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto n = text.size() <= max ? text.size() : cut(text, max);
    auto piece = text.substr(0, n);
    if (!blank(piece))
      out.push_back(piece);
    text.remove_prefix(n);
  }
  return out;
}

std::optional<std::chrono::milliseconds> retry_after(std::string_view retry_after_ms,
                                                     std::string_view retry_after_seconds) {
  constexpr double day_ms = 86400.0 * 1000.0; // anything longer is nonsense: capped
  if (auto ms = number(retry_after_ms))
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(std::min(*ms, day_ms))));
  if (auto s = number(retry_after_seconds))
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(std::min(*s * 1000.0, day_ms))));
  return std::nullopt;
}

bool out_of_quota(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object())
    return false;
  auto* err = v.as_object().if_contains("error");
  if (!err || !err->is_object())
    return false;
  for (const char* key : {"code", "type"})
    if (auto* f = err->as_object().if_contains(key); f && f->is_string() && f->as_string() == "insufficient_quota")
      return true;
  return false;
}

} // namespace frontdesk::tts
