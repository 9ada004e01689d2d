// A service's own length, from the business file to the tools the phone dialog calls: the
// check, the hold and the booking take that long, and moving an appointment keeps its length.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "actors/calendar/calendar.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "protocols/org/org_file.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

// Monday 2026-03-09 in Chicago; a 90-minute whitening, the business's 30-minute default, and
// Bo Chen booked at 10:30.
const char* dental = R"({
  "name": "Bright Smile Dental", "phone_number": "+15550100001", "timezone": "America/Chicago",
  "hours": {"monday": ["09:00","17:00"], "tuesday": ["09:00","17:00"]},
  "appointment_minutes": 30, "min_notice_minutes": 60,
  "services": ["cleaning", {"name": "Whitening", "minutes": 90}],
  "existing_appointments": [{"start": "2026-03-09T10:30", "minutes": 30, "name": "Bo Chen"}]
})";

class service_length : public ::testing::Test {
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
  std::string row(const std::string& sql) { return db_.value(sql); }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
  booking::calendar_service cal_{app_};
  sys_time now_ = *parse_rfc3339("2026-03-06T12:00:00-06:00"); // the Friday before
  std::string biz_, call_ = "00000000-0000-0000-0000-000000000c01";
  booking::business_profile profile_;
};

} // namespace

TEST_F(service_length, the_business_file_gives_a_service_its_length) {
  EXPECT_EQ(row("SELECT name || ' ' || minutes FROM services"), "Whitening 90");
  EXPECT_EQ(profile_.service_minutes.at("whitening"), std::chrono::minutes{90});
  // Loading the file again changes the length in place, without a second row.
  auto org = org::parse_org_file(dental);
  org->service_minutes["Whitening"] = 60;
  ASSERT_TRUE(store::businesses_repo(app_).load(*org, now_));
  EXPECT_EQ(row("SELECT count(*) || ' ' || min(minutes) FROM services"), "1 60");
}

TEST_F(service_length, a_long_service_does_not_fit_before_a_booking_that_a_short_one_does) {
  // 09:30 to 10:00 fits a cleaning before Bo Chen's 10:30; a whitening until 11:00 does not.
  auto cleaning = run({"check_slot", {{"date", "2026-03-09"}, {"time", "09:30"}, {"service", "cleaning"}}});
  EXPECT_TRUE(cleaning.ok) << cleaning.values["reason"];
  ASSERT_TRUE(run({"release_slot", {}}).ok);
  auto whitening = run({"check_slot", {{"date", "2026-03-09"}, {"time", "09:30"}, {"service", "whitening"}}});
  EXPECT_FALSE(whitening.ok);
  EXPECT_EQ(whitening.values["reason"], "taken");
  ASSERT_FALSE(whitening.option_values.empty());

  // Held and booked with the service: the appointment takes 90 minutes.
  auto held = run({"hold_slot", {{"start", "2026-03-09T11:00"}, {"service", "whitening"}}});
  ASSERT_TRUE(held.ok) << held.values["reason"];
  EXPECT_EQ(row("SELECT upper(during) - lower(during) FROM appointments WHERE status = 'held'"), "01:30:00");
  auto booked = run({"book", {{"start", "2026-03-09T11:00"}, {"name", "Ann Lee"},
                              {"phone", "+15557770001"}, {"service", "whitening"}}});
  ASSERT_TRUE(booked.ok) << booked.values["reason"];
  EXPECT_EQ(row("SELECT upper(during) - lower(during) FROM appointments WHERE customer_name = 'Ann Lee' "
                "AND status = 'booked'"),
            "01:30:00");
}

TEST_F(service_length, moving_an_appointment_keeps_its_own_length) {
  auto booked = run({"book", {{"start", "2026-03-09T13:00"}, {"name", "Ann Lee"},
                              {"phone", "+15557770001"}, {"service", "whitening"}}});
  ASSERT_TRUE(booked.ok) << booked.values["reason"];
  auto id = booked.values["appointment_id"];
  // Tuesday 09:30 to 11:00 is free; Monday 09:00 would run into Bo Chen's 10:30.
  auto blocked = run({"check_slot", {{"date", "2026-03-09"}, {"time", "09:30"}, {"ignore_appointment", id}}});
  EXPECT_FALSE(blocked.ok);
  auto fine = run({"check_slot", {{"date", "2026-03-10"}, {"time", "09:30"}, {"ignore_appointment", id}}});
  ASSERT_TRUE(fine.ok) << fine.values["reason"];
  auto moved = run({"reschedule", {{"appointment_id", id}, {"start", "2026-03-10T09:30"}}});
  ASSERT_TRUE(moved.ok) << moved.values["reason"];
  EXPECT_EQ(row("SELECT upper(during) - lower(during) FROM appointments WHERE id = '" +
                moved.values["appointment_id"] + "'"),
            "01:30:00");
  // An id that is no appointment's is the business's length, not an error.
  auto odd = run({"check_slot", {{"date", "2026-03-10"}, {"time", "14:00"}, {"ignore_appointment", "not-an-id"}}});
  EXPECT_TRUE(odd.ok) << odd.values["reason"];
}
