// Fuzzes the Chat Completions stream decoder: any bytes, split at a point the input chooses,
// decode or fail with a code; splitting never changes the outcome, and the text pieces always
// add up to the completion's text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/llm/stream.hpp"

using namespace frontdesk::llm;

namespace {

struct outcome {
  bool ok = false;
  std::string code, text, pieces, finish;
  std::size_t calls = 0;
};

outcome run(std::string_view a, std::string_view b) {
  outcome o;
  stream_decoder dec;
  for (auto part : {a, b}) {
    auto p = dec.feed(part);
    if (!p) {
      if (p.error().code.empty())
        std::abort();
      o.code = p.error().code;
      o.pieces.clear(); // pieces before the failure depend on where the bytes were split
      return o;
    }
    for (auto& s : *p)
      o.pieces += s;
  }
  auto c = dec.finish();
  if (!c) {
    if (c.error().code.empty())
      std::abort();
    o.code = c.error().code;
    o.pieces.clear();
    return o;
  }
  o.ok = true;
  o.text = c->text;
  o.finish = c->finish_reason;
  o.calls = c->tool_calls.size();
  for (auto& t : c->tool_calls)
    if (t.id.empty() || t.name.empty())
      std::abort(); // finish() promised both
  return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t split = in.empty() ? 0 : data[0] % (in.size() + 1);
  auto whole = run(in, {});
  auto parts = run(in.substr(0, split), in.substr(split));
  if (whole.ok != parts.ok || whole.code != parts.code || whole.text != parts.text ||
      whole.pieces != parts.pieces || whole.finish != parts.finish || whole.calls != parts.calls)
    std::abort();
  if (whole.ok && whole.pieces != whole.text)
    std::abort();
  // The whole-body parsers too.
  auto c = parse_completion(in);
  if (!c && c.error().code.empty())
    std::abort();
  (void)error_message(in);
  return 0;
}
