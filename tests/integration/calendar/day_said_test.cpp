// The day the calendar's check takes when the caller names none or names today: a time alone
// once it is too soon today is tomorrow's, and a day with nothing left today is not "closed".
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/calendar/calendar.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "protocols/org/org_file.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

// Open 9 to 5 on weekdays, two hours' notice; the calls come on Wednesday at 3 PM.
const char* dental = R"({
  "name": "Bright Smile Dental", "phone_number": "+15550100001", "timezone": "America/Chicago",
  "hours": {"monday": ["09:00","17:00"], "tuesday": ["09:00","17:00"],
            "wednesday": ["09:00","17:00"], "thursday": ["09:00","17:00"],
            "friday": ["09:00","17:00"]},
  "appointment_minutes": 30, "min_notice_minutes": 120, "services": ["cleaning"]
})";

class day_said : public ::testing::Test {
protected:
  void SetUp() override {
    auto org = org::parse_org_file(dental);
    ASSERT_TRUE(org) << org.error().message;
    auto r = store::businesses_repo(app_).load(*org, now_);
    ASSERT_TRUE(r) << r.error().message;
    biz_ = r->business_id;
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO calls (id, business_id, call_sid) VALUES ($1, $2, 'CA1')", call_,
                   biz_);
    tx.commit();
    auto p = cal_.profile(biz_);
    ASSERT_TRUE(p) << p.error().message;
    profile_ = *p;
  }
  dialog::tool_result run(dialog::tool_call t) { return cal_.run(profile_, call_, t, now_); }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
  booking::calendar_service cal_{app_};
  sys_time now_ = *parse_rfc3339("2026-03-04T15:00:00-06:00");
  std::string biz_, call_ = "00000000-0000-0000-0000-000000000c01";
  booking::business_profile profile_;
};

} // namespace

TEST_F(day_said, a_time_alone_too_soon_today_is_tomorrows) {
  auto r = run({"check_slot", {{"date", ""}, {"time", "15:15"}, {"part_of_day", ""}}});
  ASSERT_TRUE(r.ok) << r.values["reason"];
  EXPECT_EQ(r.values["start"], "2026-03-05T15:15");
  // Still bookable today: today's.
  auto later = run({"check_slot", {{"date", ""}, {"time", "17:30"}, {"part_of_day", ""}}});
  EXPECT_FALSE(later.ok);
  EXPECT_EQ(later.values["reason"], "outside_hours"); // today, after closing
}

TEST_F(day_said, a_day_with_nothing_left_today_is_not_closed) {
  auto today = run({"check_slot", {{"date", "2026-03-04"}, {"time", ""}, {"part_of_day", ""}}});
  EXPECT_FALSE(today.ok);
  EXPECT_EQ(today.values["reason"], "none_left_today");
  EXPECT_EQ(today.options.size(), 3u); // the nearest, from tomorrow
  auto saturday = run({"check_slot", {{"date", "2026-03-07"}, {"time", ""}, {"part_of_day", ""}}});
  EXPECT_EQ(saturday.values["reason"], "closed");
}
