#include "actors/dialog/llm_tools.hpp"

#include <chrono>

#include <boost/json.hpp>

namespace frontdesk::dialog {
namespace {

namespace json = boost::json;

enum class kind { text, date, time, start, part_of_day };

struct param {
  const char* name;
  kind k;
  bool required;
  const char* doc;
};

struct spec {
  const char* name;
  const char* doc;
  std::vector<param> params;
  bool needs_one = false; // at least one of the (optional) params
};

const std::vector<spec>& specs() {
  static const std::vector<spec> list = {
      {"check_slot",
       "Check when the business can see the caller. With a date and a time: is that time free? "
       "If so it is held for the caller for five minutes and the result gives start (to book) "
       "and when_text (to say). With a date alone, optionally a part_of_day: the open times that "
       "day as options (spoken) and option_values (starts). A time alone means today. When the "
       "time is not possible the result gives reason and alternatives. With neither date nor time "
       "(optionally a part_of_day): the earliest open times as options, reason earliest.",
       {{"date", kind::date, false, "Day, YYYY-MM-DD."},
        {"time", kind::time, false, "Time of day, HH:MM, 24-hour."},
        {"part_of_day", kind::part_of_day, false, "morning, afternoon or evening."},
        {"service", kind::text, false,
         "The service, if the caller named one the business lists: some take longer."},
        {"ignore_appointment", kind::text, false,
         "When moving an appointment: its id, so its own time does not count as taken."}},
       true},
      {"hold_slot",
       "Hold one of the offered times (an option value from check_slot) while the caller confirms.",
       {{"start", kind::start, true, "Start, YYYY-MM-DDTHH:MM, from option_values."},
        {"service", kind::text, false, "The service, as given to check_slot."},
        {"ignore_appointment", kind::text, false, "When moving an appointment: its id."}}},
      {"release_slot",
       "Release a held time the caller no longer wants.",
       {{"start", kind::start, true, "The held start, YYYY-MM-DDTHH:MM."}}},
      {"book",
       "Book the appointment at a held time. Only after the caller confirmed the time, their name "
       "and their phone number.",
       {{"start", kind::start, true, "The held start, YYYY-MM-DDTHH:MM."},
        {"name", kind::text, true, "The caller's name."},
        {"phone", kind::text, true, "The caller's phone number, e.g. +15557770000."},
        {"service", kind::text, false, "The service, if the caller named one the business lists."},
        {"notes", kind::text, false,
         "What the caller asked to come in for in their own words, when it is no listed "
         "service (e.g. \"a checkup\")."}}},
      {"find_appointment",
       "Find the caller's upcoming appointments by phone number and/or name. The result lists "
       "them as options (spoken) and option_values (appointment ids).",
       {{"phone", kind::text, false, "Phone number the appointment was booked with."},
        {"name", kind::text, false, "Name the appointment was booked under."}},
       true},
      {"cancel",
       "Cancel an appointment, after the caller confirmed which one.",
       {{"appointment_id", kind::text, true, "Id from find_appointment's option_values."}}},
      {"reschedule",
       "Move an appointment to a new start, after checking the new time with check_slot "
       "(with ignore_appointment) and the caller's yes.",
       {{"appointment_id", kind::text, true, "Id from find_appointment's option_values."},
        {"start", kind::start, true, "New start, YYYY-MM-DDTHH:MM."}}},
      {"lookup_knowledge",
       "Look up the business's own answer to a question (prices, insurance, parking, policies, "
       "preparation). Use it before answering anything these instructions do not say.",
       {{"question", kind::text, true, "The caller's question, in a few words."}}},
      {"transfer",
       "Transfer the call to a staff member: the caller asks for a person, an emergency, or "
       "something you cannot help with.",
       {{"reason", kind::text, false, "Why, in a few words."}}},
      {"end_call", "Hang up, after saying goodbye, when the caller has nothing else.", {}},
  };
  return list;
}

bool digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size())
    return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

int num(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i)
    v = v * 10 + (s[i] - '0');
  return v;
}

bool real_date(std::string_view s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2))
    return false;
  std::chrono::year_month_day d{std::chrono::year{num(s, 0, 4)},
                                std::chrono::month{static_cast<unsigned>(num(s, 5, 2))},
                                std::chrono::day{static_cast<unsigned>(num(s, 8, 2))}};
  return d.ok();
}

bool real_time(std::string_view s) {
  return s.size() == 5 && digits(s, 0, 2) && s[2] == ':' && digits(s, 3, 2) && num(s, 0, 2) < 24 &&
         num(s, 3, 2) < 60;
}

// The value in the calendar's form, or "" when it does not fit its kind.
std::string normalise(kind k, std::string v) {
  switch (k) {
  case kind::text: return v;
  case kind::date: return real_date(v) ? v : "";
  case kind::time:
    if (v.size() == 8 && v[5] == ':' && digits(v, 6, 2))
      v.resize(5); // seconds mean nothing to a booking
    return real_time(v) ? v : "";
  case kind::start:
    if (v.size() == 19 && v[16] == ':' && digits(v, 17, 2))
      v.resize(16);
    if (v.size() == 16 && (v[10] == 'T' || v[10] == ' ') && real_date(v.substr(0, 10)) &&
        real_time(v.substr(11))) {
      v[10] = 'T';
      return v;
    }
    return "";
  case kind::part_of_day:
    return v == "morning" || v == "afternoon" || v == "evening" ? v : "";
  }
  return "";
}

const char* expected_form(kind k) {
  switch (k) {
  case kind::date: return "a date as YYYY-MM-DD";
  case kind::time: return "a 24-hour time as HH:MM";
  case kind::start: return "a start as YYYY-MM-DDTHH:MM";
  case kind::part_of_day: return "one of morning, afternoon, evening";
  default: return "text";
  }
}

json::object schema_of(const spec& s) {
  json::object props;
  json::array required;
  for (auto& p : s.params) {
    json::object prop{{"type", "string"}, {"description", p.doc}};
    if (p.k == kind::part_of_day)
      prop["enum"] = json::array{"morning", "afternoon", "evening"};
    props[p.name] = std::move(prop);
    if (p.required)
      required.push_back(json::string(p.name));
  }
  return json::object{{"type", "object"},
                      {"properties", std::move(props)},
                      {"required", std::move(required)},
                      {"additionalProperties", false}};
}

std::string names_of(const spec& s) {
  std::string out;
  for (auto& p : s.params)
    out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out.empty() ? "none" : out;
}

failure bad_args(const spec& s, const std::string& what) {
  return fail("llm_tool_bad_args", std::string(s.name) + ": " + what);
}

} // namespace

std::vector<llm::tool_definition> receptionist_tools(bool can_transfer) {
  std::vector<llm::tool_definition> out;
  for (auto& s : specs()) {
    if (std::string_view(s.name) == "transfer" && !can_transfer)
      continue;
    out.push_back({s.name, s.doc, json::serialize(schema_of(s))});
  }
  return out;
}

expected<tool_call> validate_tool_call(const llm::tool_call& call, bool can_transfer) {
  const spec* found = nullptr;
  for (auto& s : specs())
    if (call.name == s.name && (can_transfer || call.name != "transfer"))
      found = &s;
  if (!found) {
    std::string list;
    for (auto& d : receptionist_tools(can_transfer))
      list += (list.empty() ? "" : ", ") + d.name;
    return fail("llm_tool_unknown", "there is no tool '" + call.name + "'; the tools are " + list);
  }
  auto& s = *found;
  json::value args = json::object{};
  std::string_view text = call.arguments;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n'))
    text.remove_prefix(1);
  if (!text.empty()) { // some servers send "" for a call without arguments
    json::error_code ec;
    args = json::parse(text, ec);
    if (ec)
      return fail("llm_tool_bad_json",
                  s.name + std::string(": the arguments are not valid JSON (") + ec.message() + ")");
  }
  auto* obj = args.if_object();
  if (!obj)
    return bad_args(s, "the arguments must be a JSON object");
  tool_call out{s.name, {}};
  for (auto& [key, value] : *obj) {
    const param* p = nullptr;
    for (auto& q : s.params)
      if (key == q.name)
        p = &q;
    if (!p)
      return bad_args(s, "unknown argument '" + std::string(key) + "'; the arguments are " + names_of(s));
    if (value.is_null())
      continue;
    if (!value.is_string())
      return bad_args(s, "'" + std::string(key) + "' must be a string");
    std::string v(value.as_string().data(), value.as_string().size());
    while (!v.empty() && v.back() == ' ')
      v.pop_back();
    while (!v.empty() && v.front() == ' ')
      v.erase(0, 1);
    if (v.empty())
      continue;
    auto norm = normalise(p->k, v);
    if (norm.empty())
      return bad_args(s, "'" + std::string(key) + "' must be " + expected_form(p->k) + ", got '" + v + "'");
    out.args[p->name] = std::move(norm);
  }
  for (auto& p : s.params)
    if (p.required && !out.args.count(p.name))
      return bad_args(s, std::string("missing required argument '") + p.name + "'");
  if (s.needs_one && out.args.empty())
    return bad_args(s, "give at least one of " + names_of(s));
  return out;
}

} // namespace frontdesk::dialog
