// kill -9 of the sending process at each step of a send (before, during and after the vendor
// call): after a restart every text has gone exactly once. The sender is the real binary
// (`frontdesk outbox run`) against a fake Twilio on loopback and a real PostgreSQL.
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/messaging/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_messaging;

namespace {

class crash : public messaging_test {
protected:
  void SetUp() override {
    messaging_test::SetUp();
    config_path_ = "/tmp/fd-crash-" + std::to_string(::getpid()) + "-" + db_.name() + ".toml";
    std::ofstream(config_path_) << "[node]\nname = \"crash-node\"\n"
                                << "[twilio]\naccount_sid = \"" << fake_.account_sid() << "\"\n"
                                << "api_base_url = \"" << fake_.base_url() << "\"\n"
                                << "sms_timeout_ms = 1500\n"
                                << "[outbox]\nthreads = 1\nlease_seconds = 30\nbackoff_base_ms = 1\n";
    exec("INSERT INTO outbox (business_id, kind, payload, dedupe_key) SELECT '" + biz +
         "', 'sms', json_build_object('to', '+1555000000' || i, 'from', '" + biz_phone +
         "', 'body', 'Crash test text ' || i), 'crash:' || i FROM generate_series(1, 5) i");
  }
  void TearDown() override { ::unlink(config_path_.c_str()); }

  // Starts `frontdesk outbox run`; crash_at names a crash point (or "").
  pid_t start_sender(const std::string& crash_at) {
    // Everything the child needs is built before fork: after it, only exec.
    std::vector<std::string> env{"DATABASE_URL=" + db_.app_dsn(),
                                 "TWILIO_AUTH_TOKEN=" + fake_.auth_token()};
    if (!crash_at.empty())
      env.push_back("FRONTDESK_CRASH_AT=" + crash_at);
    std::vector<std::string> args{FRONTDESK_BIN, "--config", config_path_, "--log-level", "warn",
                                  "outbox", "run", "--max-seconds", "60"};
    std::vector<char*> envp, argv;
    for (auto& e : env)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execve(FRONTDESK_BIN, argv.data(), envp.data());
      ::_exit(127);
    }
    return pid;
  }
  // Waits for the process; true when SIGKILL ended it.
  bool killed(pid_t pid) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
  }
  int exit_code(pid_t pid) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  // Every text reached the fake exactly once, and every row is done.
  void expect_each_once() {
    std::map<std::string, int> by_body;
    for (auto& m : fake_.messages())
      ++by_body[m.body];
    EXPECT_EQ(by_body.size(), 5u);
    for (auto& [body, n] : by_body)
      EXPECT_EQ(n, 1) << body;
    EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'done'"), 5);
    EXPECT_EQ(count("SELECT count(DISTINCT provider_ref) FROM outbox"), 5);
    std::printf("kill -9 result: expected 5, sent %zu distinct, %zu requests accepted\n",
                by_body.size(), fake_.messages().size());
  }

  std::string config_path_;
};

} // namespace

TEST_F(crash, killed_after_marking_sending_before_the_vendor_call) {
  auto pid = start_sender("outbox.before_send");
  ASSERT_TRUE(killed(pid));
  EXPECT_EQ(fake_.creates(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'sending'"), 5);
  EXPECT_EQ(exit_code(start_sender("")), 0);
  expect_each_once();
  EXPECT_EQ(fake_.lists(), 5); // each looked up before it went
}

TEST_F(crash, killed_right_after_the_vendor_accepted_before_recording_it) {
  auto pid = start_sender("outbox.after_send");
  ASSERT_TRUE(killed(pid));
  EXPECT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(exit_code(start_sender("")), 0);
  expect_each_once();
}

TEST_F(crash, killed_during_the_vendor_call_which_then_accepts) {
  std::atomic<pid_t> pid{0};
  std::atomic<bool> once{false};
  fake_.on_create([&](const std::string&) {
    if (!once.exchange(true))
      ::kill(pid, SIGKILL); // the request is in; the fake accepts it after the sender died
  });
  pid = start_sender("");
  ASSERT_TRUE(killed(pid));
  fake_.on_create(nullptr);
  // The fake accepts on its own thread after the hook: the sender can be reaped first.
  for (int i = 0; i < 200 && fake_.messages().empty(); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fake_.messages().size(), 1u);
  EXPECT_EQ(exit_code(start_sender("")), 0);
  expect_each_once();
}

TEST_F(crash, killed_during_a_vendor_call_that_never_accepts) {
  std::atomic<pid_t> pid{0};
  std::atomic<bool> once{false};
  fake_.set_hang_for(500ms);
  fake_.push_faults({fixtures::fake_twilio::fault::hang});
  fake_.on_create([&](const std::string&) {
    if (!once.exchange(true))
      ::kill(pid, SIGKILL);
  });
  pid = start_sender("");
  ASSERT_TRUE(killed(pid));
  fake_.on_create(nullptr);
  EXPECT_EQ(fake_.messages().size(), 0u);
  EXPECT_EQ(exit_code(start_sender("")), 0);
  expect_each_once();
}

TEST_F(crash, operators_list_retry_and_drop_rows_from_the_command_line) {
  exec("UPDATE outbox SET status = 'dead', last_error = '500: boom' WHERE dedupe_key = 'crash:1'");
  auto run = [&](std::vector<std::string> args) {
    std::string cmd = "DATABASE_URL='" + db_.app_dsn() + "' " FRONTDESK_BIN " --config " + config_path_ +
                      " --log-level error outbox";
    for (auto& a : args)
      cmd += " " + a;
    std::string out;
    if (FILE* p = ::popen((cmd + " 2>&1; echo rc=$?").c_str(), "r")) {
      char buf[4096];
      while (auto n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
      ::pclose(p);
    }
    return out;
  };
  auto dead_id = row("SELECT id FROM outbox WHERE dedupe_key = 'crash:1'");
  auto listed = run({"list", "--status", "dead"});
  EXPECT_NE(listed.find("\"id\":" + dead_id + ","), std::string::npos) << listed;
  EXPECT_NE(listed.find("\"last_error\":\"500: boom\""), std::string::npos) << listed;
  EXPECT_NE(listed.find("\"body\":\"Crash test text 1\""), std::string::npos) << listed;
  EXPECT_NE(listed.find("rc=0"), std::string::npos);
  auto other_id = row("SELECT id FROM outbox WHERE dedupe_key = 'crash:2'");
  EXPECT_NE(run({"drop", other_id}).find("rc=0"), std::string::npos);
  EXPECT_NE(run({"drop", other_id}).find("rc=2"), std::string::npos); // already dropped
  EXPECT_NE(run({"retry", dead_id}).find("rc=0"), std::string::npos);
  EXPECT_NE(run({"retry", "999999"}).find("rc=2"), std::string::npos);
  EXPECT_EQ(row("SELECT status || ' ' || attempts FROM outbox WHERE id = " + dead_id), "pending 0");
  EXPECT_EQ(exit_code(start_sender("")), 0);
  EXPECT_EQ(fake_.messages().size(), 4u); // all but the dropped one
  EXPECT_EQ(row("SELECT status FROM outbox WHERE id = " + other_id), "dropped");
}
