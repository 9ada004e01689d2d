// The LLM dialog engine talking to a fake OpenAI server over a real socket, in the real
// streaming and tool-call format: replies, tool round trips, invalid arguments corrected by the
// model, retries, failures handed to the rules engine, interruptions and the summary.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "actors/dialog/fallback_engine.hpp"
#include "actors/dialog/llm_engine.hpp"
#include "actors/dialog/rules_engine.hpp"
#include "tests/support/fake_openai.hpp"

using namespace frontdesk;
using namespace frontdesk::dialog;
using namespace frontdesk::fixtures;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

business_context dental(bool can_transfer = false) {
  business_context c;
  c.name = "Bright Smile Dental";
  c.greeting = "Thanks for calling Bright Smile. How can I help?";
  c.timezone = "America/New_York";
  c.hours_text = "Monday to Friday, 9 AM to 5 PM";
  c.address = "1200 Main Street";
  c.services = {"cleaning", "whitening"};
  c.can_transfer = can_transfer;
  c.caller_number = "+15557770000";
  return c;
}

// Thursday, March 5, 2026, 10:15 in the business's zone.
std::chrono::local_seconds thursday_morning() {
  using namespace std::chrono;
  return local_days{year{2026} / March / 5} + hours{10} + minutes{15};
}

std::shared_ptr<llm::client> client_for(const fake_openai& server, int attempts = 3,
                                        std::chrono::milliseconds timeout = 5s) {
  llm::client_options o;
  o.base_url = server.base_url();
  o.api_key = "sk-frontdesk-test";
  o.max_attempts = attempts;
  o.backoff_base = 5ms;
  o.timeout = timeout;
  return std::make_shared<llm::client>(o);
}

llm_engine make_engine(const fake_openai& server, int attempts = 3) {
  return llm_engine(client_for(server, attempts), thursday_morning);
}

scripted_reply events(std::vector<std::string> e) {
  scripted_reply r;
  r.chunks = std::move(e);
  r.gap = 2ms;
  return r;
}

scripted_reply says(const std::vector<std::string>& pieces) { return events(text_events(pieces)); }

// Several tool calls in one streamed turn.
scripted_reply calls(const std::vector<std::tuple<std::string, std::string, std::string>>& list) {
  std::vector<std::string> out;
  out.push_back(sse_data(R"({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":null},"finish_reason":null}]})"));
  int i = 0;
  for (auto& [id, name, args] : list) {
    json::object first{{"index", i}, {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}};
    json::object rest{{"index", i}, {"function", {{"arguments", args}}}};
    for (auto& d : {first, rest})
      out.push_back(sse_data(json::serialize(json::object{
          {"id", "c"}, {"object", "chat.completion.chunk"},
          {"choices", json::array{json::object{{"index", 0}, {"delta", {{"tool_calls", json::array{d}}}}, {"finish_reason", nullptr}}}}})));
    ++i;
  }
  out.push_back(sse_data(R"({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"));
  out.push_back(sse_data("[DONE]"));
  return events(out);
}

json::array messages_of(const recorded_request& r) {
  return json::parse(r.body).as_object().at("messages").as_array();
}

std::string str(const json::value& v) { return std::string(v.as_string().data(), v.as_string().size()); }

std::optional<when> fake_times(std::string_view text) {
  std::string t(text);
  when w;
  if (t.find("tomorrow") != std::string::npos)
    w.date = "2026-03-06";
  if (t.find("two p m") != std::string::npos)
    w.time = "14:00";
  if (w.date.empty() && w.time.empty())
    return std::nullopt;
  return w;
}

} // namespace

TEST(llm_engine, greets_without_the_model_and_builds_the_prompt) {
  fake_openai server([](const recorded_request&, int) { return says({"unused"}); });
  auto engine = make_engine(server);
  EXPECT_TRUE(engine.blocking());
  auto r = engine.start(dental());
  EXPECT_EQ(r.say, "Thanks for calling Bright Smile. How can I help?");
  EXPECT_TRUE(r.tools.empty());
  EXPECT_EQ(server.count(), 0);
  ASSERT_EQ(engine.messages().size(), 2u);
  auto& prompt = engine.messages()[0].content;
  for (auto want : {"Bright Smile Dental", "Thursday, March 5, 2026", "2026-03-05", "10:15 AM",
                    "Monday to Friday, 9 AM to 5 PM", "1200 Main Street", "cleaning, whitening",
                    "+15557770000", "end_call", "emergency services"})
    EXPECT_NE(prompt.find(want), std::string::npos) << want;
  EXPECT_EQ(engine.messages()[1].role, "assistant");
}

TEST(llm_engine, a_plain_reply) {
  fake_openai server([](const recorded_request&, int) {
    return says({"Yes, we're open", " until 5 PM today.", " What's your name?"});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto r = engine.on_caller("Are you open this afternoon?");
  EXPECT_EQ(r.say, "Yes, we're open until 5 PM today. What's your name?");
  EXPECT_TRUE(r.tools.empty());
  EXPECT_FALSE(r.end_call);
  EXPECT_EQ(r.next, expecting::name);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("Authorization"), "Bearer sk-frontdesk-test");
  auto body = json::parse(reqs[0].body).as_object();
  EXPECT_TRUE(body.at("stream").as_bool());
  auto msgs = body.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(str(msgs[0].at("role")), "system");
  EXPECT_EQ(str(msgs[1].at("content")), "Thanks for calling Bright Smile. How can I help?");
  EXPECT_EQ(str(msgs[2].at("role")), "user");
  EXPECT_EQ(str(msgs[2].at("content")), "Are you open this afternoon?");
  std::vector<std::string> tools;
  for (auto& t : body.at("tools").as_array())
    tools.push_back(str(t.at("function").at("name")));
  EXPECT_EQ(tools.size(), 9u); // no transfer without a transfer number
  EXPECT_EQ(std::count(tools.begin(), tools.end(), "transfer"), 0);
  EXPECT_EQ(std::count(tools.begin(), tools.end(), "lookup_knowledge"), 1);
  // The reply is now part of the conversation.
  EXPECT_EQ(engine.messages().back().content, r.say);
}

TEST(llm_engine, a_streamed_reply_hands_out_each_sentence_before_the_stream_ends) {
  fake_openai server([](const recorded_request&, int) {
    auto r = says({"Yes, we're open", " until 5 PM today.", " We open at 9 tomorrow.",
                   " What's your name?"});
    r.gap = 150ms; // the stream takes about a second
    return r;
  });
  auto engine = make_engine(server);
  engine.start(dental());
  using clock = std::chrono::steady_clock;
  std::vector<std::pair<std::string, clock::time_point>> handed;
  engine.stream_sentences([&](std::string s) { handed.emplace_back(std::move(s), clock::now()); });
  auto r = engine.on_caller("Are you open this afternoon?");
  auto returned = clock::now();
  // Each sentence went as soon as the next one began; the last stays for the reply.
  ASSERT_EQ(handed.size(), 2u);
  EXPECT_EQ(handed[0].first, "Yes, we're open until 5 PM today.");
  EXPECT_EQ(handed[1].first, "We open at 9 tomorrow.");
  EXPECT_GE(returned - handed[0].second, 400ms); // well before the stream's last events
  EXPECT_EQ(r.say, "What's your name?");
  EXPECT_EQ(r.next, expecting::name);
  // The conversation keeps the whole reply.
  EXPECT_EQ(engine.messages().back().content,
            "Yes, we're open until 5 PM today. We open at 9 tomorrow. What's your name?");
}

TEST(llm_engine, streamed_words_before_tool_calls_are_handed_out_and_the_reply_keeps_the_rest) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return events(tool_events("call_g", "end_call", {"{}"},
                                {"Thanks for calling. ", "Have a great day!"}));
    return says({"unused"});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  std::vector<std::string> handed;
  engine.stream_sentences([&](std::string s) { handed.push_back(std::move(s)); });
  auto r = engine.on_caller("No, that's all, bye");
  EXPECT_EQ(handed, std::vector<std::string>{"Thanks for calling."});
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.say, "Have a great day!"); // never empty: the caller hears the goodbye's end
}

TEST(llm_engine, a_booking_round_trip_through_the_calendar_tool) {
  fake_openai server([](const recorded_request& req, int n) {
    if (n == 1)
      return events(tool_events("call_bk1", "book",
                                {R"({"start":"2026-03-06T14:00",)", R"("name":"Ann Lee","phone":"+1555)",
                                 R"(7770000","service":"cleaning"})"},
                                {"One moment", " while I book that."}));
    if (n == 2)
      return says({"You're booked for Friday at 2 PM.", " Anything else?"});
    // The summary request.
    auto body = json::parse(req.body).as_object();
    EXPECT_EQ(str(body.at("response_format").at("type")), "json_object");
    return says({R"({"summary":"Ann Lee booked a cleaning for Friday at 2 PM.",)",
                 R"("reason":"book a cleaning","outcome":"booked","follow_up":""})"});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto r = engine.on_caller("Book me a cleaning tomorrow at two, it's Ann Lee");
  EXPECT_EQ(r.say, "One moment while I book that.");
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "book");
  EXPECT_EQ(r.tools[0].args, (std::map<std::string, std::string>{{"start", "2026-03-06T14:00"},
                                                                 {"name", "Ann Lee"},
                                                                 {"phone", "+15557770000"},
                                                                 {"service", "cleaning"}}));
  EXPECT_EQ(server.count(), 1);

  tool_result booked{"book", true, {{"appointment_id", "appt-42"}, {"when_text", "Friday, March 6th at 2:00 PM"}}, {}, {}};
  auto after = engine.on_result(booked);
  EXPECT_EQ(after.say, "You're booked for Friday at 2 PM. Anything else?");
  EXPECT_TRUE(after.tools.empty());
  ASSERT_EQ(server.count(), 2);
  auto msgs = messages_of(server.requests()[1]);
  ASSERT_GE(msgs.size(), 5u);
  auto& call_msg = msgs[msgs.size() - 2].as_object();
  EXPECT_EQ(str(call_msg.at("role")), "assistant");
  EXPECT_EQ(str(call_msg.at("tool_calls").as_array()[0].at("id")), "call_bk1");
  EXPECT_EQ(str(call_msg.at("tool_calls").as_array()[0].at("function").at("arguments")),
            R"({"start":"2026-03-06T14:00","name":"Ann Lee","phone":"+15557770000","service":"cleaning"})");
  auto& tool_msg = msgs.back().as_object();
  EXPECT_EQ(str(tool_msg.at("role")), "tool");
  EXPECT_EQ(str(tool_msg.at("tool_call_id")), "call_bk1");
  auto result = json::parse(str(tool_msg.at("content"))).as_object();
  EXPECT_EQ(result.at("ok").as_bool(), true);
  EXPECT_EQ(str(result.at("values").at("appointment_id")), "appt-42");

  auto s = engine.summarize();
  EXPECT_EQ(server.count(), 3);
  EXPECT_EQ(s.outcome, "booked");
  EXPECT_EQ(s.narrative, "Ann Lee booked a cleaning for Friday at 2 PM.");
  EXPECT_EQ(s.reason, "book a cleaning");
  EXPECT_NE(s.text().find("Outcome: booked"), std::string::npos);
  // The summary request carried the transcript.
  auto sum = messages_of(server.requests()[2]);
  EXPECT_NE(str(sum[1].at("content")).find("Caller: Book me a cleaning"), std::string::npos);
}

TEST(llm_engine, invalid_arguments_go_back_to_the_model_which_corrects_them) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1) // a spoken time where the schema wants YYYY-MM-DDTHH:MM, and no phone
      return events(tool_events("call_x1", "book", {R"({"start":"tomorrow at 2 pm","name":"Ann"})"}));
    return events(tool_events("call_x2", "book",
                              {R"({"start":"2026-03-06T14:00","name":"Ann","phone":"+15557770000"})"}));
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto r = engine.on_caller("Book me tomorrow at two, I'm Ann");
  ASSERT_EQ(server.count(), 2);
  ASSERT_EQ(r.tools.size(), 1u); // only the corrected call is run
  EXPECT_EQ(r.tools[0].args.at("start"), "2026-03-06T14:00");
  EXPECT_EQ(r.tools[0].args.at("phone"), "+15557770000");
  auto msgs = messages_of(server.requests()[1]);
  auto& err = msgs.back().as_object();
  EXPECT_EQ(str(err.at("role")), "tool");
  EXPECT_EQ(str(err.at("tool_call_id")), "call_x1");
  EXPECT_NE(str(err.at("content")).find("'start' must be a start as YYYY-MM-DDTHH:MM"), std::string::npos)
      << str(err.at("content"));
  EXPECT_EQ(engine.model_calls(), 2);
}

TEST(llm_engine, a_model_that_keeps_calling_wrongly_gets_two_corrections_then_the_caller_hears_sorry) {
  fake_openai server([](const recorded_request&, int n) {
    return events(tool_events("call_u" + std::to_string(n), "book_slot", {R"({"start":"x"})"}));
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto r = engine.on_caller("Book me in");
  EXPECT_EQ(server.count(), 3); // the first try and two corrections
  EXPECT_TRUE(r.tools.empty());
  EXPECT_EQ(r.say, llm_engine_options{}.sorry);
  auto last = messages_of(server.requests()[2]);
  EXPECT_NE(str(last.back().at("content")).find("there is no tool 'book_slot'"), std::string::npos);
  // The conversation stays well formed: every call answered, then the apology.
  auto& m = engine.messages();
  EXPECT_EQ(m.back().role, "assistant");
  EXPECT_EQ(m[m.size() - 2].role, "tool");
}

TEST(llm_engine, two_calls_in_one_turn_wait_for_both_results) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return calls({{"call_a", "check_slot", R"({"date":"2026-03-06","time":"14:00"})"},
                    {"call_b", "lookup_knowledge", R"({"question":"do you take Delta Dental"})"}});
    return says({"Friday at 2 is open, and yes, we take Delta Dental."});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto r = engine.on_caller("Is Friday at two free, and do you take Delta Dental?");
  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[0].name, "check_slot");
  EXPECT_EQ(r.tools[1].name, "lookup_knowledge");
  EXPECT_EQ(r.tools[1].args.at("question"), "do you take Delta Dental");
  // Results in any order; the model is asked once both are in.
  auto first = engine.on_result({"lookup_knowledge", true, {{"answer", "We accept Delta Dental."}}, {}, {}});
  EXPECT_TRUE(first.say.empty());
  EXPECT_TRUE(first.tools.empty());
  EXPECT_EQ(server.count(), 1);
  auto second = engine.on_result({"check_slot", true, {{"start", "2026-03-06T14:00"}, {"when_text", "Friday at 2 PM"}}, {}, {}});
  EXPECT_EQ(second.say, "Friday at 2 is open, and yes, we take Delta Dental.");
  ASSERT_EQ(server.count(), 2);
  auto msgs = messages_of(server.requests()[1]);
  EXPECT_EQ(str(msgs[msgs.size() - 2].at("tool_call_id")), "call_b");
  EXPECT_EQ(str(msgs.back().at("tool_call_id")), "call_a");
  EXPECT_EQ(engine.summarize().outcome, "answered"); // the summary request fails: own record
}

TEST(llm_engine, a_caller_speaking_over_a_tool_round_closes_it) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return events(tool_events("call_s1", "check_slot", {R"({"date":"2026-03-06"})"}));
    return says({"Sure, Monday then. Morning or afternoon?"});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  ASSERT_EQ(engine.on_caller("What do you have Friday?").tools.size(), 1u);
  auto r = engine.on_caller("Actually, Monday instead");
  EXPECT_EQ(r.say, "Sure, Monday then. Morning or afternoon?");
  auto msgs = messages_of(server.requests()[1]);
  EXPECT_EQ(str(msgs[msgs.size() - 2].at("role")), "tool"); // the open call got its answer
  EXPECT_EQ(str(msgs[msgs.size() - 2].at("tool_call_id")), "call_s1");
  EXPECT_EQ(str(msgs.back().at("content")), "Actually, Monday instead");
  // The late result is dropped without a model call.
  auto late = engine.on_result({"check_slot", true, {}, {}, {}});
  EXPECT_TRUE(late.say.empty());
  EXPECT_EQ(server.count(), 2);
}

TEST(llm_engine, end_call_ends_the_call_with_the_goodbye) {
  fake_openai server([](const recorded_request&, int) {
    return events(tool_events("call_e", "end_call", {"{}"}, {"Thanks for calling, goodbye!"}));
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto r = engine.on_caller("No, that's all, bye");
  EXPECT_TRUE(r.end_call);
  EXPECT_TRUE(r.tools.empty());
  EXPECT_EQ(r.say, "Thanks for calling, goodbye!");
}

TEST(llm_engine, transfer_is_the_transfer_tool_and_a_successful_transfer_ends_the_call) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return events(tool_events("call_t", "transfer", {R"({"reason":"caller asked for a person"})"}));
    return says({"not json at all"});
  });
  auto engine = llm_engine(client_for(server), thursday_morning);
  engine.start(dental(true));
  auto r = engine.on_caller("Can I talk to a real person?");
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "transfer");
  EXPECT_EQ(r.tools[0].args.at("reason"), "caller asked for a person");
  EXPECT_FALSE(r.say.empty()); // said before the line changes
  auto done = engine.on_result({"transfer", true, {}, {}, {}});
  EXPECT_TRUE(done.end_call);
  EXPECT_EQ(server.count(), 1);
  auto s = engine.summarize(); // the model's "summary" is not JSON: the record stands
  EXPECT_EQ(server.count(), 2);
  EXPECT_EQ(s.outcome, "transferred");
  EXPECT_EQ(s.reason, "Can I talk to a real person?");
  EXPECT_TRUE(s.narrative.empty());
}

TEST(llm_engine, an_interrupted_reply_is_remembered_as_heard) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return says({"We're open Monday to Friday from nine to five, and Saturdays by appointment."});
    return says({"Yes, Saturdays too."});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  engine.on_caller("When are you open?");
  engine.on_interrupted("We're open Monday to Friday");
  engine.on_caller("Saturdays?");
  auto msgs = messages_of(server.requests()[1]);
  EXPECT_EQ(str(msgs[msgs.size() - 2].at("content")), "We're open Monday to Friday");
}

TEST(llm_engine, a_rate_limit_is_waited_out) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1) {
      scripted_reply r;
      r.status = 429;
      r.content_type = "application/json";
      r.headers = {{"Retry-After", "1"}};
      r.chunks = {error_body("Rate limit reached", "requests", "rate_limit_exceeded")};
      return r;
    }
    return says({"Sure, what day works for you?"});
  });
  auto engine = make_engine(server);
  engine.start(dental());
  auto t0 = std::chrono::steady_clock::now();
  auto r = engine.on_caller("I need an appointment");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(r.say, "Sure, what day works for you?");
  EXPECT_EQ(server.count(), 2);
}

TEST(llm_engine, a_failing_server_throws_engine_unavailable) {
  fake_openai server([](const recorded_request&, int) {
    scripted_reply r;
    r.stall = 2s;
    return r;
  });
  llm_engine engine(client_for(server, 3, 300ms), thursday_morning);
  engine.start(dental());
  try {
    engine.on_caller("Hello?");
    FAIL() << "expected engine_unavailable";
  } catch (const engine_unavailable& e) {
    EXPECT_EQ(e.why().code, "llm_timeout");
  }
  EXPECT_EQ(server.count(), 1); // a timed-out attempt is not repeated
}

TEST(llm_engine, server_errors_fall_back_to_the_rules_engine_for_the_rest_of_the_call) {
  fake_openai server([](const recorded_request&, int) {
    scripted_reply r;
    r.status = 500;
    r.content_type = "application/json";
    r.chunks = {error_body("The server had an error while processing your request.", "server_error")};
    return r;
  });
  auto primary = std::make_unique<llm_engine>(client_for(server, 3), thursday_morning);
  int made = 0;
  fallback_engine engine(std::move(primary), [&made] {
    ++made;
    return std::make_unique<rules_engine>(fake_times);
  });
  EXPECT_TRUE(engine.blocking());
  auto hello = engine.start(dental());
  EXPECT_EQ(hello.say, "Thanks for calling Bright Smile. How can I help?");
  EXPECT_FALSE(engine.fell_back());

  auto r = engine.on_caller("I'd like to book an appointment tomorrow at two p m");
  EXPECT_EQ(server.count(), 3); // three attempts, then the rules engine
  EXPECT_TRUE(engine.fell_back());
  EXPECT_EQ(made, 1);
  EXPECT_EQ(r.say.find("Thanks for calling"), std::string::npos); // no second greeting
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "check_slot");
  EXPECT_EQ(r.tools[0].args.at("date"), "2026-03-06");
  EXPECT_EQ(r.tools[0].args.at("time"), "14:00");

  auto next = engine.on_result({"check_slot", true, {{"start", "2026-03-06T14:00"}, {"when_text", "Friday, March 6th at 2:00 PM"}, {"hold_id", "h1"}}, {}, {}});
  EXPECT_NE(next.say.find("Friday, March 6th at 2:00 PM"), std::string::npos) << next.say;
  EXPECT_EQ(next.next, expecting::name);
  engine.on_caller("Ann Lee");
  EXPECT_EQ(server.count(), 3); // the model is not asked again
  EXPECT_EQ(made, 1);
  auto s = engine.summarize();
  EXPECT_EQ(server.count(), 3); // nor for the summary
  EXPECT_FALSE(s.reason.empty());
}

TEST(llm_engine, a_failure_after_a_tool_round_replays_the_turn_to_the_rules_engine) {
  fake_openai server([](const recorded_request&, int n) {
    if (n == 1)
      return events(tool_events("call_c", "check_slot", {R"({"date":"2026-03-06","time":"14:00"})"}));
    scripted_reply r;
    r.status = 503;
    r.chunks = {"overloaded"};
    return r;
  });
  fallback_engine engine(std::make_unique<llm_engine>(client_for(server, 2), thursday_morning),
                         [] { return std::make_unique<rules_engine>(fake_times); });
  engine.start(dental());
  auto r = engine.on_caller("I'd like to book tomorrow at two p m");
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_FALSE(engine.fell_back());
  auto after = engine.on_result({"check_slot", true, {{"start", "2026-03-06T14:00"}}, {}, {}});
  EXPECT_TRUE(engine.fell_back());
  EXPECT_EQ(server.count(), 3);
  // The rules engine answers the caller's last turn afresh: its own check.
  ASSERT_EQ(after.tools.size(), 1u);
  EXPECT_EQ(after.tools[0].name, "check_slot");
  EXPECT_EQ(after.tools[0].args.at("date"), "2026-03-06");
}
