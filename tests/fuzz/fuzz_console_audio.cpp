// Fuzzes the console's reading of a listened call's audio events: base64 either decodes to
// bytes that encode back to the same text or fails cleanly, and placing any bytes at any
// position keeps the listened call within its bound.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "protocols/console/tap.hpp"
#include "protocols/twilio/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::console;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::uint8_t> bytes;
  if (frontdesk::twilio::base64_decode_to(in, bytes) && frontdesk::twilio::base64_encode(bytes) != in)
    std::abort();
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < size && i < 8; ++i)
    at = (at << 8) | data[i];
  stereo_call c;
  c.add(size % 2 == 0, at, std::span(data, size));
  c.add(size % 2 != 0, at >> 20, std::span(data, size));
  if (c.samples() > 8000ull * 3600 || c.received(true) + c.received(false) > 2 * size)
    std::abort();
  return 0;
}
