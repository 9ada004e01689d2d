#pragma once

#include "actors/dialog/engine.hpp"

namespace frontdesk::dialog {

/// The first dialog: greets with the business's greeting, repeats back what it heard, and
/// ends the call on "goodbye". It exercises the whole speech path with no business logic.
class echo_engine final : public dialog_engine {
public:
  reply start(const business_context& ctx) override;
  reply on_caller(std::string_view text) override;
  reply on_result(const tool_result&) override { return {}; }
  void on_interrupted(std::string_view heard) override { last_heard_ = std::string(heard); }
  summary summarize() const override;

private:
  std::string name_;
  int turns_ = 0;
  bool said_goodbye_ = false;
  std::string last_heard_;
};

} // namespace frontdesk::dialog
