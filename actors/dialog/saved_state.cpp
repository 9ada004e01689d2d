#include "actors/dialog/saved_state.hpp"

#include <algorithm>
#include <cctype>

namespace frontdesk::dialog {

namespace json = boost::json;

std::string wrap_saved_dialog(std::string_view engine_state, std::int64_t heard) {
  std::string out = "{\"heard\":" + std::to_string(std::max<std::int64_t>(heard, 0)) +
                    ",\"dialog\":";
  // The engines write compact JSON objects: kept as they are, readable in the database. A
  // state that is not one (a test engine's) goes in as a string. Checked, not trusted: a
  // malformed object would make the whole row unreadable.
  bool object = false;
  if (!engine_state.empty() && engine_state.front() == '{') {
    json::error_code ec;
    auto parsed = json::parse(engine_state, ec);
    object = !ec && parsed.is_object();
  }
  if (object)
    out += engine_state;
  else
    out += json::serialize(json::string(engine_state));
  out += '}';
  return out;
}

saved_dialog unwrap_saved_dialog(std::string_view saved) {
  json::error_code ec;
  auto v = json::parse(saved, ec);
  if (ec || !v.is_object())
    return {std::string(saved), std::nullopt};
  auto& o = v.get_object();
  auto* heard = o.if_contains("heard");
  auto* dialog = o.if_contains("dialog");
  if (o.size() != 2 || !heard || !heard->is_int64() || heard->get_int64() < 0 || !dialog ||
      !(dialog->is_object() || dialog->is_string()))
    return {std::string(saved), std::nullopt};
  std::string engine = dialog->is_string() ? std::string(dialog->get_string())
                                           : json::serialize(*dialog);
  return {std::move(engine), heard->get_int64()};
}

std::vector<std::string> unheard_lines(const saved_dialog& saved,
                                       const std::vector<std::string>& caller_lines) {
  std::size_t from;
  if (saved.heard)
    from = static_cast<std::size_t>(std::min<std::int64_t>(
        *saved.heard, static_cast<std::int64_t>(caller_lines.size())));
  else
    from = saved.engine.empty() ? 0 : caller_lines.size();
  return {caller_lines.begin() + static_cast<std::ptrdiff_t>(from), caller_lines.end()};
}

namespace {

std::string words_of(std::string_view s) {
  std::string out;
  bool gap = false;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c >= 0x80) {
      if (gap && !out.empty())
        out += ' ';
      gap = false;
      out += static_cast<char>(std::tolower(c));
    } else if (c != '\'') {
      gap = true;
    }
  }
  return out;
}

} // namespace

bool same_words(std::string_view a, std::string_view b) {
  auto wa = words_of(a);
  return !wa.empty() && wa == words_of(b);
}

} // namespace frontdesk::dialog
