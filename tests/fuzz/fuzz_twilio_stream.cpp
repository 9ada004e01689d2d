// Fuzzes the Media Stream parsers: every input parses or fails with a code; a parsed media
// message re-serialises to one that parses to the same payload. And base64 on its own: what
// decodes (strictly, so canonically) encodes back to the very text, and any bytes round-trip.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "protocols/twilio/base64.hpp"
#include "protocols/twilio/media_stream.hpp"

using namespace frontdesk::twilio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = parse_from_twilio(in);
  if (!m && m.error().code.empty())
    std::abort();
  if (m && m->kind == event::media) {
    auto again = parse_from_twilio(inbound_media_message(m->sequence, m->stream_sid, m->chunk,
                                                         m->timestamp_ms, m->payload));
    if (!again || again->payload != m->payload)
      std::abort();
  }
  auto o = parse_to_twilio(in);
  if (o && o->kind == event::media) {
    auto again = parse_to_twilio(media_message(o->stream_sid, o->payload));
    if (!again || again->payload != o->payload || again->stream_sid != o->stream_sid)
      std::abort();
  }
  std::vector<std::uint8_t> bytes;
  if (base64_decode_to(in, bytes) && base64_encode(bytes) != in)
    std::abort();
  auto text = base64_encode(std::span(data, size));
  if (!base64_decode_to(text, bytes) || bytes != std::vector<std::uint8_t>(data, data + size))
    std::abort();
  return 0;
}
