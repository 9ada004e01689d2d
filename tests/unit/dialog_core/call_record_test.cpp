#include <gtest/gtest.h>

#include "actors/dialog/call_record.hpp"

using namespace frontdesk::dialog;

TEST(call_record, says_what_was_booked_moved_and_cancelled) {
  call_record r;
  r.reason = "to book a cleaning";
  r.changes.push_back({"booked", "a cleaning", "Thursday, March 5th at 11:00 AM", "", "Maria Garcia"});
  r.answered.push_back("how much is a cleaning");
  EXPECT_EQ(r.narrative(), "Called to book a cleaning. Booked a cleaning for Maria Garcia on "
                           "Thursday, March 5th at 11:00 AM. Answered: how much is a cleaning.");
  call_record m;
  m.reason = "to move an appointment";
  m.changes.push_back({"moved", "", "Friday, March 6th at 10:00 AM",
                       "Thursday, March 5th at 2:00 PM", ""});
  m.changes.push_back({"cancelled", "a checkup", "Monday, March 9th at 4:00 PM", "", ""});
  EXPECT_EQ(m.narrative(), "Called to move an appointment. Moved their appointment from Thursday, "
                           "March 5th at 2:00 PM to Friday, March 6th at 10:00 AM. Cancelled a "
                           "checkup on Monday, March 9th at 4:00 PM.");
}

TEST(call_record, questions_transfers_and_follow_ups) {
  call_record r;
  r.unanswered.push_back("do you do implants?");
  r.follow_up("call the caller back about: do you do implants?");
  r.follow_up("call the caller back about: do you do implants?"); // once
  EXPECT_EQ(r.narrative(), "Called without saying why. Nothing was booked or changed. Not "
                           "answered: do you do implants? Follow-up: call the caller back about: "
                           "do you do implants?");
  call_record t;
  t.reason = "about an emergency";
  t.transferred = true;
  t.transfer_reason = "an emergency";
  EXPECT_EQ(t.narrative(), "Called about an emergency. Transferred to staff: an emergency.");
  r.follow_up("");
  EXPECT_EQ(r.follow_ups.size(), 1u);
}
