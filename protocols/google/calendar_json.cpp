#include "protocols/google/calendar_json.hpp"

#include <cctype>

#include <boost/json.hpp>

namespace frontdesk::google {
namespace {

namespace json = boost::json;

// Bodies larger than this are refused before parsing: a page of 2,500 events is about 5 MB.
constexpr std::size_t max_body = 16 * 1024 * 1024;

expected<json::object> parse_object(std::string_view text, const char* what) {
  if (text.size() > max_body)
    return fail("google_too_large", std::string(what) + ": body over 16 MB");
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec)
    return fail("google_bad_json", std::string(what) + ": " + ec.message());
  if (!v.is_object())
    return fail("google_bad_json", std::string(what) + ": not a JSON object");
  return std::move(v.as_object());
}

// A string member, or empty when absent; a member of another type is an error.
expected<std::string> text_of(const json::object& o, std::string_view key, const char* what) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return std::string();
  if (!v->is_string())
    return fail("google_bad_json", std::string(what) + ": '" + std::string(key) + "' is not text");
  return std::string(v->as_string());
}

expected<event_time> time_of(const json::object& o, std::string_view key) {
  event_time t;
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return t; // a cancelled event carries only its id
  if (!v->is_object())
    return fail("google_bad_json", "event: '" + std::string(key) + "' is not an object");
  auto& e = v->as_object();
  auto dt = text_of(e, "dateTime", "event time");
  auto d = text_of(e, "date", "event time");
  auto z = text_of(e, "timeZone", "event time");
  if (!dt || !d || !z)
    return fail("google_bad_json", "event: a time field is not text");
  t.time_zone = *z;
  if (!dt->empty()) {
    auto at = parse_rfc3339(*dt);
    if (!at)
      return fail("google_bad_time", "event: bad dateTime '" + *dt + "'");
    t.instant = *at;
  } else if (!d->empty()) {
    // A floating date: checked for shape and range, kept as text.
    auto day = parse_rfc3339(*d + "T00:00:00Z");
    if (d->size() != 10 || !day)
      return fail("google_bad_time", "event: bad date '" + *d + "'");
    t.date = *d;
  }
  return t;
}

expected<event> event_of(const json::value& v) {
  if (!v.is_object())
    return fail("google_bad_json", "event: not an object");
  auto& o = v.as_object();
  event e;
  auto id = text_of(o, "id", "event");
  if (!id)
    return id.error();
  if (id->empty())
    return fail("google_bad_json", "event: no id");
  e.id = *id;
  for (auto [key, field] : {std::pair{"status", &e.status}, std::pair{"summary", &e.summary},
                            std::pair{"transparency", &e.transparency},
                            std::pair{"eventType", &e.event_type},
                            std::pair{"recurringEventId", &e.recurring_event_id},
                            std::pair{"etag", &e.etag}}) {
    auto s = text_of(o, key, "event");
    if (!s)
      return s.error();
    *field = *s;
  }
  auto start = time_of(o, "start");
  if (!start)
    return start.error();
  auto end = time_of(o, "end");
  if (!end)
    return end.error();
  e.start = *start;
  e.end = *end;
  if (auto* a = o.if_contains("attendees"); a && a->is_array())
    for (auto& x : a->as_array())
      if (x.is_object() && x.as_object().if_contains("self") &&
          x.as_object().at("self") == true) {
        auto r = text_of(x.as_object(), "responseStatus", "attendee");
        if (r)
          e.self_response = *r;
      }
  if (auto* x = o.if_contains("extendedProperties"); x && x->is_object())
    if (auto* p = x->as_object().if_contains("private"); p && p->is_object())
      for (auto& [k, val] : p->as_object())
        if (val.is_string())
          e.private_properties[std::string(k)] = std::string(val.as_string());
  if (!e.cancelled() && ((!e.start.instant && e.start.date.empty()) ||
                         (!e.end.instant && e.end.date.empty())))
    return fail("google_bad_json", "event " + e.id + ": no start or end");
  return e;
}

// RFC 4648 base32hex digits, which Google allows in event ids (lower case).
constexpr std::string_view base32hex = "0123456789abcdefghijklmnopqrstuv";

} // namespace

bool event::blocks_time(bool declined_blocks) const {
  if (cancelled())
    return false;
  if (transparency == "transparent")
    return false;
  if (event_type == "workingLocation" || event_type == "birthday")
    return false;
  if (self_response == "declined" && !declined_blocks)
    return false;
  return true;
}

expected<events_page> parse_events_page(std::string_view body) {
  auto o = parse_object(body, "events page");
  if (!o)
    return o.error();
  events_page page;
  for (auto [key, field] : {std::pair{"nextPageToken", &page.next_page_token},
                            std::pair{"nextSyncToken", &page.next_sync_token},
                            std::pair{"timeZone", &page.time_zone}}) {
    auto s = text_of(*o, key, "events page");
    if (!s)
      return s.error();
    *field = *s;
  }
  if (auto* items = o->if_contains("items")) {
    if (!items->is_array())
      return fail("google_bad_json", "events page: 'items' is not a list");
    for (auto& v : items->as_array()) {
      auto e = event_of(v);
      if (!e)
        return e.error();
      page.items.push_back(std::move(*e));
    }
  }
  return page;
}

expected<event> parse_event(std::string_view body) {
  boost::system::error_code ec;
  if (body.size() > max_body)
    return fail("google_too_large", "event: body over 16 MB");
  auto v = json::parse(body, ec);
  if (ec)
    return fail("google_bad_json", "event: " + ec.message());
  return event_of(v);
}

expected<free_busy> parse_free_busy(std::string_view body) {
  auto o = parse_object(body, "freeBusy");
  if (!o)
    return o.error();
  free_busy fb;
  auto* cals = o->if_contains("calendars");
  if (!cals || !cals->is_object())
    return fail("google_bad_json", "freeBusy: no 'calendars' object");
  for (auto& [id, v] : cals->as_object()) {
    if (!v.is_object())
      return fail("google_bad_json", "freeBusy: calendar '" + std::string(id) + "' is not an object");
    free_busy::calendar c;
    if (auto* errs = v.as_object().if_contains("errors"); errs && errs->is_array())
      for (auto& e : errs->as_array()) {
        std::string reason = "unknown";
        if (e.is_object())
          if (auto r = text_of(e.as_object(), "reason", "freeBusy error"); r && !r->empty())
            reason = *r;
        c.errors.push_back(reason);
      }
    if (auto* busy = v.as_object().if_contains("busy")) {
      if (!busy->is_array())
        return fail("google_bad_json", "freeBusy: 'busy' is not a list");
      for (auto& b : busy->as_array()) {
        if (!b.is_object())
          return fail("google_bad_json", "freeBusy: a busy period is not an object");
        auto s = text_of(b.as_object(), "start", "busy period");
        auto e = text_of(b.as_object(), "end", "busy period");
        if (!s || !e)
          return fail("google_bad_json", "freeBusy: a busy period's times are not text");
        auto from = parse_rfc3339(*s);
        auto to = parse_rfc3339(*e);
        if (!from || !to || !(*from < *to))
          return fail("google_bad_time", "freeBusy: bad busy period '" + *s + "' to '" + *e + "'");
        c.busy.emplace_back(*from, *to);
      }
    }
    fb.calendars.emplace(std::string(id), std::move(c));
  }
  return fb;
}

std::string free_busy_request(sys_time from, sys_time to,
                              const std::vector<std::string>& calendar_ids) {
  json::object o;
  o["timeMin"] = format_rfc3339(from);
  o["timeMax"] = format_rfc3339(to);
  o["timeZone"] = "UTC";
  json::array items;
  for (auto& id : calendar_ids)
    items.push_back(json::object{{"id", id}});
  o["items"] = std::move(items);
  return json::serialize(o);
}

expected<token_reply> parse_token_reply(std::string_view body) {
  auto o = parse_object(body, "token reply");
  if (!o)
    return o.error();
  token_reply t;
  for (auto [key, field] : {std::pair{"access_token", &t.access_token},
                            std::pair{"refresh_token", &t.refresh_token},
                            std::pair{"error", &t.error},
                            std::pair{"error_description", &t.error_description}}) {
    auto s = text_of(*o, key, "token reply");
    if (!s)
      return s.error();
    *field = *s;
  }
  if (auto* e = o->if_contains("expires_in")) {
    if (!e->is_int64() || e->as_int64() < 0 || e->as_int64() > 10 * 365 * 86400)
      return fail("google_bad_json", "token reply: 'expires_in' is not a number of seconds");
    t.expires_in = static_cast<int>(e->as_int64());
  }
  if (t.error.empty() && t.access_token.empty())
    return fail("google_bad_json", "token reply: neither access_token nor error");
  return t;
}

google_error classify_error(int status, std::string_view body) {
  google_error e;
  e.status = status;
  if (status >= 200 && status < 300)
    return e;
  boost::system::error_code ec;
  auto v = body.size() <= max_body ? json::parse(body, ec) : json::value();
  if (!ec && v.is_object())
    if (auto* err = v.as_object().if_contains("error"); err && err->is_object()) {
      auto& eo = err->as_object();
      if (auto m = text_of(eo, "message", "error"))
        e.message = *m;
      if (auto* list = eo.if_contains("errors"); list && list->is_array() &&
                                                 !list->as_array().empty() &&
                                                 list->as_array()[0].is_object())
        if (auto r = text_of(list->as_array()[0].as_object(), "reason", "error"))
          e.reason = *r;
    }
  auto rate = e.reason == "rateLimitExceeded" || e.reason == "userRateLimitExceeded" ||
              e.reason == "quotaExceeded";
  if (status == 401)
    e.action = error_action::refresh_token;
  else if (status == 429 || status >= 500 || (status == 403 && rate))
    e.action = error_action::back_off;
  else if (status == 410)
    e.action = e.reason == "deleted" ? error_action::gone_is_done : error_action::full_sync;
  else if (status == 409 && e.reason != "conflict")
    e.action = error_action::duplicate_id;
  else
    e.action = error_action::give_up;
  return e;
}

std::string event_id(std::string_view appointment_id, int revision) {
  // The appointment id's hex digits (a UUID without hyphens) are base32hex digits already;
  // anything else is spelled in base32hex from its bytes. "r" and the revision follow.
  std::string out;
  bool hex = !appointment_id.empty();
  for (char c : appointment_id)
    if (c != '-' && !std::isxdigit(static_cast<unsigned char>(c)))
      hex = false;
  if (hex) {
    for (char c : appointment_id)
      if (c != '-')
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else {
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : appointment_id) {
      buffer = (buffer << 8) | c;
      bits += 8;
      while (bits >= 5) {
        out += base32hex[(buffer >> (bits - 5)) & 31u];
        bits -= 5;
      }
    }
    if (bits > 0)
      out += base32hex[(buffer << (5 - bits)) & 31u];
  }
  out += "r" + std::to_string(revision < 0 ? 0 : revision); // 'r' is a base32hex digit
  while (out.size() < 5)
    out.insert(out.begin(), '0');
  if (out.size() > 1024)
    out.erase(0, out.size() - 1024);
  return out;
}

std::string event_body(const appointment_event& a) {
  json::object o;
  o["id"] = event_id(a.root_id.empty() ? a.appointment_id : a.root_id, a.revision);
  o["summary"] = a.summary;
  if (!a.description.empty())
    o["description"] = a.description;
  if (!a.location.empty())
    o["location"] = a.location;
  o["start"] = json::object{{"dateTime", format_rfc3339(a.start)}, {"timeZone", a.time_zone}};
  o["end"] = json::object{{"dateTime", format_rfc3339(a.end)}, {"timeZone", a.time_zone}};
  o["extendedProperties"] = json::object{
      {"private", json::object{{std::string(appointment_property), a.appointment_id},
                               {"frontdeskRevision", std::to_string(a.revision)}}}};
  o["reminders"] = json::object{{"useDefault", false}};
  return json::serialize(o);
}

} // namespace frontdesk::google
