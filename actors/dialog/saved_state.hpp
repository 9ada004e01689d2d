#pragma once
// Reading a dialog engine's saved state (JSON with a format version), for the engines' resume().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace frontdesk::dialog {

/// The saved state's object when `saved` is a JSON object whose "v" is `version`; nothing for
/// malformed JSON, another shape or another version (a state from an older or newer build).
inline std::optional<boost::json::object> versioned_state(std::string_view saved,
                                                          std::int64_t version) {
  boost::json::error_code ec;
  auto v = boost::json::parse(saved, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  auto& o = v.get_object();
  auto* found = o.if_contains("v");
  if (!found || !found->is_int64() || found->get_int64() != version)
    return std::nullopt;
  return std::move(o);
}

/// What a call keeps of its dialog for another node to take the call over: the engine's own
/// state, and how many of the caller's transcript lines the engine had taken in when it wrote
/// it. A node killed between saving the caller's words and saving the dialog's answer to them
/// leaves lines the state never saw; the node that takes over answers those first.
struct saved_dialog {
  std::string engine;                // save_state()'s text ("" when none)
  std::optional<std::int64_t> heard; // nothing: a state saved without the count
};

/// `{"heard":N,"dialog":...}`: the engine's state as it is when it is a JSON object (the rules
/// and LLM engines'), otherwise as a JSON string.
std::string wrap_saved_dialog(std::string_view engine_state, std::int64_t heard);

/// Reads what wrap_saved_dialog() wrote. Any other text (a state from a build before the count,
/// or bytes that are not JSON) is taken as the engine's own state, without a count.
saved_dialog unwrap_saved_dialog(std::string_view saved);

/// The caller's lines the saved state had not taken in: those after the first `heard` of
/// `caller_lines` (all of them when the count is unknown and the state is empty, none when the
/// count is unknown but a state was saved, since which lines it saw cannot be told).
std::vector<std::string> unheard_lines(const saved_dialog& saved,
                                       const std::vector<std::string>& caller_lines);

/// The same words, whatever their case, punctuation and spacing: a caller who was cut off
/// before the answer came says the same line again on the new stream.
bool same_words(std::string_view a, std::string_view b);

} // namespace frontdesk::dialog
