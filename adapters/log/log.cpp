#include "adapters/log/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace frontdesk::log {
namespace {

// In JSON mode a context prefixes its message with FIELDS_MARK, the rendered fields and END_MARK,
// so the formatter can lift them out as top-level keys.
constexpr char fields_mark = '\x1e';
constexpr char end_mark = '\x1f';

std::atomic<format> g_format{format::text};

class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto t = time_point_cast<milliseconds>(msg.time);
    auto day_point = floor<days>(t);
    year_month_day ymd{day_point};
    hh_mm_ss tod{t - day_point};
    char ts[32];
    std::snprintf(ts, sizeof ts, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                  int(tod.minutes().count()), int(tod.seconds().count()),
                  int(tod.subseconds().count()));
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string_view fields;
    if (!payload.empty() && payload.front() == fields_mark) {
      auto end = payload.find(end_mark);
      if (end != std::string_view::npos) {
        fields = payload.substr(1, end - 1);
        payload = payload.substr(end + 1);
      }
    }
    auto lvl = spdlog::level::to_string_view(msg.level);
    std::string line = "{\"ts\":\"";
    line += ts;
    line += "\",\"level\":\"";
    line.append(lvl.data(), lvl.size());
    line += "\",\"msg\":\"";
    line += json_escape(payload);
    line += '"';
    line += fields;
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

} // namespace

bool parse_format(std::string_view s, format& out) {
  if (s == "text") {
    out = format::text;
    return true;
  }
  if (s == "json") {
    out = format::json;
    return true;
  }
  return false;
}

void setup(format f, spdlog::level::level_enum level) {
  g_format = f;
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(make_formatter(f));
  auto logger = std::make_shared<spdlog::logger>("frontdesk", sink);
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::unique_ptr<spdlog::formatter> make_formatter(format f) {
  if (f == format::json)
    return std::make_unique<json_formatter>();
  return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%d %H:%M:%S.%e %-5l %v");
}

format current_format() { return g_format.load(); }

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out;
}

context context::with(std::string_view key, std::string_view value) const {
  context c = *this;
  c.fields_.emplace_back(std::string(key), std::string(value));
  c.render();
  return c;
}

void context::render() {
  prefix_.clear();
  if (fields_.empty())
    return;
  if (current_format() == format::json) {
    prefix_ += fields_mark;
    for (auto& [k, v] : fields_)
      prefix_ += ",\"" + json_escape(k) + "\":\"" + json_escape(v) + '"';
    prefix_ += end_mark;
  } else {
    prefix_ += '[';
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (i)
        prefix_ += ' ';
      prefix_ += fields_[i].first + '=' + fields_[i].second;
    }
    prefix_ += "] ";
  }
}

} // namespace frontdesk::log
