// Fuzzes the reading of a spelled word: letters only, at least two, never more than the input.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "actors/dialog/spelling.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto w = frontdesk::dialog::spelled_word(text)) {
    if (w->size() < 2 || w->size() > size)
      std::abort();
    for (char c : *w)
      if (!std::isalpha(static_cast<unsigned char>(c)))
        std::abort();
  }
  return 0;
}
