// Fuzzes the Google Calendar parsers: any bytes give a value or a failure; a parsed page's events
// have ids, and timed events parse to instants.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/google/calendar_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::google;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto p = parse_events_page(body))
    for (auto& e : p->items)
      if (e.id.empty() || (!e.cancelled() && !e.start.instant && e.start.date.size() != 10))
        std::abort();
  if (auto fb = parse_free_busy(body))
    for (auto& [id, c] : fb->calendars)
      for (auto& [from, to] : c.busy)
        if (!(from < to))
          std::abort();
  parse_token_reply(body);
  auto e = classify_error(static_cast<int>(size % 600), body);
  if (e.status >= 400 && e.action == error_action::none)
    std::abort();
  auto id = event_id(body, static_cast<int>(size));
  if (id.size() < 5 || id.size() > 1024)
    std::abort();
  return 0;
}
