#include "protocols/twilio/form.hpp"

namespace frontdesk::twilio {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::optional<std::string> form::get(std::string_view name) const {
  for (auto& [k, v] : fields)
    if (k == name)
      return v;
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size())
        return std::nullopt;
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

expected<form> parse_form(std::string_view body, std::size_t max_fields) {
  form f;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto amp = body.find('&', pos);
    if (amp == std::string_view::npos)
      amp = body.size();
    auto part = body.substr(pos, amp - pos);
    if (!part.empty()) {
      if (f.fields.size() >= max_fields)
        return fail("bad_form", "too many fields");
      auto eq = part.find('=');
      auto name = percent_decode(part.substr(0, eq));
      auto value = percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1));
      if (!name || !value)
        return fail("bad_form", "malformed percent escape");
      f.add(std::move(*name), std::move(*value));
    }
    pos = amp + 1;
  }
  return f;
}

std::string percent_encode(std::string_view s) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string encode_form(const form& f) {
  std::string out;
  for (auto& [k, v] : f.fields) {
    if (!out.empty())
      out += '&';
    out += percent_encode(k) + '=' + percent_encode(v);
  }
  return out;
}

} // namespace frontdesk::twilio
