// Fuzzes the console's command lines and line splitting: any input either parses to a command
// that prints back to a line parsing to the same command, or fails cleanly; lines never exceed
// the bound.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/console/verbs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::console;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  line_splitter s;
  for (auto& line : s.feed(in.substr(0, size / 2)))
    if (line.size() > max_line)
      std::abort();
  for (auto& line : s.feed(in.substr(size / 2))) {
    if (line.size() > max_line)
      std::abort();
    auto c = parse_command(line);
    if (!c)
      continue;
    auto again = parse_command(format_command(*c));
    if (!again || !(*again == *c))
      std::abort();
  }
  if (auto c = parse_command(in)) {
    auto again = parse_command(format_command(*c));
    if (!again || !(*again == *c))
      std::abort();
  }
  return 0;
}
