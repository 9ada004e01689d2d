#include "protocols/twilio/signature.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "protocols/twilio/base64.hpp"

namespace frontdesk::twilio {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string signature_over(std::string_view token, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return base64_encode(std::span<const std::uint8_t>(mac, len));
}

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string rebuild(const url_parts& u, std::string_view port) {
  std::string s = u.scheme + "://" + u.host;
  if (!port.empty())
    s += ":" + std::string(port);
  s += u.path;
  if (!u.query.empty())
    s += "?" + u.query;
  return s;
}

// The URL as given, and with the default port added or removed.
std::vector<std::string> url_variants(std::string_view url) {
  std::vector<std::string> out{std::string(url)};
  auto u = parse_url(url);
  if (!u)
    return out;
  std::string def = u->scheme == "https" ? "443" : u->scheme == "http" ? "80" : "";
  if (def.empty())
    return out;
  if (u->port.empty())
    out.push_back(rebuild(*u, def));
  else if (u->port == def)
    out.push_back(rebuild(*u, ""));
  return out;
}

} // namespace

std::string compute_signature(std::string_view token, std::string_view url, const form& params) {
  auto sorted = params.fields;
  std::sort(sorted.begin(), sorted.end()); // by name, then value: byte order
  std::string data(url);
  for (auto& [k, v] : sorted)
    data += k + v;
  return signature_over(token, data);
}

bool validate_signature(std::string_view token, std::string_view url, const form& params,
                        std::string_view signature) {
  if (signature.empty() || token.empty())
    return false;
  bool ok = false;
  for (auto& u : url_variants(url))
    ok |= same(compute_signature(token, u, params), signature); // no early exit: constant work
  return ok;
}

std::string sha256_hex(std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), d, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", d[i]);
    hex += buf;
  }
  return hex;
}

bool validate_json_signature(std::string_view token, std::string_view url, std::string_view body,
                             std::string_view signature) {
  auto u = parse_url(url);
  if (!u)
    return false;
  std::string hash;
  auto q = parse_form(u->query);
  if (!q)
    return false;
  hash = q->value("bodySHA256");
  if (hash.empty() || !same(lower(hash), sha256_hex(body)))
    return false;
  return validate_signature(token, url, form{}, signature);
}

expected<url_parts> parse_url(std::string_view url) {
  auto bad = [&] { return fail("bad_url", "not an absolute URL: '" + std::string(url.substr(0, 200)) + "'"); };
  auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0)
    return bad();
  url_parts u;
  u.scheme = lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https" && u.scheme != "ws" && u.scheme != "wss")
    return bad();
  auto rest = url.substr(sep + 3);
  auto path_at = rest.find_first_of("/?");
  auto authority = rest.substr(0, path_at);
  if (authority.empty() || authority.find('@') != std::string_view::npos)
    return bad();
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    u.host = std::string(authority.substr(0, colon));
    u.port = std::string(authority.substr(colon + 1));
    if (u.port.empty() || u.port.size() > 5 ||
        !std::all_of(u.port.begin(), u.port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad();
  } else {
    u.host = std::string(authority);
  }
  if (u.host.empty())
    return bad();
  std::string_view tail = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  auto q = tail.find('?');
  u.path = std::string(tail.substr(0, q));
  if (u.path.empty())
    u.path = "/";
  if (q != std::string_view::npos)
    u.query = std::string(tail.substr(q + 1));
  return u;
}

expected<std::string> media_stream_url(std::string_view public_url) {
  auto u = parse_url(public_url);
  if (!u)
    return u.error();
  std::string scheme = u->scheme == "https" || u->scheme == "wss" ? "wss" : "ws";
  return scheme + "://" + u->host + (u->port.empty() ? "" : ":" + u->port) + "/twilio/media";
}

} // namespace frontdesk::twilio
