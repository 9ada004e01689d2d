#include "protocols/twilio/media_stream.hpp"

#include <array>
#include <charconv>
#include <cstring>

#include <boost/json.hpp>

#include "protocols/twilio/base64.hpp"

namespace frontdesk::twilio {
namespace {

namespace json = boost::json;

failure bad(const char* code, std::string what) { return fail(code, std::move(what)); }

const json::object* get_object(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

// A string field, where the parser put it: null when absent and not `required`.
std::optional<failure> find_str(const json::object& o, const char* key, const json::string*& out,
                                bool required = true) {
  out = nullptr;
  auto* v = o.if_contains(key);
  if (!v)
    return required ? std::optional(bad("missing_field", std::string("missing '") + key + "'"))
                    : std::nullopt;
  if (!v->is_string())
    return bad("bad_field", std::string("'") + key + "' must be a string");
  out = &v->as_string();
  return std::nullopt;
}

// A string field, copied out; `required` makes its absence an error.
std::optional<failure> get_str(const json::object& o, const char* key, std::string& out,
                               bool required = true) {
  const json::string* v = nullptr;
  if (auto e = find_str(o, key, v, required))
    return e;
  if (v)
    out.assign(v->data(), v->size());
  return std::nullopt;
}

// Twilio sends numbers as decimal strings ("sequenceNumber":"3").
std::optional<failure> get_num(const json::object& o, const char* key, std::uint64_t& out,
                               bool required = true) {
  auto* v = o.if_contains(key);
  if (!v)
    return required ? std::optional(bad("missing_field", std::string("missing '") + key + "'"))
                    : std::nullopt;
  if (v->is_uint64()) {
    out = v->as_uint64();
    return std::nullopt;
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    out = static_cast<std::uint64_t>(v->as_int64());
    return std::nullopt;
  }
  if (!v->is_string())
    return bad("bad_field", std::string("'") + key + "' must be a number in a string");
  auto& s = v->as_string();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    return bad("bad_field", std::string("'") + key + "' is not a number");
  return std::nullopt;
}

// The values of one parsed message, allocated from a buffer on the stack: a media message's
// object, strings and payload take well under this, and a larger message (a start with many
// parameters) goes on in the heap. What the parser returns is copied out before the arena
// goes, so nothing refers to it afterwards.
class json_arena {
public:
  json::storage_ptr storage() { return json::storage_ptr(&resource_); }

private:
  unsigned char buffer_[4096];
  json::monotonic_resource resource_{buffer_, sizeof buffer_};
};

expected<json::object> parse_object(std::string_view text, const parse_limits& limits,
                                    json::storage_ptr storage) {
  if (text.size() > limits.max_message)
    return bad("too_large", "message of " + std::to_string(text.size()) + " bytes");
  boost::system::error_code ec;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec, std::move(storage));
  if (ec)
    return bad("bad_json", "not JSON: " + ec.message());
  if (!v.is_object())
    return bad("not_an_object", "message is not a JSON object");
  return std::move(v.as_object());
}

std::optional<failure> parse_media(const json::object& m, message& out, const parse_limits& l,
                                   bool from_twilio) {
  const json::string* text = nullptr;
  if (auto e = find_str(m, "payload", text))
    return e;
  std::string_view payload(text->data(), text->size()); // decoded where it lies
  if (payload.size() / 4 * 3 > l.max_payload)
    return bad("too_large", "media payload too large");
  if (!base64_decode_to(payload, out.payload))
    return bad("bad_base64", "media payload is not valid base64");
  if (from_twilio) {
    if (auto e = get_str(m, "track", out.track, false))
      return e;
    if (auto e = get_num(m, "chunk", out.chunk, false))
      return e;
    if (auto e = get_num(m, "timestamp", out.timestamp_ms, false))
      return e;
  }
  return std::nullopt;
}

// `media` and `mark` look alike in both directions; Twilio's media adds track, chunk, timestamp.
expected<message> parse_media_or_mark(const json::object& o, event kind, message& m,
                                      const parse_limits& limits, bool from_twilio) {
  m.kind = kind;
  const char* key = kind == event::media ? "media" : "mark";
  auto* body = get_object(o, key);
  if (!body)
    return bad("missing_field", std::string("missing '") + key + "'");
  if (kind == event::media) {
    if (auto e = parse_media(*body, m, limits, from_twilio))
      return *e;
  } else if (auto e = get_str(*body, "name", m.mark_name)) {
    return *e;
  }
  return std::move(m);
}

std::string quoted(std::string_view s) { return json::serialize(json::string(s)); }

// The fast path's reader: JSON's whitespace, punctuation and strings of printable ASCII with no
// escape. Whatever it does not know it refuses, and the full parser reads the message instead.
struct plain_json {
  const char* p;
  const char* end;

  void space() {
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
      ++p;
  }
  bool eat(char c) {
    space();
    if (p == end || *p != c)
      return false;
    ++p;
    return true;
  }
  bool string(std::string_view& out) {
    if (!eat('"'))
      return false;
    const char* from = p;
    for (; p != end && *p != '"'; ++p) {
      auto c = static_cast<unsigned char>(*p);
      if (c < 0x20 || c > 0x7e || c == '\\')
        return false;
    }
    if (p == end)
      return false;
    out = std::string_view(from, static_cast<std::size_t>(p - from));
    ++p;
    return true;
  }
  // The payload: base64 checks every character itself (a backslash or a control character is
  // not base64), so the closing quote is found without looking at each one here.
  bool base64_string(std::string_view& out) {
    if (!eat('"'))
      return false;
    auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (!q)
      return false;
    out = std::string_view(p, static_cast<std::size_t>(q - p));
    p = q + 1;
    return true;
  }
  // A key, its colon, and which of `keys` it is (or -1).
  template <std::size_t N>
  int key(const std::array<std::string_view, N>& keys) {
    std::string_view k;
    if (!string(k) || !eat(':'))
      return -1;
    for (std::size_t i = 0; i < N; ++i)
      if (keys[i] == k)
        return static_cast<int>(i);
    return -1;
  }
};

// A whole decimal number, as get_num reads one from a string.
bool decimal(std::string_view s, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

constexpr std::array<std::string_view, 4> top_keys{"event", "sequenceNumber", "streamSid",
                                                   "media"};
constexpr std::array<std::string_view, 4> media_keys{"track", "chunk", "timestamp", "payload"};

bool read_media_body(plain_json& j, media_view& out, std::vector<std::uint8_t>& payload,
                     const parse_limits& limits) {
  if (!j.eat('{'))
    return false;
  unsigned seen = 0;
  do {
    int k = j.key(media_keys);
    if (k < 0 || (seen & (1u << k)))
      return false;
    seen |= 1u << k;
    std::string_view v;
    if (!(k == 3 ? j.base64_string(v) : j.string(v)))
      return false;
    switch (k) {
    case 0: out.track = v; break;
    case 1:
      if (!decimal(v, out.chunk))
        return false;
      break;
    case 2:
      if (!decimal(v, out.timestamp_ms))
        return false;
      break;
    default:
      if (v.size() / 4 * 3 > limits.max_payload || !base64_decode_to(v, payload))
        return false;
    }
  } while (j.eat(','));
  return j.eat('}') && (seen & 8u);
}

} // namespace

bool read_twilio_media(std::string_view text, media_view& out,
                       std::vector<std::uint8_t>& payload, const parse_limits& limits) {
  if (text.size() > limits.max_message)
    return false;
  out = media_view{};
  plain_json j{text.data(), text.data() + text.size()};
  if (!j.eat('{'))
    return false;
  unsigned seen = 0;
  std::string_view ev, seq;
  do {
    int k = j.key(top_keys);
    if (k < 0 || (seen & (1u << k)))
      return false;
    seen |= 1u << k;
    bool ok = k == 0   ? j.string(ev)
              : k == 1 ? j.string(seq)
              : k == 2 ? j.string(out.stream_sid)
                       : read_media_body(j, out, payload, limits);
    if (!ok)
      return false;
  } while (j.eat(','));
  if (!j.eat('}'))
    return false;
  j.space();
  return j.p == j.end && seen == 15u && ev == "media" && decimal(seq, out.sequence);
}

const char* to_string(event e) {
  switch (e) {
  case event::connected: return "connected";
  case event::start: return "start";
  case event::media: return "media";
  case event::mark: return "mark";
  case event::dtmf: return "dtmf";
  case event::stop: return "stop";
  case event::clear: return "clear";
  }
  return "?";
}

expected<message> parse_from_twilio(std::string_view text, const parse_limits& limits) {
  json_arena arena;
  auto obj = parse_object(text, limits, arena.storage());
  if (!obj)
    return obj.error();
  auto& o = *obj;
  message m;
  std::string ev;
  if (auto e = get_str(o, "event", ev))
    return *e;
  if (ev == "connected") {
    m.kind = event::connected;
    if (auto e = get_str(o, "protocol", m.protocol, false))
      return *e;
    if (auto e = get_str(o, "version", m.version, false))
      return *e;
    return m;
  }
  if (auto e = get_num(o, "sequenceNumber", m.sequence))
    return *e;
  if (auto e = get_str(o, "streamSid", m.stream_sid))
    return *e;
  if (ev == "start") {
    m.kind = event::start;
    auto* s = get_object(o, "start");
    if (!s)
      return bad("missing_field", "missing 'start'");
    auto& st = m.start;
    for (auto [k, dst] : {std::pair{"streamSid", &st.stream_sid}, {"accountSid", &st.account_sid},
                          {"callSid", &st.call_sid}})
      if (auto e = get_str(*s, k, *dst, k != std::string_view("streamSid")))
        return *e;
    if (st.stream_sid.empty())
      st.stream_sid = m.stream_sid;
    if (auto* t = s->if_contains("tracks")) {
      if (!t->is_array())
        return bad("bad_field", "'tracks' must be a list");
      for (auto& x : t->as_array()) {
        if (!x.is_string())
          return bad("bad_field", "'tracks' must hold strings");
        st.tracks.emplace_back(x.as_string());
      }
    }
    if (auto* p = s->if_contains("customParameters")) {
      if (!p->is_object())
        return bad("bad_field", "'customParameters' must be an object");
      for (auto& [k, v] : p->as_object()) {
        if (!v.is_string())
          return bad("bad_field", "custom parameter values must be strings");
        st.custom_parameters.emplace(std::string(k), std::string(v.as_string()));
      }
    }
    if (auto* f = get_object(*s, "mediaFormat")) {
      if (auto e = get_str(*f, "encoding", st.encoding, false))
        return *e;
      std::uint64_t rate = 0, ch = 0;
      if (auto e = get_num(*f, "sampleRate", rate, false))
        return *e;
      if (auto e = get_num(*f, "channels", ch, false))
        return *e;
      st.sample_rate = static_cast<int>(std::min<std::uint64_t>(rate, 1u << 30));
      st.channels = static_cast<int>(std::min<std::uint64_t>(ch, 1u << 30));
    }
    return m;
  }
  if (ev == "media")
    return parse_media_or_mark(o, event::media, m, limits, true);
  if (ev == "mark")
    return parse_media_or_mark(o, event::mark, m, limits, true);
  if (ev == "dtmf") {
    m.kind = event::dtmf;
    auto* d = get_object(o, "dtmf");
    if (!d)
      return bad("missing_field", "missing 'dtmf'");
    if (auto e = get_str(*d, "digit", m.digit))
      return *e;
    if (auto e = get_str(*d, "track", m.track, false))
      return *e;
    return m;
  }
  if (ev == "stop") {
    m.kind = event::stop;
    if (auto* s = get_object(o, "stop")) {
      if (auto e = get_str(*s, "accountSid", m.start.account_sid, false))
        return *e;
      if (auto e = get_str(*s, "callSid", m.start.call_sid, false))
        return *e;
    }
    return m;
  }
  return bad("unknown_event", "unknown event '" + ev.substr(0, 32) + "'");
}

expected<message> parse_to_twilio(std::string_view text, const parse_limits& limits) {
  json_arena arena;
  auto obj = parse_object(text, limits, arena.storage());
  if (!obj)
    return obj.error();
  auto& o = *obj;
  message m;
  std::string ev;
  if (auto e = get_str(o, "event", ev))
    return *e;
  if (auto e = get_str(o, "streamSid", m.stream_sid))
    return *e;
  if (ev == "media")
    return parse_media_or_mark(o, event::media, m, limits, false);
  if (ev == "mark")
    return parse_media_or_mark(o, event::mark, m, limits, false);
  if (ev == "clear") {
    m.kind = event::clear;
    return m;
  }
  return bad("unknown_event", "unknown event '" + ev.substr(0, 32) + "'");
}

media_writer::media_writer(std::string_view stream_sid)
    : head_(R"({"event":"media","streamSid":)" + quoted(stream_sid) + R"(,"media":{"payload":")") {}

std::string media_writer::media(std::span<const std::uint8_t> mulaw) const {
  std::string out;
  out.reserve(head_.size() + (mulaw.size() + 2) / 3 * 4 + 3);
  out += head_;
  base64_encode_to(mulaw, out);
  out += "\"}}";
  return out;
}

std::string media_message(std::string_view stream_sid, std::span<const std::uint8_t> mulaw) {
  return media_writer(stream_sid).media(mulaw);
}

std::string mark_message(std::string_view stream_sid, std::string_view name) {
  return R"({"event":"mark","streamSid":)" + quoted(stream_sid) + R"(,"mark":{"name":)" +
         quoted(name) + "}}";
}

std::string clear_message(std::string_view stream_sid) {
  return R"({"event":"clear","streamSid":)" + quoted(stream_sid) + "}";
}

std::string connected_message() {
  return R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
}

std::string start_message(std::uint64_t seq, const stream_start& s) {
  json::object params;
  for (auto& [k, v] : s.custom_parameters)
    params[k] = v;
  json::array tracks;
  for (auto& t : s.tracks)
    tracks.emplace_back(t);
  json::object start{{"streamSid", s.stream_sid},
                     {"accountSid", s.account_sid},
                     {"callSid", s.call_sid},
                     {"tracks", tracks},
                     {"customParameters", params},
                     {"mediaFormat",
                      {{"encoding", s.encoding.empty() ? "audio/x-mulaw" : s.encoding},
                       {"sampleRate", s.sample_rate ? s.sample_rate : 8000},
                       {"channels", s.channels ? s.channels : 1}}}};
  json::object msg{{"event", "start"},
                   {"sequenceNumber", std::to_string(seq)},
                   {"streamSid", s.stream_sid},
                   {"start", start}};
  return json::serialize(msg);
}

std::string inbound_media_message(std::uint64_t seq, std::string_view stream_sid,
                                  std::uint64_t chunk, std::uint64_t timestamp_ms,
                                  std::span<const std::uint8_t> mulaw) {
  std::string out;
  out.reserve(160 + stream_sid.size() + (mulaw.size() + 2) / 3 * 4);
  out += R"({"event":"media","sequenceNumber":")" + std::to_string(seq) + R"(","streamSid":)";
  out += quoted(stream_sid);
  out += R"(,"media":{"track":"inbound","chunk":")" + std::to_string(chunk) +
         R"(","timestamp":")" + std::to_string(timestamp_ms) + R"(","payload":")";
  base64_encode_to(mulaw, out);
  out += "\"}}";
  return out;
}

std::string inbound_mark_message(std::uint64_t seq, std::string_view stream_sid,
                                 std::string_view name) {
  return R"({"event":"mark","sequenceNumber":")" + std::to_string(seq) +
         R"(","streamSid":)" + quoted(stream_sid) + R"(,"mark":{"name":)" + quoted(name) + "}}";
}

std::string dtmf_message(std::uint64_t seq, std::string_view stream_sid, std::string_view digit) {
  return R"({"event":"dtmf","sequenceNumber":")" + std::to_string(seq) + R"(","streamSid":)" +
         quoted(stream_sid) + R"(,"dtmf":{"track":"inbound_track","digit":)" + quoted(digit) +
         "}}";
}

std::string stop_message(std::uint64_t seq, std::string_view stream_sid,
                         std::string_view account_sid, std::string_view call_sid) {
  return R"({"event":"stop","sequenceNumber":")" + std::to_string(seq) + R"(","streamSid":)" +
         quoted(stream_sid) + R"(,"stop":{"accountSid":)" + quoted(account_sid) +
         R"(,"callSid":)" + quoted(call_sid) + "}}";
}

} // namespace frontdesk::twilio
