#include "protocols/deepgram/live.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frontdesk::deepgram {
namespace {

// As the live endpoint sends them (wire-formats reference, section 4.1).
const std::string results_json =
    R"({"type":"Results","channel_index":[0,1],"duration":1.02,"start":3.5,"is_final":true,)"
    R"("speech_final":true,"from_finalize":false,"channel":{"alternatives":[{"transcript":)"
    R"("book me at three","confidence":0.98,"words":[{"word":"book","start":3.6,"end":3.8,)"
    R"("confidence":0.99,"punctuated_word":"Book"},{"word":"three","start":4.1,"end":4.5,)"
    R"("confidence":0.97,"punctuated_word":"three"}]}]},"metadata":{"request_id":"uuid",)"
    R"("model_info":{"name":"general","version":"1","arch":"nova-3"},"model_uuid":"uuid"}})";

std::string result(const std::string& text, bool is_final, bool speech_final, double start,
                   double duration, bool from_finalize = false) {
  std::string words;
  if (!text.empty())
    words = R"({"word":"w","start":)" + std::to_string(start) + R"(,"end":)" +
            std::to_string(start + duration) + R"(,"confidence":0.9})";
  return R"({"type":"Results","channel_index":[0,1],"start":)" + std::to_string(start) +
         R"(,"duration":)" + std::to_string(duration) + R"(,"is_final":)" +
         (is_final ? "true" : "false") + R"(,"speech_final":)" + (speech_final ? "true" : "false") +
         R"(,"from_finalize":)" + (from_finalize ? "true" : "false") +
         R"(,"channel":{"alternatives":[{"transcript":")" + text +
         R"(","confidence":0.9,"words":[)" + words + "]}]}}";
}

std::string utterance_end_at(double t) {
  return R"({"type":"UtteranceEnd","channel":[0,1],"last_word_end":)" + std::to_string(t) + "}";
}

live_message msg(const std::string& s) {
  auto m = parse_live_message(s);
  EXPECT_TRUE(m) << s << ": " << (m ? "" : m.error().message);
  return m ? *m : live_message{other{}};
}

TEST(deepgram_live, parses_a_final_result) {
  auto m = parse_live_message(results_json);
  ASSERT_TRUE(m);
  auto* r = std::get_if<results>(&*m);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->is_final);
  EXPECT_TRUE(r->speech_final);
  EXPECT_FALSE(r->from_finalize);
  EXPECT_EQ(r->transcript, "book me at three");
  EXPECT_DOUBLE_EQ(r->confidence, 0.98);
  EXPECT_DOUBLE_EQ(r->start, 3.5);
  EXPECT_DOUBLE_EQ(r->duration, 1.02);
  EXPECT_DOUBLE_EQ(r->last_word_end, 4.5);
}

TEST(deepgram_live, parses_the_other_messages) {
  auto u = parse_live_message(R"({"type":"UtteranceEnd","channel":[0,1],"last_word_end":4.52})");
  ASSERT_TRUE(u);
  EXPECT_DOUBLE_EQ(std::get<utterance_end>(*u).last_word_end, 4.52);
  auto s = parse_live_message(R"({"type":"SpeechStarted","channel":[0,1],"timestamp":9.54})");
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(std::get<speech_started>(*s).timestamp, 9.54);
  auto md = parse_live_message(
      R"({"type":"Metadata","transaction_key":"deprecated","request_id":"r-1","sha256":"x",)"
      R"("created":"2026-01-01T00:00:00Z","duration":25.3,"channels":1,"models":["m"]})");
  ASSERT_TRUE(md);
  EXPECT_DOUBLE_EQ(std::get<metadata>(*md).duration, 25.3);
  EXPECT_EQ(std::get<metadata>(*md).request_id, "r-1");
  auto e = parse_live_message(R"({"type":"Error","description":"bad audio","variant":"x"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<other>(*e).type, "Error");
  EXPECT_EQ(std::get<other>(*e).description, "bad audio");
  // Results with no alternatives and no words are well-formed and empty.
  auto empty = parse_live_message(R"({"type":"Results","is_final":true,"channel":{"alternatives":[]}})");
  ASSERT_TRUE(empty);
  EXPECT_EQ(std::get<results>(*empty).transcript, "");
  EXPECT_DOUBLE_EQ(std::get<results>(*empty).last_word_end, -1);
}

TEST(deepgram_live, every_split_of_a_message_fails_cleanly_until_it_is_whole) {
  for (std::size_t i = 0; i < results_json.size(); ++i) {
    auto head = parse_live_message(results_json.substr(0, i));
    EXPECT_FALSE(head) << "prefix of " << i << " bytes parsed";
    auto tail = parse_live_message(results_json.substr(i + 1));
    EXPECT_FALSE(tail && std::holds_alternative<results>(*tail) &&
                 std::get<results>(*tail).transcript == "book me at three")
        << "a message without its first " << i + 1 << " bytes parsed as the whole";
  }
  EXPECT_TRUE(parse_live_message(results_json));
}

TEST(deepgram_live, every_corrupted_byte_is_an_error_or_a_value_never_a_crash) {
  for (std::size_t i = 0; i < results_json.size(); ++i)
    for (char c : {'\0', '"', '{', ']', 'x', '9', '\xff'}) {
      auto s = results_json;
      s[i] = c;
      auto m = parse_live_message(s);
      if (!m) {
        EXPECT_EQ(m.error().code, "bad_deepgram_message") << "byte " << i;
      }
    }
}

TEST(deepgram_live, malformed_messages_are_failures) {
  for (const char* bad : {
           "", "null", "[]", "42", R"("Results")", "{}", R"({"type":7})",
           R"({"type":"Results"})", R"({"type":"Results","channel":[]})",
           R"({"type":"Results","channel":{"alternatives":{}}})",
           R"({"type":"Results","channel":{"alternatives":[7]}})",
           R"({"type":"Results","is_final":"yes","channel":{"alternatives":[]}})",
           R"({"type":"Results","start":"3","channel":{"alternatives":[]}})",
           R"({"type":"Results","channel":{"alternatives":[{"transcript":5}]}})",
           R"({"type":"Results","channel":{"alternatives":[{"transcript":"a","words":"w"}]}})",
           R"({"type":"Results","channel":{"alternatives":[{"transcript":"a","words":[1]}]}})",
           R"({"type":"Results","channel":{"alternatives":[{"transcript":"a","words":[{"end":"x"}]}]}})",
           R"({"type":"UtteranceEnd","last_word_end":"late"})",
           R"({"type":"SpeechStarted","timestamp":[]})",
           R"({"type":"Metadata","duration":{}})", R"({"type":"Results",)",
           "{\"type\":\"Results\"}trailing"}) {
    auto m = parse_live_message(bad);
    EXPECT_FALSE(m) << bad;
    if (!m) {
      EXPECT_EQ(m.error().code, "bad_deepgram_message");
    }
  }
}

TEST(deepgram_live, finals_accumulate_until_speech_final) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("book me", false, false, 0, 0.5))));
  EXPECT_EQ(a.partial(), "book me");
  EXPECT_FALSE(a.on(msg(result("book me", true, false, 0, 0.8))));
  EXPECT_FALSE(a.on(msg(result("at three", false, false, 0.8, 0.4))));
  EXPECT_EQ(a.partial(), "book me at three");
  auto t = a.on(msg(result("at three", true, true, 0.8, 0.6)));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text, "book me at three");
  EXPECT_EQ(t->why, turn_text::end::speech_final);
  EXPECT_NEAR(t->confidence, 0.9, 1e-9);
  EXPECT_FALSE(a.open());
  EXPECT_NEAR(a.final_until(), 1.4, 1e-9);
}

TEST(deepgram_live, utterance_end_closes_a_turn_that_never_had_speech_final) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("three fifteen", true, false, 0, 1.0))));
  auto t = a.on(msg(utterance_end_at(1.0)));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text, "three fifteen");
  EXPECT_EQ(t->why, turn_text::end::utterance_end);
}

TEST(deepgram_live, speech_final_then_utterance_end_ends_the_turn_once) {
  transcript_assembler a;
  ASSERT_TRUE(a.on(msg(result("yes please", true, true, 0, 0.7))));
  EXPECT_FALSE(a.on(msg(utterance_end_at(0.7))));
  EXPECT_FALSE(a.force());
}

TEST(deepgram_live, a_stale_utterance_end_is_ignored) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("on tuesday", true, false, 0, 1.0))));
  // The caller went on: an interim ends at 2.0, after the gap the UtteranceEnd reports.
  EXPECT_FALSE(a.on(msg(result("at noon", false, false, 1.5, 0.5))));
  EXPECT_FALSE(a.on(msg(utterance_end_at(1.0))));
  EXPECT_TRUE(a.open());
  auto t = a.on(msg(utterance_end_at(2.0)));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text, "on tuesday at noon");
}

TEST(deepgram_live, a_turn_of_interims_only_is_finalised) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("four", false, false, 0, 0.3))));
  EXPECT_FALSE(a.on(msg(result("four thirty", false, false, 0, 0.6))));
  auto t = a.on(msg(utterance_end_at(0.6)));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text, "four thirty");
  EXPECT_NEAR(t->confidence, 0.5, 1e-9);

  transcript_assembler b; // neither speech_final nor UtteranceEnd: our endpointer forces it
  EXPECT_FALSE(b.on(msg(result("five", false, false, 0, 0.3))));
  auto f = b.force();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->text, "five");
  EXPECT_EQ(f->why, turn_text::end::forced);
  EXPECT_FALSE(b.force());
}

TEST(deepgram_live, a_final_that_comes_after_its_turn_was_forced_is_not_heard_twice) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("four thirty", false, false, 0, 0.6))));
  auto forced = a.force(); // the vendor was slow: our endpointer ended the turn on the interim
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->text, "four thirty");
  EXPECT_FALSE(a.on(msg(result("four thirty", true, true, 0, 0.6)))); // 1.5 s late
  EXPECT_FALSE(a.open());
  EXPECT_NEAR(a.final_until(), 0.6, 1e-9); // but its audio counts as transcribed
  auto next = a.on(msg(result("yes", true, true, 0.6, 0.4)));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->text, "yes");
}

TEST(deepgram_live, finalize_results_end_the_turn) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("cancel it", false, false, 0, 0.5))));
  auto t = a.on(msg(result("cancel it", true, false, 0, 0.6, true)));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->why, turn_text::end::finalize);
  EXPECT_EQ(t->text, "cancel it");
}

TEST(deepgram_live, an_empty_speech_final_ends_nothing) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("", true, true, 0, 1.0))));
  EXPECT_FALSE(a.on(msg(utterance_end_at(1.0))));
  EXPECT_FALSE(a.open());
}

TEST(deepgram_live, a_new_socket_offsets_its_times) {
  transcript_assembler a;
  EXPECT_FALSE(a.on(msg(result("hello", true, false, 0, 2.0))));
  a.set_offset(2.0); // reconnected: the new socket's 0 is the old socket's 2.0
  EXPECT_FALSE(a.on(msg(result("there", false, false, 0, 1.0))));
  // Word ends at 3.0 in call time; an UtteranceEnd at 0.5 on the new socket is stale.
  EXPECT_FALSE(a.on(msg(utterance_end_at(0.5))));
  auto t = a.on(msg(result("there", true, true, 0, 1.0)));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text, "hello there");
  EXPECT_NEAR(a.final_until(), 3.0, 1e-9);
}

} // namespace
} // namespace frontdesk::deepgram
