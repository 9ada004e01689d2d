#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::llm {

/// One Server-Sent Event: its `data:` lines joined by '\n'.
struct sse_event {
  std::string event; // the `event:` field, "" for the default "message"
  std::string data;
};

/// Server-Sent Events framing (the WHATWG event-stream grammar): fed arbitrary byte chunks,
/// returns the events each chunk completes. Lines end in CRLF, LF or CR (a CRLF split across
/// chunks counts once); a blank line ends an event; `:` lines are comments; a leading BOM is
/// skipped. Pure: no I/O, never throws.
class sse_parser {
public:
  explicit sse_parser(std::size_t max_line_bytes = 1 << 20) : max_line_(max_line_bytes) {}

  /// The events completed by `bytes`. Fails (llm_stream_too_large) on a line longer than the
  /// limit; the parser then stays failed.
  expected<std::vector<sse_event>> feed(std::string_view bytes);

  /// True when bytes of an unfinished event are held (a stream cut off mid-event).
  bool partial() const { return !line_.empty() || has_data_ || !event_.empty(); }

private:
  void line_done(std::vector<sse_event>& out);

  std::size_t max_line_;
  std::string line_;
  std::string data_;
  std::string event_;
  bool has_data_ = false;
  bool after_cr_ = false;
  bool started_ = false; // past a possible BOM
  std::string bom_;      // the first bytes, while they may still be a BOM
  bool failed_ = false;
};

/// A function call the model asked for, assembled from its deltas.
struct tool_call {
  std::string id;        // "call_abc"
  std::string name;      // "book"
  std::string arguments; // JSON text as the model wrote it (may be invalid: validate it)
};

/// Token counts, when the server reports them (`stream_options.include_usage`).
struct usage {
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
};

/// A whole completion as the stream delivered it.
struct completion {
  std::string text;
  std::vector<tool_call> tool_calls; // by index
  std::string finish_reason;          // stop | length | tool_calls | content_filter | ""
  std::optional<usage> tokens;
};

/// Assembles `chat.completion.chunk` events (choice 0) into a completion: content pieces are
/// appended, tool calls are gathered by `index` (id and name from their first delta, the
/// `arguments` fragments concatenated), an `{"error":…}` event fails the stream.
/// Failure codes: llm_bad_json, llm_bad_chunk (a field missing or of the wrong type),
/// llm_api_error (the server's error object), llm_truncated. Pure, never throws.
class chunk_assembler {
public:
  /// One event's data. On success, the content text it adds (often empty). After `[DONE]`
  /// further events are ignored.
  expected<std::string> add(std::string_view data);

  /// True once `data: [DONE]` arrived.
  bool done() const { return done_; }

  /// The completion, when the stream ended properly: `[DONE]` arrived, or at least a
  /// finish_reason did (a stream cut off before its usage chunk lost nothing). Every tool call
  /// must have an id and a name.
  expected<completion> finish() const;

  /// What has arrived so far (complete or not).
  const completion& partial() const { return c_; }

private:
  completion c_;
  bool done_ = false;
  bool any_delta_ = false;
  std::optional<failure> failed_;
};

/// SSE framing and chunk assembly together: bytes in, text deltas out, a completion at the end.
class stream_decoder {
public:
  /// The content text pieces `bytes` completes, in order.
  expected<std::vector<std::string>> feed(std::string_view bytes);
  /// True once a tool call delta or content text has arrived (the first token).
  bool started() const;
  bool done() const { return assembler_.done(); }
  /// At the end of the body: the completion, or why the stream is not a whole one.
  expected<completion> finish() const;

private:
  sse_parser parser_;
  chunk_assembler assembler_;
  std::optional<failure> failed_;
};

/// Parses a non-streamed `chat.completion` body (servers that ignore `stream:true`).
expected<completion> parse_completion(std::string_view body);

/// The message of an error envelope `{"error":{"message":…}}`, or "" when `body` is not one.
std::string error_message(std::string_view body);

} // namespace frontdesk::llm
