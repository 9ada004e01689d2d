// Fuzzes the TwiML builder with arbitrary text and attributes: the output never carries a raw
// '<', '>' or '"' outside the markup we write, and no control characters.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/twilio/twiml.hpp"

using namespace frontdesk::twilio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto cut = in.find('\0');
  std::string_view a = in.substr(0, cut), b = cut == std::string_view::npos ? "" : in.substr(cut + 1);
  auto escaped = xml_escape(a);
  for (char c : escaped)
    if (c == '<' || c == '>' || c == '"' || c == '\'' ||
        (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r'))
      std::abort();
  auto doc = twiml().say(a, b).connect_stream(b, {{std::string(a), std::string(b)}}).str();
  // Exactly the tags we wrote: Response, Say, Connect, Stream, Parameter.
  std::size_t opens = 0;
  for (char c : doc)
    opens += c == '<';
  // <?xml, <Response>, <Say>, </Say>, <Connect>, <Stream>, <Parameter/>, </Stream>, </Connect>,
  // </Response>: ten, whatever the input.
  if (opens != 10)
    std::abort();
  return 0;
}
