// A streamed reply cut into sentences, on arbitrary bytes in arbitrary pieces: every sentence
// handed out is non-empty, within the limit, and no more text comes out than went in.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/tts/sentence_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace frontdesk::tts;
  if (size < 2)
    return 0;
  std::size_t max = 16 + data[0] % 128;
  std::size_t step = 1 + data[1] % 17;
  std::string_view all(reinterpret_cast<const char*>(data) + 2, size - 2);
  sentence_stream s(max);
  std::size_t out = 0;
  for (std::size_t at = 0; at < all.size(); at += step)
    for (auto& x : s.feed(all.substr(at, step))) {
      if (x.empty() || x.size() > max)
        std::abort();
      out += x.size();
    }
  out += s.finish().size();
  if (out > all.size())
    std::abort();
  return 0;
}
