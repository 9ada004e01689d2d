// Fuzzes reading a call's saved dialog (read back from the database on another node): any
// bytes are read, never a crash; what carries a count wraps again to the same engine state and
// count.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "actors/dialog/saved_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::dialog;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto saved = unwrap_saved_dialog(text);
  if (!saved.heard) {
    if (saved.engine != text)
      std::abort();
    return 0;
  }
  auto again = unwrap_saved_dialog(wrap_saved_dialog(saved.engine, *saved.heard));
  if (!again.heard || *again.heard != *saved.heard)
    std::abort();
  unheard_lines(saved, {"a", "b"});
  return 0;
}
