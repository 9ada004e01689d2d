// Google Calendar v3 bodies as Google sends them: events pages (timed, all-day, cancelled,
// transparent, declined, ours), freeBusy with per-calendar errors, token replies, the error
// envelope and what to do about it, and our event ids and bodies.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocols/google/calendar_json.hpp"

using namespace frontdesk;
using namespace frontdesk::google;

namespace {

const std::string page_json = R"({
 "kind": "calendar#events", "timeZone": "America/Chicago", "nextSyncToken": "CPDAlvWDx70CEPDAlvWDx70CGAU=",
 "items": [
  {"id": "ev1", "status": "confirmed", "summary": "Dentist conference",
   "start": {"dateTime": "2026-03-05T09:00:00-06:00"}, "end": {"dateTime": "2026-03-05T10:30:00-06:00"}},
  {"id": "ev2", "status": "confirmed", "summary": "Holiday",
   "start": {"date": "2026-03-06"}, "end": {"date": "2026-03-07"}},
  {"id": "ev3", "status": "cancelled"},
  {"id": "ev4", "status": "confirmed", "transparency": "transparent",
   "start": {"dateTime": "2026-03-05T12:00:00Z"}, "end": {"dateTime": "2026-03-05T13:00:00Z"}},
  {"id": "ev5", "status": "confirmed", "attendees": [{"email": "o@x", "self": true, "responseStatus": "declined"}],
   "start": {"dateTime": "2026-03-05T14:00:00Z", "timeZone": "Europe/Paris"}, "end": {"dateTime": "2026-03-05T15:00:00Z"}},
  {"id": "abc0r1", "status": "confirmed",
   "extendedProperties": {"private": {"frontdeskAppointmentId": "a-1"}},
   "start": {"dateTime": "2026-03-05T16:00:00Z"}, "end": {"dateTime": "2026-03-05T17:00:00Z"}},
  {"id": "ev7", "eventType": "workingLocation",
   "start": {"date": "2026-03-05"}, "end": {"date": "2026-03-06"}}
 ]})";

} // namespace

TEST(google_events, a_page_reads_every_kind_of_event) {
  auto p = parse_events_page(page_json);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->next_sync_token, "CPDAlvWDx70CEPDAlvWDx70CGAU=");
  EXPECT_EQ(p->next_page_token, "");
  EXPECT_EQ(p->time_zone, "America/Chicago");
  ASSERT_EQ(p->items.size(), 7u);
  auto& timed = p->items[0];
  ASSERT_TRUE(timed.start.instant);
  EXPECT_EQ(format_rfc3339(*timed.start.instant), "2026-03-05T15:00:00.000Z");
  EXPECT_TRUE(timed.blocks_time());
  auto& all_day = p->items[1];
  EXPECT_TRUE(all_day.start.all_day());
  EXPECT_EQ(all_day.start.date, "2026-03-06"); // floating: never turned into UTC here
  EXPECT_TRUE(all_day.blocks_time());
  EXPECT_TRUE(p->items[2].cancelled());
  EXPECT_FALSE(p->items[2].blocks_time());
  EXPECT_FALSE(p->items[3].blocks_time()); // transparent
  EXPECT_FALSE(p->items[4].blocks_time()); // declined
  EXPECT_TRUE(p->items[4].blocks_time(true)); // the business counts declined as busy
  EXPECT_EQ(p->items[4].start.time_zone, "Europe/Paris");
  EXPECT_EQ(p->items[5].private_properties.at(std::string(appointment_property)), "a-1");
  EXPECT_FALSE(p->items[6].blocks_time()); // a working-location marker
}

TEST(google_events, malformed_pages_fail_with_a_reason) {
  for (const char* bad : {
           "", "{", "[]", "null", R"({"items": 5})", R"({"items": [5]})",
           R"({"items": [{"status": "confirmed"}]})",
           R"({"items": [{"id": "x", "start": {"dateTime": "yesterday"}, "end": {"date": "2026-03-05"}}]})",
           R"({"items": [{"id": "x", "start": {"date": "2026-13-40"}, "end": {"date": "2026-03-05"}}]})",
           R"({"items": [{"id": "x", "start": {"dateTime": 5}, "end": {"date": "2026-03-05"}}]})",
           R"({"items": [{"id": "x", "status": "confirmed"}]})",
           R"({"nextPageToken": 7})", R"({"items": [{"id": 1}]})"}) {
    auto p = parse_events_page(bad);
    EXPECT_FALSE(p) << bad;
  }
}

TEST(google_events, every_split_of_a_page_is_refused_or_whole) {
  for (std::size_t cut = 0; cut < page_json.size(); ++cut) {
    auto p = parse_events_page(page_json.substr(0, cut));
    // A prefix is never a valid page (the closing brace comes last).
    EXPECT_FALSE(p) << cut;
  }
  EXPECT_TRUE(parse_events_page(page_json));
}

TEST(google_free_busy, reads_busy_periods_and_per_calendar_errors) {
  auto fb = parse_free_busy(R"({"kind":"calendar#freeBusy","calendars":{
    "primary":{"busy":[{"start":"2026-03-20T09:00:00Z","end":"2026-03-20T10:00:00Z"}]},
    "team@x":{"errors":[{"domain":"global","reason":"notFound"}],"busy":[]}}})");
  ASSERT_TRUE(fb) << fb.error().message;
  ASSERT_EQ(fb->calendars.at("primary").busy.size(), 1u);
  EXPECT_EQ(format_rfc3339(fb->calendars.at("primary").busy[0].first), "2026-03-20T09:00:00.000Z");
  EXPECT_TRUE(fb->calendars.at("primary").errors.empty());
  // An error inside a 200: that calendar says nothing about its busy time.
  EXPECT_EQ(fb->calendars.at("team@x").errors, std::vector<std::string>{"notFound"});
  for (const char* bad : {"{}", R"({"calendars":[]})", R"({"calendars":{"p":{"busy":{}}}})",
                          R"({"calendars":{"p":{"busy":[{"start":"2026-03-20T10:00:00Z","end":"2026-03-20T09:00:00Z"}]}}})",
                          R"({"calendars":{"p":{"busy":[{"start":1,"end":2}]}}})"})
    EXPECT_FALSE(parse_free_busy(bad)) << bad;
  auto req = boost::json::parse(free_busy_request(*parse_rfc3339("2026-03-20T00:00:00Z"),
                                                  *parse_rfc3339("2026-03-21T00:00:00Z"),
                                                  {"primary", "team@x"}));
  EXPECT_EQ(req.at("timeMin"), "2026-03-20T00:00:00.000Z");
  EXPECT_EQ(req.at("items").as_array().size(), 2u);
  EXPECT_EQ(req.at("items").as_array()[1].at("id"), "team@x");
}

TEST(google_tokens, refresh_and_invalid_grant) {
  auto ok = parse_token_reply(R"({"access_token":"ya29.a","expires_in":3599,"scope":"x","token_type":"Bearer"})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->access_token, "ya29.a");
  EXPECT_EQ(ok->expires_in, 3599);
  EXPECT_EQ(ok->refresh_token, ""); // absent on a refresh: the caller keeps the old one
  auto revoked = parse_token_reply(R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->error, "invalid_grant");
  for (const char* bad : {"{}", "<html>", R"({"access_token":"a","expires_in":"soon"})",
                          R"({"access_token":5})", R"({"access_token":"a","expires_in":-1})"})
    EXPECT_FALSE(parse_token_reply(bad)) << bad;
}

TEST(google_errors, each_status_and_reason_gets_its_action) {
  auto body = [](int code, const char* reason) {
    return std::string(R"({"error":{"errors":[{"domain":"usageLimits","reason":")") + reason +
           R"(","message":"m"}],"code":)" + std::to_string(code) + R"(,"message":"m"}})";
  };
  EXPECT_EQ(classify_error(200, "").action, error_action::none);
  EXPECT_EQ(classify_error(401, body(401, "authError")).action, error_action::refresh_token);
  EXPECT_EQ(classify_error(403, body(403, "rateLimitExceeded")).action, error_action::back_off);
  EXPECT_EQ(classify_error(403, body(403, "userRateLimitExceeded")).action, error_action::back_off);
  EXPECT_EQ(classify_error(403, body(403, "forbiddenForNonOrganizer")).action, error_action::give_up);
  EXPECT_EQ(classify_error(429, "").action, error_action::back_off);
  EXPECT_EQ(classify_error(503, "<html>oops</html>").action, error_action::back_off);
  EXPECT_EQ(classify_error(410, body(410, "fullSyncRequired")).action, error_action::full_sync);
  EXPECT_EQ(classify_error(410, body(410, "deleted")).action, error_action::gone_is_done);
  EXPECT_EQ(classify_error(409, body(409, "duplicate")).action, error_action::duplicate_id);
  EXPECT_EQ(classify_error(400, body(400, "timeRangeEmpty")).action, error_action::give_up);
  auto e = classify_error(403, body(403, "rateLimitExceeded"));
  EXPECT_EQ(e.reason, "rateLimitExceeded");
  EXPECT_EQ(e.message, "m");
}

TEST(google_event_ids, are_base32hex_stable_and_change_with_the_revision) {
  auto valid = [](const std::string& id) {
    if (id.size() < 5 || id.size() > 1024)
      return false;
    for (char c : id)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v')))
        return false;
    return true;
  };
  auto a = event_id("3f2c1d9e-8b7a-4c6d-9e0f-123456789abc", 0);
  EXPECT_EQ(a, "3f2c1d9e8b7a4c6d9e0f123456789abcr0");
  EXPECT_TRUE(valid(a));
  EXPECT_EQ(a, event_id("3f2c1d9e-8b7a-4c6d-9e0f-123456789abc", 0));
  EXPECT_NE(a, event_id("3f2c1d9e-8b7a-4c6d-9e0f-123456789abc", 1));
  for (auto odd : {"", "x", "Ünïcödé appointment", "a-1", std::string(2000, 'z').c_str()})
    EXPECT_TRUE(valid(event_id(odd, 3))) << odd << " -> " << event_id(odd, 3);
}

TEST(google_event_bodies, carry_our_id_zone_and_appointment) {
  appointment_event a{"3f2c1d9e-8b7a-4c6d-9e0f-123456789abc", 2, "Cleaning - Ann Lee",
                      "Booked by phone", "1200 Main Street",
                      *parse_rfc3339("2026-03-05T17:00:00Z"), *parse_rfc3339("2026-03-05T18:00:00Z"),
                      "America/Chicago"};
  auto v = boost::json::parse(event_body(a));
  EXPECT_EQ(v.at("id"), "3f2c1d9e8b7a4c6d9e0f123456789abcr2");
  EXPECT_EQ(v.at("start").at("timeZone"), "America/Chicago");
  EXPECT_EQ(v.at("start").at("dateTime"), "2026-03-05T17:00:00.000Z");
  EXPECT_EQ(v.at("extendedProperties").at("private").at("frontdeskAppointmentId").as_string(), a.appointment_id);
  // What we write reads back as an event of ours.
  auto back = parse_event(event_body(a));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->private_properties.at(std::string(appointment_property)), a.appointment_id);
  EXPECT_TRUE(back->blocks_time());
}
