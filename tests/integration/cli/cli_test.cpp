// The frontdesk command line, run as a user would: exit codes, help and error messages.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using frontdesk::fixtures::run;

namespace {

const std::string bin = FRONTDESK_BIN;

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

} // namespace

TEST(cli, help_lists_the_subcommands) {
  auto r = run(bin + " --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("migrate"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("serve"), std::string::npos) << r.output;
  auto s = run(bin + " serve --help");
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_NE(s.output.find("--listen"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("--public-url"), std::string::npos) << s.output;
}

TEST(cli, no_subcommand_or_an_unknown_one_is_a_usage_error) {
  EXPECT_NE(run(bin).exit_code, 0);
  EXPECT_NE(run(bin + " fly").exit_code, 0);
}

TEST(cli, missing_config_file_is_refused_naming_the_path) {
  auto r = run(bin + " --config /nonexistent/fd.toml serve");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/nonexistent/fd.toml"), std::string::npos) << r.output;
}

TEST(cli, unknown_key_and_wrong_type_are_refused_with_key_and_line) {
  auto unknown = write_temp("unknown.toml", "[node]\nname = \"n\"\nlisten_on = \"x\"\n");
  auto r = run(bin + " --config " + unknown + " serve");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown.toml:3: unknown key 'node.listen_on'"), std::string::npos)
      << r.output;
  auto wrong = write_temp("wrong.toml", "[database]\npool_size = true\n");
  auto w = run(bin + " --config " + wrong + " serve");
  EXPECT_EQ(w.exit_code, 2);
  EXPECT_NE(w.output.find("wrong.toml:2: key 'database.pool_size' expected an integer"),
            std::string::npos)
      << w.output;
}

TEST(cli, bad_flags_are_refused) {
  EXPECT_EQ(run(bin + " --now yesterday serve").exit_code, 2);
  EXPECT_NE(run(bin + " --log-format xml serve").exit_code, 0);
  EXPECT_EQ(run(bin + " serve --listen nohost").exit_code, 2);
}

TEST(cli, migrate_without_an_owner_url_says_what_is_missing) {
  auto r = run("env -u DATABASE_OWNER_URL " + bin + " migrate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("DATABASE_OWNER_URL"), std::string::npos) << r.output;
}

TEST(cli, serve_without_a_database_fails_clearly) {
  auto r = run("env -u DATABASE_URL " + bin + " serve");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("DATABASE_URL"), std::string::npos) << r.output;
}

TEST(cli, serve_starts_on_a_migrated_database_and_stops_cleanly_on_sigterm) {
  frontdesk::fixtures::scratch_database db;
  auto log = ::testing::TempDir() + "serve.log";
  // Start in the background, wait for readiness, send SIGTERM, report the exit code.
  auto script = "DATABASE_URL='" + db.app_dsn() + "' " + bin +
                " --log-format json --now 2026-03-04T15:00:00Z serve --listen 127.0.0.1:0 > " +
                log + " 2>&1 & pid=$!; for i in $(seq 300); do grep -q 'node ready' " + log +
                " && break; sleep 0.1; done; kill -TERM $pid; wait $pid; echo rc=$?; cat " + log;
  auto r = run(script);
  EXPECT_NE(r.output.find("rc=0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"msg\":\"node ready"), std::string::npos) << r.output;
  // The clock runs from --now while the node starts (seconds on a loaded machine).
  EXPECT_NE(r.output.find("clock at 2026-03-04T15:0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("received SIGTERM"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stopped"), std::string::npos) << r.output;
}
