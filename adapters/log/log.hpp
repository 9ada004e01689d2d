#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

namespace frontdesk::log {

enum class format { text, json };

/// Parses "text" or "json"; false on anything else.
bool parse_format(std::string_view s, format& out);

/// Routes the process's logs to stderr in the given format and level.
/// Text: `2026-03-04 14:00:00.123 info  [call=CA12 business=b1] message`.
/// JSON lines: `{"ts":"…","level":"info","msg":"message","call":"CA12","business":"b1"}`.
void setup(format f, spdlog::level::level_enum level);

/// The formatter for a format (setup installs it on stderr; tests install it on their own sink).
std::unique_ptr<spdlog::formatter> make_formatter(format f);

/// The format chosen at setup.
format current_format();

/// Escapes a string for inclusion inside a JSON string literal.
std::string json_escape(std::string_view s);

/// A set of fields (call id, business id, ...) carried on every message logged through it.
/// Cheap to copy; build it once per call and log through it.
class context {
public:
  context() = default;

  /// A copy with one more field.
  context with(std::string_view key, std::string_view value) const;

  template <class... Args>
  void log(spdlog::level::level_enum lvl, fmt::format_string<Args...> f, Args&&... args) const {
    auto* logger = spdlog::default_logger_raw();
    if (!logger->should_log(lvl))
      return;
    logger->log(lvl, "{}{}", prefix_, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::debug, f, std::forward<Args>(args)...);
  }
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::info, f, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::warn, f, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::err, f, std::forward<Args>(args)...);
  }

private:
  void render();

  std::vector<std::pair<std::string, std::string>> fields_;
  // Pre-rendered once per context: "[k=v k=v] " in text mode, a marked JSON fragment in JSON mode.
  std::string prefix_;
};

} // namespace frontdesk::log
