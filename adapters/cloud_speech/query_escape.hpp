#pragma once

#include <string>
#include <string_view>

namespace frontdesk::speech {

/// `s` percent-encoded for a URL's query (RFC 3986 unreserved characters kept).
inline std::string query_escape(std::string_view s) {
  static constexpr const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace frontdesk::speech
