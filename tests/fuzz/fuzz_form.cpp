// Fuzzes the form parser: a parsed form re-encodes to a body that parses to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/twilio/form.hpp"

using namespace frontdesk::twilio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = parse_form(std::string_view(reinterpret_cast<const char*>(data), size), 100000);
  if (f) {
    auto again = parse_form(encode_form(*f), 100000);
    if (!again || again->fields != f->fields)
      std::abort();
  }
  return 0;
}
