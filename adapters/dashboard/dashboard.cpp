#include "adapters/dashboard/dashboard.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include <boost/json.hpp>
#include <date/date.h>
#include <fmt/format.h>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "actors/calendar/availability.hpp"
#include "actors/calendar/calendar.hpp"
#include "actors/calendar/profile_cache.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/dashboard/assets.hpp"
#include "adapters/dashboard/live_feed.hpp"
#include "adapters/http/http.hpp"
#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/invitations.hpp"
#include "adapters/store/staff.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/web/body.hpp"
#include "protocols/web/cookies.hpp"
#include "protocols/web/rate_limiter.hpp"

namespace frontdesk::dashboard {

namespace json = boost::json;
using http::request;
using http::response;
using respond_fn = std::function<void(response)>;

std::string content_type_for(std::string_view name) {
  auto ends = [&](std::string_view s) {
    return name.size() >= s.size() && name.substr(name.size() - s.size()) == s;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".json"))
    return "application/json";
  if (ends(".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

namespace {

const char* session_cookie = "fd_session";
constexpr std::chrono::seconds invitation_ttl{7 * 24 * 3600}; // how long an invitation link works

response problem(int status, std::string_view title, std::string_view detail,
                 std::string_view field = "") {
  return response{status, "application/problem+json", web::problem_json(status, title, detail, field),
                  {{"Cache-Control", "no-store"}}};
}
response bad_request(std::string_view detail, std::string_view field = "") {
  return problem(400, "Bad request", detail, field);
}
// A body that could not be read as one JSON object: 413 when it was too large, else 400.
response body_problem(const failure& e) {
  if (e.code == "body_too_large")
    return problem(413, "Content too large", e.message);
  return bad_request(e.message);
}
response not_found() { return problem(404, "Not found", "no such resource"); }
response json_text(int status, std::string body, http::header_list h = {}) {
  h.emplace_back("Cache-Control", "no-store");
  return response{status, "application/json", std::move(body), std::move(h)};
}
response json_value(int status, const json::value& v, http::header_list h = {}) {
  return json_text(status, json::serialize(v), std::move(h));
}
response no_content() { return response{204, "application/json", "", {{"Cache-Control", "no-store"}}}; }

bool is_uuid(std::string_view s) {
  if (s.size() != 36)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

// A row's number in a path (staff tasks): 1 to 18 digits, no sign, no leading zero.
bool is_row_number(std::string_view s) {
  return !s.empty() && s.size() <= 18 && s[0] != '0' &&
         s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::vector<std::string> split_path(std::string_view p) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '/') {
      ++i;
      continue;
    }
    auto j = p.find('/', i);
    out.emplace_back(p.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    i = j == std::string_view::npos ? p.size() : j;
  }
  return out;
}

std::string address_of(const std::string& remote) {
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

// "YYYY-MM-DDTHH:MM" as a local time, strictly.
std::optional<booking::local_time> parse_local_minute(const std::string& s) {
  if (s.size() != 16 || s[10] != 'T' || !web::valid_date(s.substr(0, 10)) ||
      !web::valid_hhmm(s.substr(11)) || s.substr(11) == "24:00")
    return std::nullopt;
  auto t = parse_rfc3339(s + ":00Z"); // the same reading as the calendar's, as if UTC
  if (!t)
    return std::nullopt;
  booking::local_time l{std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch()};
  if (date::format("%Y-%m-%dT%H:%M", l) != s) // 2026-02-31 and the like
    return std::nullopt;
  return l;
}

std::string local_iso(booking::local_time t) { return date::format("%Y-%m-%dT%H:%M", t); }

enum class need { viewer, admin, owner };

bool allowed(const std::string& role, need n) {
  switch (n) {
  case need::viewer: return role == "viewer" || role == "admin" || role == "owner";
  case need::admin: return role == "admin" || role == "owner";
  case need::owner: return role == "owner";
  }
  return false;
}

} // namespace

// What a handler sees: its user's session, the request, the path's ids and the query.
struct call_ctx {
  store::staff_session session;
  request req;
  std::vector<std::string> ids;
  twilio::form query;
  std::string q(std::string_view k) const { return query.value(k); }
};

struct route {
  std::string method;
  std::string pattern; // "/api/v1/calls/{id}"
  need role;
  std::function<response(dashboard::impl&, call_ctx&)> fn;
};

void build_routes(std::vector<route>& routes);

struct dashboard::impl : std::enable_shared_from_this<dashboard::impl> {
  dashboard_settings settings;
  http::server& server;
  store::database& db;
  worker_pool& blocking;
  booking::calendar_service& calendar;
  booking::profile_cache* profiles;
  const clock& clk;
  store::staff_repo staff;
  store::invitations_repo invitations;
  web::rate_limiter by_address;
  web::rate_limiter by_account;
  live_feed feed;
  std::vector<route> routes;
  bool secure_cookies = false;

  impl(dashboard_settings s, http::server& srv, store::database& d, worker_pool& w,
       booking::calendar_service& cal, booking::profile_cache* p, const clock& k)
      : settings(std::move(s)), server(srv), db(d), blocking(w), calendar(cal), profiles(p),
        clk(k), staff(d), invitations(d), by_address(settings.login_burst_per_address, std::chrono::minutes(10)),
        by_account(settings.login_burst_per_account, std::chrono::minutes(10)),
        feed(settings.database_url, true) {
    secure_cookies = settings.public_url.rfind("https://", 0) == 0;
  }

  std::string cookie(const std::string& value, std::optional<std::chrono::seconds> max_age) const {
    return web::set_cookie(session_cookie, value, {"/", secure_cookies, max_age});
  }

  // Finds the route for a request: the route and the ids in its path, or a 404/405.
  const route* match(const request& r, std::vector<std::string>& ids, int& status) const {
    auto parts = split_path(r.path);
    bool path_known = false;
    for (auto& rt : routes) {
      auto pat = split_path(rt.pattern);
      if (pat.size() != parts.size())
        continue;
      std::vector<std::string> got;
      bool ok = true;
      for (std::size_t i = 0; i < pat.size() && ok; ++i) {
        if (pat[i] == "{id}" || pat[i] == "{n}") {
          ok = pat[i] == "{id}" ? is_uuid(parts[i]) : is_row_number(parts[i]);
          got.push_back(parts[i]);
        } else {
          ok = pat[i] == parts[i];
        }
      }
      if (!ok)
        continue;
      path_known = true;
      if (rt.method == r.method) {
        ids = std::move(got);
        return &rt;
      }
    }
    status = path_known ? 405 : 404;
    return nullptr;
  }

  void dispatch(request r, respond_fn respond);
  void login(request r, respond_fn respond);
  void accept_invitation(request r, respond_fn respond);
  bool open_session(const std::string& email, const std::string& password,
                    const std::string& remote, const respond_fn& respond);
  void install_routes();
  void serve_asset(const request& r, respond_fn respond);
};

// ---------------------------------------------------------------------------------------------
// Requests: the io thread checks what it can without the database, the worker does the rest.

void dashboard::impl::dispatch(request r, respond_fn respond) {
  if (r.method == "POST" && r.path == "/api/v1/session")
    return login(std::move(r), std::move(respond));
  if (r.method == "POST" && r.path == "/api/v1/invitations/accept")
    return accept_invitation(std::move(r), std::move(respond));
  std::vector<std::string> ids;
  int status = 404;
  auto rt = match(r, ids, status);
  if (!rt)
    return respond(status == 405 ? problem(405, "Method not allowed", "not allowed on this path")
                                 : problem(404, "Not found", "no such path"));
  auto cookies = web::parse_cookies(r.header("Cookie"));
  auto token = cookies ? web::find_cookie(*cookies, session_cookie) : std::nullopt;
  if (!token || token->empty())
    return respond(problem(401, "Unauthorized", "log in first"));
  auto query = twilio::parse_form(r.query, 64);
  if (!query)
    return respond(bad_request("the query string is malformed"));
  auto self = shared_from_this();
  call_ctx ctx{{}, std::move(r), std::move(ids), std::move(*query)};
  // Server-Timing (W3C): how long the request waited for a worker, the session's check, the
  // handler, and the whole time in this node, so a client's figure can be told apart from the
  // machine's load on the client's side.
  auto arrived = std::chrono::steady_clock::now();
  respond = [inner = std::move(respond), arrived](response out) {
    if (!out.stream) {
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - arrived);
      auto& h = out.headers;
      auto it = std::find_if(h.begin(), h.end(), [](auto& kv) { return kv.first == "Server-Timing"; });
      auto total = fmt::format("total;dur={:.2f}", ms.count());
      if (it == h.end())
        h.emplace_back("Server-Timing", total);
      else
        it->second += ", " + total;
    }
    inner(std::move(out));
  };
  bool queued = blocking.post([self, rt, ctx = std::move(ctx), token = *token, respond,
                               arrived]() mutable {
    using ms = std::chrono::duration<double, std::milli>;
    auto started = std::chrono::steady_clock::now();
    auto timed = [&](response out, std::chrono::steady_clock::time_point checked) {
      auto done = std::chrono::steady_clock::now();
      out.headers.emplace_back("Server-Timing",
                               fmt::format("queue;dur={:.2f}, auth;dur={:.2f}, handler;dur={:.2f}",
                                           ms(started - arrived).count(),
                                           ms(checked - started).count(), ms(done - checked).count()));
      return out;
    };
    auto s = self->staff.session(token, self->clk.now());
    if (!s)
      return respond(problem(503, "Service unavailable", "the database is not reachable"));
    if (!*s)
      return respond(problem(401, "Unauthorized", "the session has expired; log in again"));
    ctx.session = std::move(**s);
    if (!allowed(ctx.session.role, rt->role))
      return respond(problem(403, "Forbidden", "your role (" + ctx.session.role +
                                                  ") cannot do this"));
    if (ctx.req.method != "GET" && ctx.req.method != "HEAD" &&
        !web::equal_secrets(ctx.req.header("X-CSRF-Token"), ctx.session.csrf_token))
      return respond(problem(403, "Forbidden", "missing or wrong X-CSRF-Token"));
    auto checked = std::chrono::steady_clock::now();
    try {
      respond(timed(rt->fn(*self, ctx), checked));
    } catch (const pqxx::data_exception& e) {
      respond(bad_request("a value is not valid"));
    } catch (const pqxx::broken_connection& e) {
      respond(problem(503, "Service unavailable", "the database is not reachable"));
    } catch (const std::exception& e) {
      spdlog::error("dashboard {} {}: {}", ctx.req.method, ctx.req.path, e.what());
      respond(problem(500, "Internal error", "the request failed"));
    }
  });
  if (!queued)
    respond(problem(503, "Service unavailable", "the node is overloaded; try again"));
}

// The business as a session shows it; `today` is its local date by the node's clock, which the
// pages take as their default day (a browser's own date may differ, or the node's may be set).
struct business_view {
  std::string name, timezone, today;
};

business_view business_of(store::database& db, const std::string& id, sys_time now) {
  return db.as_business(id, [&](pqxx::work& tx) {
    auto r = tx.exec_params1("SELECT name, timezone, to_char(($1::timestamptz AT TIME ZONE timezone)"
                             "::date, 'YYYY-MM-DD') FROM businesses",
                             format_rfc3339(now));
    return business_view{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()};
  });
}

json::object session_json(const store::staff_session& s, const business_view& b) {
  return json::object{{"email", s.email},
                      {"role", s.role},
                      {"csrf_token", s.csrf_token},
                      {"expires_at", format_rfc3339(s.expires_at)},
                      {"business", json::object{{"id", s.business_id},
                                                {"name", b.name},
                                                {"timezone", b.timezone},
                                                {"today", b.today}}}};
}

void dashboard::impl::login(request r, respond_fn respond) {
  auto body = web::parse_json_object(r.body, 4096);
  if (!body)
    return respond(body_problem(body.error()));
  web::field_reader f(*body);
  auto email = f.text("email", 1, 254);
  auto password = f.text("password", 1, 1024);
  if (f.bad())
    return respond(bad_request(f.message(), f.field()));
  auto now = std::chrono::steady_clock::now();
  auto address = address_of(r.remote);
  std::string account = *email;
  for (auto& c : account)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool addr_ok = by_address.allow(address, now);
  bool acct_ok = by_account.allow(account, now);
  if (!addr_ok || !acct_ok) {
    auto wait = std::max(by_address.retry_after(address, now), by_account.retry_after(account, now));
    auto p = problem(429, "Too many requests", "too many login attempts; try again later");
    p.headers.emplace_back("Retry-After", std::to_string(std::max<long>(1, wait.count())));
    return respond(p);
  }
  auto self = shared_from_this();
  bool queued = blocking.post([self, email = *email, password = *password, remote = r.remote,
                               account, respond] {
    if (self->open_session(email, password, remote, respond))
      self->by_account.reset(account);
  });
  if (!queued)
    respond(problem(503, "Service unavailable", "the node is overloaded; try again"));
}

// On a worker: checks the password, opens a session and answers with it and its cookie; true
// when it did.
bool dashboard::impl::open_session(const std::string& email, const std::string& password,
                                   const std::string& remote, const respond_fn& respond) {
  auto res = staff.login(email, password, remote, clk.now(), settings.session_ttl);
  if (!res) {
    if (res.error().code == "bad_login") {
      respond(problem(401, "Unauthorized", "wrong email or password"));
    } else {
      spdlog::error("dashboard login: {}", res.error().message);
      respond(problem(503, "Service unavailable", "try again later"));
    }
    return false;
  }
  auto out = json_value(200, session_json(res->session,
                                          business_of(db, res->session.business_id, clk.now())));
  out.headers.emplace_back("Set-Cookie", cookie(res->token, settings.session_ttl));
  respond(out);
  return true;
}

// An invitation link's holder chooses a password: the account is made and logged in. Limited
// per address like logins (a token is 256 random bits; the limit keeps the work bounded).
void dashboard::impl::accept_invitation(request r, respond_fn respond) {
  auto body = web::parse_json_object(r.body, 4096);
  if (!body)
    return respond(body_problem(body.error()));
  web::field_reader f(*body);
  auto token = f.text("token", 1, 100);
  auto password = f.text("password", 8, 1024);
  if (f.bad())
    return respond(bad_request(f.message(), f.field()));
  auto now = std::chrono::steady_clock::now();
  auto address = address_of(r.remote);
  if (!by_address.allow(address, now)) {
    auto p = problem(429, "Too many requests", "too many attempts; try again later");
    p.headers.emplace_back("Retry-After",
                           std::to_string(std::max<long>(1, by_address.retry_after(address, now).count())));
    return respond(p);
  }
  auto self = shared_from_this();
  bool queued = blocking.post([self, token = *token, password = *password, remote = r.remote,
                               respond] {
    auto u = self->invitations.accept(token, password, self->clk.now());
    if (!u) {
      auto& code = u.error().code;
      if (code == "bad_invitation")
        return respond(problem(404, "Not found", u.error().message, "token"));
      if (code == "email_taken")
        return respond(problem(409, "Conflict", u.error().message));
      if (code == "bad_password")
        return respond(bad_request(u.error().message, "password"));
      spdlog::error("dashboard invitation: {}", u.error().message);
      return respond(problem(503, "Service unavailable", "try again later"));
    }
    spdlog::info("dashboard: {} joined business {} as {} by invitation", u->email, u->business_id,
                 u->role);
    self->open_session(u->email, password, remote, respond);
  });
  if (!queued)
    respond(problem(503, "Service unavailable", "the node is overloaded; try again"));
}

// ---------------------------------------------------------------------------------------------
// Pages

void dashboard::impl::serve_asset(const request& r, respond_fn respond) {
  auto name = r.path.substr(std::string("/app/").size());
  if (name.empty())
    name = "index.html";
  auto& files = dashboard_assets();
  auto it = files.find(name);
  if (it == files.end() || name == "openapi.json")
    return respond(response{404, "text/plain; charset=utf-8", "not found\n", {}});
  respond(response{200, content_type_for(name), std::string(it->second),
                   {{"Cache-Control", "no-cache"},
                    {"X-Content-Type-Options", "nosniff"},
                    {"Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                     "frame-ancestors 'none'"},
                    {"Referrer-Policy", "same-origin"}}});
}

// ---------------------------------------------------------------------------------------------
// The API's handlers (on the worker pool, inside the user's business scope)

namespace {

std::string today_local(store::database& db, const std::string& biz, sys_time now) {
  return db.as_business(biz, [&](pqxx::work& tx) {
    return tx
        .exec_params1("SELECT to_char(($1::timestamptz AT TIME ZONE timezone)::date, 'YYYY-MM-DD') "
                      "FROM businesses",
                      format_rfc3339(now))[0]
        .as<std::string>();
  });
}

void forget_profile(dashboard::impl& d, const std::string& biz);

response list_calls(dashboard::impl& d, call_ctx& c);
response get_call(dashboard::impl& d, call_ctx& c);
response get_recording(dashboard::impl& d, call_ctx& c);
response list_appointments(dashboard::impl& d, call_ctx& c);
response create_appointment(dashboard::impl& d, call_ctx& c);
response move_appointment(dashboard::impl& d, call_ctx& c);
response cancel_appointment(dashboard::impl& d, call_ctx& c);
response availability(dashboard::impl& d, call_ctx& c);
response list_knowledge(dashboard::impl& d, call_ctx& c);
response create_knowledge(dashboard::impl& d, call_ctx& c);
response update_knowledge(dashboard::impl& d, call_ctx& c);
response delete_knowledge(dashboard::impl& d, call_ctx& c);
response try_knowledge(dashboard::impl& d, call_ctx& c);
response get_settings(dashboard::impl& d, call_ctx& c);
response put_settings(dashboard::impl& d, call_ctx& c);
response list_staff(dashboard::impl& d, call_ctx& c);
response add_staff(dashboard::impl& d, call_ctx& c);
response change_staff(dashboard::impl& d, call_ctx& c);
response remove_staff(dashboard::impl& d, call_ctx& c);
response list_invitations(dashboard::impl& d, call_ctx& c);
response create_invitation(dashboard::impl& d, call_ctx& c);
response revoke_invitation(dashboard::impl& d, call_ctx& c);
response list_services(dashboard::impl& d, call_ctx& c);
response create_service(dashboard::impl& d, call_ctx& c);
response update_service(dashboard::impl& d, call_ctx& c);
response delete_service(dashboard::impl& d, call_ctx& c);
response list_tasks(dashboard::impl& d, call_ctx& c);
response change_task(dashboard::impl& d, call_ctx& c);
response stats(dashboard::impl& d, call_ctx& c);
response events(dashboard::impl& d, call_ctx& c);

} // namespace

void dashboard::impl::install_routes() { build_routes(routes); }

void build_routes(std::vector<route>& routes) {
  auto add = [&](std::string method, std::string pattern, need role,
                 std::function<response(dashboard::impl&, call_ctx&)> fn) {
    routes.push_back({std::move(method), std::move(pattern), role, std::move(fn)});
  };
  add("GET", "/api/v1/session", need::viewer, [](dashboard::impl& d, call_ctx& c) {
    return json_value(200, session_json(c.session, business_of(d.db, c.session.business_id,
                                                               d.clk.now())));
  });
  add("DELETE", "/api/v1/session", need::viewer, [](dashboard::impl& d, call_ctx& c) {
    d.staff.revoke(c.session.business_id, c.session.session_id, d.clk.now());
    auto r = no_content();
    r.headers.emplace_back("Set-Cookie", d.cookie("", std::chrono::seconds(0)));
    return r;
  });
  add("GET", "/api/v1/calls", need::viewer, list_calls);
  add("GET", "/api/v1/calls/{id}", need::viewer, get_call);
  add("GET", "/api/v1/calls/{id}/recording", need::viewer, get_recording);
  add("GET", "/api/v1/appointments", need::viewer, list_appointments);
  add("POST", "/api/v1/appointments", need::admin, create_appointment);
  add("PATCH", "/api/v1/appointments/{id}", need::admin, move_appointment);
  add("DELETE", "/api/v1/appointments/{id}", need::admin, cancel_appointment);
  add("GET", "/api/v1/availability", need::viewer, availability);
  add("GET", "/api/v1/knowledge", need::viewer, list_knowledge);
  add("POST", "/api/v1/knowledge", need::admin, create_knowledge);
  add("PUT", "/api/v1/knowledge/{id}", need::admin, update_knowledge);
  add("DELETE", "/api/v1/knowledge/{id}", need::admin, delete_knowledge);
  add("POST", "/api/v1/knowledge/try", need::viewer, try_knowledge);
  add("GET", "/api/v1/settings", need::viewer, get_settings);
  add("PUT", "/api/v1/settings", need::admin, put_settings);
  add("GET", "/api/v1/staff", need::viewer, list_staff);
  add("POST", "/api/v1/staff", need::owner, add_staff);
  add("PATCH", "/api/v1/staff/{id}", need::owner, change_staff);
  add("DELETE", "/api/v1/staff/{id}", need::owner, remove_staff);
  add("GET", "/api/v1/invitations", need::owner, list_invitations);
  add("POST", "/api/v1/invitations", need::owner, create_invitation);
  add("DELETE", "/api/v1/invitations/{id}", need::owner, revoke_invitation);
  add("GET", "/api/v1/services", need::viewer, list_services);
  add("POST", "/api/v1/services", need::admin, create_service);
  add("PUT", "/api/v1/services/{id}", need::admin, update_service);
  add("DELETE", "/api/v1/services/{id}", need::admin, delete_service);
  add("GET", "/api/v1/tasks", need::viewer, list_tasks);
  add("PATCH", "/api/v1/tasks/{n}", need::admin, change_task);
  add("GET", "/api/v1/stats", need::viewer, stats);
  add("GET", "/api/v1/events", need::viewer, events);
  add("GET", "/api/v1/openapi.json", need::viewer, [](dashboard::impl&, call_ctx&) {
    return response{200, "application/json", std::string(dashboard_assets().at("openapi.json")),
                    {}};
  });
}

namespace {

void forget_profile(dashboard::impl& d, const std::string& biz) {
  if (d.profiles)
    d.profiles->forget(biz);
}

// A page of calls, newest first; `before` is the previous page's next_cursor.
response list_calls(dashboard::impl& d, call_ctx& c) {
  auto limit = 50;
  if (auto l = c.q("limit"); !l.empty()) {
    if (l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos || std::stoi(l) < 1 ||
        std::stoi(l) > 200)
      return bad_request("limit must be 1 to 200", "limit");
    limit = std::stoi(l);
  }
  std::string before_at, before_id;
  if (auto b = c.q("before"); !b.empty()) {
    auto tilde = b.find('~');
    if (tilde == std::string::npos || !is_uuid(b.substr(tilde + 1)) ||
        !parse_rfc3339(b.substr(0, tilde)))
      return bad_request("before is not a cursor from this API", "before");
    before_at = b.substr(0, tilde);
    before_id = b.substr(tilde + 1);
  }
  auto q = c.q("q");
  auto status = c.q("status");
  if (q.size() > 100)
    return bad_request("q is too long", "q");
  if (!status.empty() && status != "live" && status != "completed" && status != "booked" &&
      status != "failed")
    return bad_request("status must be live, completed, booked or failed", "status");
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto rows = tx.exec_params(
        "SELECT json_build_object('id', c.id, 'caller', c.caller, 'status', c.status, "
        "'started_at', c.started_at, 'ended_at', c.ended_at, 'duration_seconds', "
        "coalesce(c.duration_seconds, extract(epoch FROM (coalesce(c.ended_at, $6::timestamptz) - "
        "coalesce(c.answered_at, c.started_at)))::int), 'outcome', c.outcome, 'booked', "
        "c.appointment_booked, 'summary', c.summary, 'turns', jsonb_array_length(c.transcript))::text, "
        "to_char(c.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), c.id "
        "FROM calls c WHERE ($1 = '' OR strpos(lower(c.caller), lower($1)) > 0 OR "
        "  strpos(lower(coalesce(c.summary, '')), lower($1)) > 0 OR "
        "  strpos(lower(coalesce(c.outcome, '')), lower($1)) > 0) "
        "AND ($2 = '' OR ($2 = 'live' AND c.ended_at IS NULL AND c.status IN ('ringing', "
        "  'in-progress')) OR ($2 = 'completed' AND c.status = 'completed') OR "
        "  ($2 = 'booked' AND c.appointment_booked) OR ($2 = 'failed' AND c.status IN ('failed', "
        "  'busy', 'no-answer', 'canceled'))) "
        "AND ($3 = '' OR (c.started_at, c.id) < ($3::timestamptz, nullif($4, '')::uuid)) "
        "ORDER BY c.started_at DESC, c.id DESC LIMIT $5",
        q, status, before_at, before_id, limit, format_rfc3339(d.clk.now()));
    std::string items = "[";
    for (std::size_t i = 0; i < rows.size(); ++i)
      items += (i ? "," : "") + rows[i][0].as<std::string>();
    items += "]";
    std::string next = "null";
    if (rows.size() == static_cast<std::size_t>(limit))
      next = "\"" + rows.back()[1].as<std::string>() + "~" + rows.back()[2].as<std::string>() +
             "\"";
    return json_text(200, "{\"items\":" + items + ",\"next_cursor\":" + next + "}");
  });
}

response get_call(dashboard::impl& d, call_ctx& c) {
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec_params(
        "SELECT json_build_object('id', c.id, 'call_sid', c.call_sid, 'caller', c.caller, "
        "'called', c.called, 'node', c.node, 'status', c.status, 'end_reason', c.end_reason, "
        "'started_at', c.started_at, 'answered_at', c.answered_at, 'ended_at', c.ended_at, "
        "'duration_seconds', c.duration_seconds, 'summary', c.summary, 'outcome', c.outcome, "
        "'booked', c.appointment_booked, 'transcript', c.transcript, 'latencies', c.latencies, "
        "'recording', CASE WHEN c.recording_path IS NULL THEN NULL ELSE "
        "  '/api/v1/calls/' || c.id || '/recording' END, "
        "'appointments', coalesce((SELECT json_agg(json_build_object('id', a.id, 'status', a.status, "
        "  'start', to_char(lower(a.during) AT TIME ZONE b.timezone, 'YYYY-MM-DD\"T\"HH24:MI'), "
        "  'name', a.customer_name, 'service', a.service) ORDER BY a.created_at) "
        "  FROM appointments a WHERE a.call_id = c.id AND a.status <> 'held'), '[]'::json), "
        "'texts', coalesce((SELECT json_agg(json_build_object('to', o.payload->>'to', 'body', "
        "  o.payload->>'body', 'status', o.status, 'created_at', o.created_at) ORDER BY o.id) "
        "  FROM outbox o WHERE o.kind = 'sms' AND o.payload->>'appointment_id' IN "
        "  (SELECT a.id::text FROM appointments a WHERE a.call_id = c.id)), '[]'::json))::text "
        "FROM calls c, businesses b WHERE c.id = $1",
        c.ids[0]);
    if (r.empty())
      return not_found();
    return json_text(200, r[0][0].as<std::string>());
  });
}

// "bytes=a-b", "bytes=a-", "bytes=-n" against a file of `size` bytes: [first, last], or nothing
// when unsatisfiable. Several ranges are answered with the first (allowed by RFC 9110).
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& h,
                                                                   std::uint64_t size) {
  if (h.rfind("bytes=", 0) != 0 || size == 0)
    return std::nullopt;
  auto spec = h.substr(6);
  spec = spec.substr(0, spec.find(','));
  auto dash = spec.find('-');
  if (dash == std::string::npos)
    return std::nullopt;
  auto a = spec.substr(0, dash), b = spec.substr(dash + 1);
  auto num = [](const std::string& s) -> std::optional<std::uint64_t> {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return std::stoull(s);
  };
  if (a.empty()) {
    auto n = num(b);
    if (!n || *n == 0)
      return std::nullopt;
    return std::pair{size - std::min(*n, size), size - 1};
  }
  auto first = num(a);
  if (!first || *first >= size)
    return std::nullopt;
  if (b.empty())
    return std::pair{*first, size - 1};
  auto last = num(b);
  if (!last || *last < *first)
    return std::nullopt;
  return std::pair{*first, std::min(*last, size - 1)};
}

response get_recording(dashboard::impl& d, call_ctx& c) {
  auto path = d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec_params("SELECT recording_path FROM calls WHERE id = $1 AND recording_path "
                            "IS NOT NULL",
                            c.ids[0]);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
  });
  if (path.empty())
    return not_found();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    return problem(404, "Not found", "the recording is not on this node's disk");
  auto size = static_cast<std::uint64_t>(in.tellg());
  http::header_list h{{"Accept-Ranges", "bytes"}, {"Cache-Control", "private, max-age=3600"}};
  std::uint64_t first = 0, last = size ? size - 1 : 0;
  int status = 200;
  if (auto range = c.req.header("Range"); !range.empty()) {
    auto rr = parse_range(range, size);
    if (!rr) {
      h.emplace_back("Content-Range", "bytes */" + std::to_string(size));
      return response{416, "application/problem+json",
                      web::problem_json(416, "Range not satisfiable", "bad or out of range"), h};
    }
    std::tie(first, last) = *rr;
    status = 206;
    h.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                        "/" + std::to_string(size));
  }
  std::string body(size ? last - first + 1 : 0, '\0');
  in.seekg(static_cast<std::streamoff>(first));
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  return response{status, "audio/ogg", std::move(body), std::move(h)};
}

response list_appointments(dashboard::impl& d, call_ctx& c) {
  auto from = c.q("from"), to = c.q("to"), status = c.q("status");
  if (!from.empty() && !web::valid_date(from))
    return bad_request("from must be YYYY-MM-DD", "from");
  if (!to.empty() && !web::valid_date(to))
    return bad_request("to must be YYYY-MM-DD", "to");
  if (!status.empty() && status != "booked" && status != "cancelled" && status != "all")
    return bad_request("status must be booked, cancelled or all", "status");
  auto today = today_local(d.db, c.session.business_id, d.clk.now());
  if (from.empty())
    from = today;
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec_params1(
        // The window's instants first (scalar subqueries), so that the start index bounds the scan.
        "WITH w AS MATERIALIZED (SELECT timezone AS tz, ($1::date::timestamp AT TIME ZONE timezone) "
        "  AS s, ((coalesce(nullif($2, '')::date, $1::date + 13) + 1)::timestamp AT TIME ZONE "
        "  timezone) AS e FROM businesses) "
        "SELECT json_build_object('from', $1::date, 'to', coalesce(nullif($2, '')::date, "
        "$1::date + 13), 'items', coalesce(json_agg(x ORDER BY x.start), '[]'::json))::text FROM ("
        " SELECT a.id, a.status, "
        " to_char(lower(a.during) AT TIME ZONE (SELECT tz FROM w), 'YYYY-MM-DD\"T\"HH24:MI') AS start, "
        " to_char(upper(a.during) AT TIME ZONE (SELECT tz FROM w), 'YYYY-MM-DD\"T\"HH24:MI') AS \"end\", "
        " a.customer_name AS name, a.customer_phone AS phone, a.service, a.notes, a.call_id "
        " FROM appointments a "
        " WHERE a.starts_at >= (SELECT s FROM w) AND a.starts_at < (SELECT e FROM w) "
        " AND (($3 = '' AND a.status = 'booked') OR $3 = 'all' OR a.status::text = $3) "
        " ORDER BY a.starts_at LIMIT 1000) x",
        from, to, status);
    return json_text(200, r[0].as<std::string>());
  });
}

json::array options_json(const dialog::tool_result& r) {
  json::array a;
  for (std::size_t i = 0; i < r.option_values.size(); ++i)
    a.push_back(json::object{{"start", r.option_values[i]}, {"text", r.options[i]}});
  return a;
}

json::array slots_json(const std::vector<booking::slot>& slots) {
  json::array a;
  for (auto& s : slots)
    a.push_back(json::object{{"start", local_iso(s.local_start)}, {"text", booking::speak(s.local_start)}});
  return a;
}

// Busy time around a local day (two days either side covers every zone's offset).
expected<std::vector<booking::busy_interval>> busy_around(dashboard::impl& d, const std::string& biz,
                                                         date::local_days day,
                                                         const std::string& ignore) {
  using std::chrono::microseconds;
  using std::chrono::time_point_cast;
  auto day_utc = std::chrono::sys_days{day.time_since_epoch()};
  store::interval window{time_point_cast<microseconds>(day_utc - date::days{2}),
                         time_point_cast<microseconds>(day_utc + date::days{3})};
  auto busy = store::appointments_repo(d.db).busy(biz, window, d.clk.now(), ignore);
  if (!busy)
    return busy.error();
  std::vector<booking::busy_interval> b;
  for (auto& i : *busy)
    b.push_back(booking::busy_interval{time_point_cast<std::chrono::seconds>(i.start),
                                       time_point_cast<std::chrono::seconds>(i.end)});
  return b;
}

// Whether a local start can be booked (hours, notice, horizon, busy time): nothing when it can,
// else the answer to give.
std::optional<response> check_start(dashboard::impl& d, const booking::business_profile& p,
                                    booking::local_time start, const std::string& ignore) {
  auto now = d.clk.now();
  auto busy = busy_around(d, p.id, date::floor<date::days>(start), ignore);
  if (!busy)
    return problem(503, "Service unavailable", busy.error().message);
  auto& b = *busy;
  auto c = booking::check(p.booking, b, std::chrono::time_point_cast<std::chrono::seconds>(now), start);
  if (!c)
    return bad_request(c.error().message, "start");
  if (c->why == booking::refusal::none)
    return std::nullopt;
  json::object o{{"type", "about:blank"},
                 {"status", c->why == booking::refusal::taken ? 409 : 422},
                 {"title", c->why == booking::refusal::taken ? "Slot taken" : "Not bookable"},
                 {"detail", std::string("the start is not bookable: ") + booking::to_string(c->why)},
                 {"field", "start"},
                 {"reason", booking::to_string(c->why)},
                 {"alternatives", slots_json(c->alternatives)}};
  int st = c->why == booking::refusal::taken ? 409 : 422;
  return response{st, "application/problem+json", json::serialize(o), {}};
}

expected<booking::business_profile> profile_of(dashboard::impl& d, const std::string& biz) {
  return d.calendar.profile(biz);
}

response create_appointment(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto start_s = f.text("start", 16, 16);
  auto name = f.text("name", 1, 200);
  auto phone = f.text("phone", 0, 32);
  auto service = f.text("service", 0, 200);
  auto notes = f.text("notes", 0, 1000);
  if (f.bad())
    return bad_request(f.message(), f.field());
  auto start = parse_local_minute(*start_s);
  if (!start)
    return bad_request("start must be a local time YYYY-MM-DDTHH:MM", "start");
  if (phone && !phone->empty() && (phone->front() != '+' || phone->size() < 8 ||
                                   phone->find_first_not_of("+0123456789") != std::string::npos))
    return bad_request("phone must be an E.164 number like +15551234567", "phone");
  auto p = profile_of(d, c.session.business_id);
  if (!p)
    return problem(503, "Service unavailable", p.error().message);
  p->booking = booking::rules_for(*p, service.value_or("")); // a service's own length
  if (auto refused = check_start(d, *p, *start, ""))
    return *refused;
  dialog::tool_call tool{"book",
                         {{"start", *start_s},
                          {"name", *name},
                          {"phone", phone.value_or("")},
                          {"service", service.value_or("")},
                          {"notes", notes.value_or("")},
                          {"idempotency_key", "dashboard:" + store::random_token(12)}}};
  auto res = d.calendar.run(*p, "", tool, d.clk.now());
  if (!res.ok) {
    json::object o{{"type", "about:blank"}, {"status", 409}, {"title", "Slot taken"},
                   {"detail", "the slot was taken meanwhile"}, {"field", "start"},
                   {"alternatives", options_json(res)}};
    return response{409, "application/problem+json", json::serialize(o), {}};
  }
  return json_value(201, json::object{{"id", res.values["appointment_id"]}, {"start", *start_s},
                                      {"when_text", res.values["when_text"]}},
                    {{"Location", "/api/v1/appointments/" + res.values["appointment_id"]}});
}

// A booked appointment's service, or nothing when there is no such booking.
std::optional<std::string> booked_service(dashboard::impl& d, const std::string& biz,
                                          const std::string& id) {
  return d.db.as_business(biz, [&](pqxx::work& tx) -> std::optional<std::string> {
    auto r = tx.exec_params("SELECT service FROM appointments WHERE id = $1 AND status = 'booked'", id);
    if (r.empty())
      return std::nullopt;
    return r[0][0].as<std::string>();
  });
}

response move_appointment(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto start_s = f.text("start", 16, 16);
  if (f.bad())
    return bad_request(f.message(), f.field());
  auto start = parse_local_minute(*start_s);
  if (!start)
    return bad_request("start must be a local time YYYY-MM-DDTHH:MM", "start");
  auto service = booked_service(d, c.session.business_id, c.ids[0]);
  if (!service)
    return not_found();
  auto p = profile_of(d, c.session.business_id);
  if (!p)
    return problem(503, "Service unavailable", p.error().message);
  auto checked = *p;
  checked.booking = booking::rules_for(*p, *service); // the move keeps the service's length
  if (auto refused = check_start(d, checked, *start, c.ids[0]))
    return *refused;
  auto res = d.calendar.run(*p, "", {"reschedule", {{"appointment_id", c.ids[0]}, {"start", *start_s},
                                                    {"service", *service}}},
                            d.clk.now());
  if (!res.ok)
    return problem(409, "Slot taken", "the new time was taken meanwhile", "start");
  return json_value(200, json::object{{"id", res.values["appointment_id"]}, {"start", *start_s},
                                      {"moved_from", c.ids[0]}});
}

response cancel_appointment(dashboard::impl& d, call_ctx& c) {
  auto p = profile_of(d, c.session.business_id);
  if (!p)
    return problem(503, "Service unavailable", p.error().message);
  auto res = d.calendar.run(*p, "", {"cancel", {{"appointment_id", c.ids[0]}}}, d.clk.now());
  return res.ok ? no_content() : not_found();
}

response availability(dashboard::impl& d, call_ctx& c) {
  auto service = c.q("service");
  if (service.size() > 200)
    return bad_request("service is too long", "service");
  auto day = c.q("date");
  if (day.empty())
    day = today_local(d.db, c.session.business_id, d.clk.now());
  auto start = parse_local_minute(day + "T00:00");
  if (!start)
    return bad_request("date must be YYYY-MM-DD", "date");
  auto p = profile_of(d, c.session.business_id);
  if (!p)
    return problem(503, "Service unavailable", p.error().message);
  p->booking = booking::rules_for(*p, service);
  auto days = date::floor<date::days>(*start);
  auto now = d.clk.now();
  auto busy = busy_around(d, p->id, days, "");
  if (!busy)
    return problem(503, "Service unavailable", busy.error().message);
  auto& b = *busy;
  auto slots = booking::open_slots(p->booking, b,
                                   std::chrono::time_point_cast<std::chrono::seconds>(now), days, days);
  if (!slots)
    return bad_request(slots.error().message, "date");
  return json_value(200, json::object{{"date", day},
                                      {"minutes", p->booking.length.count()},
                                      {"slots", slots_json(*slots)}});
}

response list_knowledge(dashboard::impl& d, call_ctx& c) {
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec1("SELECT json_build_object('items', coalesce(json_agg(json_build_object("
                      "'id', id, 'title', title, 'body', body, 'created_at', created_at) "
                      "ORDER BY created_at, id), '[]'::json))::text FROM knowledge");
    return json_text(200, r[0].as<std::string>());
  });
}

response write_knowledge(dashboard::impl& d, call_ctx& c, bool create) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto title = f.text("title", 0, 200);
  auto text = f.text("body", 1, 4000);
  if (f.bad())
    return bad_request(f.message(), f.field());
  auto r = d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    if (create)
      return tx.exec_params("INSERT INTO knowledge (business_id, title, body) VALUES ($1, $2, $3) "
                            "RETURNING json_build_object('id', id, 'title', title, 'body', body)::text",
                            c.session.business_id, title.value_or(""), *text);
    return tx.exec_params("UPDATE knowledge SET title = $2, body = $3 WHERE id = $1 "
                          "RETURNING json_build_object('id', id, 'title', title, 'body', body)::text",
                          c.ids[0], title.value_or(""), *text);
  });
  if (r.empty())
    return not_found();
  forget_profile(d, c.session.business_id);
  return json_text(create ? 201 : 200, r[0][0].as<std::string>());
}

response create_knowledge(dashboard::impl& d, call_ctx& c) { return write_knowledge(d, c, true); }
response update_knowledge(dashboard::impl& d, call_ctx& c) { return write_knowledge(d, c, false); }

// Deletes the row the path names (`sql` takes its id as $1; row-level security keeps it to the
// user's business) and drops the cached profile the calls use: 204, or 404 when there is none.
response delete_profile_row(dashboard::impl& d, call_ctx& c, const char* sql) {
  auto n = d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    return tx.exec_params(sql, c.ids[0]).affected_rows();
  });
  if (n == 0)
    return not_found();
  forget_profile(d, c.session.business_id);
  return no_content();
}

response delete_knowledge(dashboard::impl& d, call_ctx& c) {
  return delete_profile_row(d, c, "DELETE FROM knowledge WHERE id = $1");
}

response try_knowledge(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto question = f.text("question", 1, 500);
  if (f.bad())
    return bad_request(f.message(), f.field());
  auto p = profile_of(d, c.session.business_id);
  if (!p)
    return problem(503, "Service unavailable", p.error().message);
  auto res = d.calendar.run(*p, "", {"lookup_knowledge", {{"question", *question}}}, d.clk.now());
  json::array passages;
  for (auto& o : res.options)
    passages.push_back(json::string(o));
  return json_value(200, json::object{{"question", *question},
                                      {"found", res.ok},
                                      {"answer", res.ok ? json::value(res.values["answer"]) : nullptr},
                                      {"passages", passages}});
}

const char* settings_sql =
    "SELECT j::text, md5((j::jsonb - 'calendar')::text) FROM (SELECT json_build_object("
    "'name', b.name, 'phone_number', b.phone_number, 'timezone', b.timezone, "
    "'greeting', b.greeting, 'transfer_number', coalesce(b.transfer_number, ''), "
    "'address', b.address, 'appointment_minutes', b.appointment_minutes, "
    "'buffer_minutes', b.buffer_minutes, 'min_notice_minutes', b.min_notice_minutes, "
    "'days_ahead', b.days_ahead, "
    "'quiet_start', to_char(b.quiet_start, 'HH24:MI'), 'quiet_end', to_char(b.quiet_end, 'HH24:MI'), "
    "'reminder_minutes', to_json(b.reminder_minutes), "
    "'hours', coalesce((SELECT json_agg(json_build_object('weekday', h.weekday, 'opens', "
    "  to_char(h.opens, 'HH24:MI'), 'closes', to_char(h.closes, 'HH24:MI')) ORDER BY h.weekday, "
    "  h.opens) FROM business_hours h), '[]'::json), "
    "'overrides', coalesce((SELECT json_agg(json_build_object('day', o.day, 'opens', "
    "  to_char(o.opens, 'HH24:MI'), 'closes', to_char(o.closes, 'HH24:MI'), 'note', o.note) "
    "  ORDER BY o.day, o.opens) FROM business_hour_overrides o), '[]'::json), "
    // The calendar connection's state (written by the sync, read here only). It is left out of
    // the ETag: a sync in the background must not make an editor's save stale.
    "'calendar', coalesce((SELECT json_agg(json_build_object('provider', l.provider, "
    "  'calendar_id', l.calendar_id, 'status', l.status, 'busy_only', l.busy_only, "
    "  'connected', l.status = 'active', 'last_synced_at', l.last_synced_at, "
    "  'last_error', l.last_error, 'broken_at', l.broken_at, 'connected_at', l.created_at, "
    "  'busy_blocks', (SELECT count(*) FROM calendar_busy cb WHERE cb.link_id = l.id)) "
    "  ORDER BY l.busy_only, l.created_at) "
    "  FROM calendar_links l WHERE l.status <> 'disabled'), '[]'::json)) AS j FROM businesses b) s";

response get_settings(dashboard::impl& d, call_ctx& c) {
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec1(settings_sql);
    return json_text(200, r[0].as<std::string>(), {{"ETag", "\"" + r[1].as<std::string>() + "\""}});
  });
}

struct hours_row {
  int weekday;
  std::string opens, closes;
};
struct override_row {
  std::string day, opens, closes, note;
};

response put_settings(dashboard::impl& d, call_ctx& c) {
  auto if_match = c.req.header("If-Match");
  if (if_match.empty())
    return problem(428, "Precondition required", "send If-Match with the settings' ETag");
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto name = f.text("name", 0, 200);
  auto greeting = f.text("greeting", 0, 500);
  auto transfer = f.text("transfer_number", 0, 16);
  auto address = f.text("address", 0, 300);
  auto minutes = f.integer("appointment_minutes", 5, 1440);
  auto buffer = f.integer("buffer_minutes", 0, 1440);
  auto notice = f.integer("min_notice_minutes", 0, 43200);
  auto ahead = f.integer("days_ahead", 1, 730);
  // Texts wait out the quiet hours (local time; the span may wrap past midnight).
  auto quiet_start = f.text("quiet_start", 0, 5);
  auto quiet_end = f.text("quiet_end", 0, 5);
  if (!f.bad() && quiet_start && (!web::valid_hhmm(*quiet_start) || *quiet_start == "24:00"))
    f.refuse("quiet_start", "quiet_start must be HH:MM");
  if (!f.bad() && quiet_end && (!web::valid_hhmm(*quiet_end) || *quiet_end == "24:00"))
    f.refuse("quiet_end", "quiet_end must be HH:MM");
  // Reminders: minutes before the appointment, each a text of its own.
  std::optional<std::string> reminders; // as a PostgreSQL array literal
  if (!f.bad() && f.has("reminder_minutes")) {
    auto& v = body->at("reminder_minutes");
    if (!v.is_array() || v.as_array().size() > 5) {
      f.refuse("reminder_minutes", "reminder_minutes must be a list of at most 5 numbers");
    } else {
      std::vector<std::int64_t> mins;
      for (auto& m : v.as_array()) {
        if (!m.is_int64() || m.as_int64() < 5 || m.as_int64() > 20160) {
          f.refuse("reminder_minutes", "each reminder is 5 to 20160 minutes (14 days) before");
          break;
        }
        if (std::find(mins.begin(), mins.end(), m.as_int64()) != mins.end()) {
          f.refuse("reminder_minutes", "reminder_minutes has the same time twice");
          break;
        }
        mins.push_back(m.as_int64());
      }
      std::string lit = "{";
      for (std::size_t i = 0; i < mins.size(); ++i)
        lit += (i ? "," : "") + std::to_string(mins[i]);
      reminders = lit + "}";
    }
  }
  if (!f.bad() && name && name->empty())
    f.refuse("name", "name must not be empty");
  if (!f.bad() && transfer && !transfer->empty() &&
      (transfer->front() != '+' || transfer->size() < 8 ||
       transfer->find_first_not_of("+0123456789", 1) != std::string::npos ||
       transfer->find('+', 1) != std::string::npos))
    f.refuse("transfer_number", "transfer_number must be an E.164 number like +15551234567");
  std::optional<std::vector<hours_row>> hours;
  if (!f.bad() && f.has("hours")) {
    auto& v = body->at("hours");
    if (!v.is_array() || v.as_array().size() > 70) {
      f.refuse("hours", "hours must be a list of at most 70 ranges");
    } else {
      hours.emplace();
      for (std::size_t i = 0; i < v.as_array().size() && !f.bad(); ++i) {
        auto field = "hours[" + std::to_string(i) + "]";
        auto& e = v.as_array()[i];
        if (!e.is_object()) {
          f.refuse(field, field + " must be an object");
          break;
        }
        web::field_reader h(e.as_object());
        auto wd = h.integer("weekday", 0, 6);
        auto o = h.text("opens", 5, 5);
        auto cl = h.text("closes", 5, 5);
        if (!h.bad() && !wd)
          h.refuse("weekday", "weekday is required (0 = Monday ... 6 = Sunday)");
        if (!h.bad() && !web::valid_hhmm(*o))
          h.refuse("opens", "opens must be HH:MM");
        if (!h.bad() && (!web::valid_hhmm(*cl)))
          h.refuse("closes", "closes must be HH:MM");
        if (!h.bad() && *o >= *cl)
          h.refuse("closes", "closes must be after opens");
        if (h.bad()) {
          f.refuse(field + "." + h.field(), field + ": " + h.message());
          break;
        }
        hours->push_back({static_cast<int>(*wd), *o, *cl == "24:00" ? "23:59" : *cl});
      }
      // Ranges of one day must not overlap.
      if (!f.bad())
        for (std::size_t i = 0; i < hours->size(); ++i)
          for (std::size_t j = i + 1; j < hours->size(); ++j) {
            auto& a = (*hours)[i];
            auto& b = (*hours)[j];
            if (a.weekday == b.weekday && a.opens < b.closes && b.opens < a.closes && !f.bad())
              f.refuse("hours[" + std::to_string(j) + "]", "hours[" + std::to_string(j) +
                                                               "] overlaps another range that day");
          }
    }
  }
  std::optional<std::vector<override_row>> overrides;
  if (!f.bad() && f.has("overrides")) {
    auto& v = body->at("overrides");
    if (!v.is_array() || v.as_array().size() > 400) {
      f.refuse("overrides", "overrides must be a list of at most 400 days");
    } else {
      overrides.emplace();
      for (std::size_t i = 0; i < v.as_array().size() && !f.bad(); ++i) {
        auto field = "overrides[" + std::to_string(i) + "]";
        auto& e = v.as_array()[i];
        if (!e.is_object()) {
          f.refuse(field, field + " must be an object");
          break;
        }
        web::field_reader h(e.as_object());
        auto day = h.text("day", 10, 10);
        auto o = h.text("opens", 0, 5);
        auto cl = h.text("closes", 0, 5);
        auto note = h.text("note", 0, 200);
        if (!h.bad() && !parse_local_minute(*day + "T00:00"))
          h.refuse("day", "day must be YYYY-MM-DD");
        bool closed = (!o || o->empty()) && (!cl || cl->empty());
        if (!h.bad() && !closed) {
          if (!o || !web::valid_hhmm(*o))
            h.refuse("opens", "opens must be HH:MM (or leave both empty: closed all day)");
          else if (!cl || !web::valid_hhmm(*cl))
            h.refuse("closes", "closes must be HH:MM (or leave both empty: closed all day)");
          else if (*o >= *cl)
            h.refuse("closes", "closes must be after opens");
        }
        if (h.bad()) {
          f.refuse(field + "." + h.field(), field + ": " + h.message());
          break;
        }
        overrides->push_back({*day, closed ? "" : *o, closed ? "" : (*cl == "24:00" ? "23:59" : *cl),
                              note.value_or("")});
      }
    }
  }
  if (f.bad())
    return bad_request(f.message(), f.field());
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) -> response {
    tx.exec("SELECT 1 FROM businesses FOR UPDATE"); // two editors: one waits, then sees the ETag
    auto cur = tx.exec1(settings_sql);
    if (if_match != "\"" + cur[1].as<std::string>() + "\"" && if_match != "*")
      return problem(412, "Precondition failed",
                     "the settings changed since you loaded them; reload and try again");
    tx.exec_params(
        "UPDATE businesses SET name = coalesce($1, name), greeting = coalesce($2, greeting), "
        "transfer_number = CASE WHEN $3::text IS NULL THEN transfer_number ELSE nullif($3, '') END, "
        "address = coalesce($4, address), appointment_minutes = coalesce($5::int, "
        "appointment_minutes), buffer_minutes = coalesce($6::int, buffer_minutes), "
        "min_notice_minutes = coalesce($7::int, min_notice_minutes), days_ahead = "
        "coalesce($8::int, days_ahead), quiet_start = coalesce($9::time, quiet_start), "
        "quiet_end = coalesce($10::time, quiet_end), reminder_minutes = "
        "coalesce($11::integer[], reminder_minutes), updated_at = now()",
        name, greeting, transfer, address, minutes, buffer, notice, ahead, quiet_start, quiet_end,
        reminders);
    if (hours) {
      tx.exec("DELETE FROM business_hours");
      for (auto& h : *hours)
        tx.exec_params("INSERT INTO business_hours (business_id, weekday, opens, closes) VALUES "
                       "($1, $2, $3::time, $4::time)",
                       c.session.business_id, h.weekday, h.opens, h.closes);
    }
    if (overrides) {
      tx.exec("DELETE FROM business_hour_overrides");
      for (auto& o : *overrides)
        tx.exec_params("INSERT INTO business_hour_overrides (business_id, day, opens, closes, note) "
                       "VALUES ($1, $2::date, nullif($3, '')::time, nullif($4, '')::time, $5) "
                       "ON CONFLICT DO NOTHING",
                       c.session.business_id, o.day, o.opens, o.closes, o.note);
    }
    auto now = tx.exec1(settings_sql);
    forget_profile(d, c.session.business_id);
    return json_text(200, now[0].as<std::string>(), {{"ETag", "\"" + now[1].as<std::string>() + "\""}});
  });
}

json::object user_json(const store::staff_user& u) {
  return json::object{{"id", u.id}, {"email", u.email}, {"role", u.role}, {"created_at", u.created_at}};
}

// {"items": [...]} from a repository's list, or 503 when the database failed.
template <class T, class F>
response items(const expected<std::vector<T>>& l, F to_json) {
  if (!l)
    return problem(503, "Service unavailable", l.error().message);
  json::array a;
  for (auto& x : *l)
    a.push_back(to_json(x));
  return json_value(200, json::object{{"items", a}});
}

// The email and role of a new member (added or invited), checked with the field named.
std::pair<std::optional<std::string>, std::optional<std::string>> email_and_role(
    web::field_reader& f) {
  auto email = f.text("email", 3, 254);
  auto role = f.text("role", 1, 10);
  if (!f.bad() && email->find('@') == std::string::npos)
    f.refuse("email", "email must be an email address");
  if (!f.bad() && !store::staff_repo::valid_role(*role))
    f.refuse("role", "role must be owner, admin or viewer");
  return {email, role};
}

response list_staff(dashboard::impl& d, call_ctx& c) {
  return items(d.staff.list(c.session.business_id), user_json);
}

response add_staff(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto [email, role] = email_and_role(f);
  auto password = f.text("password", 8, 1024);
  if (f.bad())
    return bad_request(f.message(), f.field());
  auto u = d.staff.add(c.session.business_id, *email, *role, *password);
  if (!u) {
    if (u.error().code == "email_taken")
      return problem(409, "Conflict", "an account with this email exists already", "email");
    if (u.error().code.rfind("bad_", 0) == 0)
      return bad_request(u.error().message);
    return problem(503, "Service unavailable", u.error().message);
  }
  return json_value(201, user_json(*u));
}

response change_staff(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto role = f.text("role", 1, 10);
  if (!f.bad() && !store::staff_repo::valid_role(*role))
    f.refuse("role", "role must be owner, admin or viewer");
  if (f.bad())
    return bad_request(f.message(), f.field());
  if (c.ids[0] == c.session.user_id && *role != "owner")
    return problem(409, "Conflict", "you cannot take away your own owner role", "role");
  auto ok = d.staff.set_role(c.session.business_id, c.ids[0], *role);
  if (!ok)
    return problem(503, "Service unavailable", ok.error().message);
  return *ok ? json_value(200, json::object{{"id", c.ids[0]}, {"role", *role}}) : not_found();
}

response remove_staff(dashboard::impl& d, call_ctx& c) {
  if (c.ids[0] == c.session.user_id)
    return problem(409, "Conflict", "you cannot remove yourself");
  auto ok = d.staff.remove(c.session.business_id, c.ids[0]);
  if (!ok)
    return problem(503, "Service unavailable", ok.error().message);
  return *ok ? no_content() : not_found();
}

json::object invitation_json(const store::staff_invitation& i) {
  return json::object{{"id", i.id},
                      {"email", i.email},
                      {"role", i.role},
                      {"created_at", i.created_at},
                      {"expires_at", i.expires_at}};
}

response list_invitations(dashboard::impl& d, call_ctx& c) {
  return items(d.invitations.open(c.session.business_id, d.clk.now()), invitation_json);
}

// The link carries the token in the fragment: it never reaches a server's access log.
response create_invitation(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto [email, role] = email_and_role(f);
  if (f.bad())
    return bad_request(f.message(), f.field());
  auto n = d.invitations.create(c.session.business_id, c.session.user_id, *email, *role,
                                d.clk.now(), invitation_ttl);
  if (!n)
    return problem(503, "Service unavailable", n.error().message);
  auto o = invitation_json(n->invitation);
  auto base = d.settings.public_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  o["link"] = base + "/app/#invite=" + n->token;
  return json_value(201, o);
}

response revoke_invitation(dashboard::impl& d, call_ctx& c) {
  auto ok = d.invitations.revoke(c.session.business_id, c.ids[0], d.clk.now());
  if (!ok)
    return problem(503, "Service unavailable", ok.error().message);
  return *ok ? no_content() : not_found();
}

// Services and their lengths: a booking for one takes its minutes (phone and dashboard alike).
const char* service_json_sql =
    "json_build_object('id', id, 'name', name, 'minutes', minutes, 'created_at', created_at)";

response list_services(dashboard::impl& d, call_ctx& c) {
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec1(std::string("SELECT json_build_object('items', coalesce(json_agg(") +
                      service_json_sql + " ORDER BY lower(name)), '[]'::json))::text FROM services");
    return json_text(200, r[0].as<std::string>());
  });
}

response write_service(dashboard::impl& d, call_ctx& c, bool create) {
  auto body = web::parse_json_object(c.req.body, 4096);
  if (!body)
    return body_problem(body.error());
  web::field_reader f(*body);
  auto name = f.text("name", 1, 100);
  auto minutes = f.integer("minutes", 5, 1440);
  if (!f.bad() && !minutes)
    f.refuse("minutes", "minutes is required (5 to 1440)");
  if (!f.bad()) {
    auto first = name->find_first_not_of(' ');
    if (first == std::string::npos)
      f.refuse("name", "name must not be blank");
    else
      *name = name->substr(first, name->find_last_not_of(' ') - first + 1);
  }
  if (f.bad())
    return bad_request(f.message(), f.field());
  try {
    auto r = d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
      if (create)
        return tx.exec_params(std::string("INSERT INTO services (business_id, name, minutes) VALUES "
                                          "($1, $2, $3) RETURNING ") + service_json_sql + "::text",
                              c.session.business_id, *name, *minutes);
      return tx.exec_params(std::string("UPDATE services SET name = $2, minutes = $3 WHERE id = $1 "
                                        "RETURNING ") + service_json_sql + "::text",
                            c.ids[0], *name, *minutes);
    });
    if (r.empty())
      return not_found();
    forget_profile(d, c.session.business_id);
    return json_text(create ? 201 : 200, r[0][0].as<std::string>());
  } catch (const pqxx::unique_violation&) {
    return problem(409, "Conflict", "a service with this name exists already", "name");
  }
}

response create_service(dashboard::impl& d, call_ctx& c) { return write_service(d, c, true); }
response update_service(dashboard::impl& d, call_ctx& c) { return write_service(d, c, false); }

response delete_service(dashboard::impl& d, call_ctx& c) {
  return delete_profile_row(d, c, "DELETE FROM services WHERE id = $1");
}

// Tasks for a person at the business (a text that could not be delivered, a reply asking to
// cancel, a calendar to reconnect): open ones first, oldest first.
const char* task_json_sql =
    "json_build_object('id', t.id, 'kind', t.kind, 'phone', t.phone, 'note', t.note, "
    "'created_at', t.created_at, 'done_at', t.done_at, "
    "'done_by', (SELECT u.email FROM staff_users u WHERE u.id = t.done_by), "
    "'appointment', (SELECT json_build_object('id', a.id, 'status', a.status, 'name', "
    "  a.customer_name, 'start', to_char(lower(a.during) AT TIME ZONE b.timezone, "
    "  'YYYY-MM-DD\"T\"HH24:MI')) FROM appointments a WHERE a.id = t.appointment_id))";

response list_tasks(dashboard::impl& d, call_ctx& c) {
  auto status = c.q("status");
  if (status.empty())
    status = "open";
  if (status != "open" && status != "done" && status != "all")
    return bad_request("status must be open, done or all", "status");
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec_params1(
        std::string("SELECT json_build_object('items', coalesce(json_agg(x.j ORDER BY x.open DESC, "
                    "x.created_at, x.id), '[]'::json), 'open', (SELECT count(*) FROM staff_tasks "
                    "WHERE done_at IS NULL))::text FROM (SELECT ") +
            task_json_sql +
            " AS j, t.done_at IS NULL AS open, t.created_at, t.id FROM staff_tasks t, businesses b "
            "WHERE ($1 = 'all' OR ($1 = 'open') = (t.done_at IS NULL)) "
            "ORDER BY t.done_at IS NULL DESC, coalesce(t.done_at, t.created_at) DESC LIMIT 200) x",
        status);
    return json_text(200, r[0].as<std::string>());
  });
}

// {"done": true} marks a task done (by this user), {"done": false} opens it again.
response change_task(dashboard::impl& d, call_ctx& c) {
  auto body = web::parse_json_object(c.req.body, 1024);
  if (!body)
    return body_problem(body.error());
  auto it = body->find("done");
  if (it == body->end() || !it->value().is_bool())
    return bad_request("done must be true or false", "done");
  bool done = it->value().as_bool();
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec_params(
        "WITH t AS (UPDATE staff_tasks SET done_at = CASE WHEN $2 THEN coalesce(done_at, "
        "$3::timestamptz) END, done_by = CASE WHEN $2 THEN coalesce(done_by, $4::uuid) END "
        "WHERE id = $1 RETURNING *) SELECT " +
            std::string(task_json_sql) + "::text FROM t, businesses b",
        std::stoll(c.ids[0]), done, format_rfc3339(d.clk.now()), c.session.user_id);
    if (r.empty())
      return not_found();
    return json_text(200, r[0][0].as<std::string>());
  });
}

response stats(dashboard::impl& d, call_ctx& c) {
  auto day = c.q("date");
  if (!day.empty() && !parse_local_minute(day + "T00:00"))
    return bad_request("date must be YYYY-MM-DD", "date");
  if (day.empty())
    day = today_local(d.db, c.session.business_id, d.clk.now());
  return d.db.as_business(c.session.business_id, [&](pqxx::work& tx) {
    auto r = tx.exec_params1(
        // The day's instants first (scalar subqueries), so that the indexes bound the scans.
        "WITH w AS MATERIALIZED (SELECT ($1::date::timestamp AT TIME ZONE timezone) AS s, "
        "  (($1::date + 1)::timestamp AT TIME ZONE timezone) AS e, timezone AS tz FROM businesses), "
        "c AS MATERIALIZED (SELECT calls.* FROM calls WHERE started_at >= (SELECT s FROM w) AND "
        "  started_at < (SELECT e FROM w)) "
        "SELECT json_build_object('date', $1::date, 'now', $2::timestamptz, "
        "'calls', (SELECT count(*) FROM c), "
        "'calls_booked', (SELECT count(*) FROM c WHERE appointment_booked), "
        "'appointments_made', (SELECT count(*) FROM appointments a WHERE a.created_at >= "
        "  (SELECT s FROM w) AND a.created_at < (SELECT e FROM w) AND a.status <> 'held' AND "
        "  a.rescheduled_from IS NULL), "
        "'booking_rate', (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE "
        "  round(count(*) FILTER (WHERE appointment_booked)::numeric / count(*), 3) END FROM c), "
        "'average_duration_seconds', (SELECT round(avg(duration_seconds)) FROM c), "
        "'voice_latency_p95_ms', (SELECT round(percentile_cont(0.95) WITHIN GROUP (ORDER BY "
        "  (l->>'first_frame_ms')::float8)::numeric) FROM c, jsonb_array_elements(c.latencies) l "
        "  WHERE l ? 'first_frame_ms'), "
        "'live_calls', (SELECT count(*) FROM calls WHERE ended_at IS NULL AND status IN "
        "  ('ringing', 'in-progress') AND started_at > $2::timestamptz - interval '6 hours'), "
        "'per_hour', (SELECT json_agg(coalesce(n, 0) ORDER BY h) FROM generate_series(0, 23) h "
        "  LEFT JOIN (SELECT extract(hour FROM started_at AT TIME ZONE w.tz)::int AS hr, count(*) n "
        "  FROM c, w GROUP BY 1) x ON x.hr = h))::text",
        day, format_rfc3339(d.clk.now()));
    return json_text(200, r[0].as<std::string>());
  });
}

// The event stream: live calls and appointment changes of the user's business, resumed after
// Last-Event-ID from the table of recent events.
response events(dashboard::impl& d, call_ctx& c) {
  std::int64_t last = 0;
  auto h = c.req.header("Last-Event-ID");
  if (h.empty())
    h = c.q("last_event_id");
  if (!h.empty() && h.size() <= 18 && h.find_first_not_of("0123456789") == std::string::npos)
    last = std::stoll(h);
  auto self = d.shared_from_this();
  auto biz = c.session.business_id;
  response r{200, "text/event-stream", "", {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}}};
  r.stream = [self, biz, last](std::shared_ptr<http::stream_sink> sink) {
    // The feed follows the database only while a stream is open (on no node otherwise): the
    // stream's first bytes go out once it listens, so a client that has them misses nothing.
    auto sub = self->feed.subscribe(biz, sink, last);
    bool queued = self->blocking.post([self, sub, biz, last, sink] {
      if (!self->feed.wait_listening(std::chrono::seconds(3)))
        spdlog::warn("event stream: the live feed is not listening yet");
      sink->write("retry: 2000\n\n");
      if (last == 0)
        return sub->go_live({});
      std::vector<live_event> replay;
      try {
        self->db.as_business(biz, [&](pqxx::work& tx) {
          for (auto row : tx.exec_params("SELECT id, kind, data::text FROM live_events WHERE id > $1 "
                                         "ORDER BY id LIMIT 1000",
                                         last))
            replay.push_back({row[0].as<std::int64_t>(), biz, row[1].as<std::string>(),
                              row[2].as<std::string>()});
        });
      } catch (const std::exception& e) {
        spdlog::warn("event stream replay: {}", e.what());
      }
      sub->go_live(replay);
    });
    if (!queued) {
      sink->write("retry: 2000\n\n");
      sub->go_live({});
    }
  };
  return r;
}

} // namespace

// ---------------------------------------------------------------------------------------------

dashboard::dashboard(dashboard_settings settings, http::server& server, store::database& db,
                     worker_pool& blocking, booking::calendar_service& calendar,
                     booking::profile_cache* profiles, const clock& clk)
    : impl_(std::make_shared<impl>(std::move(settings), server, db, blocking, calendar, profiles,
                                   clk)) {}

dashboard::~dashboard() { stop(); }

void dashboard::install() {
  impl_->install_routes();
  std::weak_ptr<impl> w = impl_;
  for (auto m : {"GET", "POST", "PUT", "PATCH", "DELETE"})
    impl_->server.on_prefix(m, "/api/v1/", [w](request r, respond_fn respond) {
      if (auto i = w.lock())
        i->dispatch(std::move(r), std::move(respond));
      else
        respond(problem(503, "Service unavailable", "shutting down"));
    });
  impl_->server.on("GET", "/app", [](request, respond_fn respond) {
    respond(response{301, "text/plain; charset=utf-8", "", {{"Location", "/app/"}}});
  });
  impl_->server.on_prefix("GET", "/app/", [w](request r, respond_fn respond) {
    if (auto i = w.lock())
      i->serve_asset(r, std::move(respond));
  });
  impl_->feed.start();
}

void dashboard::stop() { impl_->feed.stop(); }

std::vector<std::pair<std::string, std::string>> dashboard::api_routes() {
  std::vector<route> table;
  build_routes(table);
  std::vector<std::pair<std::string, std::string>> out{{"POST", "/api/v1/session"},
                                                       {"POST", "/api/v1/invitations/accept"}};
  for (auto& r : table)
    out.emplace_back(r.method, r.pattern);
  return out;
}

} // namespace frontdesk::dashboard
