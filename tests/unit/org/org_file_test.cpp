#include <map>

#include <gtest/gtest.h>

#include "protocols/org/org_file.hpp"

using namespace frontdesk::org;

namespace {
const char* full = R"({
  "name": "Bright Smile Dental", "phone_number": "+15550100001", "timezone": "America/Chicago",
  "hours": {"monday": ["09:00","17:00"], "tuesday": [["09:00","12:00"],["13:00","17:00"]]},
  "appointment_minutes": 60, "buffer_minutes": 10, "min_notice_minutes": 60, "days_ahead": 14,
  "greeting": "Thanks for calling Bright Smile.", "transfer_number": "+15550109999",
  "services": ["cleaning", {"name": "whitening", "minutes": 90}],
  "knowledge": ["We accept Delta Dental insurance.", "Parking is free behind the building."],
  "existing_appointments": [{"start": "2026-03-04T14:00", "minutes": 60, "name": "Ann Lee", "phone": "+15557770001"},
                            {"start": "2026-03-05T10:00", "name": "Bo Chen"}],
  "speech": {"voice": "nova", "stt_model": "nova-3-medical", "stt_language": "en-GB"}
})";
}

TEST(org_file, parses_a_full_business) {
  auto org = parse_org_file(full);
  ASSERT_TRUE(org) << org.error().message;
  EXPECT_EQ(org->name, "Bright Smile Dental");
  EXPECT_EQ(org->timezone, "America/Chicago");
  ASSERT_EQ(org->hours[0].size(), 1u);
  EXPECT_EQ(org->hours[0][0].opens, "09:00");
  ASSERT_EQ(org->hours[1].size(), 2u);
  EXPECT_EQ(org->hours[1][1].closes, "17:00");
  EXPECT_TRUE(org->hours[2].empty()); // missing day = closed
  EXPECT_EQ(org->appointment_minutes, 60);
  EXPECT_EQ(org->buffer_minutes, 10);
  EXPECT_EQ(org->knowledge.size(), 2u);
  EXPECT_EQ(org->services, (std::vector<std::string>{"cleaning", "whitening"}));
  EXPECT_EQ(org->service_minutes, (std::map<std::string, int>{{"whitening", 90}}));
  ASSERT_EQ(org->existing_appointments.size(), 2u);
  EXPECT_EQ(org->existing_appointments[1].minutes, 60); // defaults to appointment_minutes
  EXPECT_EQ(org->existing_appointments[0].phone, "+15557770001");
  EXPECT_EQ(org->speech.voice, "nova");
  EXPECT_EQ(org->speech.stt_model, "nova-3-medical");
  EXPECT_EQ(org->speech.stt_language, "en-GB");
}

TEST(org_file, defaults_for_optional_keys) {
  auto org = parse_org_file(R"({"name":"A","phone_number":"+15550100001","timezone":"UTC"})");
  ASSERT_TRUE(org) << org.error().message;
  EXPECT_EQ(org->appointment_minutes, 30);
  EXPECT_EQ(org->min_notice_minutes, 120);
  EXPECT_EQ(org->days_ahead, 30);
  EXPECT_EQ(org->speech.voice, ""); // the node's default voice and model
  EXPECT_EQ(org->speech.stt_model, "");
}

TEST(org_file, refuses_bad_input_naming_the_key) {
  struct c {
    const char* json;
    const char* mentions;
  };
  for (auto [json, mentions] : std::vector<c>{
           {"", "not valid JSON"},
           {"[]", "one JSON object"},
           {R"({"phone_number":"+15550100001","timezone":"UTC"})", "'name'"},
           {R"({"name":"A","phone_number":"555-0100","timezone":"UTC"})", "'phone_number'"},
           {R"({"name":"A","phone_number":"+15550100001"})", "'timezone'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","hours":{"funday":["09:00","17:00"]}})", "'hours.funday'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","hours":{"monday":["17:00","09:00"]}})", "open before"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","hours":{"monday":["9am","5pm"]}})", "HH:MM"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","hours":{"monday":[["09:00","13:00"],["12:00","17:00"]]}})", "overlap"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","appointment_minutes":"60"})", "'appointment_minutes'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","appointment_minutes":2})", "between"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","colour":"red"})", "'colour' is not a known key"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","knowledge":[1]})", "'knowledge[0]'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","existing_appointments":[{"start":"2026-03-04 14:00"}]})", "existing_appointments[0].start"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","existing_appointments":[{"start":"2026-03-04T14:00","when":1}]})", "existing_appointments[0].when"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":"cleaning"})", "'services' must be a list"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":[7]})", "'services[0]' must be a name"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":[""]})", "'services[0]' the name must be"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":[{"minutes":30}]})", "'services[0].name'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":["a",{"name":"b"}]})", "'services[1].minutes'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":[{"name":"b","minutes":4}]})", "from 5 to 1440"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":[{"name":"b","minutes":"60"}]})", "'services[0].minutes'"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","services":[{"name":"b","minutes":60,"price":5}]})", "'services[0].price' is not a known key"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","speech":"nova"})", "'speech' must be an object"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","speech":{"pitch":1}})", "'speech.pitch' is not a known key"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","speech":{"voice":7}})", "'speech.voice' must be a string"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","speech":{"voice":"a&b=c"}})", "'speech.voice' must be a name"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","speech":{"stt_model":"x/../y"}})", "'speech.stt_model' must be a name"},
           {R"({"name":"A","phone_number":"+15550100001","timezone":"UTC","speech":{"stt_language":"en US"}})", "'speech.stt_language' must be a name"},
       }) {
    auto org = parse_org_file(json);
    ASSERT_FALSE(org) << json;
    EXPECT_EQ(org.error().code, "bad_org_file");
    EXPECT_NE(org.error().message.find(mentions), std::string::npos)
        << json << " -> " << org.error().message;
  }
}

TEST(org_file, every_prefix_of_a_valid_file_fails_cleanly) {
  std::string text = full;
  for (std::size_t n = 0; n < text.size(); ++n)
    EXPECT_FALSE(parse_org_file(text.substr(0, n)));
}
