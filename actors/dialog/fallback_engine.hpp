#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/dialog/engine.hpp"

namespace frontdesk::dialog {

/// Makes the engine a call falls back to (the rules engine, bound to the call's business).
using engine_factory = std::function<std::unique_ptr<dialog_engine>()>;

/// Runs a call on a primary engine (the LLM engine) and, the first time it throws
/// engine_unavailable, carries the call on with a fresh secondary engine (the rules engine):
/// the secondary is started with the call's context but its greeting is not spoken, and the
/// caller's turn is handed to it. A failure while answering a tool result replays the caller's
/// last turn to the secondary (its own tool round starts over). A warning is logged once; the
/// call never goes back to the primary. blocking() is the primary's.
class fallback_engine final : public dialog_engine {
public:
  fallback_engine(std::unique_ptr<dialog_engine> primary, engine_factory secondary);

  bool blocking() const override { return primary_->blocking(); }
  reply start(const business_context& ctx) override;
  reply on_caller(std::string_view text) override;
  reply on_caller_heard(std::string_view text, const std::vector<std::string>& unsure) override;
  reply on_result(const tool_result& result) override;
  void on_interrupted(std::string_view heard) override;
  /// The secondary's record when it took over (the primary's outcome when the secondary's is
  /// no_action, and its reason when the secondary has none); the primary's otherwise.
  summary summarize() const override;
  /// The state of the engine the call runs on: the primary's, or the secondary's once it took
  /// over (so a call that fell back resumes on the secondary).
  std::string save_state() const override;
  /// Resumes on the primary when the state is its own; otherwise on a fresh secondary (a call
  /// that had fallen back), which then carries the call.
  std::optional<reply> resume(const business_context& ctx, std::string_view state) override;
  /// The primary's replies stream; the secondary's come whole.
  void stream_sentences(sentence_sink sink) override { primary_->stream_sentences(std::move(sink)); }

  /// True once the call runs on the secondary.
  bool fell_back() const { return secondary_ != nullptr; }

private:
  void switch_over(const engine_unavailable& e);
  reply from_secondary(reply r);

  std::unique_ptr<dialog_engine> primary_;
  engine_factory make_secondary_;
  std::unique_ptr<dialog_engine> secondary_;
  business_context ctx_;
  std::string last_turn_;
  std::size_t secondary_tools_ = 0; // results the secondary is waiting for
};

} // namespace frontdesk::dialog
