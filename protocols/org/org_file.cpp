#include "protocols/org/org_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <boost/json.hpp>

namespace frontdesk::org {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 7> weekdays = {"monday", "tuesday", "wednesday", "thursday",
                                                      "friday", "saturday", "sunday"};

failure bad(const std::string& path, const std::string& what) {
  return fail("bad_org_file", "'" + path + "' " + what);
}

bool is_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':')
    return false;
  for (int i : {0, 1, 3, 4})
    if (s[static_cast<std::size_t>(i)] < '0' || s[static_cast<std::size_t>(i)] > '9')
      return false;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  return (h < 24 && m < 60) || (h == 24 && m == 0);
}

bool is_e164(std::string_view s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] == '0')
    return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

// "2026-03-04T14:00" (seconds allowed), no offset: local wall time.
bool is_local_datetime(std::string_view s) {
  if (s.size() != 16 && s.size() != 19)
    return false;
  static const std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
      return false;
  }
  return true;
}

std::optional<failure> get_string(const json::object& o, const char* key, std::string& out,
                                  bool required, const std::string& prefix = "") {
  auto* v = o.if_contains(key);
  if (!v) {
    if (required)
      return bad(prefix + key, "is required");
    return std::nullopt;
  }
  if (!v->is_string())
    return bad(prefix + key, "must be a string");
  out = std::string(v->as_string());
  return std::nullopt;
}

std::optional<failure> get_int(const json::object& o, const char* key, int& out, int lo, int hi,
                               const std::string& prefix = "") {
  auto* v = o.if_contains(key);
  if (!v)
    return std::nullopt;
  if (!v->is_int64() && !v->is_uint64())
    return bad(prefix + key, "must be a whole number");
  auto n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
  if (n < lo || n > hi)
    return bad(prefix + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  out = static_cast<int>(n);
  return std::nullopt;
}

std::optional<failure> get_strings(const json::object& o, const char* key,
                                   std::vector<std::string>& out) {
  auto* v = o.if_contains(key);
  if (!v)
    return std::nullopt;
  if (!v->is_array())
    return bad(key, "must be a list of strings");
  for (std::size_t i = 0; i < v->as_array().size(); ++i) {
    auto& e = v->as_array()[i];
    if (!e.is_string() || e.as_string().empty())
      return bad(std::string(key) + "[" + std::to_string(i) + "]", "must be a non-empty string");
    out.emplace_back(e.as_string());
  }
  return std::nullopt;
}

std::optional<failure> parse_range(const json::value& v, const std::string& path, time_range& r) {
  if (!v.is_array() || v.as_array().size() != 2 || !v.as_array()[0].is_string() ||
      !v.as_array()[1].is_string())
    return bad(path, "must be [\"HH:MM\", \"HH:MM\"]");
  r.opens = std::string(v.as_array()[0].as_string());
  r.closes = std::string(v.as_array()[1].as_string());
  if (!is_hhmm(r.opens) || !is_hhmm(r.closes))
    return bad(path, "times must be HH:MM");
  if (r.opens >= r.closes)
    return bad(path, "must open before it closes");
  return std::nullopt;
}

std::optional<failure> parse_hours(const json::value& v, org_file& org) {
  if (!v.is_object())
    return bad("hours", "must be an object of weekday: [opens, closes]");
  for (auto& [k, day] : v.as_object()) {
    int idx = weekday_index(k);
    std::string path = "hours." + std::string(k);
    if (idx < 0)
      return bad(path, "is not a weekday (monday ... sunday)");
    auto& ranges = org.hours[static_cast<std::size_t>(idx)];
    // Either one range ["09:00","17:00"] or several [["09:00","12:00"],["13:00","17:00"]].
    if (day.is_array() && !day.as_array().empty() && day.as_array()[0].is_array()) {
      for (std::size_t i = 0; i < day.as_array().size(); ++i) {
        time_range r;
        if (auto e = parse_range(day.as_array()[i], path + "[" + std::to_string(i) + "]", r))
          return e;
        if (!ranges.empty() && ranges.back().closes > r.opens)
          return bad(path, "ranges must be in order and not overlap");
        ranges.push_back(r);
      }
    } else {
      time_range r;
      if (auto e = parse_range(day, path, r))
        return e;
      ranges.push_back(r);
    }
  }
  return std::nullopt;
}

std::optional<failure> parse_appointments(const json::value& v, org_file& org) {
  if (!v.is_array())
    return bad("existing_appointments", "must be a list");
  for (std::size_t i = 0; i < v.as_array().size(); ++i) {
    std::string path = "existing_appointments[" + std::to_string(i) + "]";
    auto& e = v.as_array()[i];
    if (!e.is_object())
      return bad(path, "must be an object");
    auto& o = e.as_object();
    for (auto& [k, _] : o)
      if (k != "start" && k != "minutes" && k != "name" && k != "phone")
        return bad(path + "." + std::string(k), "is not a known key");
    existing_appointment a;
    if (auto err = get_string(o, "start", a.start, true, path + "."))
      return err;
    if (!is_local_datetime(a.start))
      return bad(path + ".start", "must be local time YYYY-MM-DDTHH:MM");
    a.minutes = org.appointment_minutes;
    if (auto err = get_int(o, "minutes", a.minutes, 1, 1440, path + "."))
      return err;
    if (auto err = get_string(o, "name", a.name, false, path + "."))
      return err;
    if (auto err = get_string(o, "phone", a.phone, false, path + "."))
      return err;
    if (!a.phone.empty() && !is_e164(a.phone))
      return bad(path + ".phone", "must be E.164 like +15551234567");
    org.existing_appointments.push_back(std::move(a));
  }
  return std::nullopt;
}

std::optional<failure> parse_speech(const json::value& v, speech_choices& sp) {
  if (!v.is_object())
    return bad("speech", "must be an object of voice, stt_model, stt_language");
  auto& o = v.as_object();
  for (auto& [k, _] : o)
    if (k != "voice" && k != "stt_model" && k != "stt_language")
      return bad("speech." + std::string(k), "is not a known key");
  for (auto [key, out] : {std::pair{"voice", &sp.voice}, std::pair{"stt_model", &sp.stt_model},
                          std::pair{"stt_language", &sp.stt_language}}) {
    if (auto e = get_string(o, key, *out, false, "speech."))
      return e;
    // The names go into vendor URLs and request bodies: plain names only.
    bool plain = out->size() <= 64 && std::all_of(out->begin(), out->end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
    if (!plain)
      return bad("speech." + std::string(key), "must be a name of letters, digits, '.', '_' or '-' (at most 64)");
  }
  return std::nullopt;
}

// "services": ["cleaning", {"name": "whitening", "minutes": 60}, ...]
std::optional<failure> parse_services(const json::value& v, org_file& org) {
  if (!v.is_array())
    return bad("services", "must be a list of names or {\"name\", \"minutes\"} objects");
  for (std::size_t i = 0; i < v.as_array().size(); ++i) {
    auto& e = v.as_array()[i];
    auto path = "services[" + std::to_string(i) + "]";
    std::string name;
    if (e.is_string()) {
      name = std::string(e.as_string());
    } else if (e.is_object()) {
      auto& o = e.as_object();
      for (auto& [k, _] : o)
        if (k != "name" && k != "minutes")
          return bad(path + "." + std::string(k), "is not a known key");
      auto* n = o.if_contains("name");
      if (!n || !n->is_string())
        return bad(path + ".name", "must be a non-empty string");
      name = std::string(n->as_string());
      auto* m = o.if_contains("minutes");
      if (!m || !m->is_int64() || m->as_int64() < 5 || m->as_int64() > 1440)
        return bad(path + ".minutes", "must be a whole number of minutes from 5 to 1440");
      org.service_minutes[name] = static_cast<int>(m->as_int64());
    } else {
      return bad(path, "must be a name or an object {\"name\", \"minutes\"}");
    }
    if (name.empty() || name.size() > 100)
      return bad(path, "the name must be 1 to 100 characters");
    org.services.push_back(std::move(name));
  }
  return std::nullopt;
}

} // namespace

int weekday_index(std::string_view name) {
  for (std::size_t i = 0; i < weekdays.size(); ++i)
    if (weekdays[i] == name)
      return static_cast<int>(i);
  return -1;
}

expected<org_file> parse_org_file(std::string_view text) {
  boost::system::error_code ec;
  auto doc = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec)
    return fail("bad_org_file", "not valid JSON: " + ec.message());
  if (!doc.is_object())
    return fail("bad_org_file", "the file must hold one JSON object");
  auto& o = doc.as_object();
  static const std::vector<std::string_view> known = {
      "name",      "phone_number", "timezone",         "hours",   "appointment_minutes",
      "buffer_minutes", "min_notice_minutes", "days_ahead", "greeting", "address",
      "transfer_number", "services", "knowledge", "existing_appointments", "speech"};
  for (auto& [k, _] : o)
    if (std::find(known.begin(), known.end(), std::string_view(k)) == known.end())
      return bad(std::string(k), "is not a known key");
  org_file org;
  if (auto e = get_string(o, "name", org.name, true))
    return *e;
  if (org.name.empty())
    return bad("name", "must not be empty");
  if (auto e = get_string(o, "phone_number", org.phone_number, true))
    return *e;
  if (!is_e164(org.phone_number))
    return bad("phone_number", "must be E.164 like +15551234567");
  if (auto e = get_string(o, "timezone", org.timezone, true))
    return *e;
  if (org.timezone.empty())
    return bad("timezone", "must be an IANA zone like America/Chicago");
  if (auto* h = o.if_contains("hours")) {
    if (auto e = parse_hours(*h, org))
      return *e;
  }
  for (auto e : {get_int(o, "appointment_minutes", org.appointment_minutes, 5, 1440),
                 get_int(o, "buffer_minutes", org.buffer_minutes, 0, 1440),
                 get_int(o, "min_notice_minutes", org.min_notice_minutes, 0, 525600),
                 get_int(o, "days_ahead", org.days_ahead, 1, 730)})
    if (e)
      return *e;
  for (auto e : {get_string(o, "greeting", org.greeting, false),
                 get_string(o, "address", org.address, false),
                 get_string(o, "transfer_number", org.transfer_number, false)})
    if (e)
      return *e;
  if (!org.transfer_number.empty() && !is_e164(org.transfer_number))
    return bad("transfer_number", "must be E.164 like +15551234567");
  if (auto* sv = o.if_contains("services")) {
    if (auto e = parse_services(*sv, org))
      return *e;
  }
  if (auto e = get_strings(o, "knowledge", org.knowledge))
    return *e;
  if (auto* a = o.if_contains("existing_appointments")) {
    if (auto e = parse_appointments(*a, org))
      return *e;
  }
  if (auto* sp = o.if_contains("speech")) {
    if (auto e = parse_speech(*sp, org.speech))
      return *e;
  }
  return org;
}

} // namespace frontdesk::org
