// Fuzzes the dashboard's request parsers: cookies and JSON object bodies with their fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/web/body.hpp"
#include "protocols/web/cookies.hpp"

using namespace frontdesk::web;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto c = parse_cookies(in)) {
    for (auto& [k, v] : *c)
      if (k.empty() || k.find(';') != std::string::npos)
        std::abort(); // a pair never spans a separator
  }
  if (auto o = parse_json_object(in)) {
    field_reader r(*o);
    r.text("name", 1, 200);
    r.integer("minutes", 5, 1440);
    if (r.bad() && r.field().empty())
      std::abort();
  }
  valid_hhmm(in);
  valid_date(in);
  return 0;
}
