#include "protocols/sms/keywords.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "protocols/core/words.hpp"

namespace frontdesk::sms {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
// The message as one keyword: trimmed, trailing . ! ? dropped; empty when it has inner spaces.
std::string single_word(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b]))
    ++b;
  while (e > b && (is_space(s[e - 1]) || s[e - 1] == '.' || s[e - 1] == '!' || s[e - 1] == '?'))
    --e;
  for (std::size_t i = b; i < e; ++i)
    if (is_space(s[i]))
      return "";
  return s.substr(b, e - b);
}

template <std::size_t N>
bool one_of(const std::string& w, const std::array<const char*, N>& list) {
  for (auto* x : list)
    if (w == x)
      return true;
  return false;
}

bool has(const std::vector<std::string>& ws, std::string_view w) {
  for (auto& x : ws)
    if (x == w)
      return true;
  return false;
}

bool has_phrase(const std::string& text, std::string_view phrase) {
  return text.find(phrase) != std::string::npos;
}

} // namespace

inbound_intent parse_inbound(std::string_view body, std::string_view opt_out_type) {
  auto text = lower(body);
  auto word = single_word(text);
  auto type = lower(opt_out_type);
  if (type == "stop")
    return {intent::opt_out, 0, word == "cancel"};
  if (type == "start")
    return {intent::opt_in, 0, false};
  if (type == "help")
    return {intent::help, 0, false};

  static const std::array<const char*, 8> stop{"stop", "stopall", "unsubscribe", "cancel",
                                               "end", "quit", "revoke", "optout"};
  static const std::array<const char*, 3> start{"start", "unstop", "yes"};
  static const std::array<const char*, 2> help{"help", "info"};
  if (one_of(word, stop))
    return {intent::opt_out, 0, word == "cancel"};
  if (one_of(word, start))
    return {intent::opt_in, 0, false};
  if (one_of(word, help))
    return {intent::help, 0, false};
  if (word == "c")
    return {intent::cancel, 0, false};
  if (word == "r")
    return {intent::reschedule, 0, false};
  if (word == "1" || word == "2" || word == "3")
    return {intent::choose, word[0] - '0', false};

  // Sentences. An opt-out said in words is honoured too ("any reasonable means").
  auto ws = lower_words(text);
  if (has_phrase(text, "stop texting") || has_phrase(text, "stop messaging") ||
      has_phrase(text, "stop sending") || has_phrase(text, "opt out") ||
      has_phrase(text, "don't text") || has_phrase(text, "do not text") ||
      has_phrase(text, "no more texts") || has(ws, "unsubscribe") || has(ws, "optout") ||
      (!ws.empty() && ws.front() == "stop"))
    return {intent::opt_out, 0, false};
  if (has(ws, "cancel") || has(ws, "cancle") || has(ws, "cancell") || has(ws, "cancelled") ||
      has(ws, "canceled"))
    return {intent::cancel, 0, false};
  if (has(ws, "reschedule") || has(ws, "move") || has(ws, "rebook") ||
      has_phrase(text, "another time") || has_phrase(text, "different time") ||
      has_phrase(text, "another day") || has_phrase(text, "different day") ||
      has_phrase(text, "change my appointment") || has_phrase(text, "change the time"))
    return {intent::reschedule, 0, false};
  return {intent::other, 0, false};
}

const char* to_string(intent k) {
  switch (k) {
  case intent::opt_out: return "opt_out";
  case intent::opt_in: return "opt_in";
  case intent::help: return "help";
  case intent::cancel: return "cancel";
  case intent::reschedule: return "reschedule";
  case intent::choose: return "choose";
  case intent::other: return "other";
  }
  return "other";
}

} // namespace frontdesk::sms
