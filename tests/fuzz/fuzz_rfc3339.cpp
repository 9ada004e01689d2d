// Fuzzes the RFC 3339 parser: any input either parses to an instant that formats back to a
// parseable string, or fails cleanly.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto t = frontdesk::parse_rfc3339(in);
  if (t) {
    auto again = frontdesk::parse_rfc3339(frontdesk::format_rfc3339(*t));
    if (!again)
      std::abort();
  }
  return 0;
}
