#include "actors/dialog/fallback_engine.hpp"

#include <cassert>

#include <spdlog/spdlog.h>

namespace frontdesk::dialog {

fallback_engine::fallback_engine(std::unique_ptr<dialog_engine> primary, engine_factory secondary)
    : primary_(std::move(primary)), make_secondary_(std::move(secondary)) {
  assert(primary_ && make_secondary_);
}

reply fallback_engine::start(const business_context& ctx) {
  ctx_ = ctx;
  return primary_->start(ctx);
}

void fallback_engine::switch_over(const engine_unavailable& e) {
  spdlog::warn("dialog: {} ({}); the call goes on with the rules engine", e.why().message,
               e.why().code);
  secondary_ = make_secondary_();
  assert(secondary_);
  secondary_->start(ctx_); // sets its context; the caller heard the greeting already
}

reply fallback_engine::from_secondary(reply r) {
  secondary_tools_ = r.tools.size(); // a caller's turn starts a new round
  return r;
}

reply fallback_engine::on_caller(std::string_view text) { return on_caller_heard(text, {}); }

reply fallback_engine::on_caller_heard(std::string_view text,
                                       const std::vector<std::string>& unsure) {
  last_turn_ = std::string(text);
  if (!secondary_) {
    try {
      return primary_->on_caller_heard(text, unsure);
    } catch (const engine_unavailable& e) {
      switch_over(e);
    }
  }
  return from_secondary(secondary_->on_caller_heard(text, unsure));
}

reply fallback_engine::on_result(const tool_result& result) {
  if (!secondary_) {
    try {
      return primary_->on_result(result);
    } catch (const engine_unavailable& e) {
      switch_over(e);
      // Results come only after a caller's turn: the secondary answers that turn afresh.
      return from_secondary(secondary_->on_caller(last_turn_));
    }
  }
  if (secondary_tools_ == 0)
    return {}; // a result of the primary's last round: the secondary never asked for it
  --secondary_tools_;
  auto r = secondary_->on_result(result);
  if (!r.tools.empty())
    secondary_tools_ = r.tools.size(); // a new round
  return r;
}

void fallback_engine::on_interrupted(std::string_view heard) {
  if (secondary_)
    secondary_->on_interrupted(heard);
  else
    primary_->on_interrupted(heard);
}

std::string fallback_engine::save_state() const {
  return secondary_ ? secondary_->save_state() : primary_->save_state();
}

std::optional<reply> fallback_engine::resume(const business_context& ctx, std::string_view state) {
  ctx_ = ctx;
  secondary_.reset();
  secondary_tools_ = 0;
  if (auto r = primary_->resume(ctx, state))
    return r;
  auto secondary = make_secondary_();
  assert(secondary);
  auto r = secondary->resume(ctx, state);
  if (r) {
    spdlog::info("dialog: the call resumes on the rules engine, as it was before the cut");
    secondary_ = std::move(secondary);
    secondary_tools_ = r->tools.size();
  }
  return r;
}

summary fallback_engine::summarize() const {
  if (!secondary_)
    return primary_->summarize();
  auto first = primary_->summarize(); // a failed primary answers from its own record
  auto s = secondary_->summarize();
  if (s.outcome == "no_action" && !first.outcome.empty())
    s.outcome = first.outcome;
  if (s.reason.empty())
    s.reason = first.reason;
  if (s.follow_up.empty())
    s.follow_up = first.follow_up;
  return s;
}

} // namespace frontdesk::dialog
