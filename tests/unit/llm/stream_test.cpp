// The SSE framing and chat.completion.chunk assembly: recorded streams split at every byte,
// tolerated variations of the framing, and malformed streams that must fail cleanly.
#include <gtest/gtest.h>

#include "adapters/llm/stream.hpp"

using namespace frontdesk;
using namespace frontdesk::llm;

namespace {

// A content reply as api.openai.com streams it (ids shortened).
const std::string content_stream =
    R"(data: {"id":"chatcmpl-B9x","object":"chat.completion.chunk","created":1772600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-B9x","object":"chat.completion.chunk","created":1772600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":"We're"},"logprobs":null,"finish_reason":null}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-B9x","object":"chat.completion.chunk","created":1772600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":" open"},"logprobs":null,"finish_reason":null}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-B9x","object":"chat.completion.chunk","created":1772600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":" until 5 PM \u2014 caf\u00e9 \"hours\"."},"logprobs":null,"finish_reason":null}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-B9x","object":"chat.completion.chunk","created":1772600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-B9x","object":"chat.completion.chunk","created":1772600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[],"usage":{"prompt_tokens":412,"completion_tokens":9,"total_tokens":421,"prompt_tokens_details":{"cached_tokens":0}}})"
    "\n\n"
    "data: [DONE]\n\n";

// A tool call, with a few words before it, CRLF line ends and a keep-alive comment.
const std::string tool_stream =
    ": keep-alive\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me"},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" book that."},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_Qm1","type":"function","function":{"name":"book","arguments":""}}]},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"sta"}}]},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"rt\":\"2026-03-05T14:00\",\"name\":\"Ann Lee\","}}]},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_Zz2","type":"function","function":{"name":"lookup_knowledge","arguments":"{\"question\":"}}]},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"phone\":\"+15557770000\"}"}},{"index":1,"function":{"arguments":"\"parking\"}"}}]},"finish_reason":null}]})"
    "\r\n\r\n"
    R"(data: {"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1772600001,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"
    "\r\n\r\n"
    "data: [DONE]\r\n\r\n";

struct decoded {
  std::vector<std::string> pieces;
  expected<completion> result = fail("none", "");
};

decoded decode(const std::vector<std::string_view>& chunks) {
  decoded d;
  stream_decoder dec;
  for (auto c : chunks) {
    auto p = dec.feed(c);
    if (!p) {
      d.result = p.error();
      return d;
    }
    d.pieces.insert(d.pieces.end(), p->begin(), p->end());
  }
  d.result = dec.finish();
  return d;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& p : v)
    s += p;
  return s;
}

void expect_same(const completion& a, const completion& b, const std::string& where) {
  EXPECT_EQ(a.text, b.text) << where;
  EXPECT_EQ(a.finish_reason, b.finish_reason) << where;
  ASSERT_EQ(a.tool_calls.size(), b.tool_calls.size()) << where;
  for (std::size_t i = 0; i < a.tool_calls.size(); ++i) {
    EXPECT_EQ(a.tool_calls[i].id, b.tool_calls[i].id) << where;
    EXPECT_EQ(a.tool_calls[i].name, b.tool_calls[i].name) << where;
    EXPECT_EQ(a.tool_calls[i].arguments, b.tool_calls[i].arguments) << where;
  }
}

// Feeds the stream whole, at every split point, and in 1-byte chunks: the same result.
void check_every_split(const std::string& stream, const completion& want) {
  auto whole = decode({stream});
  ASSERT_TRUE(whole.result) << whole.result.error().message;
  expect_same(*whole.result, want, "whole");
  EXPECT_EQ(joined(whole.pieces), want.text);
  std::string_view s = stream;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    auto d = decode({s.substr(0, i), s.substr(i)});
    ASSERT_TRUE(d.result) << "split at " << i << ": " << d.result.error().message;
    expect_same(*d.result, want, "split at " + std::to_string(i));
    ASSERT_EQ(joined(d.pieces), want.text) << "split at " << i;
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < s.size(); ++i)
    bytes.push_back(s.substr(i, 1));
  auto d = decode(bytes);
  ASSERT_TRUE(d.result) << d.result.error().message;
  expect_same(*d.result, want, "1-byte chunks");
  EXPECT_EQ(d.pieces, whole.pieces); // one piece per content delta, however the bytes came
}

} // namespace

TEST(llm_stream, content_stream_at_every_split_point) {
  completion want;
  want.text = "We're open until 5 PM \u2014 caf\u00e9 \"hours\".";
  want.finish_reason = "stop";
  check_every_split(content_stream, want);
  auto d = decode({content_stream});
  EXPECT_EQ(d.pieces, (std::vector<std::string>{"We're", " open", " until 5 PM \u2014 caf\u00e9 \"hours\"."}));
  ASSERT_TRUE(d.result->tokens);
  EXPECT_EQ(d.result->tokens->prompt_tokens, 412);
  EXPECT_EQ(d.result->tokens->completion_tokens, 9);
}

TEST(llm_stream, tool_call_stream_at_every_split_point) {
  completion want;
  want.text = "Let me book that.";
  want.finish_reason = "tool_calls";
  want.tool_calls = {
      {"call_Qm1", "book", R"({"start":"2026-03-05T14:00","name":"Ann Lee","phone":"+15557770000"})"},
      {"call_Zz2", "lookup_knowledge", R"({"question":"parking"})"}};
  check_every_split(tool_stream, want);
}

TEST(llm_stream, the_same_stream_with_lf_cr_or_crlf_line_ends) {
  auto with_ends = [](std::string s, const std::string& eol) {
    std::string out;
    for (char c : s) {
      if (c == '\n')
        out += eol;
      else
        out += c;
    }
    return out;
  };
  auto want = decode({content_stream});
  ASSERT_TRUE(want.result);
  for (auto eol : {"\r\n", "\r"}) {
    auto s = with_ends(content_stream, eol);
    auto got = decode({s});
    ASSERT_TRUE(got.result) << got.result.error().message;
    expect_same(*got.result, *want.result, "eol");
    // A CR at the end of one chunk and its LF at the start of the next count once.
    for (std::size_t i = 1; i < s.size(); ++i)
      if (s[i - 1] == '\r') {
        auto split = decode({std::string_view(s).substr(0, i), std::string_view(s).substr(i)});
        ASSERT_TRUE(split.result) << i;
        EXPECT_EQ(split.pieces, want.pieces) << i;
      }
  }
}

TEST(llm_stream, sse_framing_details) {
  sse_parser p;
  // BOM, comments, an event name, "data:" with and without its space, a multi-line event,
  // unknown fields, and an event without data (not dispatched).
  auto e = p.feed("\xEF\xBB\xBF: hello\nevent: note\ndata:one\ndata: two\nid: 7\nretry: 10\n"
                  "foo: bar\n\nevent: empty\n\ndata\n\n");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].event, "note");
  EXPECT_EQ((*e)[0].data, "one\ntwo");
  EXPECT_EQ((*e)[1].event, "");
  EXPECT_EQ((*e)[1].data, ""); // a bare "data" line is an empty data line
  // An unfinished event is held, not dispatched.
  auto more = p.feed("data: half");
  ASSERT_TRUE(more);
  EXPECT_TRUE(more->empty());
  EXPECT_TRUE(p.partial());
  more = p.feed("\n\n");
  ASSERT_TRUE(more);
  ASSERT_EQ(more->size(), 1u);
  EXPECT_EQ((*more)[0].data, "half");
  EXPECT_FALSE(p.partial());
}

TEST(llm_stream, a_bom_split_across_chunks_is_skipped_and_a_false_start_kept) {
  sse_parser p;
  ASSERT_TRUE(p.feed("\xEF"));
  ASSERT_TRUE(p.feed("\xBB"));
  auto e = p.feed("\xBF" "data: x\n\n");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].data, "x");
  sse_parser q; // "\xEF" then something else: the byte is content, not dropped
  ASSERT_TRUE(q.feed("\xEF"));
  auto f = q.feed("data: y\n\n");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->empty()); // the line "\xEFdata: y" is an unknown field
}

TEST(llm_stream, events_after_done_are_ignored) {
  auto d = decode({content_stream + "data: {not json\n\n"});
  ASSERT_TRUE(d.result) << d.result.error().message;
  EXPECT_EQ(d.result->finish_reason, "stop");
}

TEST(llm_stream, a_finish_reason_without_done_is_a_whole_stream) {
  auto s = content_stream.substr(0, content_stream.find("data: {\"id\":\"chatcmpl-B9x\",\"object\":\"chat.completion.chunk\",\"created\":1772600000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[]"));
  auto d = decode({s});
  ASSERT_TRUE(d.result) << d.result.error().message;
  EXPECT_EQ(d.result->finish_reason, "stop");
  EXPECT_FALSE(d.result->tokens);
}

// ---------------------------------------------------------------------------------------------
// malformed streams: a failure with a code, never a crash

namespace {

std::string code_of(const std::string& stream) {
  auto d = decode({stream});
  return d.result ? std::string("ok") : d.result.error().code;
}

} // namespace

TEST(llm_stream, malformed_streams_fail_with_a_code) {
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"\n\n"), "llm_bad_json");
  EXPECT_EQ(code_of("data: 42\n\n"), "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"id\":\"x\"}\n\n"), "llm_bad_chunk"); // no choices
  EXPECT_EQ(code_of("data: {\"choices\":{}}\n\n"), "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[7]}\n\n"), "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":\"Hi\"}]}\n\n"), "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":5}}]}\n\n"), "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"c\"}]}}]}\n\n"),
            "llm_bad_chunk"); // no index
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":100000000}]}}]}\n\n"),
            "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}\n\n"),
            "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":{}}}]}}]}\n\n"),
            "llm_bad_chunk");
  // A tool call that never got its name.
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n"),
            "llm_bad_chunk");
  EXPECT_EQ(code_of("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":3}]}\n\n"), "llm_bad_chunk");
}

TEST(llm_stream, a_truncated_stream_fails) {
  // Cut anywhere before the finish_reason chunk is complete.
  auto cut = content_stream.find("\"finish_reason\":\"stop\"");
  for (std::size_t at : {std::size_t{0}, std::size_t{10}, cut / 2, cut}) {
    auto d = decode({content_stream.substr(0, at)});
    ASSERT_FALSE(d.result) << at;
    EXPECT_EQ(d.result.error().code, "llm_truncated") << at;
  }
  // A tool call stream cut mid-arguments: the partial call is there, the stream is not whole.
  stream_decoder dec;
  auto at = tool_stream.find("phone");
  ASSERT_NE(at, std::string::npos);
  ASSERT_TRUE(dec.feed(std::string_view(tool_stream).substr(0, at)));
  EXPECT_TRUE(dec.started());
  EXPECT_FALSE(dec.finish());
}

TEST(llm_stream, an_error_event_mid_stream_fails_with_its_message) {
  auto s = content_stream.substr(0, content_stream.find("data: ", 10)) +
           R"(data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})"
           "\n\n";
  stream_decoder dec;
  auto p = dec.feed(s);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "llm_api_error");
  EXPECT_EQ(p.error().message, "The server had an error while processing your request.");
  // The decoder stays failed.
  EXPECT_FALSE(dec.feed("data: [DONE]\n\n"));
  ASSERT_FALSE(dec.finish());
  EXPECT_EQ(dec.finish().error().code, "llm_api_error");
  EXPECT_EQ(code_of("data: {\"error\":\"overloaded\"}\n\n"), "llm_api_error");
}

TEST(llm_stream, an_overlong_line_fails_and_stays_failed) {
  sse_parser p(64);
  auto e = p.feed("data: " + std::string(100, 'x'));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "llm_stream_too_large");
  EXPECT_FALSE(p.feed("\n\n"));
  sse_parser q(64); // many short data lines make one big event
  std::string many;
  for (int i = 0; i < 20; ++i)
    many += "data: 0123456789\n";
  EXPECT_FALSE(q.feed(many));
}

// ---------------------------------------------------------------------------------------------
// whole bodies

TEST(llm_stream, a_non_streamed_completion_parses) {
  auto c = parse_completion(
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_abc","type":"function","function":{"name":"cancel","arguments":"{\"appointment_id\":\"a1\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->text, "");
  EXPECT_EQ(c->finish_reason, "tool_calls");
  ASSERT_EQ(c->tool_calls.size(), 1u);
  EXPECT_EQ(c->tool_calls[0].name, "cancel");
  EXPECT_EQ(c->tool_calls[0].arguments, R"({"appointment_id":"a1"})");
  EXPECT_FALSE(parse_completion("{}"));
  EXPECT_FALSE(parse_completion("nope"));
  EXPECT_EQ(parse_completion(R"({"error":{"message":"bad key"}})").error().code, "llm_api_error");
}

TEST(llm_stream, error_envelopes_give_their_message) {
  EXPECT_EQ(error_message(R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"),
            "Incorrect API key provided");
  EXPECT_EQ(error_message(R"({"error":{"code":"rate_limit_exceeded"}})"), "rate_limit_exceeded");
  EXPECT_EQ(error_message("<html>502</html>"), "");
  EXPECT_EQ(error_message(R"({"ok":true})"), "");
}
