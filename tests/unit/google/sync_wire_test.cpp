// The sync's own wire pieces: the events.list query and its key, what an event means for the
// busy mirror (all-day dates in the business's zone, across DST, free and declined events),
// watch channels, push notification headers (every split and malformed value), and OAuth.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocols/google/sync_wire.hpp"

using namespace frontdesk;
using namespace frontdesk::google;

namespace {

event timed(std::string id, std::string start, std::string end) {
  event e;
  e.id = std::move(id);
  e.status = "confirmed";
  e.start.instant = *parse_rfc3339(start);
  e.end.instant = *parse_rfc3339(end);
  return e;
}

event all_day(std::string id, std::string from, std::string to) {
  event e;
  e.id = std::move(id);
  e.status = "confirmed";
  e.start.date = std::move(from);
  e.end.date = std::move(to);
  return e;
}

using headers = std::vector<std::pair<std::string, std::string>>;

headers push_headers() {
  return {{"X-Goog-Channel-ID", "fd0011"},        {"X-Goog-Channel-Token", "tok-A"},
          {"X-Goog-Resource-ID", "res-1"},         {"X-Goog-Resource-State", "exists"},
          {"X-Goog-Message-Number", "4"},          {"X-Goog-Channel-Expiration", "Fri, 11 Dec 2026 10:00:00 GMT"}};
}

} // namespace

TEST(google_sync_wire, the_list_query_and_its_key) {
  list_params p;
  EXPECT_EQ(list_query(p, "", ""), "maxResults=250&singleEvents=true&showDeleted=true");
  EXPECT_EQ(list_query(p, "CPD/x=", "pg 2"),
            "maxResults=250&singleEvents=true&showDeleted=true&syncToken=CPD%2Fx%3D&pageToken=pg%202");
  auto key = params_key(p);
  p.single_events = false;
  EXPECT_NE(params_key(p), key) << "a token from another query must not be used";
}

TEST(google_sync_wire, the_window_query_looks_without_a_sync_token) {
  auto q = window_query(*parse_rfc3339("2026-03-04T00:00:00Z"), *parse_rfc3339("2026-03-05T06:00:00Z"), "");
  EXPECT_EQ(q, "maxResults=250&singleEvents=true&timeMin=2026-03-04T00%3A00%3A00.000Z"
               "&timeMax=2026-03-05T06%3A00%3A00.000Z");
  EXPECT_EQ(q.find("syncToken"), std::string::npos) << "timeMin and a sync token do not mix";
  auto next = window_query(*parse_rfc3339("2026-03-04T00:00:00Z"), *parse_rfc3339("2026-03-05T06:00:00Z"), "p/2");
  EXPECT_EQ(next, q + "&pageToken=p%2F2");
}

// An instance of a recurring series (singleEvents=true) is an event of its own: its own id
// and instants, blocking like any other; a cancelled instance in its minimal form blocks nothing.
TEST(google_sync_wire, instances_of_a_series_block_like_single_events) {
  auto page = parse_events_page(R"({"kind":"calendar#events","items":[
    {"id":"ser1_20260309T150000Z","status":"confirmed","recurringEventId":"ser1",
     "originalStartTime":{"dateTime":"2026-03-09T10:00:00-05:00","timeZone":"America/Chicago"},
     "start":{"dateTime":"2026-03-09T10:00:00-05:00","timeZone":"America/Chicago"},
     "end":{"dateTime":"2026-03-09T11:00:00-05:00","timeZone":"America/Chicago"}},
    {"kind":"calendar#event","id":"ser1_20260316T150000Z","status":"cancelled","recurringEventId":"ser1",
     "originalStartTime":{"dateTime":"2026-03-16T10:00:00-05:00","timeZone":"America/Chicago"}}],
    "nextSyncToken":"s1"})");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].recurring_event_id, "ser1");
  auto b = block_of(page->items[0], "America/Chicago", false);
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->event_id, "ser1_20260309T150000Z");
  EXPECT_EQ(format_rfc3339((*b)->start), "2026-03-09T15:00:00.000Z");
  auto gone = block_of(page->items[1], "America/Chicago", false);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST(google_sync_wire, timed_events_block_their_own_instants) {
  auto b = block_of(timed("e1", "2026-03-05T09:00:00-06:00", "2026-03-05T10:30:00-06:00"),
                    "America/Chicago", false);
  ASSERT_TRUE(b && *b);
  EXPECT_EQ(format_rfc3339((*b)->start), "2026-03-05T15:00:00.000Z");
  EXPECT_EQ(format_rfc3339((*b)->end), "2026-03-05T16:30:00.000Z");
  // An event in another zone is the same instant whatever the business's zone.
  auto paris = timed("e2", "2026-03-05T14:00:00+01:00", "2026-03-05T15:00:00+01:00");
  paris.start.time_zone = "Europe/Paris";
  auto p = block_of(paris, "America/Chicago", false);
  ASSERT_TRUE(p && *p);
  EXPECT_EQ(format_rfc3339((*p)->start), "2026-03-05T13:00:00.000Z");
}

TEST(google_sync_wire, all_day_dates_are_the_business_s_local_days_across_dst) {
  // March 8th 2026 is the spring-forward day in Chicago: 23 hours long.
  auto b = block_of(all_day("h1", "2026-03-08", "2026-03-09"), "America/Chicago", false);
  ASSERT_TRUE(b && *b) << (b ? "" : b.error().message);
  EXPECT_EQ(format_rfc3339((*b)->start), "2026-03-08T06:00:00.000Z");
  EXPECT_EQ(format_rfc3339((*b)->end), "2026-03-09T05:00:00.000Z");
  // Never through UTC: a Tokyo business's day starts at its own midnight.
  auto t = block_of(all_day("h2", "2026-03-05", "2026-03-06"), "Asia/Tokyo", false);
  ASSERT_TRUE(t && *t);
  EXPECT_EQ(format_rfc3339((*t)->start), "2026-03-04T15:00:00.000Z");
  // Fall back: November 1st 2026 is 25 hours long.
  auto f = block_of(all_day("h3", "2026-11-01", "2026-11-02"), "America/Chicago", false);
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->end - (*f)->start, std::chrono::hours(25));
}

TEST(google_sync_wire, free_declined_cancelled_and_markers_do_not_block) {
  auto free = timed("f", "2026-03-05T15:00:00Z", "2026-03-05T16:00:00Z");
  free.transparency = "transparent";
  EXPECT_FALSE(*block_of(free, "UTC", false));
  auto declined = timed("d", "2026-03-05T15:00:00Z", "2026-03-05T16:00:00Z");
  declined.self_response = "declined";
  EXPECT_FALSE(*block_of(declined, "UTC", false));
  EXPECT_TRUE(*block_of(declined, "UTC", true)) << "the business's setting: declined blocks";
  event cancelled;
  cancelled.id = "c";
  cancelled.status = "cancelled";
  EXPECT_FALSE(*block_of(cancelled, "UTC", false));
  auto marker = all_day("w", "2026-03-05", "2026-03-06");
  marker.event_type = "workingLocation";
  EXPECT_FALSE(*block_of(marker, "UTC", false));
  auto ooo = timed("o", "2026-03-05T15:00:00Z", "2026-03-05T16:00:00Z");
  ooo.event_type = "outOfOffice";
  EXPECT_TRUE(*block_of(ooo, "UTC", false));
}

TEST(google_sync_wire, bad_events_and_zones_fail) {
  EXPECT_FALSE(block_of(timed("x", "2026-03-05T16:00:00Z", "2026-03-05T15:00:00Z"), "UTC", false));
  EXPECT_FALSE(block_of(all_day("y", "2026-03-05", "2026-03-06"), "Mars/Olympus", false));
  auto half = timed("z", "2026-03-05T15:00:00Z", "2026-03-05T16:00:00Z");
  half.end.instant.reset();
  EXPECT_FALSE(block_of(half, "UTC", false));
}

TEST(google_sync_wire, ours_is_recognised_by_the_private_property) {
  auto e = timed("abc0r0", "2026-03-05T15:00:00Z", "2026-03-05T16:00:00Z");
  EXPECT_FALSE(is_ours(e));
  e.private_properties[std::string(appointment_property)] = "a-1";
  EXPECT_TRUE(is_ours(e));
}

TEST(google_sync_wire, watch_bodies_and_replies) {
  auto body = boost::json::parse(watch_body("fd01", "https://x.example/google/calendar/notify", "tok",
                                            std::chrono::seconds(3600)));
  EXPECT_EQ(body.at("type").as_string(), "web_hook");
  EXPECT_EQ(body.at("token").as_string(), "tok");
  EXPECT_EQ(body.at("params").at("ttl").as_string(), "3600");
  auto c = parse_watch_reply(R"({"kind":"api#channel","id":"fd01","resourceId":"r-9",
    "resourceUri":"https://www.googleapis.com/calendar/v3/calendars/primary/events","expiration":"1796983200000"})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->resource_id, "r-9");
  EXPECT_EQ(format_rfc3339(c->expiration), "2026-12-11T10:00:00.000Z");
  for (auto bad : {"", "[]", "{}", R"({"id":"a"})", R"({"id":"a","resourceId":"b"})",
                   R"({"id":"a","resourceId":"b","expiration":"12x"})",
                   R"({"id":"a","resourceId":"b","expiration":""})",
                   R"({"id":"a","resourceId":"b","expiration":"9999999999999999999999"})",
                   R"({"id":"a","resourceId":"b","expiration":-5})"})
    EXPECT_FALSE(parse_watch_reply(bad)) << bad;
  // Every split of a reply is either refused or, whole, read.
  std::string whole = R"({"id":"fd01","resourceId":"r-9","expiration":"1796983200000"})";
  for (std::size_t i = 0; i < whole.size(); ++i)
    EXPECT_FALSE(parse_watch_reply(whole.substr(0, i))) << i;
  EXPECT_TRUE(parse_watch_reply(whole));
  auto stop = boost::json::parse(stop_body("fd01", "r-9"));
  EXPECT_EQ(stop.at("resourceId").as_string(), "r-9");
}

TEST(google_sync_wire, push_headers_are_read_and_judged) {
  auto n = parse_notification(push_headers());
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->channel_id, "fd0011");
  EXPECT_EQ(n->message_number, 4);
  std::string token = "tok-A", resource = "res-1";
  EXPECT_EQ(judge(*n, &token, &resource), push_verdict::sync);
  EXPECT_EQ(judge(*n, nullptr, nullptr), push_verdict::unknown);
  std::string other = "tok-B";
  EXPECT_EQ(judge(*n, &other, &resource), push_verdict::bad_token);
  std::string empty;
  EXPECT_EQ(judge(*n, &empty, &resource), push_verdict::bad_token) << "no stored token: refuse";
  std::string res2 = "res-2";
  EXPECT_EQ(judge(*n, &token, &res2), push_verdict::bad_token);
  auto hello = push_headers();
  hello[3].second = "sync";
  EXPECT_EQ(judge(*parse_notification(hello), &token, &resource), push_verdict::hello);
  // Header names are case-insensitive.
  auto lower = push_headers();
  for (auto& [k, v] : lower)
    for (auto& c : k)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(parse_notification(lower));
}

TEST(google_sync_wire, malformed_push_headers_are_refused) {
  auto drop = [](std::string name) {
    auto h = push_headers();
    std::erase_if(h, [&](auto& p) { return p.first == name; });
    return h;
  };
  EXPECT_FALSE(parse_notification(drop("X-Goog-Channel-ID")));
  EXPECT_FALSE(parse_notification(drop("X-Goog-Resource-State")));
  EXPECT_TRUE(parse_notification(drop("X-Goog-Message-Number")));
  for (auto bad : {"", "-1", "4a", "99999999999999999999", " 4"}) {
    auto h = push_headers();
    h[4].second = bad;
    EXPECT_FALSE(parse_notification(h)) << bad;
  }
  for (auto bad : {"", "update", "EXISTS"}) {
    auto h = push_headers();
    h[3].second = bad;
    EXPECT_FALSE(parse_notification(h)) << bad;
  }
  auto h = push_headers();
  h[0].second = std::string(300, 'a');
  EXPECT_FALSE(parse_notification(h));
  // Every prefix of every header value: refused or read, never a crash.
  for (std::size_t k = 0; k < 5; ++k) {
    auto whole = push_headers()[k].second;
    for (std::size_t i = 0; i <= whole.size(); ++i) {
      auto part = push_headers();
      part[k].second = whole.substr(0, i);
      (void)parse_notification(part);
    }
  }
}

TEST(google_sync_wire, oauth_consent_url_and_forms) {
  oauth_client c{"id-1.apps.googleusercontent.com", "s3cret", "http://127.0.0.1:8080/google/oauth/callback"};
  auto url = consent_url("https://accounts.google.com/", c, "biz.nonce", "CHAL-lenge_");
  EXPECT_EQ(url.rfind("https://accounts.google.com/o/oauth2/v2/auth?", 0), 0u) << url;
  for (auto part : {"access_type=offline", "prompt=consent", "state=biz.nonce",
                    "code_challenge=CHAL-lenge_", "code_challenge_method=S256",
                    "redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fgoogle%2Foauth%2Fcallback",
                    "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar"})
    EXPECT_NE(url.find(part), std::string::npos) << part;
  auto x = code_exchange_form(c, "4/0A&b", "ver");
  EXPECT_NE(x.find("grant_type=authorization_code"), std::string::npos);
  EXPECT_NE(x.find("code=4%2F0A%26b"), std::string::npos);
  EXPECT_NE(x.find("code_verifier=ver"), std::string::npos);
  auto r = refresh_form(c, "1//r");
  EXPECT_NE(r.find("grant_type=refresh_token&refresh_token=1%2F%2Fr"), std::string::npos);
}

TEST(google_sync_wire, base64url_has_no_padding_and_the_url_alphabet) {
  std::vector<std::uint8_t> bytes{0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64url(bytes), "-__-");
  std::vector<std::uint8_t> one{'a'};
  EXPECT_EQ(base64url(one), "YQ");
  EXPECT_EQ(base64url({}), "");
}
