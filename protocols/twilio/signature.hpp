#pragma once

#include <string>
#include <string_view>

#include "protocols/core/expected.hpp"
#include "protocols/twilio/form.hpp"

namespace frontdesk::twilio {

/// X-Twilio-Signature for a form POST: base64(HMAC-SHA1(token, url + sorted name+value pairs)).
std::string compute_signature(std::string_view auth_token, std::string_view url, const form& params);

/// Checks a form webhook's signature in constant time. Twilio may have signed the URL with or
/// without an explicit default port (:443 for https, :80 for http): both are accepted.
bool validate_signature(std::string_view auth_token, std::string_view url, const form& params,
                        std::string_view signature);

/// Checks a JSON webhook: the URL carries bodySHA256=<hex sha256 of the body>; the signature is
/// over the URL alone, and the hash must match the body.
bool validate_json_signature(std::string_view auth_token, std::string_view url,
                             std::string_view body, std::string_view signature);

/// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);

/// The parts of an absolute http(s)/ws(s) URL.
struct url_parts {
  std::string scheme; // lower case
  std::string host;
  std::string port;   // as written, or "" when absent
  std::string path;   // "/" when absent
  std::string query;  // without '?'
};

expected<url_parts> parse_url(std::string_view url);

/// The Media Stream URL for a node's public URL: https://h/x → wss://h/twilio/media
/// (http → ws), keeping host and port.
expected<std::string> media_stream_url(std::string_view public_url);

} // namespace frontdesk::twilio
