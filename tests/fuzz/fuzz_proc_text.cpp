// The load generator reads the kernel's /proc text: any text must parse without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/caller/proc_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)frontdesk::caller::parse_schedstat_wait_s(text);
  (void)frontdesk::caller::parse_proc_stat_steal_ticks(text);
  (void)frontdesk::caller::parse_stat_policy(text);
  return 0;
}
