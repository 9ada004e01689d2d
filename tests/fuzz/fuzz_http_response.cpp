// A vendor's reply as libcurl hands it over, on arbitrary input: header lines (split at each
// newline) and body chunks through the shared response sink, and the Retry-After parsers.
// Nothing may crash, the body never passes its cap, and a wait is never negative or over a day.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/http/response_sink.hpp"

namespace {

void check(std::optional<std::chrono::milliseconds> w) {
  if (w && (w->count() < 0 || w->count() > 86400000))
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace frontdesk::http;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  check(parse_retry_after(all));
  check(parse_retry_after_ms(all));
  std::size_t cap = size ? data[0] % 128 : 0;
  response_sink sink(cap);
  // Headers up to the first blank line, one line at a time as libcurl delivers them; the rest
  // is the body, in chunks whose sizes come from the input too.
  std::size_t at = 0;
  while (at < all.size()) {
    auto nl = all.find('\n', at);
    auto line = all.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at + 1);
    at += line.size();
    if (auto h = split_header_line(line)) {
      if (h->first.empty() || h->first.find(':') != std::string::npos)
        std::abort();
      if (!h->second.empty() && (h->second.front() == ' ' || h->second.back() == ' '))
        std::abort();
    }
    sink.on_header(line);
    if (line == "\r\n" || line == "\n")
      break;
  }
  check(sink.headers.wait());
  while (at < all.size()) {
    std::size_t n = 1 + static_cast<unsigned char>(all[at]) % 17;
    auto chunk = all.substr(at, n);
    at += chunk.size();
    if (!sink.on_body(chunk) && !sink.overflowed())
      std::abort();
    if (sink.body.size() > cap)
      std::abort();
  }
  return 0;
}
