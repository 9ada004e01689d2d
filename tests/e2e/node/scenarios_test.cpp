// The scenario files, end to end: a node on embedded engines with its clock at Wednesday,
// March 4th 2026, 3 PM in Chicago; the business from tests/scenarios/org.json; each scenario
// placed by `frontdesk call --scenario FILE --check`, once with the turns as text past the
// recogniser and once as audio through the whole stack.
#include <gtest/gtest.h>

#include "actors/node/node.hpp"
#include "tests/e2e/node/scenario_business.hpp"
#include "tests/e2e/node/start_node.hpp"
#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

const std::string source = FRONTDESK_SOURCE_DIR;
const std::string token = "scenario-token";

struct scenario_case {
  std::string file;
  bool text;
};

// How ctest and failures show a case (GoogleTest would print its bytes).
void PrintTo(const scenario_case& c, std::ostream* os) {
  *os << c.file << (c.text ? " as text" : " as audio");
}

std::string case_name(const ::testing::TestParamInfo<scenario_case>& info) {
  return info.param.file + (info.param.text ? "_text" : "_audio");
}

class scenario_call : public ::testing::TestWithParam<scenario_case> {
protected:
  void SetUp() override {
    ASSERT_TRUE(fixtures::load_scenario_business(db_.app_dsn()));
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.speech.recordings_dir = "";
    cfg.speech.accept_scripts = true;
    node_ = fixtures::start_node(cfg, fixtures::scenario_now(), 17);
    ASSERT_TRUE(node_);
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
};

} // namespace

TEST_P(scenario_call, does_what_the_scenario_expects) {
  auto& c = GetParam();
  auto cmd = "DATABASE_URL='" + db_.app_dsn() + "' TWILIO_AUTH_TOKEN=" + token + " " +
             FRONTDESK_BIN + " call --base-url http://127.0.0.1:" + std::to_string(node_->port()) +
             " --to +15550100001 --scenario " + source + "/tests/scenarios/" + c.file + ".json" +
             // The check is what was said and done, not how fast: audio words go 4x real time.
             (c.text ? " --text" : " --words-speed 4") + " --check --max-seconds 120";
  auto r = fixtures::run(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // The report is JSON with the call's record in it.
  EXPECT_NE(r.output.find("\"call\":{"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    receptionist, scenario_call,
    ::testing::ValuesIn(std::vector<scenario_case>{
        {"book_01", true}, {"book_01", false},
        {"conflict_alternative", true}, {"conflict_alternative", false},
        {"out_of_hours_saturday", true}, {"out_of_hours_saturday", false},
        {"cancel", true}, {"cancel", false},
        {"reschedule", true}, {"reschedule", false},
        {"knowledge_insurance", true}, {"knowledge_insurance", false},
        {"transfer", true}, {"transfer", false},
        // A plain booking call's defects: a time is no name, the caller ID is the number, the
        // caller's words are kept, every question has a way out, corrections at any step.
        {"name_not_a_time", true}, {"name_not_a_time", false},
        {"unlisted_request_kept", true},
        {"leave_while_asked_for_number", true},
        {"person_while_asked_for_name", true},
        {"correction_at_confirmation", true},
        {"withheld_number_read_out", true},
    }),
    case_name);
