// Fuzzes what the dialog reads from a caller's words: a name (never longer than three words,
// never a word that can never be a name when it came from an answer), a name guessed from an
// answer it cannot read (one to three words, one of them a common name), the request, the
// caller ID (E.164 or nothing) and leaving.
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "actors/dialog/caller_details.hpp"
#include "protocols/core/names.hpp"
#include "protocols/core/words.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::dialog;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool expecting : {false, true})
    if (auto n = extract_name(text, expecting, {"cleaning", "checkup"})) {
      auto ws = frontdesk::lower_words(*n);
      if (ws.empty() || ws.size() > 3)
        std::abort();
    }
  if (auto g = guess_name(text, {"cleaning", "checkup"})) {
    auto ws = frontdesk::lower_words(*g);
    if (ws.empty() || ws.size() > 3 ||
        std::none_of(ws.begin(), ws.end(), [](auto& w) { return frontdesk::is_common_name(w); }))
      std::abort();
  }
  extract_request(text);
  is_leaving(text);
  means_this_number(text);
  if (auto id = usable_caller_id(text)) {
    if (id->size() < 9 || id->size() > 16 || (*id)[0] != '+')
      std::abort();
    for (std::size_t i = 1; i < id->size(); ++i)
      if ((*id)[i] < '0' || (*id)[i] > '9')
        std::abort();
  }
  return 0;
}
