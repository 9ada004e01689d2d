#include "protocols/web/body.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace frontdesk::web {

namespace json = boost::json;

expected<json::object> parse_json_object(std::string_view body, std::size_t max_bytes,
                                         std::size_t max_depth) {
  if (body.size() > max_bytes)
    return fail("body_too_large", "the body is larger than " + std::to_string(max_bytes) + " bytes");
  json::parse_options opt;
  opt.max_depth = max_depth;
  boost::system::error_code ec;
  auto v = json::parse(json::string_view(body.data(), body.size()), ec, {}, opt);
  if (ec)
    return fail("bad_json", "the body is not JSON: " + ec.message());
  if (!v.is_object())
    return fail("not_an_object", "the body must be a JSON object");
  return std::move(v.as_object());
}

void field_reader::refuse(std::string field, std::string message) {
  if (field_.empty()) {
    field_ = std::move(field);
    message_ = std::move(message);
  }
}

std::optional<std::string> field_reader::text(std::string_view name, std::size_t min_len,
                                              std::size_t max_len) {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null()) {
    if (min_len > 0)
      refuse(std::string(name), std::string(name) + " is required");
    return std::nullopt;
  }
  if (!it->value().is_string()) {
    refuse(std::string(name), std::string(name) + " must be a string");
    return std::nullopt;
  }
  auto& s = it->value().get_string();
  if (s.size() < min_len || s.size() > max_len) {
    refuse(std::string(name), std::string(name) + " must be " + std::to_string(min_len) +
                                  " to " + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return std::string(s.data(), s.size());
}

std::optional<std::int64_t> field_reader::integer(std::string_view name, std::int64_t lo,
                                                  std::int64_t hi) {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null())
    return std::nullopt;
  std::int64_t v = 0;
  if (it->value().is_int64())
    v = it->value().get_int64();
  else if (it->value().is_uint64() && it->value().get_uint64() <= 1000000000ULL)
    v = static_cast<std::int64_t>(it->value().get_uint64());
  else {
    refuse(std::string(name), std::string(name) + " must be a whole number");
    return std::nullopt;
  }
  if (v < lo || v > hi) {
    refuse(std::string(name), std::string(name) + " must be between " + std::to_string(lo) +
                                  " and " + std::to_string(hi));
    return std::nullopt;
  }
  return v;
}

std::string problem_json(int status, std::string_view title, std::string_view detail,
                         std::string_view field) {
  json::object o;
  o["type"] = "about:blank";
  o["title"] = title;
  o["status"] = status;
  o["detail"] = detail;
  if (!field.empty())
    o["field"] = field;
  return json::serialize(o);
}

namespace {
bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return !s.empty();
}
int num(std::string_view s) {
  int v = 0;
  for (char c : s)
    v = v * 10 + (c - '0');
  return v;
}
} // namespace

bool valid_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':' || !digits(s.substr(0, 2)) || !digits(s.substr(3, 2)))
    return false;
  int h = num(s.substr(0, 2)), m = num(s.substr(3, 2));
  return (h < 24 && m < 60) || (h == 24 && m == 0);
}

bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4)) ||
      !digits(s.substr(5, 2)) || !digits(s.substr(8, 2)))
    return false;
  int y = num(s.substr(0, 4)), mo = num(s.substr(5, 2)), d = num(s.substr(8, 2));
  return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

} // namespace frontdesk::web
