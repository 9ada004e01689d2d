#include "protocols/sms/delivery_policy.hpp"

#include <gtest/gtest.h>

using namespace frontdesk::sms;

TEST(delivery_policy, unreachable_and_unknown_errors_go_once_more) {
  for (int code : {30003, 30008}) {
    auto d = classify_delivery_failure(code);
    EXPECT_TRUE(d.retry_once) << code;
    EXPECT_GE(d.retry_after, std::chrono::minutes(5)) << code;
    EXPECT_FALSE(d.number_unusable) << code;
    EXPECT_EQ(d.staff_task, "sms_undelivered") << code; // when the second try fails too
    EXPECT_FALSE(d.business_wide) << code;
  }
}

TEST(delivery_policy, unknown_handsets_and_landlines_mark_the_number) {
  for (int code : {30005, 30006}) {
    auto d = classify_delivery_failure(code);
    EXPECT_FALSE(d.retry_once) << code;
    EXPECT_TRUE(d.number_unusable) << code;
    EXPECT_EQ(d.staff_task, "sms_number_unusable") << code;
    EXPECT_NE(d.note.find(std::to_string(code)), std::string::npos) << code;
  }
}

TEST(delivery_policy, spam_filtering_and_an_unregistered_sender_are_the_business_s_to_fix) {
  auto spam = classify_delivery_failure(30007);
  EXPECT_FALSE(spam.retry_once);
  EXPECT_FALSE(spam.number_unusable);
  EXPECT_TRUE(spam.business_wide);
  EXPECT_EQ(spam.staff_task, "sms_filtered");
  auto dlc = classify_delivery_failure(30034);
  EXPECT_FALSE(dlc.retry_once);
  EXPECT_FALSE(dlc.number_unusable);
  EXPECT_TRUE(dlc.business_wide);
  EXPECT_EQ(dlc.staff_task, "sms_sender_unregistered");
  EXPECT_NE(dlc.note.find("10DLC"), std::string::npos);
}

TEST(delivery_policy, an_expired_validity_and_unknown_codes_are_final_and_quiet) {
  for (int code : {30036, 0, 30001, 21610, -1, 99999}) {
    auto d = classify_delivery_failure(code);
    EXPECT_FALSE(d.retry_once) << code;
    EXPECT_FALSE(d.number_unusable) << code;
    EXPECT_EQ(d.staff_task, "") << code;
  }
}

TEST(delivery_policy, only_undelivered_and_failed_are_failures) {
  EXPECT_TRUE(is_delivery_failure("undelivered"));
  EXPECT_TRUE(is_delivery_failure("failed"));
  for (const char* s : {"delivered", "sent", "queued", "", "FAILED", "canceled"})
    EXPECT_FALSE(is_delivery_failure(s)) << s;
}
