// What a call keeps of its dialog for a take-over: the engine's state with the count of caller
// lines it had taken in. Written and read back whole, every truncation and malformed text read
// as a state without a count, and the lines a state never saw found from the count.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "actors/dialog/saved_state.hpp"

using namespace frontdesk::dialog;

TEST(saved_dialog, an_engine_object_is_kept_as_json_and_read_back_with_its_count) {
  std::string engine = R"({"v":2,"engine":"rules","state":"asking_when","service":"cleaning"})";
  auto wrapped = wrap_saved_dialog(engine, 3);
  // Readable in the database: the engine's object is nested, not escaped.
  auto v = boost::json::parse(wrapped);
  ASSERT_TRUE(v.at("dialog").is_object());
  EXPECT_EQ(v.at("heard").as_int64(), 3);
  auto back = unwrap_saved_dialog(wrapped);
  ASSERT_TRUE(back.heard.has_value());
  EXPECT_EQ(*back.heard, 3);
  EXPECT_EQ(boost::json::parse(back.engine), boost::json::parse(engine));
}

TEST(saved_dialog, a_state_that_is_not_a_json_object_goes_in_as_a_string) {
  for (std::string engine : {"heard:my name is ann", "", "{not json", "[1,2]", "\"quoted\"\n"}) {
    auto back = unwrap_saved_dialog(wrap_saved_dialog(engine, 1));
    EXPECT_EQ(back.engine, engine);
    ASSERT_TRUE(back.heard.has_value()) << engine;
    EXPECT_EQ(*back.heard, 1);
  }
}

TEST(saved_dialog, a_state_saved_before_the_count_is_the_engines_own) {
  std::string old = R"({"v":2,"engine":"rules","state":"listening"})";
  auto back = unwrap_saved_dialog(old);
  EXPECT_EQ(back.engine, old);
  EXPECT_FALSE(back.heard.has_value());
}

TEST(saved_dialog, every_truncation_and_malformed_wrapper_is_read_without_a_count) {
  auto wrapped = wrap_saved_dialog(R"({"v":2,"engine":"rules"})", 4);
  for (std::size_t n = 0; n < wrapped.size(); ++n) {
    auto back = unwrap_saved_dialog(std::string_view(wrapped).substr(0, n));
    EXPECT_FALSE(back.heard.has_value()) << n;
    EXPECT_EQ(back.engine, wrapped.substr(0, n));
  }
  for (std::string bad : {R"({"heard":-1,"dialog":{}})", R"({"heard":"2","dialog":{}})",
                          R"({"heard":2.5,"dialog":{}})", R"({"heard":2,"dialog":7})",
                          R"({"heard":2})", R"({"dialog":{}})", R"({"heard":2,"dialog":{},"x":1})",
                          "null", "[]", "\xff\xfe"}) {
    auto back = unwrap_saved_dialog(bad);
    EXPECT_FALSE(back.heard.has_value()) << bad;
    EXPECT_EQ(back.engine, bad);
  }
}

TEST(saved_dialog, the_lines_after_the_count_are_the_ones_the_state_never_saw) {
  std::vector<std::string> said = {"hello", "i'd like a cleaning tomorrow at nine", "ann lee"};
  EXPECT_EQ(unheard_lines({"{}", 1}, said),
            (std::vector<std::string>{"i'd like a cleaning tomorrow at nine", "ann lee"}));
  EXPECT_TRUE(unheard_lines({"{}", 3}, said).empty());
  EXPECT_TRUE(unheard_lines({"{}", 9}, said).empty()); // a count past the transcript: nothing
  EXPECT_EQ(unheard_lines({"", 0}, said), said);
  // Without a count: a saved state may have seen any of them, so none is replayed; with no
  // state at all, none was seen.
  EXPECT_TRUE(unheard_lines({"{}", std::nullopt}, said).empty());
  EXPECT_EQ(unheard_lines({"", std::nullopt}, said), said);
}

TEST(saved_dialog, a_line_said_again_is_the_same_words_whatever_its_case_and_punctuation) {
  EXPECT_TRUE(same_words("My name is Ann Fox.", "my name is ann fox"));
  EXPECT_TRUE(same_words("I'd like a cleaning, please!", "  id like a   cleaning please"));
  EXPECT_FALSE(same_words("My name is Ann Fox.", "My name is Ann Cox."));
  EXPECT_FALSE(same_words("", ""));
  EXPECT_FALSE(same_words("...", "!"));
}
