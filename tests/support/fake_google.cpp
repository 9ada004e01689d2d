#include "tests/support/fake_google.hpp"

#include <algorithm>

#include <date/tz.h>

#include "adapters/http/http.hpp"
#include "protocols/core/time.hpp"
#include "protocols/twilio/form.hpp"

namespace frontdesk::fixtures {
namespace {

namespace json = boost::json;

scripted_reply json_reply(int status, const json::value& v, header_pairs headers = {}) {
  scripted_reply r;
  r.status = status;
  r.content_type = "application/json; charset=UTF-8";
  r.headers = std::move(headers);
  r.chunks = {json::serialize(v)};
  return r;
}

// Google's error envelope.
scripted_reply google_error(int status, const std::string& reason, const std::string& message,
                            header_pairs headers = {}) {
  auto domain = reason.find("Limit") != std::string::npos || reason == "quotaExceeded" ? "usageLimits"
                : reason == "forbiddenForNonOrganizer" || reason == "fullSyncRequired"  ? "calendar"
                                                                                         : "global";
  json::object e{{"domain", domain},
                 {"reason", reason},
                 {"message", message}};
  return json_reply(status,
                    json::object{{"error", json::object{{"errors", json::array{e}},
                                                        {"code", status},
                                                        {"message", message}}}},
                    std::move(headers));
}

std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

std::map<std::string, std::string> query_of(const std::string& target) {
  std::map<std::string, std::string> out;
  auto q = target.find('?');
  if (q == std::string::npos)
    return out;
  auto f = twilio::parse_form(target.substr(q + 1));
  if (f)
    for (auto& [k, v] : f->fields)
      out[k] = v;
  return out;
}

// A series' recurrence rule, as far as the fake plays it: FREQ=DAILY|WEEKLY, INTERVAL, COUNT,
// UNTIL (a date or a UTC date-time).
struct rrule {
  int step_days = 7;
  int interval = 1;
  int count = 0;
  std::string until;
};

std::optional<rrule> rrule_of(const json::object& e) {
  auto* r = e.if_contains("recurrence");
  if (!r || !r->is_array())
    return std::nullopt;
  for (auto& line : r->as_array()) {
    if (!line.is_string())
      continue;
    std::string text(line.as_string());
    if (text.rfind("RRULE:", 0) != 0)
      continue;
    rrule out;
    std::size_t at = 6;
    while (at < text.size()) {
      auto semi = text.find(';', at);
      auto part = text.substr(at, semi == std::string::npos ? std::string::npos : semi - at);
      at = semi == std::string::npos ? text.size() : semi + 1;
      auto eq = part.find('=');
      if (eq == std::string::npos)
        continue;
      auto key = part.substr(0, eq), value = part.substr(eq + 1);
      if (key == "FREQ") {
        if (value == "DAILY")
          out.step_days = 1;
        else if (value == "WEEKLY")
          out.step_days = 7;
        else
          return std::nullopt;
      } else if (key == "INTERVAL") {
        out.interval = std::max(1, std::atoi(value.c_str()));
      } else if (key == "COUNT") {
        out.count = std::max(0, std::atoi(value.c_str()));
      } else if (key == "UNTIL") {
        out.until = value;
      }
    }
    return out;
  }
  return std::nullopt;
}

// The wall-clock time of a dateTime in zone `z`: one with an offset is converted, one without
// ("2026-03-02T10:00:00", allowed with a timeZone) is already local.
std::optional<date::local_seconds> wall_of(const std::string& dt, const date::time_zone* z) {
  bool offset = dt.size() > 19 && dt.find_first_of("Z+-", 19) != std::string::npos;
  auto t = parse_rfc3339(offset ? dt : dt + "Z");
  if (!t)
    return std::nullopt;
  auto s = std::chrono::floor<std::chrono::seconds>(*t);
  if (offset)
    return z->to_local(s);
  return date::local_seconds{s.time_since_epoch()};
}

// An instant as Google writes it for a zone: "2026-03-09T10:00:00-05:00".
std::string local_text(std::chrono::sys_seconds t, const date::time_zone* z) {
  return date::format("%FT%T%Ez", date::make_zoned(z, t));
}

sys_time micros(std::chrono::sys_seconds t) { return sys_time{t.time_since_epoch()}; }

std::optional<sys_time> instant_of(const std::string& text) {
  auto t = parse_rfc3339(text);
  return t ? std::optional<sys_time>(*t) : std::nullopt;
}

bool base32hex_id(const std::string& id) {
  if (id.size() < 5 || id.size() > 1024)
    return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v')))
      return false;
  return true;
}

} // namespace

fake_google::fake_google(std::string zone) : zone_(std::move(zone)) {
  server_ = std::make_unique<fake_openai>([this](const recorded_request& req, int) { return handle(req); });
  notifier_ = std::thread([this] { notifier(); });
}

fake_google::~fake_google() { stop(); }

void fake_google::stop() {
  {
    std::lock_guard lk(mtx_);
    if (stopping_)
      return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (notifier_.joinable())
    notifier_.join();
  server_->stop();
}

std::string fake_google::base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

void fake_google::expect_code(const std::string& code, const std::string& verifier) {
  std::lock_guard lk(mtx_);
  codes_[code] = verifier;
}
void fake_google::push_fault(kind k, fault f) {
  std::lock_guard lk(mtx_);
  faults_[k].push_back(f);
}
void fake_google::set_slow_for(std::chrono::milliseconds d) {
  std::lock_guard lk(mtx_);
  slow_for_ = d;
}
void fake_google::set_page_size(int n) {
  std::lock_guard lk(mtx_);
  page_size_ = n;
}
void fake_google::set_channel_life(std::chrono::seconds s) {
  std::lock_guard lk(mtx_);
  channel_life_ = s;
}
void fake_google::set_silent(bool s) {
  std::lock_guard lk(mtx_);
  silent_ = s;
}
void fake_google::down(bool d) {
  std::lock_guard lk(mtx_);
  down_ = d;
}
int fake_google::count(kind k) const {
  std::lock_guard lk(mtx_);
  if (k == kind::any) {
    int n = 0;
    for (auto& [_, c] : counts_)
      n += c;
    return n;
  }
  auto it = counts_.find(k);
  return it == counts_.end() ? 0 : it->second;
}
int fake_google::notifications() const {
  std::lock_guard lk(mtx_);
  return notifications_;
}
int fake_google::stops() const {
  std::lock_guard lk(mtx_);
  return stops_;
}
std::map<std::string, std::string> fake_google::channels() const {
  std::lock_guard lk(mtx_);
  std::map<std::string, std::string> out;
  for (auto& [id, c] : channels_)
    if (!c.stopped)
      out[id] = c.address;
  return out;
}

std::vector<json::object> fake_google::events() const {
  std::lock_guard lk(mtx_);
  std::vector<json::object> out;
  for (auto& [_, e] : events_)
    out.push_back(e.body);
  return out;
}

std::optional<json::object> fake_google::event(const std::string& id) const {
  std::lock_guard lk(mtx_);
  auto it = events_.find(id);
  if (it == events_.end())
    return std::nullopt;
  return it->second.body;
}

std::vector<json::object> fake_google::our_events() const {
  std::vector<json::object> out;
  for (auto& e : events()) {
    if (str(e, "status") == "cancelled")
      continue;
    auto* x = e.if_contains("extendedProperties");
    if (x && x->is_object() && x->as_object().if_contains("private"))
      out.push_back(e);
  }
  return out;
}

fake_google::fault fake_google::take_fault(kind k) {
  for (auto key : {k, kind::any}) {
    auto& q = faults_[key];
    if (!q.empty()) {
      auto f = q.front();
      q.pop_front();
      return f;
    }
  }
  return fault::none;
}

void fake_google::changed_locked() {
  if (silent_)
    return;
  auto t = now();
  for (auto& [id, c] : channels_)
    if (!c.stopped && c.expires > t) {
      ++c.message;
      outgoing_.emplace_back(c, "exists");
    }
  cv_.notify_all();
}

void fake_google::notify_all(const std::string& state) {
  std::lock_guard lk(mtx_);
  for (auto& [id, c] : channels_)
    if (!c.stopped) {
      ++c.message;
      outgoing_.emplace_back(c, state);
    }
  cv_.notify_all();
}

void fake_google::notifier() {
  for (;;) {
    std::pair<channel, std::string> next;
    {
      std::unique_lock lk(mtx_);
      cv_.wait(lk, [this] { return stopping_ || !outgoing_.empty(); });
      if (stopping_)
        return;
      next = outgoing_.front();
      outgoing_.pop_front();
      ++notifications_;
    }
    auto& c = next.first;
    // As Google sends it: a POST with no body, everything in the headers.
    http::header_list h{{"X-Goog-Channel-ID", c.id},
                        {"X-Goog-Channel-Token", c.token},
                        {"X-Goog-Channel-Expiration", "Fri, 11 Dec 2026 10:00:00 GMT"},
                        {"X-Goog-Resource-ID", c.resource_id},
                        {"X-Goog-Resource-URI", "https://www.googleapis.com/calendar/v3/calendars/primary/events"},
                        {"X-Goog-Resource-State", next.second},
                        {"X-Goog-Message-Number", std::to_string(c.message)}};
    (void)http::fetch("POST", c.address, h, "", std::chrono::seconds(5));
  }
}

void fake_google::touch_locked(stored& s) {
  s.seq = ++seq_;
  s.body["etag"] = "\"" + std::to_string(s.seq) + "\"";
}

std::string fake_google::owner_insert(json::object e) {
  std::lock_guard lk(mtx_);
  auto id = str(e, "id");
  if (id.empty())
    id = "own" + std::to_string(next_id_++) + "aa";
  e["id"] = id;
  e["kind"] = "calendar#event";
  if (!e.if_contains("status"))
    e["status"] = "confirmed";
  auto& st = events_[id];
  st.body = std::move(e);
  touch_locked(st);
  changed_locked();
  return id;
}

bool fake_google::owner_move(const std::string& id, const std::string& start, const std::string& end) {
  std::lock_guard lk(mtx_);
  auto it = events_.find(id);
  if (it == events_.end()) {
    // One instance of a series: it becomes an exception of its own, keeping its id.
    std::deque<stored> made;
    auto all = visible_locked(true, made);
    auto v = all.find(id);
    if (v == all.end())
      return false;
    it = events_.emplace(id, *v->second).first;
  }
  if (str(it->second.body, "status") == "cancelled")
    return false;
  it->second.body["start"] = json::object{{"dateTime", start}};
  it->second.body["end"] = json::object{{"dateTime", end}};
  touch_locked(it->second);
  changed_locked();
  return true;
}

bool fake_google::owner_cancel(const std::string& id) {
  std::lock_guard lk(mtx_);
  auto it = events_.find(id);
  if (it == events_.end()) {
    std::deque<stored> made;
    auto all = visible_locked(true, made);
    auto v = all.find(id);
    if (v == all.end())
      return false;
    it = events_.emplace(id, *v->second).first; // a cancelled exception of its series
  }
  if (str(it->second.body, "status") == "cancelled")
    return false;
  it->second.body["status"] = "cancelled";
  touch_locked(it->second);
  changed_locked();
  return true;
}

std::vector<std::string> fake_google::instance_ids(const std::string& series_id) const {
  std::lock_guard lk(mtx_);
  std::vector<std::string> out;
  auto it = events_.find(series_id);
  if (it != events_.end())
    for (auto& [id, _] : expand_locked(it->second))
      out.push_back(id);
  return out;
}

std::optional<std::pair<sys_time, sys_time>> fake_google::span_of(const json::object& e) const {
  const auto* z = date::locate_zone(zone_);
  auto at = [&](const char* key) -> std::optional<sys_time> {
    auto* t = e.if_contains(key);
    if (!t || !t->is_object())
      return std::nullopt;
    auto dt = str(t->as_object(), "dateTime");
    if (!dt.empty()) {
      auto p = parse_rfc3339(dt);
      if (p)
        return *p;
      // A dateTime without an offset is local to its timeZone.
      auto tz = str(t->as_object(), "timeZone");
      auto w = wall_of(dt, date::locate_zone(tz.empty() ? zone_ : tz));
      if (!w)
        return std::nullopt;
      return micros(date::locate_zone(tz.empty() ? zone_ : tz)->to_sys(*w, date::choose::earliest));
    }
    auto d = parse_rfc3339(str(t->as_object(), "date") + "T00:00:00Z");
    if (!d)
      return std::nullopt;
    date::local_seconds l{std::chrono::floor<std::chrono::seconds>(*d).time_since_epoch()};
    return micros(z->to_sys(l, date::choose::earliest));
  };
  auto s = at("start"), en = at("end");
  if (!s || !en)
    return std::nullopt;
  return std::pair{*s, *en};
}

std::vector<std::pair<std::string, fake_google::stored>> fake_google::expand_locked(const stored& series) const {
  std::vector<std::pair<std::string, stored>> out;
  auto rule = rrule_of(series.body);
  auto* sv = series.body.if_contains("start");
  auto* ev = series.body.if_contains("end");
  if (!rule || !sv || !sv->is_object() || !ev || !ev->is_object())
    return out;
  auto& start = sv->as_object();
  auto& end = ev->as_object();
  auto series_id = str(series.body, "id");
  auto zone_name = str(start, "timeZone").empty() ? zone_ : str(start, "timeZone");
  const date::time_zone* z = nullptr;
  try {
    z = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    return out;
  }
  // Google expands a series without an end only so far ahead; two years is plenty here.
  const int most = rule->count > 0 ? rule->count : 1000;
  auto step = date::days{rule->step_days * rule->interval};
  auto instance = [&](const std::string& suffix, json::object start_v, json::object end_v,
                      json::object original) {
    json::object b = series.body;
    b.erase("recurrence");
    b["id"] = series_id + "_" + suffix;
    b["recurringEventId"] = series_id;
    b["originalStartTime"] = std::move(original);
    b["start"] = std::move(start_v);
    b["end"] = std::move(end_v);
    out.emplace_back(series_id + "_" + suffix, stored{std::move(b), series.seq});
  };
  if (!str(start, "date").empty()) {
    auto d0 = parse_rfc3339(str(start, "date") + "T00:00:00Z");
    auto e0 = parse_rfc3339(str(end, "date") + "T00:00:00Z");
    if (!d0 || !e0)
      return out;
    auto first = std::chrono::floor<date::days>(*d0);
    auto length = std::chrono::floor<date::days>(*e0) - first;
    for (int k = 0; k < most && k * step.count() <= 730; ++k) {
      auto day = first + step * k;
      auto ymd = date::format("%Y%m%d", day);
      if (!rule->until.empty() && ymd > rule->until.substr(0, 8))
        break;
      auto text = date::format("%F", day);
      instance(ymd, json::object{{"date", text}},
               json::object{{"date", date::format("%F", day + length)}},
               json::object{{"date", text}});
    }
    return out;
  }
  auto w0 = wall_of(str(start, "dateTime"), z);
  auto we = wall_of(str(end, "dateTime"), z);
  if (!w0 || !we)
    return out;
  std::optional<sys_time> until;
  if (rule->until.size() >= 15 && rule->until[8] == 'T') {
    auto u = rule->until;
    until = instant_of(u.substr(0, 4) + "-" + u.substr(4, 2) + "-" + u.substr(6, 2) + "T" +
                          u.substr(9, 2) + ":" + u.substr(11, 2) + ":" + u.substr(13, 2) + "Z");
  }
  for (int k = 0; k < most && k * step.count() <= 730; ++k) {
    // Stepped on the wall clock of the series' zone: 10:00 stays 10:00 across a DST change.
    auto wall = *w0 + step * k;
    auto t = z->to_sys(wall, date::choose::earliest);
    auto te = z->to_sys(*we + step * k, date::choose::earliest);
    if (until && micros(t) > *until)
      break;
    if (!until && !rule->until.empty() &&
        date::format("%Y%m%d", std::chrono::floor<date::days>(wall)) > rule->until.substr(0, 8))
      break;
    instance(date::format("%Y%m%dT%H%M%SZ", t),
             json::object{{"dateTime", local_text(t, z)}, {"timeZone", zone_name}},
             json::object{{"dateTime", local_text(te, z)}, {"timeZone", zone_name}},
             json::object{{"dateTime", local_text(t, z)}, {"timeZone", zone_name}});
  }
  return out;
}

std::map<std::string, const fake_google::stored*> fake_google::visible_locked(bool single,
                                                                            std::deque<stored>& made) const {
  std::map<std::string, const stored*> out;
  for (auto& [id, e] : events_) {
    if (!single) {
      out[id] = &e;
      continue;
    }
    auto series = str(e.body, "recurringEventId");
    if (!series.empty()) {
      auto m = events_.find(series);
      if (m != events_.end() && rrule_of(m->second.body))
        continue; // listed in its series' place below
    }
    if (!rrule_of(e.body)) {
      out[id] = &e;
      continue;
    }
    bool series_cancelled = str(e.body, "status") == "cancelled";
    for (auto& [iid, inst] : expand_locked(e)) {
      stored s = std::move(inst);
      if (auto ex = events_.find(iid); ex != events_.end()) {
        s = ex->second; // a moved or cancelled exception
        s.seq = std::max(s.seq, e.seq);
      }
      if (series_cancelled)
        s.body["status"] = "cancelled"; // deleting a series cancels every instance
      made.push_back(std::move(s));
      out[iid] = &made.back();
    }
  }
  return out;
}

void fake_google::owner_bulk(int n, const std::string& first_day_utc) {
  std::lock_guard lk(mtx_);
  auto base = parse_rfc3339(first_day_utc + "T00:00:00Z");
  for (int i = 0; i < n; ++i) {
    auto start = *base + std::chrono::minutes(37) * i;
    auto id = "bulk" + std::to_string(i) + "aa";
    json::object e{{"kind", "calendar#event"}, {"id", id}, {"status", "confirmed"},
                   {"summary", "Busy " + std::to_string(i)},
                   {"start", json::object{{"dateTime", format_rfc3339(start)}}},
                   {"end", json::object{{"dateTime", format_rfc3339(start + std::chrono::minutes(30))}}}};
    if (i % 7 == 3)
      e["transparency"] = "transparent";
    auto& st = events_[id];
    st.body = std::move(e);
    touch_locked(st);
  }
}

scripted_reply fake_google::handle(const recorded_request& req) {
  std::unique_lock lk(mtx_);
  if (down_) {
    scripted_reply r;
    r.reset = true;
    return r;
  }
  auto path = req.target.substr(0, req.target.find('?'));
  kind k = path == "/token"                                  ? kind::token
           : path == "/calendar/v3/freeBusy"                 ? kind::free_busy
           : path.ends_with("/events/watch") || path == "/calendar/v3/channels/stop" ? kind::watch
           : req.method == "GET"                              ? kind::list
           : req.method == "POST"                             ? kind::insert
           : req.method == "PATCH"                            ? kind::patch
                                                              : kind::remove;
  ++counts_[k];
  auto f = take_fault(k);
  if (f == fault::slow) {
    auto d = slow_for_;
    lk.unlock();
    std::this_thread::sleep_for(d);
    lk.lock();
    f = fault::none;
  }
  if (k == kind::token) {
    if (f == fault::invalid_grant)
      return json_reply(400, json::object{{"error", "invalid_grant"},
                                          {"error_description", "Token has been expired or revoked."}});
    if (f == fault::token_500)
      return json_reply(500, json::object{{"error", "internal_failure"}});
    return token(req);
  }
  // Every API call carries a live access token.
  auto auth = req.header("Authorization").value_or("");
  if (f == fault::unauthorized)
    access_tokens_.clear();
  if (auth.rfind("Bearer ", 0) != 0 || !access_tokens_.count(auth.substr(7)))
    return google_error(401, "authError", "Invalid Credentials");
  if (f == fault::rate_limited)
    return google_error(403, "rateLimitExceeded", "Rate Limit Exceeded");
  if (f == fault::user_rate_limited)
    return google_error(403, "userRateLimitExceeded", "User Rate Limit Exceeded");
  if (f == fault::quota_exceeded)
    return google_error(403, "quotaExceeded", "Calendar usage limits exceeded.");
  if (f == fault::not_organizer)
    return google_error(403, "forbiddenForNonOrganizer",
                        "Shared properties can only be changed by the organizer of the event.");
  if (f == fault::too_many)
    return google_error(429, "rateLimitExceeded", "Too Many Requests", {{"Retry-After", "1"}});
  if (f == fault::server_error)
    return google_error(500, "backendError", "Backend Error");
  if (k == kind::free_busy) {
    if (f == fault::free_busy_not_found)
      return json_reply(200, json::object{{"kind", "calendar#freeBusy"},
                                          {"calendars", json::object{{"primary", json::object{
                                              {"errors", json::array{json::object{{"domain", "global"}, {"reason", "notFound"}}}},
                                              {"busy", json::array{}}}}}}});
    return free_busy(req.body);
  }
  if (path == "/calendar/v3/channels/stop")
    return stop_channel(req.body);
  if (k == kind::watch)
    return watch(req.body);
  const std::string events_prefix = "/calendar/v3/calendars/primary/events";
  if (path.rfind(events_prefix, 0) != 0)
    return google_error(404, "notFound", "Not Found");
  auto rest = path.substr(events_prefix.size());
  if (rest.empty() || rest == "/") {
    if (req.method == "GET") {
      auto q = query_of(req.target);
      if (f == fault::gone_410 && q.count("syncToken"))
        return google_error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.");
      return list(req.target);
    }
    if (req.method == "POST")
      return insert(req.body);
    return google_error(405, "methodNotAllowed", "Method Not Allowed");
  }
  auto id = rest.substr(1);
  if (req.method == "GET")
    return get(id);
  if (req.method == "PATCH" || req.method == "PUT")
    return patch(id, req.body, req.header("If-Match"));
  if (req.method == "DELETE")
    return remove(id);
  return google_error(405, "methodNotAllowed", "Method Not Allowed");
}

scripted_reply fake_google::token(const recorded_request& req) {
  auto f = twilio::parse_form(req.body);
  if (!f)
    return json_reply(400, json::object{{"error", "invalid_request"}});
  if (f->value("client_id") != client_id || f->value("client_secret") != client_secret)
    return json_reply(401, json::object{{"error", "invalid_client"}});
  auto access = "ya29.fake-" + std::to_string(seq_++) + "-" + std::to_string(access_tokens_.size());
  if (f->value("grant_type") == "authorization_code") {
    auto it = codes_.find(f->value("code"));
    if (it == codes_.end() || it->second != f->value("code_verifier"))
      return json_reply(400, json::object{{"error", "invalid_grant"}, {"error_description", "Malformed auth code."}});
    codes_.erase(it);
    refresh_tokens_.insert(next_refresh_token);
    access_tokens_.insert(access);
    return json_reply(200, json::object{{"access_token", access}, {"expires_in", 3599},
                                        {"refresh_token", next_refresh_token},
                                        {"scope", "https://www.googleapis.com/auth/calendar"},
                                        {"token_type", "Bearer"}});
  }
  if (f->value("grant_type") == "refresh_token") {
    if (!refresh_tokens_.count(f->value("refresh_token")))
      return json_reply(400, json::object{{"error", "invalid_grant"}, {"error_description", "Bad Request"}});
    access_tokens_.insert(access);
    // A refresh reply carries no refresh token: the old one stays.
    return json_reply(200, json::object{{"access_token", access}, {"expires_in", 3599},
                                        {"scope", "https://www.googleapis.com/auth/calendar"},
                                        {"token_type", "Bearer"}});
  }
  return json_reply(400, json::object{{"error", "unsupported_grant_type"}});
}

scripted_reply fake_google::list(const std::string& target) {
  auto q = query_of(target);
  int size = page_size_ > 0 ? page_size_ : (q.count("maxResults") ? std::max(1, std::stoi(q["maxResults"])) : 250);
  if (q.count("syncToken") && (q.count("timeMin") || q.count("timeMax")))
    return google_error(400, "invalid", "Invalid argument: syncToken with timeMin or timeMax");
  std::deque<stored> made;
  auto all = visible_locked(q["singleEvents"] == "true", made);
  page_state st;
  std::string page_token = q["pageToken"];
  if (!page_token.empty()) {
    auto it = page_tokens_.find(page_token);
    if (it == page_tokens_.end())
      return google_error(400, "invalid", "Invalid page token");
    st = it->second;
  } else {
    long long since = 0;
    if (q.count("syncToken")) {
      auto it = sync_tokens_.find(q["syncToken"]);
      if (it == sync_tokens_.end())
        return google_error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.");
      since = it->second;
    }
    // A window (timeMin: ends after it, timeMax: starts before it), only without a sync token.
    std::optional<sys_time> from, to;
    if (q.count("timeMin") && !(from = instant_of(q["timeMin"])))
      return google_error(400, "badRequest", "Bad Request");
    if (q.count("timeMax") && !(to = instant_of(q["timeMax"])))
      return google_error(400, "badRequest", "Bad Request");
    st.snapshot = seq_;
    for (auto& [id, e] : all) {
      if (!(e->seq > since && (since > 0 || str(e->body, "status") != "cancelled" || q["showDeleted"] == "true")))
        continue;
      if (from || to) {
        auto span = span_of(e->body);
        if (!span || (from && !(span->second > *from)) || (to && !(span->first < *to)))
          continue;
      }
      st.ids.push_back(id);
    }
  }
  json::array items;
  std::size_t end = std::min(st.ids.size(), st.offset + static_cast<std::size_t>(size));
  for (auto i = st.offset; i < end; ++i) {
    auto it = all.find(st.ids[i]);
    if (it == all.end())
      continue;
    auto& b = it->second->body;
    if (str(b, "status") == "cancelled") {
      // The minimal form: an instance also names its series and original start.
      json::object gone{{"kind", "calendar#event"}, {"id", b.at("id")}, {"status", "cancelled"}};
      for (auto* k : {"recurringEventId", "originalStartTime"})
        if (auto* v = b.if_contains(k))
          gone[k] = *v;
      items.push_back(std::move(gone));
    } else {
      items.push_back(b);
    }
  }
  json::object page{{"kind", "calendar#events"}, {"summary", "owner@example.com"},
                    {"timeZone", zone_}, {"items", std::move(items)}};
  if (end < st.ids.size()) {
    auto tok = "pg" + std::to_string(seq_++);
    page_state next = st;
    next.offset = end;
    page_tokens_[tok] = std::move(next);
    page["nextPageToken"] = tok;
  } else {
    auto tok = "sy" + std::to_string(seq_++);
    sync_tokens_[tok] = st.snapshot;
    page["nextSyncToken"] = tok;
  }
  return json_reply(200, page);
}

scripted_reply fake_google::insert(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return google_error(400, "parseError", "Parse Error");
  auto e = v.as_object();
  auto id = str(e, "id");
  if (id.empty())
    id = "gen" + std::to_string(next_id_++) + "aa";
  if (!base32hex_id(id))
    return google_error(400, "invalid", "Invalid resource id value.");
  // Deleted ids stay taken (tombstones).
  if (events_.count(id))
    return google_error(409, "duplicate", "The requested identifier already exists.");
  e["id"] = id;
  e["kind"] = "calendar#event";
  e["status"] = "confirmed";
  auto& st = events_[id];
  st.body = std::move(e);
  touch_locked(st);
  changed_locked();
  return json_reply(200, st.body);
}

scripted_reply fake_google::get(const std::string& id) {
  auto it = events_.find(id);
  if (it != events_.end())
    return json_reply(200, it->second.body);
  std::deque<stored> made;
  auto all = visible_locked(true, made); // an instance of a series
  auto v = all.find(id);
  if (v == all.end())
    return google_error(404, "notFound", "Not Found");
  return json_reply(200, v->second->body);
}

scripted_reply fake_google::patch(const std::string& id, const std::string& body,
                                  const std::optional<std::string>& if_match) {
  auto it = events_.find(id);
  if (it == events_.end())
    return google_error(404, "notFound", "Not Found");
  if (str(it->second.body, "status") == "cancelled")
    return google_error(403, "forbidden", "Forbidden");
  // A conditional write against a version that has changed since: nothing is written.
  if (if_match && *if_match != "*" && *if_match != str(it->second.body, "etag"))
    return google_error(412, "conditionNotMet", "Precondition Failed");
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return google_error(400, "parseError", "Parse Error");
  for (auto& [k, val] : v.as_object())
    if (k != "id" && k != "etag")
      it->second.body[k] = val;
  touch_locked(it->second);
  changed_locked();
  return json_reply(200, it->second.body);
}

scripted_reply fake_google::remove(const std::string& id) {
  auto it = events_.find(id);
  if (it == events_.end())
    return google_error(404, "notFound", "Not Found");
  if (str(it->second.body, "status") == "cancelled")
    return google_error(410, "deleted", "Resource has been deleted");
  it->second.body["status"] = "cancelled";
  touch_locked(it->second);
  changed_locked();
  scripted_reply r;
  r.status = 204; // no body: the connection closes after the head
  r.content_type = "";
  r.cut_off = true;
  return r;
}

scripted_reply fake_google::free_busy(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return google_error(400, "parseError", "Parse Error");
  auto from = parse_rfc3339(str(v.as_object(), "timeMin"));
  auto to = parse_rfc3339(str(v.as_object(), "timeMax"));
  if (!from || !to)
    return google_error(400, "badRequest", "Bad Request");
  if (*to - *from > std::chrono::hours(24 * 90))
    return google_error(400, "timeRangeEmpty", "The requested time range is too long.");
  json::array busy;
  std::vector<std::pair<sys_time, sys_time>> spans;
  std::deque<stored> made;
  for (auto& [id, e] : visible_locked(true, made)) {
    auto& b = e->body;
    if (str(b, "status") == "cancelled" || str(b, "transparency") == "transparent" ||
        str(b, "eventType") == "workingLocation")
      continue;
    bool declined = false;
    if (auto* a = b.if_contains("attendees"); a && a->is_array())
      for (auto& x : a->as_array())
        if (x.is_object() && x.as_object().if_contains("self") && str(x.as_object(), "responseStatus") == "declined")
          declined = true;
    if (declined)
      continue;
    auto span = span_of(b);
    if (!span || !(span->first < *to) || !(*from < span->second))
      continue;
    spans.emplace_back(std::max(span->first, *from), std::min(span->second, *to));
  }
  std::sort(spans.begin(), spans.end());
  for (auto& [s, e] : spans)
    busy.push_back(json::object{{"start", format_rfc3339(s)}, {"end", format_rfc3339(e)}});
  return json_reply(200, json::object{{"kind", "calendar#freeBusy"},
                                      {"timeMin", format_rfc3339(*from)},
                                      {"timeMax", format_rfc3339(*to)},
                                      {"calendars", json::object{{"primary", json::object{{"busy", busy}}}}}});
}

scripted_reply fake_google::watch(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return google_error(400, "parseError", "Parse Error");
  auto& o = v.as_object();
  channel c;
  c.id = str(o, "id");
  c.address = str(o, "address");
  c.token = str(o, "token");
  if (c.id.empty() || c.address.empty() || str(o, "type") != "web_hook")
    return google_error(400, "required", "Required");
  if (channels_.count(c.id))
    return google_error(400, "channelIdNotUnique", "Channel id not unique");
  c.resource_id = "res-primary";
  c.expires = now() + channel_life_;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(c.expires.time_since_epoch()).count();
  channels_[c.id] = c;
  // The channel's first message says it exists.
  ++channels_[c.id].message;
  outgoing_.emplace_back(channels_[c.id], "sync");
  cv_.notify_all();
  return json_reply(200, json::object{{"kind", "api#channel"}, {"id", c.id},
                                      {"resourceId", c.resource_id},
                                      {"resourceUri", "https://www.googleapis.com/calendar/v3/calendars/primary/events"},
                                      {"token", c.token}, {"expiration", std::to_string(ms)}});
}

scripted_reply fake_google::stop_channel(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return google_error(400, "parseError", "Parse Error");
  auto it = channels_.find(str(v.as_object(), "id"));
  if (it == channels_.end() || it->second.resource_id != str(v.as_object(), "resourceId"))
    return google_error(404, "notFound", "Channel not found");
  it->second.stopped = true;
  ++stops_;
  scripted_reply r;
  r.status = 204; // no body: the connection closes after the head
  r.content_type = "";
  r.cut_off = true;
  return r;
}

} // namespace frontdesk::fixtures
