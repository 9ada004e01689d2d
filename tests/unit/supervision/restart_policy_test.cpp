#include <gtest/gtest.h>

#include "actors/call/supervision.hpp"

using namespace frontdesk::call;
using action = restart_decision::action;

TEST(restart_policy, restarts_each_child_up_to_the_bound_then_ends_the_call_politely) {
  restart_policy p(3);
  for (int i = 1; i <= 3; ++i) {
    auto d = p.on_failure(child::listener, false);
    EXPECT_EQ(d.what, action::restart);
    EXPECT_EQ(d.failures, i);
    EXPECT_TRUE(d.say.empty());
  }
  auto last = p.on_failure(child::listener, false);
  EXPECT_EQ(last.what, action::apologise_and_end);
  EXPECT_NE(last.say.find("technical trouble"), std::string::npos);
  EXPECT_EQ(p.restarts(), 3);
  // Each child has its own budget.
  EXPECT_EQ(p.on_failure(child::dialog, false).what, action::restart);
  EXPECT_EQ(p.failures(child::dialog), 1);
  EXPECT_EQ(p.restarts(), 4);
}

TEST(restart_policy, a_dialog_that_died_on_a_turn_asks_the_caller_again) {
  restart_policy p(3);
  auto d = p.on_failure(child::dialog, true);
  EXPECT_EQ(d.what, action::restart);
  EXPECT_EQ(d.say, "Sorry, could you say that again?");
  EXPECT_TRUE(p.on_failure(child::listener, true).say.empty()); // only the dialog's turn is lost
}

TEST(restart_policy, a_speaker_that_keeps_failing_cannot_apologise_so_the_call_ends) {
  restart_policy p(1);
  EXPECT_EQ(p.on_failure(child::speaker, false).what, action::restart);
  auto d = p.on_failure(child::speaker, false);
  EXPECT_EQ(d.what, action::hang_up);
  EXPECT_TRUE(d.say.empty());
}

TEST(restart_policy, no_restarts_allowed_ends_at_the_first_failure) {
  restart_policy p(0);
  EXPECT_EQ(p.on_failure(child::dialog, true).what, action::apologise_and_end);
  EXPECT_EQ(p.restarts(), 0);
  EXPECT_STREQ(to_string(child::dialog), "dialog");
}
