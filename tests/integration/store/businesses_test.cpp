// Loading business files into a real PostgreSQL as the application role.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

class businesses : public ::testing::Test {
protected:
  std::string row(const std::string& sql) { return db_.value(sql); }
  org::org_file parse(const std::string& json) {
    auto o = org::parse_org_file(json);
    EXPECT_TRUE(o) << o.error().message;
    return *o;
  }
  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
  store::businesses_repo repo_{app_};
};

const char* dental = R"({
  "name": "Bright Smile Dental", "phone_number": "+15550100001", "timezone": "America/New_York",
  "hours": {"monday": ["09:00","17:00"], "tuesday": [["09:00","12:00"],["13:00","17:00"]]},
  "appointment_minutes": 60, "greeting": "Thanks for calling Bright Smile.",
  "services": ["cleaning"], "knowledge": ["We accept Delta Dental insurance."],
  "existing_appointments": [{"start": "2026-03-09T09:00", "name": "Ann Lee", "phone": "+15557770001"}]
})";

} // namespace

TEST_F(businesses, creates_a_business_with_hours_knowledge_and_appointments) {
  auto r = repo_.load(parse(dental));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->created);
  EXPECT_EQ(r->knowledge, 2u);
  EXPECT_EQ(r->appointments, 1u);
  EXPECT_EQ(row("SELECT name FROM businesses"), "Bright Smile Dental");
  EXPECT_EQ(row("SELECT count(*) FROM business_hours"), "3");
  // 09:00 local on the Monday after the spring change in New York is 13:00 UTC (EDT, -4).
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM appointments"),
            "2026-03-09 13:00");
  EXPECT_EQ(row("SELECT count(*) FROM knowledge WHERE tsv @@ plainto_tsquery('english', 'insurance')"), "1");
}

TEST_F(businesses, loading_again_updates_in_place_without_duplicates) {
  ASSERT_TRUE(repo_.load(parse(dental)));
  auto changed = parse(dental);
  changed.greeting = "Hello from Bright Smile.";
  changed.hours[2] = {{"10:00", "14:00"}};
  auto r = repo_.load(changed);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->created);
  EXPECT_EQ(r->appointments, 0u);
  EXPECT_EQ(row("SELECT count(*) FROM businesses"), "1");
  EXPECT_EQ(row("SELECT greeting FROM businesses"), "Hello from Bright Smile.");
  EXPECT_EQ(row("SELECT count(*) FROM business_hours"), "4");
  EXPECT_EQ(row("SELECT count(*) FROM appointments"), "1");
  EXPECT_EQ(row("SELECT count(*) FROM knowledge"), "2");
}

TEST_F(businesses, an_unknown_zone_changes_nothing) {
  auto org = parse(dental);
  org.timezone = "Mars/Olympus_Mons";
  auto r = repo_.load(org);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "bad_org_file");
  EXPECT_NE(r.error().message.find("Mars/Olympus_Mons"), std::string::npos);
  EXPECT_EQ(row("SELECT count(*) FROM businesses"), "0");
}

TEST_F(businesses, overlapping_existing_appointments_are_refused_as_a_whole) {
  auto org = parse(dental);
  org.existing_appointments.push_back({"2026-03-09T09:30", 30, "Bo Chen", ""});
  auto r = repo_.load(org);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("overlap"), std::string::npos) << r.error().message;
  EXPECT_EQ(row("SELECT count(*) FROM businesses"), "0");
  EXPECT_EQ(row("SELECT count(*) FROM appointments"), "0");
}

TEST_F(businesses, loaded_appointments_get_their_reminders_planned_once_and_no_confirmation) {
  auto org = parse(dental);
  org.existing_appointments.push_back({"2026-03-10T09:00", 60, "Bo Chen", ""}); // no number: no texts
  auto now = *parse_rfc3339("2026-03-02T15:00:00Z");
  auto r = repo_.load(org, now);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->appointments, 2u);
  // Ann Lee at 09:00 EDT on March 9th: 24 h before is 09:00 on the 8th (13:00 UTC); 2 h before
  // is 07:00, in the quiet hours, so 08:00 (12:00 UTC).
  EXPECT_EQ(row("SELECT string_agg(to_char(send_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ',' "
                "ORDER BY send_at) FROM reminders WHERE status = 'pending'"),
            "2026-03-08 13:00,2026-03-09 12:00");
  EXPECT_EQ(row("SELECT count(*) FROM outbox"), "0");
  // Loading the file again adds no appointment and plans nothing more.
  ASSERT_TRUE(repo_.load(org, now + std::chrono::hours(1)));
  EXPECT_EQ(row("SELECT count(*) FROM reminders"), "2");
  // An appointment already past when loaded gets none.
  auto later = parse(dental);
  later.existing_appointments = {{"2026-03-03T09:00", 60, "Cy Diaz", "+15557770003"}};
  ASSERT_TRUE(repo_.load(later, *parse_rfc3339("2026-03-04T15:00:00Z")));
  EXPECT_EQ(row("SELECT count(*) FROM reminders"), "2");
}
