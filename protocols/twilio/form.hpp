#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::twilio {

/// An application/x-www-form-urlencoded body: name/value pairs in order, names may repeat.
struct form {
  std::vector<std::pair<std::string, std::string>> fields;

  /// The first value of `name`, if present.
  std::optional<std::string> get(std::string_view name) const;
  /// The first value of `name`, or "".
  std::string value(std::string_view name) const { return get(name).value_or(""); }
  void add(std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
  }
};

/// Parses a form body: `+` is a space, %XX is a byte; a malformed escape is refused.
/// Limits the number of fields (a flood of tiny fields is refused).
expected<form> parse_form(std::string_view body, std::size_t max_fields = 256);

/// Percent-decodes one component (`+` as space). Nothing on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s);

/// Encodes a form body (unreserved characters as they are, space as %20).
std::string encode_form(const form& f);

/// Percent-encodes one component.
std::string percent_encode(std::string_view s);

} // namespace frontdesk::twilio
