// The request body the client sends and its backoff schedule (pure parts, no sockets).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/llm/client.hpp"

using namespace frontdesk::llm;
using std::chrono::milliseconds;
namespace json = boost::json;

TEST(llm_request, body_has_messages_tools_and_stream) {
  chat_request req;
  req.messages = {{"system", "You answer the phone.", {}, ""},
                  {"user", "Book me at two", {}, ""},
                  {"assistant", "", {{"call_1", "book", R"({"start":"2026-03-05T14:00"})"}}, ""},
                  {"tool", R"({"ok":true})", {}, "call_1"}};
  req.tools = {{"book", "Books a slot.",
                R"({"type":"object","properties":{"start":{"type":"string"}},"required":["start"]})"}};
  client_options opts;
  opts.model = "gpt-4o-mini";
  opts.temperature = 0.25;
  auto body = request_body(req, opts);
  ASSERT_TRUE(body) << body.error().message;
  auto v = json::parse(*body).as_object();
  EXPECT_EQ(v.at("model").as_string(), "gpt-4o-mini");
  EXPECT_EQ(v.at("stream").as_bool(), true);
  EXPECT_DOUBLE_EQ(v.at("temperature").as_double(), 0.25);
  EXPECT_EQ(v.at("tool_choice").as_string(), "auto");
  auto& msgs = v.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[0].at("role").as_string(), "system");
  EXPECT_TRUE(msgs[2].at("content").is_null()); // an assistant turn of tool calls only
  auto& call = msgs[2].at("tool_calls").as_array()[0];
  EXPECT_EQ(call.at("id").as_string(), "call_1");
  EXPECT_EQ(call.at("type").as_string(), "function");
  EXPECT_EQ(call.at("function").at("name").as_string(), "book");
  EXPECT_EQ(call.at("function").at("arguments").as_string(), R"({"start":"2026-03-05T14:00"})");
  EXPECT_EQ(msgs[3].at("tool_call_id").as_string(), "call_1");
  auto& tool = v.at("tools").as_array()[0];
  EXPECT_EQ(tool.at("type").as_string(), "function");
  EXPECT_EQ(tool.at("function").at("parameters").at("required").as_array()[0].as_string(), "start");
  EXPECT_FALSE(v.contains("response_format"));

  req.json_object = true;
  req.model = "llama3.1";
  req.temperature = 0.0;
  req.tools.clear();
  v = json::parse(*request_body(req, opts)).as_object();
  EXPECT_EQ(v.at("response_format").at("type").as_string(), "json_object");
  EXPECT_EQ(v.at("model").as_string(), "llama3.1");
  EXPECT_DOUBLE_EQ(v.at("temperature").as_double(), 0.0);
  EXPECT_FALSE(v.contains("tools"));
}

TEST(llm_request, a_tool_with_bad_parameters_is_refused) {
  chat_request req;
  req.messages = {{"user", "hi", {}, ""}};
  req.tools = {{"book", "", "[1,2"}};
  auto body = request_body(req, {});
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, "llm_bad_request");
}

TEST(llm_request, backoff_doubles_caps_jitters_and_honours_retry_after) {
  client_options o;
  o.backoff_base = milliseconds(500);
  o.backoff_cap = milliseconds(8000);
  o.max_retry_after = milliseconds(20000);
  EXPECT_EQ(backoff_delay(o, 1, std::nullopt, 0.0), milliseconds(500));
  EXPECT_EQ(backoff_delay(o, 2, std::nullopt, 0.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(o, 3, std::nullopt, 0.0), milliseconds(2000));
  EXPECT_EQ(backoff_delay(o, 10, std::nullopt, 0.0), milliseconds(8000));
  EXPECT_EQ(backoff_delay(o, 2, std::nullopt, 1.0), milliseconds(750)); // at most 25 % off
  for (double j : {0.1, 0.5, 0.9}) {
    auto d = backoff_delay(o, 2, std::nullopt, j);
    EXPECT_GE(d, milliseconds(750));
    EXPECT_LE(d, milliseconds(1000));
  }
  EXPECT_EQ(backoff_delay(o, 1, milliseconds(3000), 0.7), milliseconds(3000));
  // Longer than the limit: ordinary backoff instead.
  EXPECT_EQ(backoff_delay(o, 1, milliseconds(60000), 0.0), milliseconds(500));
}
