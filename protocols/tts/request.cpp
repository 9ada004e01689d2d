#include "protocols/tts/request.hpp"

#include <cmath>
#include <string>

#include <boost/json.hpp>

namespace frontdesk::tts {
namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// The end of the longest prefix of `text` (at most `max` bytes) worth cutting after.
std::size_t cut(std::string_view text, std::size_t max) {
  auto head = text.substr(0, max + 1); // a sentence end may be the byte just past max
  for (std::size_t i = std::min(max, head.size() - 1); i > 0; --i) {
    char c = head[i - 1];
    bool end = (c == '.' || c == '?' || c == '!') && (head[i] == ' ' || head[i] == '\n');
    if (end || c == '\n')
      return i;
  }
  for (std::size_t i = max; i > 0; --i)
    if (head[i - 1] == ' ')
      return i;
  // One long word: cut before a UTF-8 continuation byte, never inside a character.
  std::size_t i = max;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
    --i;
  return i > 0 ? i : max;
}

} // namespace

std::vector<std::string_view> split_input(std::string_view text, std::size_t max) {
  if (max < 8)
    max = 8;
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto n = text.size() <= max ? text.size() : cut(text, max);
    auto piece = text.substr(0, n);
    if (!blank(piece))
      out.push_back(piece);
    text.remove_prefix(n);
  }
  return out;
}

bool out_of_quota(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object())
    return false;
  auto* err = v.as_object().if_contains("error");
  if (!err || !err->is_object())
    return false;
  for (const char* key : {"code", "type"})
    if (auto* f = err->as_object().if_contains(key); f && f->is_string() && f->as_string() == "insufficient_quota")
      return true;
  return false;
}

} // namespace frontdesk::tts
