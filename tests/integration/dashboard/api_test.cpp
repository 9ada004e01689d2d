// The dashboard's API against a whole node and PostgreSQL over loopback: login and sessions,
// CSRF, roles, business scope (another business's ids answer 404), validation (4xx problem
// details, never 500), bookings through the calendar service, the event stream, and the
// OpenAPI document held against the real routes.
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "adapters/dashboard/dashboard.hpp"
#include "adapters/http/http.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"
#include "adapters/store/staff.hpp"
#include "protocols/org/org_file.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A user's side of the API: the session cookie and CSRF token after login.
struct client {
  std::string base, cookie, csrf;

  http::client_response call(const std::string& method, const std::string& path,
                             const std::string& body = "", http::header_list extra = {},
                             bool with_csrf = true) const {
    http::header_list h = std::move(extra);
    if (!cookie.empty())
      h.emplace_back("Cookie", cookie);
    if (with_csrf && !csrf.empty() && method != "GET")
      h.emplace_back("X-CSRF-Token", csrf);
    if (!body.empty())
      h.emplace_back("Content-Type", "application/json");
    auto r = http::fetch(method, base + path, h, body);
    EXPECT_TRUE(r) << method << " " << path;
    return r ? *r : http::client_response{};
  }
  json::value get_json(const std::string& path) const {
    auto r = call("GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body);
  }
};

class dashboard_api : public ::testing::Test {
protected:
  void SetUp() override {
    store::database db(db_.app_dsn(), 2);
    store::businesses_repo repo(db);
    auto text = read_file(std::string(FRONTDESK_SOURCE_DIR) + "/config/demo/bright_smile.json");
    auto org = org::parse_org_file(text);
    ASSERT_TRUE(org);
    auto a = repo.load(*org);
    ASSERT_TRUE(a) << a.error().message;
    biz_a_ = a->business_id;
    org->phone_number = "+15550100002";
    org->name = "Other Dental";
    auto b = repo.load(*org);
    ASSERT_TRUE(b);
    biz_b_ = b->business_id;
    store::staff_repo staff(db);
    ASSERT_TRUE(staff.add(biz_a_, "owner@a.test", "owner", "owner-password"));
    ASSERT_TRUE(staff.add(biz_a_, "admin@a.test", "admin", "admin-password"));
    ASSERT_TRUE(staff.add(biz_a_, "viewer@a.test", "viewer", "viewer-password"));
    ASSERT_TRUE(staff.add(biz_b_, "owner@b.test", "owner", "owner-password"));

    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = "test-auth-token";
    cfg.node.drain_seconds = 0;
    cfg.speech.mode = "echo";
    auto now = parse_rfc3339("2026-03-04T21:00:00Z"); // Wednesday 3 PM in Chicago
    for (int attempt = 0; attempt < 5 && !node_; ++attempt) {
      auto port = 20000 + (::getpid() * 13 + attempt * 211) % 30000;
      cfg.node.listen = "127.0.0.1:" + std::to_string(port);
      cfg.node.public_url = "http://127.0.0.1:" + std::to_string(port);
      node_ = std::make_unique<node>(cfg, make_clock(*now));
      if (!node_->start())
        node_.reset();
    }
    ASSERT_TRUE(node_);
    base_ = "http://127.0.0.1:" + std::to_string(node_->port());
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }

  client login(const std::string& email, const std::string& password) {
    client c{base_, "", ""};
    auto r = c.call("POST", "/api/v1/session",
                    json::serialize(json::object{{"email", email}, {"password", password}}));
    EXPECT_EQ(r.status, 200) << r.body;
    auto set = r.header("Set-Cookie");
    c.cookie = set.substr(0, set.find(';'));
    c.csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return c;
  }
  std::string owner_sql(const std::string& sql) {
    pqxx::connection c(db_.owner_dsn());
    pqxx::nontransaction tx(c);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
  std::string base_, biz_a_, biz_b_;
};

void expect_problem(const http::client_response& r, int status, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << r.body;
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  ASSERT_FALSE(ec) << r.body;
  EXPECT_EQ(v.at("status").as_int64(), status);
  EXPECT_TRUE(v.as_object().contains("title"));
  if (!field.empty()) {
    ASSERT_TRUE(v.as_object().contains("field")) << r.body;
    EXPECT_EQ(v.at("field").as_string(), field) << r.body;
  }
}

} // namespace

TEST_F(dashboard_api, login_sets_a_strict_http_only_cookie_and_a_wrong_password_looks_like_an_unknown_email) {
  client anon{base_, "", ""};
  auto wrong = anon.call("POST", "/api/v1/session", R"({"email":"owner@a.test","password":"nope-nope"})");
  auto unknown = anon.call("POST", "/api/v1/session", R"({"email":"nobody@a.test","password":"nope-nope"})");
  expect_problem(wrong, 401);
  expect_problem(unknown, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_TRUE(wrong.header("Set-Cookie").empty());

  client anon2{base_, "", ""};
  auto ok = anon2.call("POST", "/api/v1/session", R"({"email":"OWNER@a.test","password":"owner-password"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto cookie = ok.header("Set-Cookie");
  EXPECT_NE(cookie.find("fd_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos); // the public URL is plain http here

  auto c = login("owner@a.test", "owner-password");
  auto s = c.get_json("/api/v1/session");
  EXPECT_EQ(s.at("role").as_string(), "owner");
  EXPECT_EQ(s.at("business").at("id").as_string(), biz_a_);
  expect_problem(anon.call("GET", "/api/v1/calls"), 401);
  client forged{base_, "fd_session=forged-token", ""};
  expect_problem(forged.call("GET", "/api/v1/calls"), 401);

  // Logging out revokes the session on the server, not only in the browser.
  EXPECT_EQ(c.call("DELETE", "/api/v1/session").status, 204);
  expect_problem(c.call("GET", "/api/v1/session"), 401);
}

TEST_F(dashboard_api, logins_are_rate_limited_per_account) {
  client anon{base_, "", ""};
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = anon.call("POST", "/api/v1/session", R"({"email":"viewer@a.test","password":"wrong-pass"})");
    if (r.status == 429) {
      ++limited;
      EXPECT_FALSE(r.header("Retry-After").empty());
    } else {
      EXPECT_EQ(r.status, 401);
    }
  }
  EXPECT_GE(limited, 2); // 10 attempts per account in 10 minutes
  // Even the right password is refused while the account is limited.
  auto r = anon.call("POST", "/api/v1/session", R"({"email":"viewer@a.test","password":"viewer-password"})");
  EXPECT_EQ(r.status, 429);
}

TEST_F(dashboard_api, writes_need_the_csrf_token) {
  auto c = login("admin@a.test", "admin-password");
  auto body = R"({"title":"Hours","body":"We open early on Mondays."})";
  expect_problem(c.call("POST", "/api/v1/knowledge", body, {}, false), 403);
  auto wrong = c.call("POST", "/api/v1/knowledge", body, {{"X-CSRF-Token", "wrong"}}, false);
  expect_problem(wrong, 403);
  EXPECT_EQ(c.call("POST", "/api/v1/knowledge", body).status, 201);
}

TEST_F(dashboard_api, roles_limit_what_a_user_may_change) {
  auto viewer = login("viewer@a.test", "viewer-password");
  auto admin = login("admin@a.test", "admin-password");
  auto owner = login("owner@a.test", "owner-password");
  EXPECT_EQ(viewer.call("GET", "/api/v1/appointments").status, 200);
  expect_problem(viewer.call("POST", "/api/v1/appointments",
                             R"({"start":"2026-03-05T11:00","name":"Vi"})"), 403);
  expect_problem(viewer.call("POST", "/api/v1/knowledge", R"({"body":"x"})"), 403);
  expect_problem(viewer.call("PUT", "/api/v1/settings", R"({"greeting":"x"})", {{"If-Match", "*"}}), 403);
  auto staff_body = R"({"email":"new@a.test","role":"viewer","password":"new-password"})";
  expect_problem(admin.call("POST", "/api/v1/staff", staff_body), 403);
  auto added = owner.call("POST", "/api/v1/staff", staff_body);
  ASSERT_EQ(added.status, 201) << added.body;
  auto id = std::string(json::parse(added.body).at("id").as_string());
  expect_problem(owner.call("POST", "/api/v1/staff", staff_body), 409, "email");
  auto fresh = login("new@a.test", "new-password");
  EXPECT_EQ(fresh.call("GET", "/api/v1/session").status, 200);
  EXPECT_EQ(owner.call("DELETE", "/api/v1/staff/" + id).status, 204);
  expect_problem(fresh.call("GET", "/api/v1/session"), 401); // removed: the session ends
}

TEST_F(dashboard_api, an_invitation_link_makes_an_account_once) {
  auto owner = login("owner@a.test", "owner-password");
  auto admin = login("admin@a.test", "admin-password");
  auto body = R"({"email":"hygienist@a.test","role":"admin"})";
  expect_problem(admin.call("POST", "/api/v1/invitations", body), 403);
  expect_problem(admin.call("GET", "/api/v1/invitations"), 403);
  expect_problem(owner.call("POST", "/api/v1/invitations", R"({"email":"nobody","role":"admin"})"), 400, "email");
  expect_problem(owner.call("POST", "/api/v1/invitations", R"({"email":"a@a.test","role":"king"})"), 400, "role");
  auto made = owner.call("POST", "/api/v1/invitations", body);
  ASSERT_EQ(made.status, 201) << made.body;
  auto inv = json::parse(made.body).as_object();
  std::string link(inv.at("link").as_string());
  auto at = link.find("/app/#invite=");
  ASSERT_NE(at, std::string::npos) << link;
  EXPECT_EQ(link.substr(0, at), base_); // the node's public address
  auto token = link.substr(at + 13);
  auto listed = owner.get_json("/api/v1/invitations").at("items").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("email").as_string(), "hygienist@a.test");
  EXPECT_FALSE(listed[0].as_object().contains("link")); // the token is shown once
  // Only the token's hash is stored.
  EXPECT_EQ(owner_sql("SELECT count(*) FROM staff_invitations WHERE position(convert_to('" + token +
                      "', 'UTF8') IN token_sha256) > 0"),
            "0");

  client anon{base_, "", ""};
  auto accept = [&](const std::string& t, const std::string& pw) {
    return anon.call("POST", "/api/v1/invitations/accept",
                     json::serialize(json::object{{"token", t}, {"password", pw}}));
  };
  expect_problem(accept(token, "short"), 400, "password");
  expect_problem(accept("not-a-token", "long-enough-1"), 404, "token");
  auto ok = accept(token, "hygienist-password");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.header("Set-Cookie").find("HttpOnly"), std::string::npos);
  auto s = json::parse(ok.body).as_object();
  EXPECT_EQ(s.at("role").as_string(), "admin");
  EXPECT_EQ(s.at("business").at("id").as_string(), biz_a_);
  EXPECT_EQ(s.at("business").at("today").as_string(), "2026-03-04"); // by the node's clock
  expect_problem(accept(token, "hygienist-password"), 404, "token"); // once only
  auto joined = login("hygienist@a.test", "hygienist-password");
  EXPECT_EQ(joined.call("POST", "/api/v1/knowledge", R"({"body":"Admins write."})").status, 201);
  EXPECT_EQ(owner.get_json("/api/v1/invitations").at("items").as_array().size(), 0u);

  // A revoked link and an invitation of another business: not found, alike.
  auto second = owner.call("POST", "/api/v1/invitations", R"({"email":"temp@a.test","role":"viewer"})");
  auto second_obj = json::parse(second.body).as_object();
  std::string second_id(second_obj.at("id").as_string());
  std::string second_link(second_obj.at("link").as_string());
  auto b = login("owner@b.test", "owner-password");
  expect_problem(b.call("DELETE", "/api/v1/invitations/" + second_id), 404);
  EXPECT_EQ(owner.call("DELETE", "/api/v1/invitations/" + second_id).status, 204);
  expect_problem(owner.call("DELETE", "/api/v1/invitations/" + second_id), 404);
  expect_problem(accept(second_link.substr(second_link.find("#invite=") + 8), "temp-password"), 404,
                 "token");
  // An email that has an account here already: refused, and the invitation stays open.
  auto dup = owner.call("POST", "/api/v1/invitations", R"({"email":"viewer@a.test","role":"viewer"})");
  std::string dup_link(json::parse(dup.body).at("link").as_string());
  expect_problem(accept(dup_link.substr(dup_link.find("#invite=") + 8), "another-password"), 409);
  EXPECT_EQ(owner.get_json("/api/v1/invitations").at("items").as_array().size(), 1u);
  // An expired link is not found either (and is no longer listed).
  owner_sql("UPDATE staff_invitations SET expires_at = '2026-03-04T20:59:00Z' WHERE email = 'viewer@a.test'");
  owner_sql("DELETE FROM staff_users WHERE email = 'viewer@a.test'");
  expect_problem(accept(dup_link.substr(dup_link.find("#invite=") + 8), "another-password"), 404);
  EXPECT_EQ(owner.get_json("/api/v1/invitations").at("items").as_array().size(), 0u);
}

TEST_F(dashboard_api, another_business_ids_answer_404) {
  auto a = login("owner@a.test", "owner-password");
  auto b = login("owner@b.test", "owner-password");
  auto k = a.call("POST", "/api/v1/knowledge", R"({"body":"Secret of business A."})");
  ASSERT_EQ(k.status, 201);
  auto kid = std::string(json::parse(k.body).at("id").as_string());
  auto ap = a.call("POST", "/api/v1/appointments", R"({"start":"2026-03-05T11:00","name":"Ann A"})");
  ASSERT_EQ(ap.status, 201) << ap.body;
  auto aid = std::string(json::parse(ap.body).at("id").as_string());
  auto call_id = owner_sql("INSERT INTO calls (business_id, call_sid, caller, status) VALUES ('" +
                           biz_a_ + "', 'CA-a-1', '+15557770009', 'completed') RETURNING id");

  expect_problem(b.call("PUT", "/api/v1/knowledge/" + kid, R"({"body":"stolen"})"), 404);
  expect_problem(b.call("DELETE", "/api/v1/knowledge/" + kid), 404);
  expect_problem(b.call("DELETE", "/api/v1/appointments/" + aid), 404);
  expect_problem(b.call("PATCH", "/api/v1/appointments/" + aid, R"({"start":"2026-03-05T13:00"})"), 404);
  expect_problem(b.call("GET", "/api/v1/calls/" + call_id), 404);
  expect_problem(b.call("GET", "/api/v1/calls/" + call_id + "/recording"), 404);
  auto bk = b.get_json("/api/v1/knowledge");
  for (auto& e : bk.at("items").as_array())
    EXPECT_NE(e.at("body").as_string(), "Secret of business A.");
  EXPECT_TRUE(b.get_json("/api/v1/calls").at("items").as_array().empty());
  auto b_appts = b.get_json("/api/v1/appointments?from=2026-03-05&to=2026-03-05");
  for (auto& e : b_appts.at("items").as_array())
    EXPECT_NE(e.at("name").as_string(), "Ann A"); // B's own file has appointments of its own
  EXPECT_EQ(a.get_json("/api/v1/calls/" + call_id).at("caller").as_string(), "+15557770009");
  EXPECT_EQ(owner_sql("SELECT body FROM knowledge WHERE id = '" + kid + "'"), "Secret of business A.");
}

TEST_F(dashboard_api, bad_input_is_a_4xx_problem_never_a_500) {
  auto c = login("owner@a.test", "owner-password");
  expect_problem(c.call("POST", "/api/v1/knowledge", "{not json"), 400);
  expect_problem(c.call("POST", "/api/v1/knowledge", "[1,2]"), 400);
  expect_problem(c.call("POST", "/api/v1/knowledge", R"({"body": 5})"), 400, "body");
  expect_problem(c.call("POST", "/api/v1/knowledge", R"({"title":"x"})"), 400, "body");
  expect_problem(c.call("POST", "/api/v1/appointments", R"({"start":"2026-02-31T10:00","name":"A"})"), 400, "start");
  expect_problem(c.call("POST", "/api/v1/appointments", R"({"start":"tomorrow","name":"A"})"), 400, "start");
  expect_problem(c.call("POST", "/api/v1/appointments", R"({"start":"2026-03-05T10:00","name":"A","phone":"12"})"), 400, "phone");
  expect_problem(c.call("GET", "/api/v1/appointments?from=2026-13-01"), 400, "from");
  expect_problem(c.call("GET", "/api/v1/availability?date=2026-02-30"), 400, "date");
  expect_problem(c.call("GET", "/api/v1/calls?limit=100000"), 400, "limit");
  expect_problem(c.call("GET", "/api/v1/calls?before=garbage"), 400, "before");
  expect_problem(c.call("GET", "/api/v1/calls?q=%zz"), 400);
  expect_problem(c.call("GET", "/api/v1/stats?date=2026-99-01"), 400, "date");
  expect_problem(c.call("GET", "/api/v1/calls/not-a-uuid"), 404);
  expect_problem(c.call("GET", "/api/v1/nothing-here"), 404);
  expect_problem(c.call("PATCH", "/api/v1/calls"), 405);
  // Oversized bodies: past the handler's bound and past the server's own limit, both JSON.
  expect_problem(c.call("POST", "/api/v1/session", R"({"email":")" + std::string(5000, 'a') + R"("})"), 413);
  auto huge = c.call("POST", "/api/v1/knowledge", R"({"body":")" + std::string(200 * 1024, 'a') + R"("})");
  expect_problem(huge, 413);
  // A client that speaks no JSON (sends none, asks for none) gets the server's plain text.
  auto plain = http::fetch("POST", base_ + "/api/v1/knowledge", {{"Cookie", c.cookie}},
                           std::string(200 * 1024, 'a'));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 413);
  EXPECT_EQ(plain->header("Content-Type"), "text/plain; charset=utf-8");
  expect_problem(c.call("PATCH", "/api/v1/staff/00000000-0000-0000-0000-000000000000", R"({"role":"king"})"), 400, "role");
  // Opening hours that make no sense are refused with the field named.
  auto s = c.call("GET", "/api/v1/settings");
  auto etag = s.header("ETag");
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"hours":[{"weekday":0,"opens":"17:00","closes":"09:00"}]})",
                        {{"If-Match", etag}}), 400, "hours[0].closes");
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"hours":[{"weekday":9,"opens":"09:00","closes":"17:00"}]})",
                        {{"If-Match", etag}}), 400, "hours[0].weekday");
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"hours":[{"weekday":1,"opens":"09:00","closes":"12:00"},{"weekday":1,"opens":"11:00","closes":"13:00"}]})",
                        {{"If-Match", etag}}), 400, "hours[1]");
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"transfer_number":"call me"})", {{"If-Match", etag}}),
                 400, "transfer_number");
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"appointment_minutes":1})", {{"If-Match", etag}}),
                 400, "appointment_minutes");
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"overrides":[{"day":"2026-12-25","opens":"10:00"}]})",
                        {{"If-Match", etag}}), 400, "overrides[0].closes");
  // Nothing above changed the settings.
  EXPECT_EQ(c.call("GET", "/api/v1/settings").header("ETag"), etag);
}

TEST_F(dashboard_api, settings_change_only_with_the_current_etag) {
  auto c = login("admin@a.test", "admin-password");
  auto s = c.call("GET", "/api/v1/settings");
  auto etag = s.header("ETag");
  ASSERT_FALSE(etag.empty());
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"greeting":"Hi"})"), 428);
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"greeting":"Hi"})", {{"If-Match", "\"stale\""}}), 412);
  auto ok = c.call("PUT", "/api/v1/settings",
                   R"({"greeting":"Hello from the dashboard.","transfer_number":"+15550101234",
                       "hours":[{"weekday":0,"opens":"08:00","closes":"12:00"},{"weekday":0,"opens":"13:00","closes":"18:00"}],
                       "overrides":[{"day":"2026-12-25","note":"Christmas"}]})",
                   {{"If-Match", etag}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.header("ETag"), etag);
  auto v = json::parse(ok.body);
  EXPECT_EQ(v.at("greeting").as_string(), "Hello from the dashboard.");
  EXPECT_EQ(v.at("hours").as_array().size(), 2u);
  EXPECT_EQ(owner_sql("SELECT count(*) FROM business_hour_overrides WHERE business_id = '" + biz_a_ +
                      "' AND day = '2026-12-25' AND opens IS NULL"), "1");
  // The old ETag is stale now: a second editor's save is refused.
  expect_problem(c.call("PUT", "/api/v1/settings", R"({"greeting":"Mine"})", {{"If-Match", etag}}), 412);

  // Quiet hours and reminders: shown, changed, checked.
  EXPECT_EQ(v.at("quiet_start").as_string(), "21:00");
  EXPECT_EQ(v.at("quiet_end").as_string(), "08:00");
  EXPECT_EQ(json::serialize(v.at("reminder_minutes")), "[1440,120]");
  auto etag2 = ok.header("ETag");
  for (auto bad : {R"({"quiet_start":"25:00"})", R"({"quiet_end":"7am"})", R"({"reminder_minutes":[1]})",
                   R"({"reminder_minutes":[60,60]})", R"({"reminder_minutes":"60"})",
                   R"({"reminder_minutes":[1,2,3,4,5,6]})"}) {
    auto r = c.call("PUT", "/api/v1/settings", bad, {{"If-Match", etag2}});
    auto field = std::string(bad).substr(2, std::string(bad).find('"', 2) - 2);
    expect_problem(r, 400, field);
  }
  auto texts = c.call("PUT", "/api/v1/settings",
                      R"({"quiet_start":"20:30","quiet_end":"09:15","reminder_minutes":[2880,60]})",
                      {{"If-Match", etag2}});
  ASSERT_EQ(texts.status, 200) << texts.body;
  EXPECT_EQ(owner_sql("SELECT quiet_start || ' ' || quiet_end || ' ' || reminder_minutes::text FROM "
                      "businesses WHERE id = '" + biz_a_ + "'"),
            "20:30:00 09:15:00 {2880,60}");
}

TEST_F(dashboard_api, bookings_go_through_the_calendar_and_never_double_book) {
  auto c = login("admin@a.test", "admin-password");
  auto slots = c.get_json("/api/v1/availability?date=2026-03-05");
  bool eleven = false;
  for (auto& s : slots.at("slots").as_array())
    eleven |= s.at("start").as_string() == "2026-03-05T11:00";
  EXPECT_TRUE(eleven);
  auto body = R"({"start":"2026-03-05T11:00","name":"Dana Dash","phone":"+15557770100","service":"cleaning"})";
  auto first = c.call("POST", "/api/v1/appointments", body);
  ASSERT_EQ(first.status, 201) << first.body;
  auto id = std::string(json::parse(first.body).at("id").as_string());
  auto again = c.call("POST", "/api/v1/appointments", body);
  expect_problem(again, 409, "start");
  EXPECT_FALSE(json::parse(again.body).at("alternatives").as_array().empty());
  // Ann Lee holds 10:00 (from the business file): taken as well.
  expect_problem(c.call("POST", "/api/v1/appointments", R"({"start":"2026-03-05T10:00","name":"X"})"), 409);
  // Closed on Saturday; too soon today.
  expect_problem(c.call("POST", "/api/v1/appointments", R"({"start":"2026-03-07T10:00","name":"X"})"), 422, "start");
  expect_problem(c.call("POST", "/api/v1/appointments", R"({"start":"2026-03-04T15:00","name":"X"})"), 422, "start");
  EXPECT_EQ(owner_sql("SELECT count(*) FROM appointments WHERE business_id = '" + biz_a_ +
                      "' AND status = 'booked' AND customer_name = 'Dana Dash'"), "1");
  // The confirmation text is queued in the outbox, as for a phone booking.
  EXPECT_EQ(owner_sql("SELECT count(*) FROM outbox WHERE payload->>'appointment_id' = '" + id + "'"), "1");

  // Cancelling frees the slot for the next booking.
  EXPECT_EQ(c.call("DELETE", "/api/v1/appointments/" + id).status, 204);
  expect_problem(c.call("DELETE", "/api/v1/appointments/" + id), 404);
  auto second = c.call("POST", "/api/v1/appointments", body);
  ASSERT_EQ(second.status, 201) << second.body;
  auto id2 = std::string(json::parse(second.body).at("id").as_string());

  // Moving: onto a taken slot is refused; onto a free one replaces the appointment.
  expect_problem(c.call("PATCH", "/api/v1/appointments/" + id2, R"({"start":"2026-03-05T14:00"})"), 409);
  auto moved = c.call("PATCH", "/api/v1/appointments/" + id2, R"({"start":"2026-03-05T15:00"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  auto list = c.get_json("/api/v1/appointments?from=2026-03-05&to=2026-03-05");
  std::set<std::string> starts;
  for (auto& a : list.at("items").as_array())
    starts.insert(std::string(a.at("start").as_string()));
  EXPECT_EQ(starts, (std::set<std::string>{"2026-03-05T10:00", "2026-03-05T14:00", "2026-03-05T15:00"}));
}

TEST_F(dashboard_api, calls_list_detail_recording_and_stats) {
  auto c = login("viewer@a.test", "viewer-password");
  std::string rec = ::testing::TempDir() + "dash_rec_" + std::to_string(::getpid()) + ".ogg";
  {
    std::ofstream out(rec, std::ios::binary);
    for (int i = 0; i < 1000; ++i)
      out.put(static_cast<char>(i % 251));
  }
  for (int i = 0; i < 5; ++i)
    owner_sql("INSERT INTO calls (business_id, call_sid, caller, status, started_at, ended_at, "
              "duration_seconds, appointment_booked, outcome, transcript, latencies, recording_path) "
              "VALUES ('" + biz_a_ + "', 'CA-list-" + std::to_string(i) + "', '+1555777000" +
              std::to_string(i) + "', 'completed', '2026-03-04T1" + std::to_string(5 + i) +
              ":00:00Z', '2026-03-04T1" + std::to_string(5 + i) + ":02:00Z', 120, " +
              (i % 2 ? "true" : "false") + ", 'booked', "
              "'[{\"role\":\"caller\",\"text\":\"I need a cleaning\",\"at_ms\":1000}]', "
              "'[{\"turn\":1,\"first_frame_ms\":" + std::to_string(400 + i * 100) + "}]', '" + rec + "')");
  auto page1 = c.get_json("/api/v1/calls?limit=2");
  ASSERT_EQ(page1.at("items").as_array().size(), 2u);
  EXPECT_EQ(page1.at("items").at(0).at("caller").as_string(), "+15557770004"); // newest first
  auto cursor = std::string(page1.at("next_cursor").as_string());
  auto page2 = c.get_json("/api/v1/calls?limit=2&before=" + cursor);
  EXPECT_EQ(page2.at("items").at(0).at("caller").as_string(), "+15557770002");
  EXPECT_EQ(c.get_json("/api/v1/calls?q=70003").at("items").as_array().size(), 1u);
  EXPECT_EQ(c.get_json("/api/v1/calls?status=booked").at("items").as_array().size(), 2u);

  auto id = std::string(page1.at("items").at(0).at("id").as_string());
  auto detail = c.get_json("/api/v1/calls/" + id);
  EXPECT_EQ(detail.at("transcript").at(0).at("text").as_string(), "I need a cleaning");
  auto rec_url = std::string(detail.at("recording").as_string());
  auto whole = c.call("GET", rec_url);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body.size(), 1000u);
  EXPECT_EQ(whole.header("Accept-Ranges"), "bytes");
  auto part = c.call("GET", rec_url, "", {{"Range", "bytes=10-19"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.header("Content-Range"), "bytes 10-19/1000");
  ASSERT_EQ(part.body.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(part.body[0]), 10);
  auto tail = c.call("GET", rec_url, "", {{"Range", "bytes=-5"}});
  EXPECT_EQ(tail.header("Content-Range"), "bytes 995-999/1000");
  EXPECT_EQ(c.call("GET", rec_url, "", {{"Range", "bytes=5000-"}}).status, 416);
  EXPECT_EQ(c.call("GET", rec_url, "", {{"Range", "chars=1-2"}}).status, 416);

  auto st = c.get_json("/api/v1/stats?date=2026-03-04");
  EXPECT_EQ(st.at("calls").as_int64(), 5);
  EXPECT_EQ(st.at("calls_booked").as_int64(), 2);
  EXPECT_EQ(st.at("average_duration_seconds").to_number<double>(), 120);
  EXPECT_EQ(st.at("per_hour").as_array().size(), 24u);
  EXPECT_EQ(st.at("per_hour").at(9).as_int64(), 1); // 15:00 UTC is 9 AM in Chicago
  EXPECT_NEAR(st.at("voice_latency_p95_ms").to_number<double>(), 780, 1);
  std::remove(rec.c_str());
}

namespace {

// A bare event-stream reader over a socket: sends the request, then collects what arrives.
class sse_reader {
public:
  sse_reader(std::uint16_t port, const std::string& cookie, const std::string& last_id = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                      "\r\nAccept: text/event-stream\r\n" +
                      (last_id.empty() ? "" : "Last-Event-ID: " + last_id + "\r\n") + "\r\n";
    if (connected_)
      (void)!::write(fd_, req.data(), req.size());
  }
  ~sse_reader() { ::close(fd_); }
  // Reads until `needle` has arrived or the time is up.
  bool wait_for(const std::string& needle, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (text_.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
      char buf[4096];
      auto n = ::read(fd_, buf, sizeof buf);
      if (n <= 0)
        return false;
      text_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& text() const { return text_; }
  bool connected() const { return connected_; }

private:
  int fd_ = -1;
  bool connected_ = false;
  std::string text_;
};

} // namespace

TEST_F(dashboard_api, the_event_stream_shows_bookings_at_once_and_resumes_after_last_event_id) {
  auto c = login("admin@a.test", "admin-password");
  auto b = login("owner@b.test", "owner-password");
  sse_reader unauth(node_->port(), "fd_session=nope");
  ASSERT_TRUE(unauth.wait_for("\r\n\r\n", 5s));
  EXPECT_EQ(unauth.text().rfind("HTTP/1.1 401", 0), 0u);

  sse_reader a_stream(node_->port(), c.cookie);
  sse_reader b_stream(node_->port(), b.cookie);
  ASSERT_TRUE(a_stream.wait_for("retry: 2000", 5s));
  ASSERT_TRUE(b_stream.wait_for("retry: 2000", 5s));
  EXPECT_NE(a_stream.text().find("text/event-stream"), std::string::npos);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.call("POST", "/api/v1/appointments", R"({"start":"2026-03-05T16:00","name":"Eve Event"})");
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_TRUE(a_stream.wait_for("Eve Event", 5s)) << a_stream.text();
  auto delay = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(delay, 1s);
  EXPECT_NE(a_stream.text().find("event: appointment"), std::string::npos);
  // Another business's stream hears nothing of it.
  EXPECT_FALSE(b_stream.wait_for("Eve Event", 500ms));

  // The event's id, and a reconnect from the id before it gets the event again.
  auto pos = a_stream.text().rfind("id: ", a_stream.text().find("Eve Event"));
  auto id = std::stoll(a_stream.text().substr(pos + 4));
  sse_reader resumed(node_->port(), c.cookie, std::to_string(id - 1));
  EXPECT_TRUE(resumed.wait_for("Eve Event", 5s)) << resumed.text();
  sse_reader later(node_->port(), c.cookie, std::to_string(id));
  ASSERT_TRUE(later.wait_for("retry: 2000", 5s));
  EXPECT_FALSE(later.wait_for("Eve Event", 500ms));
}

// Services with their own lengths: listed, added, changed and removed by an admin; availability
// and bookings (and moves) use the service's length.
TEST_F(dashboard_api, services_have_their_own_length_and_bookings_use_it) {
  auto viewer = login("viewer@a.test", "viewer-password");
  auto admin = login("admin@a.test", "admin-password");
  auto b = login("owner@b.test", "owner-password");
  EXPECT_TRUE(viewer.get_json("/api/v1/services").at("items").as_array().empty());
  expect_problem(viewer.call("POST", "/api/v1/services", R"({"name":"Root canal","minutes":90})"), 403);
  auto made = admin.call("POST", "/api/v1/services", R"({"name":" Root canal ","minutes":90})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto sv = json::parse(made.body);
  EXPECT_EQ(sv.at("name").as_string(), "Root canal");
  auto id = std::string(sv.at("id").as_string());
  expect_problem(admin.call("POST", "/api/v1/services", R"({"name":"root CANAL","minutes":30})"), 409, "name");
  for (auto [bad, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"name":"X","minutes":3})", "minutes"}, {R"({"name":"X"})", "minutes"},
           {R"({"name":"X","minutes":"90"})", "minutes"}, {R"({"name":"","minutes":30})", "name"},
           {R"({"name":"   ","minutes":30})", "name"}, {R"({"minutes":30})", "name"},
           {R"({"name":"X","minutes":1441})", "minutes"}})
    expect_problem(admin.call("POST", "/api/v1/services", bad), 400, field);
  expect_problem(admin.call("POST", "/api/v1/services", "{nope"), 400);
  EXPECT_EQ(owner_sql("SELECT count(*) FROM services"), "1");
  // Another business sees none of it and cannot touch it.
  EXPECT_TRUE(b.get_json("/api/v1/services").at("items").as_array().empty());
  expect_problem(b.call("PUT", "/api/v1/services/" + id, R"({"name":"Mine","minutes":10})"), 404);
  expect_problem(b.call("DELETE", "/api/v1/services/" + id), 404);

  // Thursday March 5th: open 9-12 and 13-19, Ann 10-11 and Bo 14-15 booked, 60-minute slots.
  auto starts = [&](const std::string& q) {
    std::vector<std::string> out;
    auto v = viewer.get_json("/api/v1/availability?date=2026-03-05" + q);
    for (auto& s : v.at("slots").as_array())
      out.emplace_back(std::string(s.at("start").as_string()).substr(11));
    return out;
  };
  EXPECT_EQ(starts(""), (std::vector<std::string>{"09:00", "11:00", "13:00", "15:00", "16:00", "17:00", "18:00"}));
  EXPECT_EQ(starts("&service=Root%20canal"), (std::vector<std::string>{"15:00", "16:00", "17:00"}));
  EXPECT_EQ(viewer.get_json("/api/v1/availability?date=2026-03-05&service=root+canal").at("minutes").as_int64(), 90);
  expect_problem(viewer.call("GET", "/api/v1/availability?service=" + std::string(201, 'x')), 400, "service");

  // 13:00 fits an hour, not 90 minutes (Bo at 14:00); 15:00 does.
  auto clash = admin.call("POST", "/api/v1/appointments",
                          R"({"start":"2026-03-05T13:00","name":"Rita Root","service":"Root canal"})");
  EXPECT_EQ(clash.status, 409) << clash.body;
  auto ok = admin.call("POST", "/api/v1/appointments",
                       R"({"start":"2026-03-05T15:00","name":"Rita Root","service":"root canal"})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  auto appt = std::string(json::parse(ok.body).at("id").as_string());
  auto length = [&](const std::string& a) {
    return owner_sql("SELECT (extract(epoch FROM upper(during) - lower(during)) / 60)::int FROM appointments "
                     "WHERE id = '" + a + "'");
  };
  EXPECT_EQ(length(appt), "90");
  // A longer length from now on; a move takes the service's length.
  ASSERT_EQ(admin.call("PUT", "/api/v1/services/" + id, R"({"name":"Root canal","minutes":120})").status, 200);
  EXPECT_EQ(viewer.get_json("/api/v1/services").at("items").as_array()[0].at("minutes").as_int64(), 120);
  auto moved = admin.call("PATCH", "/api/v1/appointments/" + appt, R"({"start":"2026-03-05T16:00"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(length(std::string(json::parse(moved.body).at("id").as_string())), "120");
  // Removed: bookings for it take the business's length again.
  EXPECT_EQ(admin.call("DELETE", "/api/v1/services/" + id).status, 204);
  expect_problem(admin.call("DELETE", "/api/v1/services/" + id), 404);
  EXPECT_EQ(starts("&service=Root%20canal").size(), starts("").size());
}

// Staff tasks come from messaging (a text the carrier refused) and the calendar sync; the
// dashboard lists them per business, staff mark them done, and every stream hears of it.
TEST_F(dashboard_api, staff_tasks_are_listed_per_business_and_marked_done_live) {
  auto viewer = login("viewer@a.test", "viewer-password");
  auto admin = login("admin@a.test", "admin-password");
  auto b = login("owner@b.test", "owner-password");
  auto ap = admin.call("POST", "/api/v1/appointments",
                       R"({"start":"2026-03-05T11:00","name":"Lana Landline","phone":"+15557770123"})");
  ASSERT_EQ(ap.status, 201) << ap.body;
  auto appt = std::string(json::parse(ap.body).at("id").as_string());
  auto outbox = owner_sql("SELECT id FROM outbox WHERE payload->>'appointment_id' = '" + appt +
                          "' ORDER BY id LIMIT 1");
  ASSERT_FALSE(outbox.empty());
  sse_reader a_stream(node_->port(), admin.cookie);
  sse_reader b_stream(node_->port(), b.cookie);
  ASSERT_TRUE(a_stream.wait_for("retry: 2000", 5s));
  ASSERT_TRUE(b_stream.wait_for("retry: 2000", 5s));

  // The carrier says the number is a landline (30006): messaging adds the task.
  store::database db(db_.app_dsn(), 1);
  db.as_business(biz_a_, [&](pqxx::work& tx) {
    store::record_delivery_failure(tx, biz_a_, std::stoll(outbox), "+15557770123", 30006,
                                   *parse_rfc3339("2026-03-04T21:01:00Z"));
    return 0;
  });
  owner_sql("INSERT INTO staff_tasks (business_id, kind, note) VALUES ('" + biz_b_ +
            "', 'sms_filtered', 'Secret task of business B')");
  ASSERT_TRUE(a_stream.wait_for("event: task", 5s)) << a_stream.text();
  EXPECT_NE(a_stream.text().find("sms_number_unusable"), std::string::npos);
  EXPECT_FALSE(b_stream.wait_for("sms_number_unusable", 300ms));
  EXPECT_FALSE(a_stream.wait_for("Secret task of business B", 300ms));

  auto open = viewer.get_json("/api/v1/tasks");
  ASSERT_EQ(open.at("items").as_array().size(), 1u) << open;
  EXPECT_EQ(open.at("open").as_int64(), 1);
  auto& t = open.at("items").as_array()[0];
  EXPECT_EQ(t.at("kind").as_string(), "sms_number_unusable");
  EXPECT_EQ(t.at("phone").as_string(), "+15557770123");
  EXPECT_NE(std::string(t.at("note").as_string()).find("landline"), std::string::npos);
  EXPECT_EQ(t.at("appointment").at("name").as_string(), "Lana Landline");
  EXPECT_EQ(t.at("appointment").at("start").as_string(), "2026-03-05T11:00");
  EXPECT_TRUE(t.at("done_at").is_null());
  auto id = std::to_string(t.at("id").as_int64());
  auto b_id = owner_sql("SELECT id FROM staff_tasks WHERE business_id = '" + biz_b_ + "'");

  // A viewer reads but cannot mark; another business's task is not there; bad input is a 400.
  expect_problem(viewer.call("PATCH", "/api/v1/tasks/" + id, R"({"done":true})"), 403);
  expect_problem(admin.call("PATCH", "/api/v1/tasks/" + b_id, R"({"done":true})"), 404);
  expect_problem(admin.call("PATCH", "/api/v1/tasks/" + id, R"({"done":"yes"})"), 400, "done");
  expect_problem(admin.call("PATCH", "/api/v1/tasks/" + id, R"({})"), 400, "done");
  expect_problem(admin.call("PATCH", "/api/v1/tasks/" + id, "[true]"), 400);
  expect_problem(admin.call("PATCH", "/api/v1/tasks/0", R"({"done":true})"), 404);
  expect_problem(admin.call("PATCH", "/api/v1/tasks/-1", R"({"done":true})"), 404);
  expect_problem(admin.call("PATCH", "/api/v1/tasks/99999999999999999999", R"({"done":true})"), 404);
  expect_problem(admin.call("GET", "/api/v1/tasks?status=later"), 400, "status");
  EXPECT_EQ(owner_sql("SELECT count(*) FROM staff_tasks WHERE done_at IS NOT NULL"), "0");

  auto done = admin.call("PATCH", "/api/v1/tasks/" + id, R"({"done":true})");
  ASSERT_EQ(done.status, 200) << done.body;
  auto dv = json::parse(done.body);
  EXPECT_EQ(dv.at("done_by").as_string(), "admin@a.test");
  EXPECT_EQ(std::string(dv.at("done_at").as_string()).substr(0, 16), "2026-03-04T21:00"); // the node's clock
  ASSERT_TRUE(a_stream.wait_for("\"done_at\":\"2026-03-04T21:00", 5s)) << a_stream.text();
  EXPECT_EQ(viewer.get_json("/api/v1/tasks").at("items").as_array().size(), 0u);
  EXPECT_EQ(viewer.get_json("/api/v1/tasks").at("open").as_int64(), 0);
  EXPECT_EQ(viewer.get_json("/api/v1/tasks?status=done").at("items").as_array().size(), 1u);
  auto all = b.get_json("/api/v1/tasks?status=all");
  ASSERT_EQ(all.at("items").as_array().size(), 1u);
  EXPECT_EQ(all.at("items").as_array()[0].at("note").as_string(), "Secret task of business B");
  // Opened again.
  auto reopened = admin.call("PATCH", "/api/v1/tasks/" + id, R"({"done":false})");
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_TRUE(json::parse(reopened.body).at("done_by").is_null());
  EXPECT_EQ(viewer.get_json("/api/v1/tasks").at("open").as_int64(), 1);
}

// The Google Calendar connection as the sync left it, read-only on the Settings page; the sync's
// writes do not make the settings' ETag stale.
TEST_F(dashboard_api, settings_show_the_calendar_connection_state) {
  auto c = login("viewer@a.test", "viewer-password");
  auto none = c.get_json("/api/v1/settings");
  EXPECT_TRUE(none.at("calendar").as_array().empty());
  auto link = owner_sql("INSERT INTO calendar_links (business_id, calendar_id, status, "
                        "last_synced_at, created_at) VALUES ('" + biz_a_ + "', 'owner@brightsmile.test', "
                        "'active', '2026-03-04T20:55:00Z', '2026-03-01T10:00:00Z') RETURNING id");
  owner_sql("INSERT INTO calendar_busy (business_id, link_id, event_id, during) VALUES "
            "('" + biz_a_ + "', '" + link + "', 'e1', '[2026-03-05 15:00Z, 2026-03-05 16:00Z)'), "
            "('" + biz_a_ + "', '" + link + "', 'e2', '[2026-03-06 15:00Z, 2026-03-06 16:00Z)'), "
            "('" + biz_a_ + "', '" + link + "', 'e3', '[2020-01-01 15:00Z, 2020-01-01 16:00Z)')");
  owner_sql("INSERT INTO calendar_links (business_id, calendar_id, status) VALUES ('" + biz_b_ +
            "', 'other@b.test', 'active')");
  auto s = c.call("GET", "/api/v1/settings");
  auto v = json::parse(s.body);
  ASSERT_EQ(v.at("calendar").as_array().size(), 1u) << s.body;
  auto& cal = v.at("calendar").as_array()[0];
  EXPECT_EQ(cal.at("calendar_id").as_string(), "owner@brightsmile.test");
  EXPECT_TRUE(cal.at("connected").as_bool());
  EXPECT_EQ(cal.at("status").as_string(), "active");
  EXPECT_EQ(std::string(cal.at("last_synced_at").as_string()).substr(0, 19), "2026-03-04T20:55:00");
  EXPECT_TRUE(cal.at("last_error").is_null());
  EXPECT_EQ(cal.at("busy_blocks").as_int64(), 3);
  EXPECT_EQ(cal.at("busy_only").as_bool(), false);

  // The sync fails and marks the link broken: shown with its error; the ETag stays.
  owner_sql("UPDATE calendar_links SET status = 'broken', last_error = 'invalid_grant: token revoked', "
            "broken_at = '2026-03-04T20:58:00Z', last_synced_at = '2026-03-04T20:57:00Z' WHERE id = '" +
            link + "'");
  auto s2 = c.call("GET", "/api/v1/settings");
  auto v2 = json::parse(s2.body);
  auto& cal2 = v2.at("calendar").as_array()[0];
  EXPECT_FALSE(cal2.at("connected").as_bool());
  EXPECT_EQ(cal2.at("status").as_string(), "broken");
  EXPECT_EQ(cal2.at("last_error").as_string(), "invalid_grant: token revoked");
  EXPECT_EQ(s2.header("ETag"), s.header("ETag"));
  // A disconnected link is not shown.
  owner_sql("UPDATE calendar_links SET status = 'disabled' WHERE id = '" + link + "'");
  EXPECT_TRUE(c.get_json("/api/v1/settings").at("calendar").as_array().empty());
}

TEST_F(dashboard_api, knowledge_edits_change_the_answer_and_try_shows_the_passage) {
  auto c = login("admin@a.test", "admin-password");
  auto before = c.call("POST", "/api/v1/knowledge/try", R"({"question":"Do you take Humana insurance?"})");
  ASSERT_EQ(before.status, 200) << before.body;
  auto list = c.get_json("/api/v1/knowledge");
  std::string insurance_id;
  for (auto& k : list.at("items").as_array())
    if (std::string(k.at("body").as_string()).find("insurance") != std::string::npos)
      insurance_id = std::string(k.at("id").as_string());
  ASSERT_FALSE(insurance_id.empty());
  auto put = c.call("PUT", "/api/v1/knowledge/" + insurance_id,
                    R"({"title":"insurance","body":"We accept Humana and Cigna insurance."})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto after = json::parse(c.call("POST", "/api/v1/knowledge/try", R"({"question":"Do you take Humana insurance?"})").body);
  EXPECT_TRUE(after.at("found").as_bool());
  EXPECT_EQ(after.at("answer").as_string(), "We accept Humana and Cigna insurance.");
  EXPECT_EQ(c.call("DELETE", "/api/v1/knowledge/" + insurance_id).status, 204);
  expect_problem(c.call("DELETE", "/api/v1/knowledge/" + insurance_id), 404);
}

TEST_F(dashboard_api, the_openapi_document_matches_the_real_routes) {
  auto doc = json::parse(read_file(std::string(FRONTDESK_SOURCE_DIR) +
                                   "/adapters/dashboard/web/openapi.json"));
  std::set<std::pair<std::string, std::string>> documented, served;
  for (auto& [path, item] : doc.at("paths").as_object())
    for (auto& [method, op] : item.as_object()) {
      std::string m(method);
      for (auto& ch : m)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert({m, std::string(path)});
      EXPECT_TRUE(op.as_object().contains("responses")) << m << " " << path;
    }
  for (auto& r : dashboard::dashboard::api_routes())
    served.insert(r);
  EXPECT_EQ(documented, served);

  // Every documented operation reaches its handler on the running node (never the router's 404
  // or 405), with a made-up id where the path has one.
  auto c = login("owner@a.test", "owner-password");
  for (auto& [method, path] : documented) {
    if (path == "/api/v1/events" || (method == "DELETE" && path == "/api/v1/session"))
      continue; // a stream that stays open; logging out is covered above
    auto p = path;
    if (auto at = p.find("{id}"); at != std::string::npos)
      p.replace(at, 4, "00000000-0000-0000-0000-000000000000");
    if (auto at = p.find("{n}"); at != std::string::npos)
      p.replace(at, 3, "999999999");
    auto r = c.call(method, p, method == "GET" || method == "DELETE" ? "" : "{}");
    EXPECT_NE(r.status, 405) << method << " " << p;
    EXPECT_LT(r.status, 500) << method << " " << p << ": " << r.body;
    if (r.status == 404) {
      EXPECT_EQ(r.body.find("no such path"), std::string::npos) << method << " " << p;
    }
  }
  auto served_doc = c.call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(json::parse(served_doc.body), doc);
}

TEST_F(dashboard_api, pages_are_served_from_the_binary) {
  auto index = http::fetch("GET", base_ + "/app/", {}, "");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("/app/app.js"), std::string::npos);
  EXPECT_NE(index->header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  auto js = http::fetch("GET", base_ + "/app/app.js", {}, "");
  EXPECT_EQ(js->header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(http::fetch("GET", base_ + "/app/missing.js", {}, "")->status, 404);
  EXPECT_EQ(http::fetch("GET", base_ + "/app/../etc/passwd", {}, "")->status, 404);
  EXPECT_EQ(http::fetch("GET", base_ + "/app", {}, "")->status, 301);
}
