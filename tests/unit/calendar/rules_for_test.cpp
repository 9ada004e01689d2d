#include "actors/calendar/calendar.hpp"

#include <gtest/gtest.h>

using frontdesk::booking::business_profile;
using frontdesk::booking::rules_for;
using std::chrono::minutes;

namespace {

business_profile dental() {
  business_profile p;
  p.booking.length = minutes{60};
  p.booking.buffer = minutes{10};
  p.service_minutes["root canal"] = minutes{90};
  p.service_minutes["check-up"] = minutes{20};
  return p;
}

} // namespace

TEST(rules_for, a_service_with_a_length_books_that_long_on_the_business_grid) {
  auto p = dental();
  auto r = rules_for(p, "Root Canal"); // any case
  EXPECT_EQ(r.length, minutes{90});
  EXPECT_EQ(r.step, minutes{60}); // starts stay on the hour grid
  EXPECT_EQ(r.buffer, minutes{10});
  EXPECT_EQ(rules_for(p, "check-up").length, minutes{20});
}

TEST(rules_for, any_other_service_takes_the_business_length) {
  auto p = dental();
  for (auto s : {"", "cleaning", "root", "root canal ", "ROOT CANAL!"}) {
    auto r = rules_for(p, s);
    EXPECT_EQ(r.length, minutes{60}) << s;
    EXPECT_EQ(r.step, minutes{0}) << s;
  }
  p.booking.step = minutes{15}; // a grid of its own is kept
  EXPECT_EQ(rules_for(p, "root canal").step, minutes{15});
}
