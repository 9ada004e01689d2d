// Fuzzes taking a call over from a saved LLM dialog state (read back from the database on
// another node): any bytes are refused or resumed from, never a crash; a state that resumes
// saves again and resumes again to the same words. No model is asked.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "actors/dialog/llm_engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::dialog;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  business_context ctx;
  ctx.name = "Clinic";
  ctx.services = {"cleaning"};
  llm_engine e(nullptr, nullptr);
  auto r = e.resume(ctx, text);
  if (!r)
    return 0;
  auto saved = e.save_state();
  if (saved.empty())
    std::abort();
  llm_engine again(nullptr, nullptr);
  auto r2 = again.resume(ctx, saved);
  if (!r2 || r2->say != r->say)
    std::abort();
  return 0;
}
