// Fuzzes the sync's parsers of Google's input: watch replies, push notification headers (the
// input split into header values), and the busy block of every event a page gives, in a zone
// with DST: any bytes give a value or a failure, and a block never ends before it starts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/google/sync_wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontdesk::google;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto c = parse_watch_reply(body))
    if (c->id.empty() || c->resource_id.empty())
      std::abort();
  // Header values: the input cut at each newline.
  std::vector<std::pair<std::string, std::string>> h;
  static const char* names[] = {"X-Goog-Channel-ID", "X-Goog-Channel-Token", "X-Goog-Resource-ID",
                                "X-Goog-Resource-State", "X-Goog-Message-Number"};
  std::size_t at = 0;
  for (auto* name : names) {
    auto nl = body.find('\n', at);
    auto v = body.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    h.emplace_back(name, std::string(v));
    at = nl == std::string_view::npos ? body.size() : nl + 1;
  }
  if (auto n = parse_notification(h)) {
    if (n->channel_id.empty() || n->message_number < 0)
      std::abort();
    std::string token = "t", res = "r";
    (void)judge(*n, &token, &res);
  }
  if (auto p = parse_events_page(body))
    for (auto& e : p->items)
      for (auto zone : {"America/Chicago", "Asia/Kathmandu"})
        if (auto b = block_of(e, zone, size % 2 == 0); b && *b && !((*b)->start < (*b)->end))
          std::abort();
  return 0;
}
