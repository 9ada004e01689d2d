#include <sstream>

#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>

#include "adapters/log/log.hpp"

using namespace frontdesk;

TEST(log, json_escape_handles_quotes_controls_and_utf8) {
  EXPECT_EQ(log::json_escape("a\"b\\c\nd\te\x01"), "a\\\"b\\\\c\\nd\\te\\u0001");
  EXPECT_EQ(log::json_escape("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(log, parse_format) {
  log::format f = log::format::text;
  EXPECT_TRUE(log::parse_format("json", f));
  EXPECT_EQ(f, log::format::json);
  EXPECT_FALSE(log::parse_format("xml", f));
}

namespace {

// Sets up the given format, then redirects the default logger to a string.
std::string log_one_line(log::format fmt, bool with_fields) {
  log::setup(fmt, spdlog::level::info);
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(log::make_formatter(fmt));
  spdlog::default_logger()->sinks() = {sink};
  log::context ctx;
  if (with_fields)
    ctx = ctx.with("call", "CA42").with("business", "b\"1");
  ctx.info("answered in {} ms", 12);
  ctx.debug("not shown at info");
  return out.str();
}

} // namespace

TEST(log, text_lines_carry_fields_in_brackets) {
  auto line = log_one_line(log::format::text, true);
  EXPECT_NE(line.find("info"), std::string::npos) << line;
  EXPECT_NE(line.find("[call=CA42 business=b\"1] answered in 12 ms"), std::string::npos) << line;
  EXPECT_EQ(line.find("not shown"), std::string::npos);
}

TEST(log, json_lines_are_objects_with_fields_as_keys) {
  auto line = log_one_line(log::format::json, true);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.front(), '{');
  EXPECT_EQ(line.substr(line.size() - 2), "}\n");
  EXPECT_NE(line.find("\"level\":\"info\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"msg\":\"answered in 12 ms\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"call\":\"CA42\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"business\":\"b\\\"1\""), std::string::npos) << line;
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(log, json_without_fields) {
  auto line = log_one_line(log::format::json, false);
  EXPECT_NE(line.find("\"msg\":\"answered in 12 ms\"}"), std::string::npos) << line;
}
