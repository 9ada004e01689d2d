#include "adapters/caller/scenario.hpp"
#include "adapters/caller/simulator.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

using frontdesk::caller::apply_scenario;
using frontdesk::caller::load_scenario;
using frontdesk::caller::sim_options;

namespace {

// A scenario file in the test's temporary folder.
std::string write_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("frontdesk_scenario_" + name + ".json");
  std::ofstream(path) << text;
  return path.string();
}

} // namespace

TEST(scenario_file, names_the_caller_and_the_number_called) {
  auto s = load_scenario(write_file("to", R"({"caller": "+15557770001", "to": "+15550300002",
                                              "turns": ["Hello.", "Goodbye."]})"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->caller, "+15557770001");
  EXPECT_EQ(s->to, "+15550300002");
  sim_options o;
  o.to = "+15550100001";
  ASSERT_FALSE(apply_scenario(*s, o, true));
  EXPECT_EQ(o.from, "+15557770001");
  EXPECT_EQ(o.to, "+15550300002"); // the scenario's number wins over the command line's
  EXPECT_EQ(o.extra_parameters["script"], "Hello.|Goodbye.");
  EXPECT_EQ(o.turns.size(), 1u);
}

TEST(scenario_file, without_a_number_keeps_the_command_line_s) {
  auto s = load_scenario(write_file("no_to", R"({"turns": ["Hello."]})"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->to.empty());
  sim_options o;
  o.to = "+15550100001";
  ASSERT_FALSE(apply_scenario(*s, o, true));
  EXPECT_EQ(o.to, "+15550100001");
}

TEST(scenario_file, refuses_malformed_files_with_a_message) {
  for (auto [name, text] : {std::pair<const char*, const char*>{"to_number", R"({"to": 5, "turns": ["Hi."]})"},
                            {"caller_list", R"({"caller": ["+1"], "turns": ["Hi."]})"},
                            {"no_turns", R"({"to": "+15550300002"})"},
                            {"empty_turns", R"({"turns": []})"},
                            {"bad_turn", R"({"turns": [3]})"},
                            {"not_object", R"(["Hi."])"},
                            {"truncated", R"({"to": "+1555030)"},
                            {"empty", ""}}) {
    auto s = load_scenario(write_file(name, text));
    ASSERT_FALSE(s) << name;
    EXPECT_FALSE(s.error().message.empty()) << name;
  }
  EXPECT_FALSE(load_scenario("/nonexistent/scenario.json"));
}
