#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/dialog/engine.hpp"
#include "adapters/llm/client.hpp"

namespace frontdesk::dialog {

/// The business's local wall-clock time now (injected: the node's clock in the business's zone).
using local_clock = std::function<std::chrono::local_seconds()>;

struct llm_engine_options {
  /// Rounds of "your tool call was wrong, try again" per model turn before giving up politely.
  int max_corrections = 2;
  /// Said when the model keeps making invalid calls or says nothing.
  std::string sorry = "I'm sorry, I didn't quite get that. Could you say it another way?";
};

/// The dialog engine on a language model behind any OpenAI-compatible Chat Completions server.
/// The model sees a receptionist's system prompt built from the business_context and the
/// conversation; its function calls become the calendar's tools (validated first: a bad call
/// is sent back to the model with what was wrong, at most max_corrections times, then the
/// caller hears `sorry`); end_call ends the call; results come back as `tool` messages.
///
/// BLOCKS: on_caller, on_result and summarize make HTTP requests (seconds, with retries), so
/// blocking() is true and the engine must run on a worker pool, never on an actor's thread.
/// When the server cannot answer (the client's retries spent) on_caller and on_result throw
/// engine_unavailable; wrap the engine in fallback_engine to carry the call on without it.
/// Not thread-safe: one call, one engine, one thread at a time.
class llm_engine final : public dialog_engine {
public:
  llm_engine(std::shared_ptr<const llm::client> client, local_clock now, llm_engine_options opts = {});

  bool blocking() const override { return true; }
  /// The business's greeting; no model call.
  reply start(const business_context& ctx) override;
  reply on_caller(std::string_view text) override;
  reply on_result(const tool_result& result) override;
  void on_interrupted(std::string_view heard) override;
  /// Asks the model for a paragraph and an outcome (JSON); from its own record when the model
  /// cannot answer or the engine has failed.
  summary summarize() const override;
  /// Each sentence of the model's text goes to `sink` as the stream brings it (the model's
  /// text before its tool calls too); the reply says the last sentence.
  void stream_sentences(sentence_sink sink) override { sink_ = std::move(sink); }

  /// The conversation so far (the system prompt left out: it is written afresh for the node
  /// and time that resume), the engine's own record, as small versioned JSON tagged
  /// "engine":"llm". "" while a tool round is out: the state before it stands, and the model is
  /// asked again from there.
  std::string save_state() const override;
  /// Takes over from save_state()'s JSON: the conversation goes on with the same messages
  /// under a fresh system prompt, and the first thing said is an apology and the receptionist's
  /// last words again (the question the caller was answering). No model call. Nothing for a
  /// state that is not this engine's or is malformed.
  std::optional<reply> resume(const business_context& ctx, std::string_view state) override;

  /// The conversation as the model sees it (system prompt first).
  const std::vector<llm::message>& messages() const { return messages_; }
  /// The system prompt for `ctx` at the current time.
  std::string system_prompt(const business_context& ctx) const;
  /// Model requests made for turns and results, corrections included; the summary's is not
  /// counted (for logs and tests).
  int model_calls() const { return model_calls_; }

private:
  struct pending_call {
    std::string id;
    std::string name;
    bool answered = false;
  };

  reply run_model();
  reply say(std::string text);
  void close_pending(const std::string& why);
  void note(const tool_result& result);
  summary own_record() const;

  std::shared_ptr<const llm::client> client_;
  sentence_sink sink_;
  local_clock now_;
  llm_engine_options opts_;
  business_context ctx_;
  std::vector<llm::message> messages_;
  std::vector<pending_call> pending_;
  bool failed_ = false;
  int model_calls_ = 0;
  // The engine's own record, for the summary when the model cannot write one.
  std::string reason_;
  std::string outcome_ = "no_action";
  std::string follow_up_;
};

} // namespace frontdesk::dialog
