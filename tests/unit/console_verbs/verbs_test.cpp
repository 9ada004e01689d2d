// The console's command lines: every verb, every malformed input, every way a stream of lines
// can be split, and the role rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocols/console/verbs.hpp"

using namespace frontdesk::console;

namespace {
const std::string call = "0b5e6a1c-7d2f-4e3a-9c1b-2f3e4d5c6b7a";
}

TEST(console_verbs, parses_every_verb) {
  auto c = parse_command("calls");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->v, verb::calls);
  for (auto name : {"watch", "unwatch", "listen", "hold-ai", "resume-ai", "hangup"}) {
    auto x = parse_command(std::string(name) + " " + call);
    ASSERT_TRUE(x) << name << ": " << x.error().message;
    EXPECT_EQ(to_string(x->v), std::string(name));
    EXPECT_EQ(x->call, call);
  }
  for (auto name : {"watch", "unwatch"}) { // every call of the user's businesses
    auto x = parse_command(std::string(name) + " --all");
    ASSERT_TRUE(x) << name << ": " << x.error().message;
    EXPECT_TRUE(x->all);
    EXPECT_TRUE(x->call.empty());
    EXPECT_EQ(format_command(*x), std::string(name) + " --all");
  }
  EXPECT_FALSE(parse_command("watch " + call)->all);
  auto s = parse_command("say " + call + "   Hello there,   caller!");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->text, "Hello there, caller!");
  EXPECT_FALSE(s->interrupt);
  auto q = parse_command("say " + call + " \"two  spaces \\\"quoted\\\"\" --interrupt");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->text, "two  spaces \"quoted\"");
  EXPECT_TRUE(q->interrupt);
  auto t = parse_command("transfer " + call + " +15551234567");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->number, "+15551234567");
  auto a = parse_command("appointments 2026-02-28");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->day, "2026-02-28");
  EXPECT_TRUE(parse_command("appointments"));
  EXPECT_TRUE(parse_command("appointments tomorrow"));
  auto k = parse_command("\tcancel  " + call + "  ");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->appointment, call);
}

TEST(console_verbs, refuses_malformed_commands_with_a_reason) {
  std::vector<std::string> bad = {
      "", "   ", "dance", "CALLS", "calls extra", "watch", "watch nope", "watch " + call + " x",
      "watch " + call.substr(0, 35), "watch --all " + call, "watch \"--all\"", "watch --ALL",
      "listen --all", "hangup --all", "watch -all", "watch " + call + "0", "watch " + std::string(36, '-'),
      "say " + call, "say " + call + " --interrupt", "say " + call + " hi --loud",
      "say nope hello", "say " + call + " \"   \"", "say " + call + " \"unclosed",
      "say " + call + " " + std::string(1001, 'a'), "transfer " + call,
      "transfer " + call + " 5551234567", "transfer " + call + " +0551234567",
      "transfer " + call + " +1555", "transfer " + call + " +1555123456789012",
      "transfer " + call + " +1555abc4567", "appointments 2026-02-30", "appointments 2026-13-01",
      "appointments 2026-1-01", "appointments yesterday", "appointments today tomorrow",
      "cancel", "cancel 42", "hangup " + call + "\x01", std::string("watch \0", 7),
      "say " + call + " \x7f", std::string(max_line + 1, 'x')};
  for (auto& line : bad) {
    auto c = parse_command(line);
    EXPECT_FALSE(c) << "accepted: " << line.substr(0, 80);
    if (!c) {
      EXPECT_EQ(c.error().code, "bad_command");
      EXPECT_FALSE(c.error().message.empty());
    }
  }
  EXPECT_TRUE(valid_day("2024-02-29"));
  EXPECT_FALSE(valid_day("2023-02-29"));
  EXPECT_FALSE(valid_day("2100-02-29"));
  EXPECT_TRUE(valid_day("2000-02-29"));
}

TEST(console_verbs, every_prefix_of_a_valid_line_parses_or_fails_cleanly) {
  for (std::string line : {"say " + call + " \"a \\\"b\\\" c\" --interrupt", std::string("unwatch --all"),
                           "transfer " + call + " +15551234567",
                           std::string("appointments 2026-03-01")}) {
    for (std::size_t n = 0; n <= line.size(); ++n) {
      auto c = parse_command(line.substr(0, n));
      if (c) { // what parses prints back to a line that parses to the same command
        EXPECT_EQ(*parse_command(format_command(*c)), *c) << line.substr(0, n);
      }
    }
  }
}

TEST(console_verbs, formatted_commands_parse_back) {
  command c;
  c.v = verb::say;
  c.call = call;
  c.text = "--interrupt \"me\" \\ please";
  c.interrupt = true;
  auto back = parse_command(format_command(c));
  ASSERT_TRUE(back) << format_command(c);
  EXPECT_EQ(*back, c);
}

TEST(console_verbs, roles_watch_but_only_admins_and_owners_steer_or_listen) {
  for (auto v : {verb::calls, verb::watch, verb::unwatch, verb::appointments}) {
    EXPECT_TRUE(allowed(role::viewer, v)) << to_string(v);
    EXPECT_TRUE(allowed(role::admin, v));
  }
  for (auto v : {verb::say, verb::hold_ai, verb::resume_ai, verb::transfer, verb::hangup,
                 verb::cancel, verb::listen}) {
    EXPECT_FALSE(allowed(role::viewer, v)) << to_string(v);
    EXPECT_TRUE(allowed(role::admin, v)) << to_string(v);
    EXPECT_TRUE(allowed(role::owner, v)) << to_string(v);
  }
  EXPECT_EQ(role_from("user"), role::viewer); // the schema's old name for a viewer
  EXPECT_FALSE(role_from("root"));
  EXPECT_EQ(std::string(to_string(result::not_applicable)), "not_applicable");
}

TEST(console_verbs, lines_come_out_the_same_however_the_bytes_are_split) {
  std::string stream = "calls\r\nwatch " + call + "\n\nsay " + call + " hi\n" +
                       std::string(max_line + 10, 'z') + "\nhangup " + call + "\npartial";
  std::vector<std::string> expect = {"calls", "watch " + call, "", "say " + call + " hi",
                                     "hangup " + call};
  for (std::size_t a = 0; a <= stream.size(); a += 7) {
    for (std::size_t b = a; b <= stream.size(); b += 97) {
      line_splitter s;
      std::vector<std::string> got;
      for (auto part : {stream.substr(0, a), stream.substr(a, b - a), stream.substr(b)})
        for (auto& l : s.feed(part))
          got.push_back(l);
      ASSERT_EQ(got, expect) << "split at " << a << ", " << b;
      EXPECT_EQ(s.overlong(), 1u);
      EXPECT_EQ(s.pending(), 7u);
    }
  }
  line_splitter one;
  std::vector<std::string> got;
  for (char c : stream)
    for (auto& l : one.feed(std::string(1, c)))
      got.push_back(l);
  EXPECT_EQ(got, expect);
}
