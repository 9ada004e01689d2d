// Deepgram live messages: the parser and the transcript assembler on arbitrary text frames.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocols/deepgram/live.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace frontdesk::deepgram;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  transcript_assembler a;
  // Several frames per input, split at newlines, so that sequences reach the assembler.
  while (!all.empty()) {
    auto nl = all.find('\n');
    auto frame = all.substr(0, nl);
    if (auto m = parse_live_message(frame))
      (void)a.on(*m);
    (void)a.partial();
    if (nl == std::string_view::npos)
      break;
    all.remove_prefix(nl + 1);
  }
  (void)a.force();
  return 0;
}
