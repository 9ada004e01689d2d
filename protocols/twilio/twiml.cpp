#include "protocols/twilio/twiml.hpp"

namespace frontdesk::twilio {
namespace {

// Decodes one UTF-8 code point at s[i]; returns its length, 0 if invalid.
std::size_t utf8_len(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  cp = n == 1 ? b : n == 2 ? (b & 0x1f) : n == 3 ? (b & 0x0f) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 2)
      return 0;
    cp = cp << 6 | (c & 0x3f);
  }
  // Overlong forms and surrogates are not valid UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return n;
}

bool xml_allowed(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

} // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    auto n = utf8_len(s, i, cp);
    if (n == 0) { // not UTF-8: dropped
      ++i;
      continue;
    }
    if (!xml_allowed(cp)) {
      i += n;
      continue;
    }
    switch (s[i]) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default: out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

twiml& twiml::say(std::string_view text, std::string_view voice, std::string_view language) {
  body_ += "<Say";
  if (!voice.empty())
    body_ += attr("voice", voice);
  if (!language.empty())
    body_ += attr("language", language);
  body_ += ">" + xml_escape(text) + "</Say>";
  return *this;
}

twiml& twiml::connect_stream(std::string_view url, const std::map<std::string, std::string>& params,
                             std::string_view status_callback, std::string_view action) {
  body_ += "<Connect";
  if (!action.empty())
    body_ += attr("action", action);
  body_ += "><Stream" + attr("url", url);
  if (!status_callback.empty())
    body_ += attr("statusCallback", status_callback);
  body_ += ">";
  for (auto& [k, v] : params)
    body_ += "<Parameter" + attr("name", k) + attr("value", v) + "/>";
  body_ += "</Stream></Connect>";
  return *this;
}

twiml& twiml::dial(std::string_view number, const dial_options& o) {
  body_ += "<Dial";
  if (!o.caller_id.empty())
    body_ += attr("callerId", o.caller_id);
  if (o.timeout_seconds > 0)
    body_ += attr("timeout", std::to_string(o.timeout_seconds));
  if (!o.action.empty())
    body_ += attr("action", o.action);
  if (o.answer_on_bridge)
    body_ += attr("answerOnBridge", "true");
  body_ += "><Number>" + xml_escape(number) + "</Number></Dial>";
  return *this;
}

twiml& twiml::pause(int seconds) {
  body_ += "<Pause" + attr("length", std::to_string(seconds)) + "/>";
  return *this;
}

twiml& twiml::redirect(std::string_view url) {
  body_ += "<Redirect>" + xml_escape(url) + "</Redirect>";
  return *this;
}

twiml& twiml::message(std::string_view text) {
  body_ += "<Message>" + xml_escape(text) + "</Message>";
  return *this;
}

twiml& twiml::hangup() {
  body_ += "<Hangup/>";
  return *this;
}

std::string twiml::str() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + body_ + "</Response>";
}

} // namespace frontdesk::twilio
