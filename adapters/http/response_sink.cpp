#include "adapters/http/response_sink.hpp"

#include <algorithm>
#include <cmath>

namespace frontdesk::http {
namespace {

constexpr double day_ms = 86400.0 * 1000.0; // a longer wait is nonsense: capped
constexpr std::size_t kept_value = 64;      // longer values are malformed anyway

std::string_view trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// A non-negative decimal number ("1500", "0.5"), nothing else.
std::optional<double> number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 20)
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

std::optional<std::chrono::milliseconds> to_wait(std::optional<double> ms) {
  if (!ms)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(std::min(*ms, day_ms))));
}

} // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view seconds) {
  auto s = number(seconds);
  return to_wait(s ? std::optional<double>(*s * 1000.0) : std::nullopt);
}

std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view milliseconds) {
  return to_wait(number(milliseconds));
}

std::optional<std::pair<std::string, std::string_view>> split_header_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
    line.remove_suffix(1);
  if (line.starts_with("HTTP/"))
    return std::nullopt;
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return std::nullopt;
  auto name = line.substr(0, colon);
  // A blank in the name (or a folded continuation line, which starts with one) is not a header.
  if (name.find_first_of(" \t\r\n") != std::string_view::npos)
    return std::nullopt;
  std::string lower(name);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return std::make_pair(std::move(lower), trim(line.substr(colon + 1)));
}

void retry_headers::on_line(std::string_view line) {
  if (line.starts_with("HTTP/")) { // a new reply: what the one before said no longer counts
    retry_after.clear();
    retry_after_ms.clear();
    return;
  }
  auto h = split_header_line(line);
  if (!h)
    return;
  if (h->first == "retry-after")
    retry_after = std::string(h->second.substr(0, kept_value));
  else if (h->first == "retry-after-ms")
    retry_after_ms = std::string(h->second.substr(0, kept_value));
}

std::optional<std::chrono::milliseconds> retry_headers::wait() const {
  if (auto ms = parse_retry_after_ms(retry_after_ms))
    return ms;
  return parse_retry_after(retry_after);
}

std::size_t retry_headers::curl_header(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<retry_headers*>(user)->on_line(std::string_view(data, size * n));
  return size * n;
}

bool response_sink::on_body(std::string_view chunk) {
  if (overflowed_ || chunk.size() > max_body_ - body.size()) {
    overflowed_ = true;
    return false;
  }
  body.append(chunk);
  return true;
}

std::size_t response_sink::curl_write(char* data, std::size_t size, std::size_t n, void* user) {
  // Anything but the full count makes libcurl stop with CURLE_WRITE_ERROR.
  return static_cast<response_sink*>(user)->on_body(std::string_view(data, size * n)) ? size * n : 0;
}

std::size_t response_sink::curl_header(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<response_sink*>(user)->on_header(std::string_view(data, size * n));
  return size * n;
}

} // namespace frontdesk::http
