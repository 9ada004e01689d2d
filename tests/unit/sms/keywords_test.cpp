#include "protocols/sms/keywords.hpp"

#include <gtest/gtest.h>

using namespace frontdesk::sms;

namespace {
intent kind(const char* body, const char* type = "") { return parse_inbound(body, type).kind; }
} // namespace

TEST(keywords, carrier_opt_out_words_alone_in_any_case) {
  // T10
  for (const char* w : {"STOP", "stop", "Stop", " STOPALL ", "unsubscribe", "END", "Quit",
                        "REVOKE", "optout", "stop.", "STOP!"})
    EXPECT_EQ(kind(w), intent::opt_out) << w;
}

TEST(keywords, bare_cancel_opts_out_and_is_flagged_for_staff) {
  auto r = parse_inbound("CANCEL");
  EXPECT_EQ(r.kind, intent::opt_out);
  EXPECT_TRUE(r.bare_cancel);
  EXPECT_TRUE(parse_inbound(" cancel ").bare_cancel);
  EXPECT_TRUE(parse_inbound("Cancel", "STOP").bare_cancel);
  EXPECT_FALSE(parse_inbound("STOP").bare_cancel);
}

TEST(keywords, opt_in_and_help) {
  // T11
  for (const char* w : {"START", "unstop", "Yes"})
    EXPECT_EQ(kind(w), intent::opt_in) << w;
  for (const char* w : {"HELP", "info", "Help?"})
    EXPECT_EQ(kind(w), intent::help) << w;
}

TEST(keywords, twilio_opt_out_type_decides) {
  EXPECT_EQ(kind("whatever they typed", "STOP"), intent::opt_out);
  EXPECT_EQ(kind("go", "START"), intent::opt_in);
  EXPECT_EQ(kind("?", "HELP"), intent::help);
  EXPECT_EQ(kind("C", "bogus"), intent::cancel);
}

TEST(keywords, c_and_r_and_slot_choices) {
  // T12, T13
  for (const char* w : {"C", "c", " c ", "c.", "C!"})
    EXPECT_EQ(kind(w), intent::cancel) << w;
  for (const char* w : {"R", "r", " r. "})
    EXPECT_EQ(kind(w), intent::reschedule) << w;
  for (int i = 1; i <= 3; ++i) {
    auto r = parse_inbound(std::to_string(i));
    EXPECT_EQ(r.kind, intent::choose);
    EXPECT_EQ(r.choice, i);
  }
  EXPECT_EQ(kind("4"), intent::other);
  EXPECT_EQ(kind("12"), intent::other);
}

TEST(keywords, sentences) {
  EXPECT_EQ(kind("Cancel my appointment"), intent::cancel);
  EXPECT_EQ(kind("please cancel"), intent::cancel); // not a carrier keyword: a whole sentence
  EXPECT_EQ(kind("I need to cancle"), intent::cancel);
  EXPECT_EQ(kind("can I come Thursday? need to reschedule"), intent::reschedule);
  EXPECT_EQ(kind("Could we find another time"), intent::reschedule);
  EXPECT_EQ(kind("STOP texting me please"), intent::opt_out); // T15
  EXPECT_EQ(kind("stop. thank you"), intent::opt_out);
  EXPECT_EQ(kind("please don't text this number"), intent::opt_out);
  EXPECT_EQ(kind("thanks, see you then"), intent::other);
  EXPECT_EQ(kind("stopwatch"), intent::other);
  EXPECT_EQ(kind("Rescheduling is easy"), intent::other);
}

TEST(keywords, empty_and_malformed_bodies_are_other) {
  for (std::string b : {std::string(), std::string("   "), std::string("\x00\x01", 2),
                        std::string("\xFF\xFE\xFD"), std::string(5000, 'x'), std::string("...")})
    EXPECT_EQ(parse_inbound(b).kind, intent::other);
  // Emoji and other UTF-8 around a keyword make it a sentence, not a keyword (T18).
  EXPECT_EQ(kind("STOP \xF0\x9F\x98\x80"), intent::opt_out);
  EXPECT_EQ(kind("\xF0\x9F\x98\x80"), intent::other);
}

TEST(keywords, every_split_of_a_keyword_message_is_read_without_crashing) {
  for (std::string msg : {"STOP", "Cancel my appointment", " c. ", "UNSUBSCRIBE", "2"}) {
    for (std::size_t i = 0; i <= msg.size(); ++i) {
      auto head = parse_inbound(msg.substr(0, i));
      auto tail = parse_inbound(msg.substr(i));
      // A piece is at most as strong as the whole: never an opt-in out of an opt-out's parts.
      EXPECT_NE(head.kind, intent::opt_in) << msg << " @" << i;
      EXPECT_NE(tail.kind, intent::opt_in) << msg << " @" << i;
    }
    EXPECT_EQ(parse_inbound(msg).kind, parse_inbound(msg + " ").kind) << msg;
  }
}
