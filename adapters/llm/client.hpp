#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/llm/stream.hpp"
#include "protocols/core/expected.hpp"

namespace frontdesk::llm {

/// One message of a conversation, as Chat Completions takes it.
struct message {
  std::string role;                  // system | user | assistant | tool
  std::string content;               // may be empty on an assistant message with tool calls
  std::vector<tool_call> tool_calls; // assistant: the calls it made
  std::string tool_call_id;          // tool: the call this answers
};

/// A function the model may call. `parameters` is a JSON Schema object, as JSON text.
struct tool_definition {
  std::string name;
  std::string description;
  std::string parameters;
};

struct chat_request {
  std::vector<message> messages;
  std::vector<tool_definition> tools;
  std::string model;                       // "" → the client's model
  std::optional<double> temperature;       // unset → the client's temperature
  std::optional<int> max_completion_tokens;
  bool json_object = false;                // response_format {"type":"json_object"}
};

struct chat_result {
  std::string text;
  std::vector<tool_call> tool_calls;
  std::string finish_reason;
  int attempts = 0;
  /// From the call to chat() (retries included) to the first text or tool call delta.
  std::chrono::milliseconds time_to_first_token{0};
};

/// How the client reaches its server and how hard it tries.
struct client_options {
  std::string base_url = "https://api.openai.com/v1"; // POSTs {base_url}/chat/completions
  std::string api_key;                                  // "" → no Authorization header
  std::string model = "gpt-4o-mini";
  double temperature = 0.3;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{15000}; // one attempt, connect to last byte
  int max_attempts = 3;
  std::chrono::milliseconds backoff_base{500};  // base·2^n, less up to 25 % jitter
  std::chrono::milliseconds backoff_cap{8000};
  std::chrono::milliseconds max_retry_after{20000}; // a longer Retry-After is not waited for
  /// How the client waits between attempts (tests record the waits instead of sleeping).
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// A blocking Chat Completions client for any OpenAI-compatible server (OpenAI, vLLM, llama.cpp,
/// Ollama…), always streaming. Retries 429, 5xx and connection failures (connect timeouts
/// included) with exponential backoff and jitter, honouring Retry-After (seconds) and
/// retry-after-ms; never retries other 4xx, an exhausted quota, an attempt that timed out once
/// connected (the caller's time is spent), or a stream that already delivered text. Failure codes: llm_http_<status>, llm_connect, llm_timeout, llm_transport,
/// llm_api_error, llm_bad_json, llm_bad_chunk, llm_truncated, llm_bad_request.
/// BLOCKS the calling thread for the whole exchange: never call it on an actor's thread.
/// Thread-safe; connections are reused between calls.
class client {
public:
  explicit client(client_options opts);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Sends `req` and returns the whole reply; `on_text_delta` (may be empty) is called with
  /// each piece of content text as it arrives, on the calling thread.
  expected<chat_result> chat(const chat_request& req,
                             const std::function<void(std::string_view)>& on_text_delta = {}) const;

  const client_options& options() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The request body chat() sends (exposed for tests and logs). Fails (llm_bad_request) when a
/// tool's parameters are not a JSON object.
expected<std::string> request_body(const chat_request& req, const client_options& opts);

/// The wait before attempt `attempt + 1` (attempt counts from 1): Retry-After when given and
/// within the limit, else base·2^(attempt-1) capped, less `jitter`·25 % (jitter in [0,1)).
std::chrono::milliseconds backoff_delay(const client_options& opts, int attempt,
                                        std::optional<std::chrono::milliseconds> retry_after,
                                        double jitter);

} // namespace frontdesk::llm
