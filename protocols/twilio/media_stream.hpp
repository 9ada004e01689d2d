#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::twilio {

/// Events of a Twilio Media Stream (bidirectional), both directions.
enum class event { connected, start, media, mark, dtmf, stop, clear };

const char* to_string(event e);

/// The `start` event's description of the stream.
struct stream_start {
  std::string stream_sid;
  std::string account_sid;
  std::string call_sid;
  std::vector<std::string> tracks;
  std::map<std::string, std::string> custom_parameters;
  std::string encoding; // "audio/x-mulaw"
  int sample_rate = 0;
  int channels = 0;
};

/// One message from Twilio (or, for the simulator, one of ours), parsed.
struct message {
  event kind = event::connected;
  std::uint64_t sequence = 0; // absent on `connected` and on our messages
  std::string stream_sid;
  // connected
  std::string protocol, version;
  // start
  stream_start start;
  // media
  std::string track;
  std::uint64_t chunk = 0;
  std::uint64_t timestamp_ms = 0;
  std::vector<std::uint8_t> payload; // μ-law, decoded from base64
  // mark
  std::string mark_name;
  // dtmf
  std::string digit;
};

/// Limits on what a peer may send.
struct parse_limits {
  std::size_t max_message = 64 * 1024;
  std::size_t max_payload = 16 * 1024; // decoded bytes of one media message
};

/// Parses a text frame Twilio sends: connected, start, media, mark, dtmf, stop. Failures carry a
/// code: bad_json, not_an_object, unknown_event, missing_field, bad_field, bad_base64,
/// too_large. Never throws.
expected<message> parse_from_twilio(std::string_view text, const parse_limits& limits = {});

/// A Twilio `media` message as the fast path reads it: views into the text it was read from.
struct media_view {
  std::uint64_t sequence = 0;
  std::string_view stream_sid;
  std::string_view track; // empty when absent
  std::uint64_t chunk = 0;
  std::uint64_t timestamp_ms = 0;
};

/// The fast path for the message every call sends 50 times a second: reads a `media` event as
/// Twilio writes it (one object whose values are strings of printable ASCII without escapes,
/// only the keys Twilio sends, each once) without building a JSON tree, and decodes its payload
/// into `payload` (reused: no allocation once it has the room). Returns false for anything else,
/// valid or not (other events, other spellings, errors), which parse_from_twilio then reads;
/// when it returns true, parse_from_twilio gives the same message. Never throws.
bool read_twilio_media(std::string_view text, media_view& out,
                       std::vector<std::uint8_t>& payload, const parse_limits& limits = {});

/// Parses a text frame we send to Twilio: media, mark, clear (for the simulator and tests).
expected<message> parse_to_twilio(std::string_view text, const parse_limits& limits = {});

// What we send to Twilio. Built by hand: the media message runs every 20 ms per call.
std::string media_message(std::string_view stream_sid, std::span<const std::uint8_t> mulaw);
std::string mark_message(std::string_view stream_sid, std::string_view name);

/// Our media messages for one stream, as media_message writes them: the part before the payload
/// is written once, so each message costs one allocation of its exact size and the base64.
class media_writer {
public:
  explicit media_writer(std::string_view stream_sid);
  std::string media(std::span<const std::uint8_t> mulaw) const;

private:
  std::string head_;
};
std::string clear_message(std::string_view stream_sid);

// What Twilio sends, as the caller simulator plays Twilio.
std::string connected_message();
std::string start_message(std::uint64_t seq, const stream_start& s);
std::string inbound_media_message(std::uint64_t seq, std::string_view stream_sid,
                                  std::uint64_t chunk, std::uint64_t timestamp_ms,
                                  std::span<const std::uint8_t> mulaw);
std::string inbound_mark_message(std::uint64_t seq, std::string_view stream_sid,
                                 std::string_view name);
std::string dtmf_message(std::uint64_t seq, std::string_view stream_sid, std::string_view digit);
std::string stop_message(std::uint64_t seq, std::string_view stream_sid,
                         std::string_view account_sid, std::string_view call_sid);

} // namespace frontdesk::twilio
