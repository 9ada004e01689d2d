// The Chat Completions client against a fake OpenAI server on a real socket: streaming,
// headers, retries with Retry-After, failures that must not be retried, and timeouts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/llm/client.hpp"
#include "tests/support/fake_openai.hpp"

using namespace frontdesk;
using namespace frontdesk::llm;
using namespace frontdesk::fixtures;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;
namespace json = boost::json;

namespace {

chat_request hello() {
  chat_request r;
  r.messages = {{"system", "You are a receptionist.", {}, ""}, {"user", "Are you open today?", {}, ""}};
  return r;
}

// Options for a fast test: short backoff, waits recorded instead of slept.
client_options fast(const fake_openai& server, std::vector<milliseconds>* waits = nullptr) {
  client_options o;
  o.base_url = server.base_url();
  o.api_key = "sk-test-123";
  o.timeout = 5s;
  o.backoff_base = 10ms;
  if (waits)
    o.sleep = [waits](milliseconds d) { waits->push_back(d); };
  return o;
}

scripted_reply sse(std::vector<std::string> events, milliseconds gap = 0ms) {
  scripted_reply r;
  r.chunks = std::move(events);
  r.gap = gap;
  return r;
}

scripted_reply status(int code, std::string body, header_pairs headers = {}) {
  scripted_reply r;
  r.status = code;
  r.content_type = "application/json";
  r.chunks = {std::move(body)};
  r.headers = std::move(headers);
  return r;
}

} // namespace

TEST(llm_client, streams_a_reply_piece_by_piece) {
  fake_openai server([](const recorded_request&, int) {
    return sse(text_events({"Yes,", " we're open", " until five."}), 40ms);
  });
  client c(fast(server));
  std::vector<std::pair<std::string, steady::time_point>> deltas;
  auto t0 = steady::now();
  auto r = c.chat(hello(), [&](std::string_view d) { deltas.emplace_back(std::string(d), steady::now()); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "Yes, we're open until five.");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->attempts, 1);
  EXPECT_TRUE(r->tool_calls.empty());
  ASSERT_EQ(deltas.size(), 3u);
  EXPECT_EQ(deltas[0].first, "Yes,");
  EXPECT_EQ(deltas[2].first, " until five.");
  // The pieces came as the server wrote them, not all at the end.
  EXPECT_GE(deltas[2].second - deltas[0].second, 60ms);
  EXPECT_GE(r->time_to_first_token, 30ms); // the first piece is the second event
  EXPECT_LE(r->time_to_first_token, std::chrono::duration_cast<milliseconds>(deltas[0].second - t0) + 5ms);

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v1/chat/completions");
  EXPECT_EQ(reqs[0].header("Authorization"), "Bearer sk-test-123");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
  auto body = json::parse(reqs[0].body).as_object();
  EXPECT_EQ(body.at("stream").as_bool(), true);
  EXPECT_EQ(body.at("model").as_string(), "gpt-4o-mini");
  EXPECT_EQ(body.at("messages").as_array()[1].at("content").as_string(), "Are you open today?");
}

TEST(llm_client, no_authorization_header_without_a_key_and_connections_are_reused) {
  fake_openai server([](const recorded_request&, int) { return sse(text_events({"ok"})); });
  auto o = fast(server);
  o.api_key.clear();
  o.base_url += "/"; // a trailing slash is tolerated
  client c(o);
  ASSERT_TRUE(c.chat(hello()));
  ASSERT_TRUE(c.chat(hello()));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_FALSE(reqs[0].header("Authorization"));
  EXPECT_EQ(reqs[1].target, "/v1/chat/completions");
}

TEST(llm_client, assembles_a_streamed_tool_call) {
  fake_openai server([](const recorded_request&, int) {
    return sse(tool_events("call_7", "check_slot", {"{\"date\":", "\"2026-03-05\",", "\"time\":\"14:00\"}"},
                           {"One moment."}),
               5ms);
  });
  client c(fast(server));
  std::string streamed;
  auto r = c.chat(hello(), [&](std::string_view d) { streamed += d; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(streamed, "One moment.");
  EXPECT_EQ(r->finish_reason, "tool_calls");
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(r->tool_calls[0].id, "call_7");
  EXPECT_EQ(r->tool_calls[0].name, "check_slot");
  EXPECT_EQ(r->tool_calls[0].arguments, R"({"date":"2026-03-05","time":"14:00"})");
}

TEST(llm_client, a_429_with_retry_after_is_waited_out_then_succeeds) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return status(429, error_body("Rate limit reached for gpt-4o-mini", "requests", "rate_limit_exceeded"),
                    {{"Retry-After", "1"}});
    return sse(text_events({"Hello again."}));
  });
  auto o = fast(server);
  o.sleep = nullptr; // really sleep
  client c(o);
  auto t0 = steady::now();
  auto r = c.chat(hello());
  auto took = steady::now() - t0;
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "Hello again.");
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(server.count(), 2);
  EXPECT_GE(took, 1000ms); // Retry-After: 1 second, not the 10 ms backoff
  EXPECT_LT(took, 3000ms);
  EXPECT_GE(r->time_to_first_token, 1000ms); // counted from the call, retries included
}

TEST(llm_client, retry_after_ms_wins_over_retry_after) {
  fake_openai server([](const recorded_request&, int n) {
    if (n < 3)
      return status(429, error_body("slow down", "requests", "rate_limit_exceeded"),
                    {{"retry-after-ms", "250"}, {"Retry-After", "2"}});
    return sse(text_events({"ok"}));
  });
  std::vector<milliseconds> waits;
  client c(fast(server, &waits));
  auto r = c.chat(hello());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(waits, (std::vector<milliseconds>{250ms, 250ms}));
}

TEST(llm_client, server_errors_are_retried_up_to_max_attempts_with_growing_backoff) {
  fake_openai server([](const recorded_request&, int) {
    return status(500, error_body("The server had an error while processing your request.", "server_error"));
  });
  std::vector<milliseconds> waits;
  auto o = fast(server, &waits);
  o.max_attempts = 4;
  o.backoff_base = 100ms;
  client c(o);
  auto r = c.chat(hello());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "llm_http_500");
  EXPECT_NE(r.error().message.find("The server had an error"), std::string::npos);
  EXPECT_NE(r.error().message.find("after 4 attempts"), std::string::npos);
  EXPECT_EQ(server.count(), 4);
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_GE(waits[0], 75ms);
  EXPECT_LE(waits[0], 100ms);
  EXPECT_GE(waits[1], 150ms);
  EXPECT_LE(waits[1], 200ms);
  EXPECT_GE(waits[2], 300ms);
  EXPECT_LE(waits[2], 400ms);
}

TEST(llm_client, a_503_then_success) {
  fake_openai server([](const recorded_request&, int n) {
    return n == 1 ? status(503, "<html>overloaded</html>") : sse(text_events({"Back."}));
  });
  std::vector<milliseconds> waits;
  client c(fast(server, &waits));
  auto r = c.chat(hello());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(waits.size(), 1u);
}

TEST(llm_client, other_4xx_are_not_retried) {
  for (int code : {400, 401, 404}) {
    fake_openai server([code](const recorded_request&, int) {
      return status(code, error_body("Incorrect API key provided: sk-test", "invalid_request_error",
                                     "invalid_api_key"));
    });
    std::vector<milliseconds> waits;
    client c(fast(server, &waits));
    auto r = c.chat(hello());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "llm_http_" + std::to_string(code));
    EXPECT_NE(r.error().message.find("Incorrect API key"), std::string::npos);
    EXPECT_EQ(server.count(), 1) << code;
    EXPECT_TRUE(waits.empty());
  }
}

TEST(llm_client, an_exhausted_quota_429_is_not_retried) {
  fake_openai server([](const recorded_request&, int) {
    return status(429, error_body("You exceeded your current quota", "insufficient_quota", "insufficient_quota"));
  });
  client c(fast(server));
  auto r = c.chat(hello());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "llm_http_429");
  EXPECT_EQ(server.count(), 1);
}

TEST(llm_client, a_refused_connection_is_retried_then_fails) {
  std::string url;
  {
    fake_openai gone([](const recorded_request&, int) { return sse({}); });
    url = gone.base_url();
  } // closed: the port now refuses
  client_options o;
  o.base_url = url;
  o.backoff_base = 1ms;
  std::vector<milliseconds> waits;
  o.sleep = [&](milliseconds d) { waits.push_back(d); };
  client c(o);
  auto r = c.chat(hello());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "llm_connect");
  EXPECT_EQ(waits.size(), 2u); // three attempts
}

TEST(llm_client, a_stream_cut_off_before_any_text_is_retried) {
  fake_openai server([](const recorded_request&, int n) {
    auto r = sse(text_events({"Hi there."}));
    if (n == 1) {
      r.chunks.resize(1); // the role delta only, then the connection drops
      r.cut_off = true;
    }
    return r;
  });
  client c(fast(server));
  std::string streamed;
  auto r = c.chat(hello(), [&](std::string_view d) { streamed += d; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(streamed, "Hi there."); // nothing twice
}

TEST(llm_client, a_stream_cut_off_after_text_fails_without_a_retry) {
  fake_openai server([](const recorded_request&, int) {
    auto r = sse(text_events({"We are", " open"}));
    r.chunks.resize(2);
    r.cut_off = true;
    return r;
  });
  client c(fast(server));
  std::string streamed;
  auto r = c.chat(hello(), [&](std::string_view d) { streamed += d; });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().code == "llm_truncated" || r.error().code == "llm_transport") << r.error().code;
  EXPECT_EQ(streamed, "We are");
  EXPECT_EQ(server.count(), 1);
}

TEST(llm_client, an_error_event_before_text_is_retried) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return sse({sse_data(R"({"error":{"message":"overloaded","type":"server_error"}})")});
    return sse(text_events({"Fine."}));
  });
  client c(fast(server));
  auto r = c.chat(hello());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "Fine.");
  EXPECT_EQ(r->attempts, 2);
}

TEST(llm_client, a_server_that_ignores_stream_true_still_works) {
  fake_openai server([](const recorded_request&, int) {
    return status(200, R"({"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Plain answer."},"finish_reason":"stop"}]})");
  });
  client c(fast(server));
  std::string streamed;
  auto r = c.chat(hello(), [&](std::string_view d) { streamed += d; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "Plain answer.");
  EXPECT_EQ(streamed, "Plain answer.");
}

TEST(llm_client, a_silent_server_times_out_and_is_not_retried) {
  fake_openai server([](const recorded_request&, int) {
    auto r = sse(text_events({"too late"}));
    r.stall = 3s;
    return r;
  });
  auto o = fast(server);
  o.timeout = 300ms;
  client c(o);
  auto t0 = steady::now();
  auto r = c.chat(hello());
  auto took = steady::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "llm_timeout");
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2000ms);
  EXPECT_EQ(server.count(), 1);
}

TEST(llm_client, a_stream_that_stalls_midway_times_out) {
  fake_openai server([](const recorded_request&, int) {
    return sse(text_events({"Let me", " see", " what", " we", " have"}), 200ms);
  });
  auto o = fast(server);
  o.timeout = 500ms;
  client c(o);
  std::string streamed;
  auto r = c.chat(hello(), [&](std::string_view d) { streamed += d; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "llm_timeout");
  EXPECT_EQ(streamed.rfind("Let me", 0), 0u); // some text came before the deadline
  EXPECT_EQ(server.count(), 1);
}

TEST(llm_client, an_event_stream_under_another_content_type_is_still_decoded) {
  fake_openai server([](const recorded_request&, int) {
    auto r = sse(text_events({"Still", " streamed."}));
    r.content_type = "text/plain; charset=utf-8";
    return r;
  });
  client c(fast(server));
  std::string streamed;
  auto r = c.chat(hello(), [&](std::string_view d) { streamed += d; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->text, "Still streamed.");
  EXPECT_EQ(streamed, "Still streamed.");
  EXPECT_EQ(r->finish_reason, "stop");
}
