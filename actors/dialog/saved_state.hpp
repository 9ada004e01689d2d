#pragma once
// Reading a dialog engine's saved state (JSON with a format version), for the engines' resume().

#include <cstdint>
#include <optional>
#include <string_view>

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

} // namespace frontdesk::dialog
