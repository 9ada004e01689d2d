// The LLM dialog engine in a running node: a fake OpenAI-compatible server on loopback answers
// with streamed tool calls (check_slot, book, end_call) that the node runs against the real
// calendar; when the server fails, the call carries on with the rules engine.
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "tests/e2e/node/start_node.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "protocols/core/time.hpp"
#include "protocols/org/org_file.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string source = FRONTDESK_SOURCE_DIR;
const std::string token = "llm-token";

class llm_call : public ::testing::Test {
protected:
  void start_node(const std::string& base_url) {
    std::ifstream in(source + "/tests/scenarios/org.json");
    std::stringstream text;
    text << in.rdbuf();
    auto org = org::parse_org_file(text.str());
    ASSERT_TRUE(org) << org.error().message;
    store::database db(db_.app_dsn(), 1);
    ASSERT_TRUE(store::businesses_repo(db).load(*org));
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.speech.recordings_dir = "";
    cfg.speech.accept_scripts = true;
    cfg.speech.dialog = "llm";
    cfg.llm.base_url = base_url;
    cfg.llm.max_attempts = 2;
    cfg.llm.timeout_ms = 5000;
    auto now = parse_rfc3339("2026-03-04T15:00:00-06:00");
    node_ = fixtures::start_node(cfg, *now, 19);
    ASSERT_TRUE(node_);
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  fixtures::run_result call(const std::string& scenario_json) {
    auto path = ::testing::TempDir() + "llm-scenario-" + std::to_string(::getpid()) + ".json";
    std::ofstream(path) << scenario_json;
    return fixtures::run("DATABASE_URL='" + db_.app_dsn() + "' TWILIO_AUTH_TOKEN=" + token + " " +
                         FRONTDESK_BIN + " call --base-url http://127.0.0.1:" +
                         std::to_string(node_->port()) + " --to +15550100001 --scenario " + path +
                         " --text --check --max-seconds 90");
  }
  std::string row(const std::string& sql) { return db_.value(sql); }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
};

bool has(const fixtures::recorded_request& r, const std::string& text) {
  return r.body.find(text) != std::string::npos;
}

// Tool results the model has been sent so far in this conversation.
int tool_results(const fixtures::recorded_request& r) {
  int n = 0;
  for (auto p = r.body.find("\"role\":\"tool\""); p != std::string::npos;
       p = r.body.find("\"role\":\"tool\"", p + 1))
    ++n;
  return n;
}

} // namespace

TEST_F(llm_call, books_through_the_models_tool_calls_and_ends_on_its_end_call) {
  fixtures::fake_openai server([](const fixtures::recorded_request& req, int) {
    fixtures::scripted_reply r;
    r.gap = 5ms;
    if (has(req, "You write short notes")) { // the end-of-call summary
      r.chunks = fixtures::text_events(
          {"{\"summary\": \"Maria Garcia booked a cleaning for Thursday at 11 AM.\", ",
           "\"reason\": \"a cleaning\", \"outcome\": \"booked\", \"follow_up\": \"\"}"});
    } else if (has(req, "that's all, goodbye")) {
      r.chunks = fixtures::tool_events("call_3", "end_call", {"{}"}, {"Goodbye, Maria!"});
    } else if (tool_results(req) == 2) { // the booking's result is in
      r.chunks = fixtures::text_events({"You're booked for Thursday ", "at 11 AM. Anything else?"});
    } else if (tool_results(req) == 1) { // the slot is held
      r.chunks = fixtures::tool_events(
          "call_2", "book",
          {"{\"start\":\"2026-03-05T11:00\",", "\"name\":\"Maria Garcia\",",
           "\"phone\":\"+15557770123\",\"service\":\"cleaning\"}"});
    } else {
      r.chunks = fixtures::tool_events("call_1", "check_slot",
                                       {"{\"date\":\"2026-03-05\",", "\"time\":\"11:00\"}"});
    }
    return r;
  });
  start_node(server.base_url());
  auto r = call(R"({"caller": "+15557770123",
    "turns": ["I would like to book a cleaning tomorrow at eleven a m, my name is Maria Garcia.",
              "No, that's all, goodbye."],
    "expect": {"booked": "2026-03-05T11:00", "said": ["booked for Thursday at 11 AM"]}})");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("server_closed:1000:call ended"), std::string::npos) << r.output;
  EXPECT_EQ(row("SELECT customer_name FROM appointments WHERE status = 'booked' "
                "AND customer_phone = '+15557770123'"),
            "Maria Garcia");
  // The model saw the caller, the tool results and the business's context.
  auto reqs = server.requests();
  ASSERT_GE(reqs.size(), 4u);
  EXPECT_TRUE(has(reqs[0], "Bright Smile Dental"));
  EXPECT_TRUE(has(reqs[0], "\"stream\":true"));
  EXPECT_TRUE(has(reqs[0], "check_slot"));
  for (int i = 0; i < 50 && row("SELECT summary FROM calls").find("Maria") == std::string::npos; ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_NE(row("SELECT summary FROM calls").find("Maria Garcia booked a cleaning"),
            std::string::npos);
  EXPECT_EQ(row("SELECT outcome FROM calls"), "booked");
}

TEST_F(llm_call, a_failing_model_hands_the_call_to_the_rules_engine) {
  fixtures::fake_openai server([](const fixtures::recorded_request&, int) {
    fixtures::scripted_reply r;
    r.status = 503;
    r.content_type = "application/json";
    r.chunks = {fixtures::error_body("overloaded", "server_error")};
    return r;
  });
  start_node(server.base_url());
  auto r = call(R"({"caller": "+15557770124",
    "turns": ["I would like to book a cleaning tomorrow at eleven a m.", "My name is Ann Fox.",
              "Yes.", "No thank you."],
    "expect": {"booked": "2026-03-05T11:00"}})");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GE(server.count(), 2); // retried before giving up
  EXPECT_EQ(row("SELECT customer_name FROM appointments WHERE status = 'booked' "
                "AND customer_phone = '+15557770124'"),
            "Ann Fox");
}
