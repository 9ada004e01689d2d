#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::web {

/// The pairs of a request's Cookie header (RFC 6265 section 4.2), in order.
using cookie_list = std::vector<std::pair<std::string, std::string>>;

/// Parses a Cookie header: `a=1; b="2"`. Pairs without '=' or with an empty name are skipped
/// (browsers send what they were given; one bad pair must not hide the session); quotes around
/// a value are removed. Refuses a header over `max_bytes` or with more than `max_pairs` pairs.
expected<cookie_list> parse_cookies(std::string_view header, std::size_t max_bytes = 8192,
                                    std::size_t max_pairs = 64);

/// The first value of `name`, if present.
std::optional<std::string> find_cookie(const cookie_list& cookies, std::string_view name);

/// What a Set-Cookie for the session carries.
struct cookie_options {
  std::string path = "/";
  bool secure = false;                        // the public URL is https
  std::optional<std::chrono::seconds> max_age; // none: a browser-session cookie; 0: delete
};

/// A Set-Cookie value, always HttpOnly and SameSite=Strict. `value` must be cookie-safe
/// (the session's tokens are base64url).
std::string set_cookie(std::string_view name, std::string_view value, const cookie_options& o);

/// Compares two secrets in time that depends only on their lengths.
bool equal_secrets(std::string_view a, std::string_view b);

} // namespace frontdesk::web
