#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "protocols/core/expected.hpp"

namespace frontdesk::web {

/// Parses a request body that must be one JSON object, within a size and nesting bound.
/// Failures: "body_too_large", "bad_json", "not_an_object".
expected<boost::json::object> parse_json_object(std::string_view body,
                                                std::size_t max_bytes = 64 * 1024,
                                                std::size_t max_depth = 16);

/// Reads typed fields out of a JSON object and remembers the first bad one, so a handler reads
/// all it needs and then answers 400 naming the field:
///   field_reader r(obj); auto n = r.text("name", 1, 200); if (r.bad()) ...
class field_reader {
public:
  explicit field_reader(const boost::json::object& o) : o_(o) {}

  /// A string of [min_len, max_len] bytes (valid UTF-8 as Boost.JSON parsed it). Missing:
  /// nothing, and an error when `min_len` > 0.
  std::optional<std::string> text(std::string_view name, std::size_t min_len,
                                   std::size_t max_len);
  /// An integer in [lo, hi]. Missing: nothing (not an error).
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t lo, std::int64_t hi);
  /// True when the field is present (even null).
  bool has(std::string_view name) const { return o_.contains(name); }

  bool bad() const { return !field_.empty(); }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }
  /// Records a failure found by the caller's own check (the first one wins).
  void refuse(std::string field, std::string message);

private:
  const boost::json::object& o_;
  std::string field_, message_;
};

/// An RFC 9457 problem details document: {"type", "title", "status", "detail"} and, when the
/// input named a bad field, "field".
std::string problem_json(int status, std::string_view title, std::string_view detail,
                         std::string_view field = "");

/// True for "HH:MM" with a valid hour and minute (24-hour clock; "24:00" allowed as an end).
bool valid_hhmm(std::string_view s);
/// True for "YYYY-MM-DD" with a valid month and day-of-month range (1..31).
bool valid_date(std::string_view s);

} // namespace frontdesk::web
