#include "protocols/web/cookies.hpp"

namespace frontdesk::web {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace

expected<cookie_list> parse_cookies(std::string_view header, std::size_t max_bytes,
                                    std::size_t max_pairs) {
  if (header.size() > max_bytes)
    return fail("cookie_too_large", "the Cookie header is too large");
  cookie_list out;
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos)
      continue;
    auto name = trim(part.substr(0, eq));
    auto value = trim(part.substr(eq + 1));
    if (name.empty())
      continue;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (out.size() >= max_pairs)
      return fail("too_many_cookies", "the Cookie header has too many pairs");
    out.emplace_back(std::string(name), std::string(value));
  }
  return out;
}

std::optional<std::string> find_cookie(const cookie_list& cookies, std::string_view name) {
  for (auto& [k, v] : cookies)
    if (k == name)
      return v;
  return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, const cookie_options& o) {
  std::string s(name);
  s += '=';
  s += value;
  s += "; Path=" + o.path + "; HttpOnly; SameSite=Strict";
  if (o.secure)
    s += "; Secure";
  if (o.max_age)
    s += "; Max-Age=" + std::to_string(o.max_age->count());
  return s;
}

bool equal_secrets(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

} // namespace frontdesk::web
