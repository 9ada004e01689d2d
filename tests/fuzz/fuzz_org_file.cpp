// Fuzzes the business-file parser: any input parses or fails with a message, never crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/org/org_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto org = frontdesk::org::parse_org_file(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!org && org.error().message.empty())
    std::abort();
  if (org && org->hours.size() != 7)
    std::abort();
  return 0;
}
