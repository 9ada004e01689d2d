#include "protocols/sms/sms_text.hpp"

#include <gtest/gtest.h>

using namespace frontdesk;
using namespace frontdesk::sms;

TEST(sms_text, plain_ascii_is_gsm7_160_a_segment_then_153) {
  EXPECT_EQ(count_segments("").segments, 1);
  auto one = count_segments(std::string(160, 'a'));
  EXPECT_EQ(one.encoding, encoding::gsm7);
  EXPECT_EQ(one.segments, 1);
  EXPECT_EQ(count_segments(std::string(161, 'a')).segments, 2);
  EXPECT_EQ(count_segments(std::string(306, 'a')).segments, 2);
  EXPECT_EQ(count_segments(std::string(307, 'a')).segments, 3);
}

TEST(sms_text, extension_characters_count_twice) {
  auto s = count_segments(std::string(159, 'a') + "€"); // euro: escape + septet
  EXPECT_EQ(s.encoding, encoding::gsm7);
  EXPECT_EQ(s.units, 161);
  EXPECT_EQ(s.segments, 2);
  EXPECT_EQ(count_segments("[x]").units, 5);
}

TEST(sms_text, gsm_accents_stay_gsm7) {
  auto s = count_segments("Café Øre: £5, ¿Ñ? Ä é ü à ß");
  EXPECT_EQ(s.encoding, encoding::gsm7);
}

TEST(sms_text, one_curly_quote_switches_to_ucs2) {
  // T19: a curly apostrophe, as a name or a phone's autocorrect writes it.
  auto s = count_segments("You\xE2\x80\x99re booked");
  EXPECT_EQ(s.encoding, encoding::ucs2);
  EXPECT_EQ(s.units, 13);
  EXPECT_EQ(s.segments, 1);
  // Accents outside the GSM alphabet (ú, í) switch it too.
  EXPECT_EQ(count_segments("Ñandú").encoding, encoding::ucs2);
  // 152 GSM characters plus one non-GSM: 153 UCS-2 units, 3 segments of 67.
  auto t = count_segments(std::string(152, 'a') + "\xE2\x80\x99");
  EXPECT_EQ(t.encoding, encoding::ucs2);
  EXPECT_EQ(t.segments, 3);
  EXPECT_EQ(count_segments(std::string(70, 'a') + "").segments, 1);
  EXPECT_EQ(count_segments(std::string(69, 'a') + "\xE2\x80\x99").segments, 1);
  EXPECT_EQ(count_segments(std::string(70, 'a') + "\xE2\x80\x99").segments, 2);
}

TEST(sms_text, an_emoji_takes_two_ucs2_units) {
  auto s = count_segments("hi \xF0\x9F\x98\x80"); // grinning face, outside the BMP
  EXPECT_EQ(s.encoding, encoding::ucs2);
  EXPECT_EQ(s.units, 5);
}

TEST(sms_text, malformed_utf8_never_counts_as_gsm7) {
  for (std::string bad : {std::string("\xC3"), std::string("a\xE2\x80"), std::string("\xFF\xFE"),
                          std::string("\xE2\x28\xA1")}) {
    auto s = count_segments(bad);
    EXPECT_EQ(s.encoding, encoding::ucs2) << bad;
    EXPECT_GE(s.units, 1);
  }
}

TEST(sms_text, every_prefix_of_a_mixed_text_counts_without_crashing) {
  std::string text = "Zoë’s visit € \xF0\x9F\x98\x80 at 9:00";
  for (std::size_t i = 0; i <= text.size(); ++i) {
    auto s = count_segments(text.substr(0, i));
    EXPECT_GE(s.segments, 1);
    EXPECT_LE(s.units, static_cast<int>(2 * i + 1));
  }
}

TEST(sms_text, a_booking_confirmation_names_business_local_time_weekday_and_address) {
  business_card biz{"Bright Smile Dental", "+15550001111", "12 Main St, Springfield",
                    "America/Chicago"};
  auto at = *parse_rfc3339("2026-03-05T20:00:00Z"); // 2 PM in Chicago (CST)
  auto text = render_notice(notice::booked, biz, at);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "Bright Smile Dental: you're booked for Thursday, March 5 at 2:00 PM. 12 Main "
                   "St, Springfield. Reply C to cancel or R to reschedule.");
  EXPECT_EQ(count_segments(*text).encoding, encoding::gsm7);
  EXPECT_EQ(text->find("CANCEL"), std::string::npos);
}

TEST(sms_text, local_time_follows_daylight_saving) {
  auto summer = local_when("America/Chicago", *parse_rfc3339("2026-07-01T15:30:00Z"));
  EXPECT_EQ(*summer, "Wednesday, July 1 at 10:30 AM"); // CDT, UTC-5
  auto winter = local_when("America/Chicago", *parse_rfc3339("2026-01-07T15:30:00Z"));
  EXPECT_EQ(*winter, "Wednesday, January 7 at 9:30 AM"); // CST, UTC-6
  EXPECT_EQ(*local_when("UTC", *parse_rfc3339("2026-03-08T00:05:00Z")), "Sunday, March 8 at 12:05 AM");
}

TEST(sms_text, move_cancel_and_reminder_texts) {
  business_card biz{"Acme", "+15550001111", "", "America/New_York"};
  auto at = *parse_rfc3339("2026-03-05T14:00:00Z");
  EXPECT_EQ(*render_notice(notice::moved, biz, at),
            "Acme: your appointment is moved to Thursday, March 5 at 9:00 AM. Reply C to cancel "
            "or R to reschedule.");
  EXPECT_EQ(*render_notice(notice::cancelled, biz, at),
            "Acme: your appointment on Thursday, March 5 at 9:00 AM is cancelled. To book again, "
            "call +15550001111.");
  EXPECT_EQ(render_notice(notice::reminder, biz, at)->rfind("Reminder from Acme: your appointment is Thursday", 0), 0u);
  EXPECT_FALSE(render_notice(notice::booked, {"X", "", "", "Mars/Olympus"}, at));
}
