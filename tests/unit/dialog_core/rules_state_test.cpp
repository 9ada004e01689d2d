// The rules engine's saved state: a call cut off mid-booking is taken over by a fresh engine
// (on another node) from the JSON, which resumes where the caller was; every truncation and
// malformed state is refused without harm.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "actors/dialog/rules_engine.hpp"

using namespace frontdesk::dialog;

namespace {

std::optional<when> fake_times(std::string_view text) {
  std::string t(text);
  when w;
  if (t.find("thursday") != std::string::npos)
    w.date = "2026-03-05";
  if (t.find("eleven") != std::string::npos)
    w.time = "11:00";
  if (w.date.empty() && w.time.empty())
    return std::nullopt;
  return w;
}

business_context dental() {
  business_context c;
  c.name = "Bright Smile Dental";
  c.services = {"cleaning", "whitening"};
  c.caller_number = "+15557770000";
  return c;
}

// An engine asked for a name, with Thursday at eleven held for a cleaning.
std::string state_at_name() {
  rules_engine e(fake_times);
  e.start(dental());
  auto r = e.on_caller("i'd like to book a cleaning on thursday at eleven");
  EXPECT_EQ(e.save_state(), ""); // a tool call is out: nothing to come back to
  e.on_result(tool_result{"check_slot", true,
                          {{"start", "2026-03-05T11:00"}, {"when_text", "Thursday at 11:00 AM"}},
                          {}, {}});
  EXPECT_EQ(e.current(), rules_engine::state::asking_name);
  return e.save_state();
}

} // namespace

TEST(rules_state, a_booking_cut_off_resumes_where_it_was_on_a_fresh_engine) {
  auto saved = state_at_name();
  ASSERT_FALSE(saved.empty());
  auto v = boost::json::parse(saved).as_object();
  EXPECT_EQ(v.at("v").as_int64(), 1);
  EXPECT_EQ(v.at("step").as_string(), "asking_name");
  EXPECT_EQ(v.at("service").as_string(), "cleaning");

  rules_engine taker(fake_times);
  auto r = taker.resume(dental(), saved);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->say, "Sorry, we were cut off. You were booking a cleaning for Thursday at 11:00 AM."
                    " Now, may I have your name, please?");
  EXPECT_EQ(r->next, expecting::name);
  EXPECT_EQ(taker.current(), rules_engine::state::asking_name);
  // The booking goes on with what was said before the cut.
  r = taker.on_caller("my name is ann lee");
  EXPECT_EQ(taker.current(), rules_engine::state::confirming_booking);
  r = taker.on_caller("yes please");
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "book");
  EXPECT_EQ(r->tools[0].args["start"], "2026-03-05T11:00");
  EXPECT_EQ(r->tools[0].args["name"], "Ann Lee");
  EXPECT_EQ(r->tools[0].args["phone"], "+15557770000");
  EXPECT_EQ(r->tools[0].args["service"], "cleaning");
  taker.on_result(tool_result{"book", true, {}, {}, {}});
  EXPECT_EQ(taker.summarize().outcome, "booked");
  // And what it saves now resumes too, as a finished booking.
  rules_engine third(fake_times);
  auto again = third.resume(dental(), taker.save_state());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->say.rfind("Sorry, we were cut off.", 0), 0u) << again->say;
  EXPECT_NE(again->say.find("Is there anything else I can help with?"), std::string::npos)
      << again->say;
  EXPECT_EQ(third.summarize().outcome, "booked");
}

TEST(rules_state, a_call_cut_off_before_any_request_asks_how_to_help) {
  rules_engine e(fake_times);
  e.start(dental());
  rules_engine taker(fake_times);
  auto r = taker.resume(dental(), e.save_state());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->say, "Sorry, we were cut off. How can I help you?");
}

TEST(rules_state, every_truncation_and_malformed_state_is_refused) {
  auto saved = state_at_name();
  for (std::size_t n = 0; n < saved.size(); ++n) {
    rules_engine e(fake_times);
    EXPECT_FALSE(e.resume(dental(), saved.substr(0, n))) << n;
  }
  for (auto bad : {"", "null", "[]", "{}", R"({"v":2,"flow":"none","step":"listening"})",
                   R"({"v":"1","flow":"none","step":"listening"})",
                   R"({"v":1,"flow":"fly","step":"listening"})",
                   R"({"v":1,"flow":"book","step":"dancing"})", "{\"v\":1,"}) {
    rules_engine e(fake_times);
    EXPECT_FALSE(e.resume(dental(), bad)) << bad;
  }
  // Wrong types inside are read as absent; a step missing what it needs goes back a step.
  rules_engine e(fake_times);
  auto r = e.resume(dental(), R"({"v":1,"flow":"book","step":"confirming_booking","slot":7,)"
                              R"("offers":[1,2],"name":{},"misses":99})");
  ASSERT_TRUE(r);
  EXPECT_EQ(e.current(), rules_engine::state::asking_when);
  EXPECT_EQ(r->say, "Sorry, we were cut off. You were booking an appointment. What day and time "
                    "would work best for you?");
}
