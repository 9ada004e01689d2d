// The load generator reads a node's /metrics: any text must parse without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/caller/metrics_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto h = frontdesk::caller::parse_histogram(text, "frontdesk_turn_runtime_ms");
  (void)frontdesk::caller::histogram_quantile({}, h, 0.95);
  (void)frontdesk::caller::histogram_quantile(h, h, 0.5);
  // One series of a labelled histogram (the runtime's stages).
  auto s = frontdesk::caller::parse_histogram(text, "frontdesk_turn_stage_ms", "stage=\"decide\"");
  (void)frontdesk::caller::histogram_quantile({}, s, 0.95);
  return 0;
}
