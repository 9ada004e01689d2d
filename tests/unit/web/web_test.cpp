// The dashboard's pure parts: cookies, JSON bodies and fields, rate limits, problem details.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocols/web/body.hpp"
#include "protocols/web/cookies.hpp"
#include "protocols/web/rate_limiter.hpp"

using namespace frontdesk::web;
using namespace std::chrono_literals;

TEST(cookies, parses_pairs_spaces_and_quotes) {
  auto c = parse_cookies(R"(fd_session=abc; theme="dark" ;x=1=2; empty=)");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 4u);
  EXPECT_EQ(find_cookie(*c, "fd_session"), "abc");
  EXPECT_EQ(find_cookie(*c, "theme"), "dark");
  EXPECT_EQ(find_cookie(*c, "x"), "1=2");
  EXPECT_EQ(find_cookie(*c, "empty"), "");
  EXPECT_FALSE(find_cookie(*c, "missing"));
}

TEST(cookies, skips_malformed_pairs_but_keeps_the_rest) {
  auto c = parse_cookies("junk; =nameless; ;;; fd_session=tok");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ(find_cookie(*c, "fd_session"), "tok");
}

TEST(cookies, every_split_of_a_header_parses_without_failing) {
  std::string h = "a=1; fd_session=\"q\"; b=";
  for (std::size_t i = 0; i <= h.size(); ++i) {
    EXPECT_TRUE(parse_cookies(h.substr(0, i))) << i;
    EXPECT_TRUE(parse_cookies(h.substr(i))) << i;
  }
}

TEST(cookies, refuses_oversized_and_flooded_headers) {
  EXPECT_EQ(parse_cookies(std::string(9000, 'a')).error().code, "cookie_too_large");
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "k" + std::to_string(i) + "=v;";
  EXPECT_EQ(parse_cookies(many).error().code, "too_many_cookies");
}

TEST(cookies, set_cookie_is_http_only_strict_and_secure_on_https) {
  auto plain = set_cookie("fd_session", "tok", {"/", false, std::nullopt});
  EXPECT_EQ(plain, "fd_session=tok; Path=/; HttpOnly; SameSite=Strict");
  auto secure = set_cookie("fd_session", "", {"/", true, 0s});
  EXPECT_EQ(secure, "fd_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0");
}

TEST(cookies, equal_secrets) {
  EXPECT_TRUE(equal_secrets("abc", "abc"));
  EXPECT_FALSE(equal_secrets("abc", "abd"));
  EXPECT_FALSE(equal_secrets("abc", "abcd"));
  EXPECT_FALSE(equal_secrets("", "a"));
}

TEST(rate_limiter, allows_a_burst_then_refuses_then_refills) {
  rate_limiter r(3, 60s);
  auto t0 = rate_limiter::time_point{} + 1000s;
  EXPECT_TRUE(r.allow("ip", t0));
  EXPECT_TRUE(r.allow("ip", t0));
  EXPECT_TRUE(r.allow("ip", t0));
  EXPECT_FALSE(r.allow("ip", t0));
  EXPECT_TRUE(r.allow("other", t0)); // keys are independent
  EXPECT_EQ(r.retry_after("ip", t0), 20s);
  EXPECT_FALSE(r.allow("ip", t0 + 10s));
  EXPECT_TRUE(r.allow("ip", t0 + 31s)); // one token back after 20 s
  EXPECT_FALSE(r.allow("ip", t0 + 31s));
  r.reset("ip");
  EXPECT_TRUE(r.allow("ip", t0 + 31s));
}

TEST(rate_limiter, memory_is_bounded) {
  rate_limiter r(2, 60s, 10);
  auto t0 = rate_limiter::time_point{} + 1000s;
  for (int i = 0; i < 1000; ++i)
    r.allow("k" + std::to_string(i), t0 + std::chrono::seconds(i));
  EXPECT_LE(r.keys(), 10u);
}

TEST(body, parses_objects_only_within_bounds) {
  EXPECT_TRUE(parse_json_object(R"({"a": 1})"));
  EXPECT_EQ(parse_json_object("[1]").error().code, "not_an_object");
  EXPECT_EQ(parse_json_object("{\"a\":").error().code, "bad_json");
  EXPECT_EQ(parse_json_object("").error().code, "bad_json");
  EXPECT_EQ(parse_json_object(std::string(100, ' '), 10).error().code, "body_too_large");
  std::string deep(100, '[');
  EXPECT_EQ(parse_json_object("{\"a\":" + deep + "}").error().code, "bad_json");
  std::string body = R"({"name": "Ann", "n": 3})";
  for (std::size_t i = 0; i < body.size(); ++i) // every cut is refused, never a crash
    EXPECT_FALSE(parse_json_object(body.substr(0, i))) << i;
}

TEST(body, field_reader_names_the_first_bad_field) {
  auto o = parse_json_object(R"({"name": "", "minutes": 5000, "note": 7, "ok": "yes"})");
  ASSERT_TRUE(o);
  field_reader r(*o);
  EXPECT_EQ(r.text("ok", 1, 10), "yes");
  EXPECT_FALSE(r.bad());
  EXPECT_FALSE(r.text("name", 1, 10));
  EXPECT_EQ(r.field(), "name");
  EXPECT_FALSE(r.integer("minutes", 5, 1440)); // a later failure keeps the first
  EXPECT_EQ(r.field(), "name");

  field_reader r2(*o);
  EXPECT_FALSE(r2.integer("minutes", 5, 1440));
  EXPECT_EQ(r2.field(), "minutes");
  field_reader r3(*o);
  EXPECT_FALSE(r3.text("note", 0, 10));
  EXPECT_EQ(r3.message(), "note must be a string");
  field_reader r4(*o);
  EXPECT_FALSE(r4.text("absent", 0, 10));
  EXPECT_FALSE(r4.bad()); // optional and missing
  EXPECT_FALSE(r4.text("absent", 1, 10));
  EXPECT_TRUE(r4.bad());
}

TEST(body, problem_json_has_the_rfc_9457_members) {
  auto v = boost::json::parse(problem_json(400, "Bad request", "greeting is too long", "greeting"));
  EXPECT_EQ(v.at("status").as_int64(), 400);
  EXPECT_EQ(v.at("title").as_string(), "Bad request");
  EXPECT_EQ(v.at("detail").as_string(), "greeting is too long");
  EXPECT_EQ(v.at("field").as_string(), "greeting");
  EXPECT_EQ(v.at("type").as_string(), "about:blank");
  EXPECT_FALSE(boost::json::parse(problem_json(404, "Not found", "")).as_object().contains("field"));
}

TEST(body, times_and_dates) {
  EXPECT_TRUE(valid_hhmm("09:00"));
  EXPECT_TRUE(valid_hhmm("24:00"));
  EXPECT_FALSE(valid_hhmm("24:01"));
  EXPECT_FALSE(valid_hhmm("9:00"));
  EXPECT_FALSE(valid_hhmm("09:60"));
  EXPECT_FALSE(valid_hhmm("ab:cd"));
  EXPECT_TRUE(valid_date("2026-03-05"));
  EXPECT_FALSE(valid_date("2026-13-05"));
  EXPECT_FALSE(valid_date("2026-3-5"));
  EXPECT_FALSE(valid_date(""));
}
