// A live call survives its node: three `frontdesk serve` processes on one database (instant
// engines, the rules dialog, the real calendar), simulated callers booking appointments over
// all three, and one node killed with kill -9 while the bookings are under way. The callers of
// the other nodes finish as if nothing happened; the lost node's callers follow <Connect
// action> (through the "balancer": the next node that takes the connection) to a survivor,
// which takes the call over on the same call row and resumes the booking where it was. Every
// booking confirmed to a caller exists once; none is doubled.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/caller/simulator.hpp"
#include "adapters/http/http.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/signature.hpp"
#include "tests/integration/cluster/loopback.hpp"
#include "tests/integration/cluster/node_process.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using namespace std::chrono_literals;
using namespace frontdesk;
using namespace frontdesk::fixtures::cluster;
using frontdesk::fixtures::run;
using frontdesk::fixtures::wait_for;
using steady = std::chrono::steady_clock;

namespace {

const std::string token = "cluster-test-token";

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size() - 1) + 0.5))];
}

class cluster_resume : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "cluster-resume-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
    run("rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "'");
    for (auto name : {"node-a", "node-b", "node-c"}) {
      nodes_.push_back(std::make_unique<node_process>());
      nodes_.back()->name = name;
      nodes_.back()->dir = dir_;
      nodes_.back()->tls = "insecure = true";
      nodes_.back()->speech = "instant";
    }
    // Every node signs and names <Connect action> over the same balancer URL (a's address
    // stands in for it: the callers sign over it and send to whichever node answers).
    balancer_ = "http://127.0.0.1:" + std::to_string(nodes_[0]->http);
    for (auto& n : nodes_)
      n->extra = "public_url = \"" + balancer_ + "\"\nspread_above = 0.99";
  }

  void start_all() {
    nodes_[0]->start(db_.app_dsn(), "");
    ASSERT_TRUE(wait_for([&] { return nodes_[0]->ready(); }, 30s)) << nodes_[0]->log();
    nodes_[1]->start(db_.app_dsn(), nodes_[0]->address());
    nodes_[2]->start(db_.app_dsn(), nodes_[0]->address());
    ASSERT_TRUE(wait_for([&] { return nodes_[1]->ready() && nodes_[2]->ready(); }, 30s))
        << nodes_[1]->log() << nodes_[2]->log();
    ASSERT_TRUE(wait_for(
        [&] {
          return nodes_[0]->members() == 3 && nodes_[1]->members() == 3 &&
                 nodes_[2]->members() == 3;
        },
        15s));
  }

  std::string sql1(const std::string& q) {
    pqxx::connection conn(db_.owner_dsn());
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(q);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  // A business open every day, with its own number: +1555020NNNN.
  void add_business(int n) {
    char number[32];
    std::snprintf(number, sizeof number, "+1555020%04d", n);
    auto id = sql1("INSERT INTO businesses (name, phone_number, timezone, greeting) VALUES "
                   "('Clinic " + std::to_string(n) + "', '" + number +
                   "', 'UTC', 'Thank you for calling. How can I help?') RETURNING id");
    // An hour each, booked from any time before: "tomorrow at nine" always fits.
    sql1("UPDATE businesses SET appointment_minutes = 60, min_notice_minutes = 0 WHERE id = '" +
         id + "'");
    sql1("INSERT INTO business_hours (business_id, weekday, opens, closes) SELECT '" + id +
         "', d, '08:00', '18:00' FROM generate_series(0, 6) d");
    sql1("INSERT INTO knowledge (business_id, title, body) VALUES ('" + id +
         "', 'service', 'We offer cleaning.')");
  }

  // What a booking run saw.
  struct run_result {
    std::vector<expected<caller::sim_report>> reports;
    std::vector<std::string> slots; // the hour each caller asked for (UTC)
    std::string live_on_c;          // calls node-c carried when it was cut
    double cut_after_s = 0, wall_s = 0;
    int node_c_exit = 0;
  };

  // `calls` callers, ten a second, each booking a slot no other caller wants (five hours of a
  // business each) in four turns; `cut_after` into the run node-c gets `signal`.
  run_result run_bookings(int calls, std::chrono::milliseconds cut_after, int signal) {
    constexpr int per_business = 5;
    const char* hours[per_business] = {"nine", "ten", "eleven", "two", "three"};
    const char* meridiem[per_business] = {"a m", "a m", "a m", "p m", "p m"};
    for (int b = 0; b < (calls + per_business - 1) / per_business; ++b)
      add_business(b);
    auto voice = speech::make_flite_tts("rms");
    std::map<std::string, std::vector<std::uint8_t>> said; // each sentence synthesised once
    auto words = [&](const std::string& text) {
      auto it = said.find(text);
      if (it == said.end())
        it = said.emplace(text, *speech::synthesize_all(*voice, text)).first;
      return it->second;
    };
    auto pool = std::make_shared<http::ws_client_pool>(2);
    std::vector<std::string> bases;
    for (auto& n : nodes_)
      bases.push_back("http://127.0.0.1:" + std::to_string(n->http));
    run_result res;
    res.reports.resize(static_cast<std::size_t>(calls), fail("not_run", ""));
    std::vector<caller::sim_options> options;
    for (int i = 0; i < calls; ++i) {
      int b = i / per_business, h = i % per_business;
      char number[32];
      std::snprintf(number, sizeof number, "+1555020%04d", b);
      std::vector<std::string> script{
          std::string("I would like to book a cleaning tomorrow at ") + hours[h] + " " +
              meridiem[h] + ".",
          "My name is Caller " + std::to_string(i) + ".", "Yes, please.",
          "No, that's all. Goodbye."};
      caller::sim_options o;
      // The balancer sends each caller's webhook to a node in turn; when that node refuses the
      // connection, to the next.
      for (int k = 0; k < 3; ++k)
        (k == 0 ? o.base_url : o.more_base_urls.emplace_back()) = bases[(i + k) % 3];
      o.public_url = balancer_;
      o.auth_token = token;
      o.to = number;
      o.from = "+1555777" + std::to_string(1000 + i);
      o.audio = words(script[0]);
      for (std::size_t k = 1; k < script.size(); ++k)
        o.turns.push_back({words(script[k]), 0ms});
      std::string joined;
      for (auto& line : script)
        joined += (joined.empty() ? "" : "|") + line;
      o.extra_parameters["script"] = joined;
      o.quiet_to_hang_up = 1500ms;
      o.max_call = 90s;
      o.ws_pool = pool;
      res.slots.push_back(std::to_string(h < 3 ? 9 + h : 12 + h - 1)); // 9, 10, 11, 14, 15
      options.push_back(std::move(o));
    }
    std::vector<std::thread> callers;
    auto t0 = steady::now();
    for (int i = 0; i < calls; ++i) {
      callers.emplace_back(
          [&res, &options, i] { res.reports[i] = caller::simulate_call(options[i]); });
      std::this_thread::sleep_for(100ms);
    }
    std::this_thread::sleep_until(t0 + cut_after);
    res.live_on_c = sql1("SELECT count(*) FROM calls WHERE node = 'node-c' AND ended_at IS NULL");
    res.cut_after_s = std::chrono::duration<double>(steady::now() - t0).count();
    res.node_c_exit = nodes_[2]->stop(signal);
    for (auto& t : callers)
      t.join();
    res.wall_s = std::chrono::duration<double>(steady::now() - t0).count();
    return res;
  }

  // No caller's call failed, c's live calls resumed elsewhere, every caller got the booking
  // they asked for, once. Prints the figures.
  void expect_every_call_and_booking_held(const run_result& res, const char* what) {
    int calls = static_cast<int>(res.reports.size()), failed = 0, resumed = 0;
    std::vector<double> gaps;
    for (int i = 0; i < calls; ++i) {
      auto& r = res.reports[static_cast<std::size_t>(i)];
      ASSERT_TRUE(r) << "call " << i << ": " << r.error().message;
      // The caller hung up after the goodbye, or the receptionist ended the call after its
      // goodbye, with every turn answered.
      bool ended_well =
          r->ended == "caller_hung_up" || r->ended == "server_closed:1000:call ended";
      if (!ended_well || r->turns_unanswered > 0 || r->webhook_status != 200) {
        ++failed;
        ADD_FAILURE() << "call " << i << " ended " << r->ended << ", " << r->turns_unanswered
                      << " turns unanswered, " << r->resumes << " resumes; last stream "
                      << (r->stream_urls.empty() ? "" : r->stream_urls.back());
      }
      if (r->resumes > 0) {
        ++resumed;
        gaps.insert(gaps.end(), r->resume_gap_ms.begin(), r->resume_gap_ms.end());
        // Taken over by a survivor, not by the node that was cut.
        EXPECT_EQ(r->stream_urls.back().find(std::to_string(nodes_[2]->http)), std::string::npos);
      }
    }
    // Exactly the calls c carried when it was cut resumed.
    EXPECT_EQ(std::to_string(resumed), res.live_on_c) << "calls resumed against calls live on c";
    EXPECT_GT(resumed, 0);
    EXPECT_EQ(failed, 0);
    // Resumed calls kept their row: one row per caller, none left open, none failed.
    EXPECT_EQ(sql1("SELECT count(*) FROM calls"), std::to_string(calls));
    EXPECT_TRUE(wait_for(
        [&] { return sql1("SELECT count(*) FROM calls WHERE ended_at IS NULL") == "0"; }, 15s));
    EXPECT_EQ(sql1("SELECT count(*) FROM calls WHERE status = 'failed'"), "0");
    EXPECT_EQ(sql1("SELECT count(*) FROM calls WHERE dialog_state IS NOT NULL"),
              std::to_string(calls));
    // A resumed call's transcript has the apology; most were cut off mid-booking and are told
    // where they were.
    EXPECT_EQ(sql1("SELECT count(*) FROM calls WHERE transcript::text LIKE "
                   "'%Sorry, we were cut off.%'"),
              std::to_string(resumed));
    auto mid_booking = sql1("SELECT count(*) FROM calls WHERE transcript::text LIKE "
                            "'%Sorry, we were cut off. You were booking a cleaning%'");
    EXPECT_GT(std::stoi(mid_booking), 0)
        << sql1("SELECT string_agg(transcript::text, ' || ') FROM calls WHERE transcript::text "
                "LIKE '%Sorry, we were cut off.%'");
    // Every caller got their booking: one appointment per caller at the hour asked for, and
    // no slot or call with two.
    auto booked = sql1("SELECT count(*) FROM appointments WHERE status = 'booked'");
    EXPECT_EQ(booked, std::to_string(calls));
    auto doubled = sql1(
        "SELECT (SELECT count(*) FROM (SELECT business_id, lower(during) FROM appointments "
        "WHERE status = 'booked' GROUP BY 1, 2 HAVING count(*) > 1) d) + (SELECT count(*) FROM "
        "(SELECT call_id FROM appointments WHERE status = 'booked' GROUP BY 1 "
        "HAVING count(*) > 1) e)");
    EXPECT_EQ(doubled, "0");
    int wrong_hour = 0;
    for (int i = 0; i < calls; ++i) {
      auto got = sql1("SELECT extract(hour FROM lower(a.during) AT TIME ZONE 'UTC')::int FROM "
                      "appointments a JOIN calls c ON c.id = a.call_id WHERE a.status = "
                      "'booked' AND c.call_sid = '" +
                      res.reports[static_cast<std::size_t>(i)]->call_sid + "'");
      if (got != res.slots[static_cast<std::size_t>(i)]) {
        ++wrong_hour;
        ADD_FAILURE() << "call " << i << " booked '" << got << "', asked for "
                      << res.slots[static_cast<std::size_t>(i)] << "; resumes "
                      << res.reports[static_cast<std::size_t>(i)]->resumes << "; transcript "
                      << sql1("SELECT transcript::text FROM calls WHERE call_sid = '" +
                              res.reports[static_cast<std::size_t>(i)]->call_sid + "'");
      }
    }
    EXPECT_EQ(wrong_hour, 0);
    std::printf("%s during %d calls (wall %.1f s, node-c cut %.1f s in): %s live on c, %d "
                "resumed (%s mid-booking), %d failed; caller's gap in audio P50 %.0f ms, P95 "
                "%.0f ms, max %.0f ms; bookings %s of %d, doubled %s, at the wrong hour %d\n",
                what, calls, res.wall_s, res.cut_after_s, res.live_on_c.c_str(), resumed,
                mid_booking.c_str(), failed, percentile(gaps, 0.5), percentile(gaps, 0.95),
                gaps.empty() ? 0.0 : *std::max_element(gaps.begin(), gaps.end()),
                booked.c_str(), calls, doubled.c_str(), wrong_hour);
  }

  // One simulated caller of business `n` saying `script` (its first line at once), placed on
  // node `first` (then the others, as a balancer would when that node refuses).
  caller::sim_options one_caller(int n, int first, const std::vector<std::string>& script) {
    static auto voice = speech::make_flite_tts("rms");
    char number[32];
    std::snprintf(number, sizeof number, "+1555020%04d", n);
    caller::sim_options o;
    for (int k = 0; k < 3; ++k)
      (k == 0 ? o.base_url : o.more_base_urls.emplace_back()) =
          "http://127.0.0.1:" + std::to_string(nodes_[static_cast<std::size_t>((first + k) % 3)]->http);
    o.public_url = balancer_;
    o.auth_token = token;
    o.to = number;
    o.from = "+15557771234";
    o.audio = *speech::synthesize_all(*voice, script[0]);
    std::string joined;
    for (std::size_t k = 0; k < script.size(); ++k) {
      if (k > 0)
        o.turns.push_back({*speech::synthesize_all(*voice, script[k]), 0ms});
      joined += (joined.empty() ? "" : "|") + script[k];
    }
    o.extra_parameters["script"] = joined;
    o.quiet_to_hang_up = 1500ms;
    o.max_call = 90s;
    return o;
  }

  fixtures::scratch_database db_;
  std::string dir_, balancer_;
  std::vector<std::unique_ptr<node_process>> nodes_;
};

} // namespace

TEST_F(cluster_resume, calls_of_a_killed_node_resume_on_the_others_and_every_booking_holds) {
  start_all();
  // Nine seconds in, most callers are mid-booking: c dies.
  auto res = run_bookings(60, 9s, SIGKILL);
  expect_every_call_and_booking_held(res, "kill -9");
}

TEST_F(cluster_resume, a_drained_node_hands_its_live_calls_to_the_others) {
  start_all();
  // SIGTERM: c takes no new calls, gives its live ones a second (node.drain_seconds), then
  // ends them; their callers follow <Connect action> to a or b, as from a lost node. Seven
  // seconds in, the callers are past their first request even on a busy machine.
  auto res = run_bookings(9, 7s, SIGTERM);
  EXPECT_EQ(res.node_c_exit, 0);
  expect_every_call_and_booking_held(res, "SIGTERM");
}

TEST_F(cluster_resume, the_action_url_checks_the_signature_and_ends_a_finished_call) {
  start_all();
  add_business(1);
  auto post = [&](const std::string& sid, bool sign) {
    twilio::form f;
    f.add("CallSid", sid);
    f.add("CallStatus", "in-progress");
    std::string url = balancer_ + "/twilio/after-stream";
    return http::fetch(
        "POST", "http://127.0.0.1:" + std::to_string(nodes_[1]->http) + "/twilio/after-stream",
        {{"Content-Type", "application/x-www-form-urlencoded"},
         {"X-Twilio-Signature", sign ? twilio::compute_signature(token, url, f) : "bad"}},
        twilio::encode_form(f));
  };
  auto biz = sql1("SELECT id FROM businesses LIMIT 1");
  sql1("INSERT INTO calls (business_id, call_sid, node, status, answered_at, ended_at, "
       "end_reason) VALUES ('" + biz + "', 'CAdone', 'node-a', 'completed', now(), now(), "
       "'stop'), ('" + biz + "', 'CAlive', 'node-a', 'in-progress', now(), NULL, NULL)");
  auto bad = post("CAdone", false);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 403);
  auto unknown = post("CAnone", true);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto done = post("CAdone", true);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_NE(done->body.find("<Hangup/>"), std::string::npos) << done->body;
  // A call whose node is alive is not taken from it: after the wait, the call ends.
  auto alive = post("CAlive", true);
  ASSERT_TRUE(alive);
  EXPECT_NE(alive->body.find("<Hangup/>"), std::string::npos) << alive->body;
  EXPECT_EQ(sql1("SELECT node FROM calls WHERE call_sid = 'CAlive'"), "node-a");
  // Once its node is gone, it is taken over: a stream to the node asked, the row now its own.
  nodes_[0]->stop(SIGKILL);
  ASSERT_TRUE(wait_for([&] { return nodes_[1]->members() == 2; }, 10s));
  auto taken = post("CAlive", true);
  ASSERT_TRUE(taken);
  EXPECT_NE(taken->body.find("<Stream url=\"ws://127.0.0.1:" + std::to_string(nodes_[1]->http)),
            std::string::npos)
      << taken->body;
  EXPECT_NE(taken->body.find("action=\"" + balancer_ + "/twilio/after-stream\""), std::string::npos)
      << taken->body;
  EXPECT_EQ(sql1("SELECT node FROM calls WHERE call_sid = 'CAlive'"), "node-b");
  // Bad input: no form, no CallSid.
  auto empty = post("", true);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
}

// The LLM dialog: node-c is killed while the model is answering the caller's second turn; the
// call resumes on a survivor with the conversation so far (the model, asked again there, sees
// the caller's first turn and its own question), and the booking goes through once.
TEST_F(cluster_resume, an_llm_call_of_a_killed_node_resumes_with_its_conversation) {
  // Tomorrow (UTC, the business's zone) at eleven.
  std::time_t now = std::time(nullptr) + 86400;
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  std::string start = std::string(day) + "T11:00";
  auto has = [](const fixtures::recorded_request& r, const std::string& t) {
    return r.body.find(t) != std::string::npos;
  };
  fixtures::fake_openai model([&](const fixtures::recorded_request& req, int) {
    fixtures::scripted_reply r;
    r.gap = 2ms;
    if (has(req, "You write short notes")) {
      r.chunks = fixtures::text_events({R"({"summary":"Ann Fox booked a cleaning.",)",
                                        R"("reason":"a cleaning","outcome":"booked","follow_up":""})"});
    } else if (has(req, "Goodbye.")) {
      r.chunks = fixtures::tool_events("call_end", "end_call", {"{}"}, {"Goodbye, Ann!"});
    } else if (has(req, "\"tool_call_id\":\"call_bk\"")) {
      r.chunks = fixtures::text_events({"You're booked for tomorrow at 11. Anything else?"});
    } else if (has(req, "Ann Fox") && has(req, "cut off")) {
      r.chunks = fixtures::tool_events(
          "call_bk", "book",
          {R"({"start":")" + start + R"(","name":"Ann Fox",)",
           R"("phone":"+15557771234","service":"cleaning"})"});
    } else if (has(req, "Ann Fox")) {
      r.stall = 30s; // the node asking dies meanwhile
      r.chunks = fixtures::text_events({"Too late."});
    } else {
      r.chunks = fixtures::text_events(
          {"Sure, a cleaning tomorrow at eleven.", " May I have your name, please?"});
    }
    return r;
  });
  for (auto& n : nodes_) {
    n->dialog = "llm";
    n->sections = "[llm]\nbase_url = \"" + model.base_url() + "\"\nmax_attempts = 1\n";
  }
  start_all();
  add_business(0);
  auto o = one_caller(0, 2, {"I would like to book a cleaning tomorrow at eleven a m.",
                             "My name is Ann Fox.", "No, that's all. Goodbye."});
  expected<caller::sim_report> rep = fail("not_run", "");
  std::thread caller([&] { rep = caller::simulate_call(o); });
  // The model is asked about the caller's name on node-c: kill it.
  ASSERT_TRUE(wait_for(
      [&] {
        for (auto& r : model.requests())
          if (has(r, "Ann Fox"))
            return true;
        return false;
      },
      45s));
  EXPECT_EQ(sql1("SELECT node FROM calls"), "node-c");
  EXPECT_NE(sql1("SELECT dialog_state::text FROM calls").find("May I have your name"),
            std::string::npos);
  nodes_[2]->stop(SIGKILL);
  caller.join();
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->resumes, 1);
  EXPECT_EQ(rep->stream_urls.back().find(std::to_string(nodes_[2]->http)), std::string::npos);
  EXPECT_EQ(rep->turns_unanswered, 0u);
  // The survivor's model request had the conversation from before the cut.
  bool with_context = false;
  for (auto& r : model.requests())
    if (has(r, "Ann Fox") && has(r, "cut off"))
      with_context = has(r, "I would like to book a cleaning tomorrow at eleven a m.") &&
                     has(r, "May I have your name, please?");
  EXPECT_TRUE(with_context);
  EXPECT_TRUE(wait_for([&] { return sql1("SELECT count(*) FROM calls WHERE ended_at IS NULL") == "0"; },
                       15s));
  EXPECT_EQ(sql1("SELECT count(*) FROM calls"), "1");
  auto transcript = sql1("SELECT transcript::text FROM calls");
  // The name was in the transcript but not in the saved state when node-c died: the survivor
  // answers it after the apology, and the caller saying it again hears that answer again.
  EXPECT_NE(transcript.find(R"("Sorry, we were cut off.")"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("You're booked for tomorrow at 11. Anything else?"), std::string::npos)
      << transcript;
  int asked_after_cut = 0;
  for (auto& r : model.requests())
    if (has(r, "Ann Fox") && has(r, "cut off") && !has(r, "\"tool_call_id\":\"call_bk\"") &&
        !has(r, "You write short notes"))
      ++asked_after_cut;
  EXPECT_EQ(asked_after_cut, 1) << "the name went to the model once after the cut";
  EXPECT_EQ(sql1("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1");
  EXPECT_EQ(sql1("SELECT customer_name || ' ' || to_char(lower(during) AT TIME ZONE 'UTC', "
                 "'YYYY-MM-DD\"T\"HH24:MI') FROM appointments WHERE status = 'booked'"),
            "Ann Fox " + start);
  EXPECT_NE(sql1("SELECT node FROM calls"), "node-c");
}

// A transfer to a person asked on the node carrying the call: the balancer sends Twilio's
// <Connect action> to another node, which answers with the <Dial> too (the call row says a
// transfer is pending), not with <Hangup/>.
TEST_F(cluster_resume, a_transfer_asked_on_one_node_is_dialled_by_the_node_the_action_reaches) {
  start_all();
  add_business(0);
  sql1("UPDATE businesses SET transfer_number = '+15550009999'");
  auto o = one_caller(0, 2, {"Can I speak to a real person, please?"});
  o.action_base_url = "http://127.0.0.1:" + std::to_string(nodes_[0]->http);
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(sql1("SELECT node FROM calls"), "node-c"); // carried by c, its action asked of a
  EXPECT_NE(rep->after_stream_twiml.find("<Dial"), std::string::npos) << rep->after_stream_twiml;
  EXPECT_EQ(rep->transferred_to, "+15550009999") << rep->after_stream_twiml;
  EXPECT_EQ(rep->after_stream_twiml.find("<Hangup"), std::string::npos);
  EXPECT_EQ(rep->resumes, 0);
  EXPECT_NE(nodes_[0]->log().find("transfer asked on node-c"), std::string::npos);
  // A call with no transfer pending, its action asked of another node: <Hangup/>, as before.
  auto plain = one_caller(0, 2, {"What are your opening hours?", "No, that's all. Goodbye."});
  plain.action_base_url = o.action_base_url;
  auto r2 = caller::simulate_call(plain);
  ASSERT_TRUE(r2) << r2.error().message;
  EXPECT_EQ(r2->transferred_to, "");
  // The receptionist said goodbye and ended the stream, or the caller hung up first.
  if (!r2->after_stream_twiml.empty()) {
    EXPECT_NE(r2->after_stream_twiml.find("<Hangup/>"), std::string::npos) << r2->after_stream_twiml;
  }
}
