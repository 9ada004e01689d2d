// Fuzzes the WAV parser: parse, and on success write and parse again.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "protocols/wav/wav.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto a = frontdesk::wav::parse(std::span(data, size));
  if (a && !a->mulaw) {
    auto again = frontdesk::wav::parse(frontdesk::wav::write_pcm16(a->samples, a->sample_rate));
    if (!again || again->samples != a->samples)
      std::abort();
  }
  return 0;
}
