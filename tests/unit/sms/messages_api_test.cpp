#include "protocols/sms/messages_api.hpp"

#include <gtest/gtest.h>

using namespace frontdesk;
using namespace frontdesk::sms;
using namespace std::chrono_literals;

namespace {
const char* created =
    R"({"sid":"SM0123456789abcdef0123456789abcdef","date_created":"Tue, 27 Nov 2018 16:14:39 +0000",)"
    R"("account_sid":"AC1","to":"+15557770001","from":"+15550001111","body":"Hello",)"
    R"("status":"queued","num_segments":"1","error_code":null,"error_message":null})";
} // namespace

TEST(messages_api, the_create_form_carries_to_from_body_and_callback) {
  auto f = create_form({"+15557770001", "+15550001111", "Hi & bye = 100%", "http://h/twilio/sms-status"});
  EXPECT_EQ(f, "To=%2B15557770001&From=%2B15550001111&Body=Hi%20%26%20bye%20%3D%20100%25&"
               "StatusCallback=http%3A%2F%2Fh%2Ftwilio%2Fsms-status");
}

TEST(messages_api, a_201_is_accepted_with_its_sid) {
  auto o = parse_create_reply(201, created, std::nullopt);
  EXPECT_EQ(o.what, send_outcome::kind::accepted);
  EXPECT_EQ(o.sid, "SM0123456789abcdef0123456789abcdef");
  EXPECT_EQ(o.status, "queued");
}

TEST(messages_api, vendor_errors_map_to_final_or_retry) {
  auto e = [](int code, int status) {
    return R"({"code":)" + std::to_string(code) + R"(,"message":"m","more_info":"x","status":)" +
           std::to_string(status) + "}";
  };
  auto invalid = parse_create_reply(400, e(21211, 400), std::nullopt);
  EXPECT_EQ(invalid.what, send_outcome::kind::final);
  EXPECT_EQ(invalid.error_code, 21211);
  auto stop = parse_create_reply(400, e(21610, 400), std::nullopt);
  EXPECT_EQ(stop.what, send_outcome::kind::final);
  EXPECT_TRUE(stop.opted_out());
  auto slow = parse_create_reply(429, e(20429, 429), 5000ms);
  EXPECT_EQ(slow.what, send_outcome::kind::retry);
  EXPECT_EQ(slow.retry_after, 5000ms);
  EXPECT_FALSE(parse_create_reply(429, e(20429, 429), std::nullopt).retry_after);
  EXPECT_EQ(parse_create_reply(500, "oops", std::nullopt).what, send_outcome::kind::retry);
  EXPECT_EQ(parse_create_reply(503, "", std::nullopt).what, send_outcome::kind::retry);
  EXPECT_EQ(parse_create_reply(400, e(21611, 400), std::nullopt).what, send_outcome::kind::retry);
  EXPECT_EQ(parse_create_reply(400, e(21999, 400), std::nullopt).what, send_outcome::kind::final);
  EXPECT_EQ(parse_create_reply(201, "{}", std::nullopt).what, send_outcome::kind::ambiguous);
  EXPECT_NE(invalid.message.find("21211"), std::string::npos);
}

TEST(messages_api, every_truncation_of_a_reply_is_handled) {
  std::string body = created;
  for (std::size_t i = 0; i < body.size(); ++i) {
    auto o = parse_create_reply(201, body.substr(0, i), std::nullopt);
    EXPECT_EQ(o.what, send_outcome::kind::ambiguous) << i; // never "accepted" without a sid
    auto l = parse_message_list(body.substr(0, i));
    EXPECT_FALSE(l);
  }
}

TEST(messages_api, list_pages_parse_and_find_the_lost_message) {
  std::string page = std::string(R"({"messages":[)") + created + "," +
                     R"({"sid":"SM2","to":"+15557770001","body":"Other","date_created":"Tue, 27 Nov 2018 16:10:00 +0000"}],)"
                     R"("next_page_uri":null,"page":0})";
  auto l = parse_message_list(page);
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].created, parse_rfc3339("2018-11-27T16:14:39Z").value());
  outgoing m{"+15557770001", "+15550001111", "Hello", ""};
  auto found = find_sent(*l, m, *parse_rfc3339("2018-11-27T16:14:00Z"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sid, "SM0123456789abcdef0123456789abcdef");
  // Sent long before this attempt began: an older text with the same words, not ours.
  EXPECT_FALSE(find_sent(*l, m, *parse_rfc3339("2018-11-28T00:00:00Z")));
  m.body = "Hello!";
  EXPECT_FALSE(find_sent(*l, m, *parse_rfc3339("2018-11-27T16:14:00Z")));
  EXPECT_FALSE(parse_message_list(R"({"messages":{}})"));
  EXPECT_FALSE(parse_message_list("[]"));
  EXPECT_TRUE(parse_message_list(R"({"messages":[1,"x",null]})")->empty());
}

TEST(messages_api, rfc2822_dates) {
  EXPECT_EQ(parse_rfc2822("Tue, 27 Nov 2018 16:14:39 +0000"), parse_rfc3339("2018-11-27T16:14:39Z").value());
  EXPECT_EQ(parse_rfc2822("27 Nov 2018 11:14:39 -0500"), parse_rfc3339("2018-11-27T16:14:39Z").value());
  auto t = *parse_rfc3339("2026-03-05T09:07:03Z");
  EXPECT_EQ(format_rfc2822(t), "Thu, 05 Mar 2026 09:07:03 +0000");
  EXPECT_EQ(parse_rfc2822(format_rfc2822(t)), t);
  for (const char* bad : {"", "Tue,", "31 Feb 2018 00:00:00 +0000", "27 Foo 2018 16:14:39 +0000",
                          "27 Nov 2018 25:14:39 +0000", "27 Nov 2018 16:14:39 *0000"})
    EXPECT_FALSE(parse_rfc2822(bad)) << bad;
}

TEST(messages_api, status_callbacks_never_go_backwards_and_terminal_states_stick) {
  // T7
  EXPECT_TRUE(status_advances("queued", "sent"));
  EXPECT_TRUE(status_advances("queued", "delivered"));
  EXPECT_FALSE(status_advances("delivered", "sent"));
  EXPECT_FALSE(status_advances("delivered", "undelivered"));
  EXPECT_FALSE(status_advances("sent", "sent"));
  EXPECT_FALSE(status_advances("failed", "delivered"));
  EXPECT_FALSE(status_advances("queued", "bogus"));
  EXPECT_TRUE(status_advances("sent", "undelivered"));
  EXPECT_TRUE(is_terminal("logged"));
}

namespace {
const char* fetched =
    R"({"sid":"SM0123456789abcdef0123456789abcdef","date_created":"Tue, 27 Nov 2018 16:14:39 +0000",)"
    R"("account_sid":"AC1","to":"+15557770001","from":"+15550001111","body":"Hello",)"
    R"("status":"undelivered","num_segments":"1","error_code":30003,)"
    R"("error_message":"Unreachable destination handset"})";
} // namespace

TEST(messages_api, the_create_form_carries_a_validity_period_when_set) {
  outgoing m{"+15557770001", "+15550001111", "Hi", ""};
  EXPECT_EQ(create_form(m).find("ValidityPeriod"), std::string::npos);
  m.validity_seconds = 1800;
  EXPECT_EQ(create_form(m), "To=%2B15557770001&From=%2B15550001111&Body=Hi&ValidityPeriod=1800");
}

TEST(messages_api, a_message_resource_gives_its_status_and_error_code) {
  auto m = parse_message_resource(fetched);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->sid, "SM0123456789abcdef0123456789abcdef");
  EXPECT_EQ(m->status, "undelivered");
  EXPECT_EQ(m->error_code, 30003);
  EXPECT_EQ(m->error_message, "Unreachable destination handset");
  // A null code, and a code given as a string, as some API versions do.
  auto ok = parse_message_resource(R"({"sid":"SM1","status":"delivered","error_code":null})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->error_code, 0);
  EXPECT_EQ(parse_message_resource(R"({"sid":"SM1","status":"failed","error_code":"30005"})")->error_code,
            30005);
}

TEST(messages_api, a_malformed_or_cut_message_resource_is_refused) {
  std::string body = fetched;
  for (std::size_t i = 0; i < body.size(); ++i)
    EXPECT_FALSE(parse_message_resource(body.substr(0, i))) << i;
  for (const char* bad :
       {"", "null", "[]", "\"SM1\"", "{}", R"({"sid":"SM1"})", R"({"status":"sent"})",
        R"({"sid":1,"status":"sent"})", R"({"sid":"SM1","status":"exploded"})",
        R"({"sid":"SM1","status":7})", "{\"sid\":\"SM1\",\"status\":\"sent\"", "\xff\xfe{}"})
    EXPECT_FALSE(parse_message_resource(bad)) << bad;
  // Every body with one byte cut out or replaced: refused, or a message with a sid and a
  // known status (never a half-read one).
  for (std::size_t i = 0; i < body.size(); ++i) {
    for (auto& variant : {body.substr(0, i) + body.substr(i + 1), body.substr(0, i) + "\"" + body.substr(i + 1)}) {
      auto m = parse_message_resource(variant);
      if (m) {
        EXPECT_FALSE(m->sid.empty()) << variant;
        EXPECT_GT(status_rank(m->status), 0) << variant;
      }
    }
  }
}

TEST(messages_api, a_message_path_takes_only_twilio_ids) {
  const std::string ac = "AC00000000000000000000000000000001";
  const std::string sm = "SM0123456789abcdef0123456789abcdef";
  EXPECT_EQ(message_path(ac, sm), "/2010-04-01/Accounts/" + ac + "/Messages/" + sm + ".json");
  EXPECT_TRUE(message_path(ac, "MM0123456789abcdef0123456789abcdef"));
  for (std::string bad : {std::string(""), std::string("SM1"), sm + "0", sm.substr(0, 33) + "/",
                          std::string("SM0123456789abcdef0123456789abcde."),
                          std::string("XX0123456789abcdef0123456789abcdef"),
                          std::string("SM../../Accounts/AC000000000000000")})
    EXPECT_FALSE(message_path(ac, bad)) << bad;
  EXPECT_FALSE(message_path("AC1", sm));
}

TEST(messages_api, a_reminder_may_wait_at_the_vendor_until_halfway_to_its_appointment) {
  auto start = *parse_rfc3339("2026-03-05T20:00:00Z");
  EXPECT_EQ(reminder_validity(start, start - 2h), 3600);   // the 2 h reminder: by 1 h before
  EXPECT_EQ(reminder_validity(start, start - 1h), 1800);   // the 1 h one: 1800 s
  EXPECT_EQ(reminder_validity(start, start - 24h), 36000); // Twilio's most
  EXPECT_EQ(reminder_validity(start, start - 20min), 600);
  EXPECT_EQ(reminder_validity(start, start - 10min), 300);
  EXPECT_FALSE(reminder_validity(start, start - 9min)); // too late to be of use: not sent
  EXPECT_FALSE(reminder_validity(start, start + 1min));
  EXPECT_EQ(reminder_validity(start, start - 1s, 0s), 1); // never 0 (Twilio's least is 1)
}
