// Synthesis request helpers on arbitrary input: the splitter must give the text back in pieces
// within the limit, the error-body reader must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/tts/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace frontdesk::tts;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  std::size_t max = 8 + (size ? data[0] % 64 : 0);
  auto pieces = split_input(all, max);
  for (auto p : pieces)
    if (p.size() > max || p.data() < all.data() || p.data() + p.size() > all.data() + all.size())
      std::abort();
  (void)out_of_quota(all);
  return 0;
}
