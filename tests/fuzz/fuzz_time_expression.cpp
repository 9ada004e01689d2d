// Fuzzes the spoken time parser: any words give a valid date and time, or nothing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "actors/calendar/time_expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace date;
  auto m = frontdesk::booking::parse_time_expression(
      std::string_view(reinterpret_cast<const char*>(data), size), year_month_day{2026_y / March / 4});
  if (m && m->day && !m->day->ok())
    std::abort();
  if (m && m->time && (m->time->count() < 0 || m->time->count() >= 24 * 60))
    std::abort();
  return 0;
}
