// Fuzzes the fast path for Twilio's media messages against the full parser on the same input:
// whenever the fast path takes a message, the full parser reads it to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "protocols/twilio/media_stream.hpp"

using namespace frontdesk::twilio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static std::vector<std::uint8_t> payload; // reused, as the edge does
  media_view v;
  // Small limits too, so that the size checks are reached.
  for (auto limits : {parse_limits{}, parse_limits{256, 32}}) {
    if (!read_twilio_media(in, v, payload, limits))
      continue;
    auto full = parse_from_twilio(in, limits);
    if (!full || full->kind != event::media || full->sequence != v.sequence ||
        full->stream_sid != v.stream_sid || full->track != v.track || full->chunk != v.chunk ||
        full->timestamp_ms != v.timestamp_ms || full->payload != payload)
      std::abort();
  }
  return 0;
}
