#pragma once

#include <stdexcept>
#include <string_view>

#include "actors/dialog/echo_engine.hpp"

namespace frontdesk::fixtures {

/// The echo dialog, except that it throws when the caller says "crash", as a broken engine
/// would: the dialog actor dies on that turn and the supervisor must replace it.
class fragile_dialog final : public dialog::dialog_engine {
public:
  dialog::reply start(const dialog::business_context& c) override { return inner_.start(c); }
  dialog::reply on_caller(std::string_view text) override {
    if (text.find("crash") != std::string_view::npos)
      throw std::runtime_error("dialog engine failure (test)");
    return inner_.on_caller(text);
  }
  dialog::reply on_result(const dialog::tool_result& r) override { return inner_.on_result(r); }
  void on_interrupted(std::string_view h) override { inner_.on_interrupted(h); }
  dialog::summary summarize() const override { return inner_.summarize(); }

private:
  dialog::echo_engine inner_;
};

} // namespace frontdesk::fixtures
