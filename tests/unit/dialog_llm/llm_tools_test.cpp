// The model's function calls checked against the calendar's tools: names, argument names,
// types and forms; what the model is told when a call is wrong.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "actors/dialog/llm_tools.hpp"

using namespace frontdesk;
using namespace frontdesk::dialog;
namespace json = boost::json;

namespace {

expected<tool_call> check(const std::string& name, const std::string& args, bool transfer = true) {
  return validate_tool_call(llm::tool_call{"call_1", name, args}, transfer);
}

} // namespace

TEST(llm_tools, the_definitions_are_the_calendars_tools_with_json_schemas) {
  auto tools = receptionist_tools(true);
  std::vector<std::string> names;
  for (auto& t : tools) {
    names.push_back(t.name);
    auto schema = json::parse(t.parameters).as_object();
    EXPECT_EQ(schema.at("type").as_string(), "object") << t.name;
    EXPECT_EQ(schema.at("additionalProperties").as_bool(), false) << t.name;
    EXPECT_FALSE(t.description.empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"check_slot", "hold_slot", "release_slot", "book",
                                             "find_appointment", "cancel", "reschedule",
                                             "lookup_knowledge", "transfer", "end_call"}));
  auto book = json::parse(tools[3].parameters).as_object();
  auto& props = book.at("properties").as_object();
  EXPECT_TRUE(props.contains("start") && props.contains("name") && props.contains("phone") &&
              props.contains("service"));
  EXPECT_EQ(book.at("required").as_array().size(), 3u);
  auto check_slot = json::parse(tools[0].parameters).as_object();
  EXPECT_EQ(check_slot.at("properties").at("part_of_day").at("enum").as_array().size(), 3u);
  // Without a transfer number there is no transfer tool.
  for (auto& t : receptionist_tools(false))
    EXPECT_NE(t.name, "transfer");
}

TEST(llm_tools, valid_calls_become_calendar_tool_calls) {
  auto b = check("book", R"({"start":"2026-03-05T14:00","name":"Ann Lee","phone":"+15557770000","service":"cleaning"})");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->name, "book");
  EXPECT_EQ(b->args, (std::map<std::string, std::string>{{"start", "2026-03-05T14:00"},
                                                         {"name", "Ann Lee"},
                                                         {"phone", "+15557770000"},
                                                         {"service", "cleaning"}}));
  auto c = check("check_slot", R"({"date":"2026-03-06","part_of_day":"morning"})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->args.at("date"), "2026-03-06");
  EXPECT_EQ(c->args.count("time"), 0u);
  // Seconds and a space for T are normalised to the calendar's form; nulls and blanks are absent.
  auto r = check("reschedule", R"({"appointment_id":"a-1","start":"2026-03-06 09:30:00"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->args.at("start"), "2026-03-06T09:30");
  auto t = check("check_slot", R"({"time":"15:00:00","date":null,"part_of_day":" "})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->args, (std::map<std::string, std::string>{{"time", "15:00"}}));
  EXPECT_TRUE(check("end_call", ""));
  EXPECT_TRUE(check("end_call", "{}"));
  EXPECT_TRUE(check("find_appointment", R"({"phone":"+15557770000"})"));
  EXPECT_EQ(check("lookup_knowledge", R"({"question":"parking"})")->args.at("question"), "parking");
  EXPECT_EQ(check("transfer", R"({"reason":"caller asked"})")->name, "transfer");
}

TEST(llm_tools, invalid_calls_say_what_is_wrong) {
  auto unknown = check("book_slot", "{}");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "llm_tool_unknown");
  EXPECT_NE(unknown.error().message.find("'book_slot'"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("book"), std::string::npos);

  auto bad_json = check("book", R"({"start":"2026-03-05T14:00",)");
  ASSERT_FALSE(bad_json);
  EXPECT_EQ(bad_json.error().code, "llm_tool_bad_json");

  struct bad {
    const char* name;
    const char* args;
    const char* says;
  };
  for (auto& b : {
           bad{"book", R"({"start":"2026-03-05T14:00","name":"Ann"})", "missing required argument 'phone'"},
           bad{"book", R"({"start":"tomorrow at 2","name":"Ann","phone":"1"})", "'start' must be a start as YYYY-MM-DDTHH:MM"},
           bad{"book", R"({"start":"2026-02-30T14:00","name":"Ann","phone":"1"})", "'start' must be"},
           bad{"book", R"({"start":"2026-03-05T14:00","name":"Ann","phone":5557770000})", "'phone' must be a string"},
           bad{"book", R"({"start":"2026-03-05T14:00","name":"Ann","phone":"1","when":"x"})", "unknown argument 'when'"},
           bad{"book", R"(["2026-03-05T14:00"])", "must be a JSON object"},
           bad{"check_slot", R"({"time":"25:00"})", "'time' must be a 24-hour time"},
           bad{"check_slot", R"({"date":"03/05/2026"})", "'date' must be a date as YYYY-MM-DD"},
           bad{"check_slot", R"({"part_of_day":"night"})", "one of morning, afternoon, evening"},
           bad{"check_slot", "{}", "at least one of"},
           bad{"find_appointment", "{}", "at least one of"},
           bad{"cancel", R"({"appointment_id":""})", "missing required argument 'appointment_id'"},
       }) {
    auto r = check(b.name, b.args);
    ASSERT_FALSE(r) << b.args;
    EXPECT_EQ(r.error().code, "llm_tool_bad_args") << b.args;
    EXPECT_NE(r.error().message.find(b.says), std::string::npos) << r.error().message;
  }
  // transfer is unknown where nobody takes transfers.
  EXPECT_EQ(check("transfer", "{}", false).error().code, "llm_tool_unknown");
}
