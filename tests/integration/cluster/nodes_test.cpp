// Clusters of three `frontdesk serve` processes on loopback (each its own HTTP and cluster port,
// one database): join and leave, kill -9 (noticed within 3 s, its open calls finished by a
// survivor), SIGSTOP/SIGCONT (noticed within 10 s, then it rejoins), mutual TLS with the
// certificates scripts/cluster-certs.sh makes (a node of another CA is refused), and
// `frontdesk cluster status`.
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/support/run.hpp"
#include "tests/integration/cluster/loopback.hpp"
#include "tests/integration/cluster/node_process.hpp"
#include "tests/support/scratch_database.hpp"

using namespace std::chrono_literals;
using frontdesk::fixtures::run;
using steady = std::chrono::steady_clock;

namespace {

using frontdesk::fixtures::free_port;
using frontdesk::fixtures::wait_for;
using namespace frontdesk::fixtures::cluster;

class cluster_nodes : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "cluster-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
    run("rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "'");
    for (auto name : {"node-a", "node-b", "node-c"}) {
      nodes_.push_back(std::make_unique<node_process>());
      nodes_.back()->name = name;
      nodes_.back()->dir = dir_;
      nodes_.back()->tls = "insecure = true";
    }
  }

  // a alone, b through a, c through b (it learns a from b).
  void start_all() {
    a().start(db_.app_dsn(), "");
    ASSERT_TRUE(wait_for([&] { return a().ready(); }, 30s)) << a().log();
    b().start(db_.app_dsn(), a().address());
    c().start(db_.app_dsn(), b().address());
    ASSERT_TRUE(wait_for([&] { return b().ready() && c().ready(); }, 30s)) << b().log() << c().log();
  }

  bool all_see(int n, std::initializer_list<node_process*> which) {
    for (auto* x : which)
      if (x->members() != n)
        return false;
    return true;
  }

  node_process& a() { return *nodes_[0]; }
  node_process& b() { return *nodes_[1]; }
  node_process& c() { return *nodes_[2]; }

  std::string sql1(const std::string& q) {
    pqxx::connection conn(db_.owner_dsn());
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(q);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  frontdesk::fixtures::scratch_database db_;
  std::string dir_;
  std::vector<std::unique_ptr<node_process>> nodes_;
};

} // namespace

TEST_F(cluster_nodes, three_nodes_join_agree_and_see_a_node_leave_once) {
  start_all();
  ASSERT_TRUE(wait_for([&] { return all_see(3, {&a(), &b(), &c()}); }, 15s))
      << a().members() << b().members() << c().members() << c().log();
  // The console's view from any node lists every member with its load.
  auto status = run(bin + " --config " + c().config_path() + " cluster status --json");
  ASSERT_EQ(status.exit_code, 0) << status.output;
  for (auto name : {"\"name\":\"node-a\"", "\"name\":\"node-b\"", "\"name\":\"node-c\""})
    EXPECT_NE(status.output.find(name), std::string::npos) << status.output;
  auto text = run(bin + " --config " + a().config_path() + " cluster status");
  EXPECT_NE(text.output.find("3 live nodes"), std::string::npos) << text.output;
  // b leaves politely: the others notice, each logs it once, and they go on as two.
  EXPECT_EQ(b().stop(SIGTERM), 0);
  ASSERT_TRUE(wait_for([&] { return all_see(2, {&a(), &c()}); }, 5s));
  std::this_thread::sleep_for(1500ms); // gossip and ticks go on: no repeated log lines
  EXPECT_EQ(count(a().log(), "cluster: node node-b left"), 1u) << a().log();
  EXPECT_EQ(count(c().log(), "cluster: node node-b left"), 1u) << c().log();
  EXPECT_EQ(count(a().log(), "cluster: node node-c joined"), 1u) << a().log();
  // The metrics say so too.
  auto m = http_get(a().http, "/metrics");
  EXPECT_NE(m.find("frontdesk_cluster_member_changes_total{change=\"left\"} 1"), std::string::npos)
      << m;
}

TEST_F(cluster_nodes, a_killed_node_is_noticed_within_3s_and_a_survivor_finishes_its_calls) {
  start_all();
  ASSERT_TRUE(wait_for([&] { return all_see(3, {&a(), &b(), &c()}); }, 15s));
  // Two calls c was carrying, one c had already finished, one of another node.
  auto business = sql1("INSERT INTO businesses (name, phone_number, timezone) VALUES "
                       "('Orphans', '+15550001111', 'UTC') RETURNING id");
  sql1("INSERT INTO calls (business_id, call_sid, node, status, answered_at) VALUES "
       "('" + business + "', 'CA1', 'node-c', 'in-progress', now()), "
       "('" + business + "', 'CA2', 'node-c', 'ringing', NULL), "
       "('" + business + "', 'CA3', 'node-c', 'completed', now()), "
       "('" + business + "', 'CA4', 'node-a', 'in-progress', now())");
  sql1("UPDATE calls SET ended_at = now() WHERE call_sid = 'CA3'");
  auto t0 = steady::now();
  c().stop(SIGKILL);
  ASSERT_TRUE(wait_for([&] { return all_see(2, {&a(), &b()}); }, 10s));
  auto noticed = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0);
  std::printf("kill -9: noticed by both survivors after %lld ms\n",
              static_cast<long long>(noticed.count()));
  EXPECT_LT(noticed, 3s);
  ASSERT_TRUE(wait_for(
      [&] { return sql1("SELECT count(*) FROM calls WHERE node = 'node-c' AND ended_at IS NULL") == "0"; },
      10s))
      << a().log() << b().log();
  EXPECT_EQ(sql1("SELECT string_agg(call_sid || ':' || status || ':' || coalesce(end_reason, ''), ',' "
                 "ORDER BY call_sid) FROM calls"),
            "CA1:failed:node_lost,CA2:failed:node_lost,CA3:completed:,CA4:in-progress:");
  // Exactly one survivor did it, and said so once.
  EXPECT_EQ(count(a().log() + b().log(), "finished 2 calls that node node-c left open"), 1u)
      << a().log() << b().log();
  // c starts again under its name: it rejoins, and a call it left in this run is finished by
  // itself at start.
  sql1("INSERT INTO calls (business_id, call_sid, node, status) VALUES "
       "('" + business + "', 'CA5', 'node-c', 'in-progress')");
  c().start(db_.app_dsn(), a().address());
  ASSERT_TRUE(wait_for([&] { return all_see(3, {&a(), &b(), &c()}); }, 15s)) << c().log();
  EXPECT_EQ(sql1("SELECT status || ':' || end_reason FROM calls WHERE call_sid = 'CA5'"),
            "failed:node_restarted");
}

TEST_F(cluster_nodes, a_frozen_node_is_noticed_within_10s_and_rejoins_when_it_resumes) {
  start_all();
  ASSERT_TRUE(wait_for([&] { return all_see(3, {&a(), &b(), &c()}); }, 15s));
  auto t0 = steady::now();
  b().signal(SIGSTOP);
  ASSERT_TRUE(wait_for([&] { return all_see(2, {&a(), &c()}); }, 15s));
  auto noticed = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0);
  std::printf("SIGSTOP: noticed by both others after %lld ms\n",
              static_cast<long long>(noticed.count()));
  EXPECT_LT(noticed, 10s);
  auto t1 = steady::now();
  b().signal(SIGCONT);
  ASSERT_TRUE(wait_for([&] { return all_see(3, {&a(), &b(), &c()}); }, 15s))
      << a().members() << b().members() << c().members() << b().log();
  std::printf("SIGCONT: all three agree again after %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t1).count()));
}

TEST_F(cluster_nodes, tls_links_need_a_certificate_of_the_cluster_ca) {
  auto certs = dir_ + "ca/", rogue = dir_ + "rogue/";
  auto made = run(std::string(FRONTDESK_SOURCE_DIR) + "/scripts/cluster-certs.sh " + certs +
                  " node-a node-b console && " + FRONTDESK_SOURCE_DIR +
                  "/scripts/cluster-certs.sh " + rogue + " node-c");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto tls = [](const std::string& d, const std::string& name) {
    return "certificate = \"" + d + name + ".crt\"\nkey = \"" + d + name + ".key\"\ncafile = \"" +
           d + "cluster-ca.crt\"";
  };
  a().tls = tls(certs, "node-a");
  b().tls = tls(certs, "node-b");
  c().tls = tls(rogue, "node-c"); // its own CA: trusts nothing of ours, and we not it
  start_all();
  ASSERT_TRUE(wait_for([&] { return all_see(2, {&a(), &b()}); }, 15s)) << a().log() << b().log();
  EXPECT_NE(a().log().find("mutual TLS"), std::string::npos) << a().log();
  // c tries b every second and is refused each time; nobody takes it in.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(a().members(), 2);
  EXPECT_EQ(b().members(), 2);
  EXPECT_EQ(c().members(), 1);
  EXPECT_NE(c().log().find("cannot join through " + b().address()), std::string::npos) << c().log();
  // A console with a certificate of the CA is answered; one of the other CA is not, nor a
  // plain-TCP one.
  auto console_cfg = [&](const std::string& name, const std::string& lines) {
    auto path = dir_ + name + "-console.toml";
    std::ofstream(path) << "[cluster]\n" << lines << "\n";
    return path;
  };
  auto good = run(bin + " --config " + console_cfg("good", tls(certs, "console")) +
                  " cluster status --node " + a().address());
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("2 live nodes"), std::string::npos) << good.output;
  auto bad = run(bin + " --config " + console_cfg("bad", tls(rogue, "node-c")) +
                 " cluster status --node " + a().address());
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  auto plain = run(bin + " --config " + console_cfg("plain", "insecure = true") +
                   " cluster status --node " + a().address());
  EXPECT_EQ(plain.exit_code, 1) << plain.output;
  // Without certificates a node refuses to start rather than fall back to anonymous TLS.
  auto none = run("DATABASE_URL='" + db_.app_dsn() + "' " + bin + " --config " +
                  console_cfg("none", "listen = \"127.0.0.1:1\"") + " serve");
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_NE(none.output.find("cluster.certificate is required"), std::string::npos) << none.output;
}

TEST_F(cluster_nodes, dialling_a_silent_address_is_bounded) {
  // A listener that accepts TCP and never speaks, named as the only seed.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::listen(fd, 16);
  socklen_t n = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &n);
  auto silent = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  a().start(db_.app_dsn(), silent);
  ASSERT_TRUE(wait_for([&] { return a().ready(); }, 30s)) << a().log();
  EXPECT_EQ(a().members(), 1); // serving alone meanwhile
  ASSERT_TRUE(wait_for([&] { return a().log().find("cannot join through " + silent) != std::string::npos; },
                       10s))
      << a().log();
  // b starts with the silent seed first and a after it: it joins a all the same.
  b().start(db_.app_dsn(), silent + "," + a().address());
  ASSERT_TRUE(wait_for([&] { return all_see(2, {&a(), &b()}); }, 15s)) << b().log();
  ::close(fd);
}

TEST_F(cluster_nodes, the_voice_webhook_spreads_calls_over_the_nodes_by_load) {
  // Every node sends calls on from its first live call; a's address stands in for the balancer.
  for (auto& n : nodes_)
    n->extra = "spread_above = 0.01\npublic_url = \"http://127.0.0.1:" + std::to_string(a().http) + "\"";
  start_all();
  ASSERT_TRUE(wait_for([&] { return all_see(3, {&a(), &b(), &c()}); }, 15s));
  sql1("INSERT INTO businesses (name, phone_number, timezone) VALUES "
       "('Spread', '+15550002222', 'UTC')");
  // Nine callers through a's webhook, each holding the line 3 s.
  auto r = run("TWILIO_AUTH_TOKEN=cluster-test-token " + bin + " bench --base-url http://127.0.0.1:" +
               std::to_string(a().http) + " --to +15550002222 --calls 9 --ramp 10 --hold 3 --json");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto spread = sql1("SELECT string_agg(node || '=' || n, ',' ORDER BY node) FROM "
                     "(SELECT node, count(*) AS n FROM calls GROUP BY node) x");
  std::printf("calls per node: %s\n", spread.c_str());
  for (auto name : {"node-a=", "node-b=", "node-c="})
    EXPECT_NE(spread.find(name), std::string::npos) << spread;
  // Every call's stream started and ended normally, and each node carried media itself.
  EXPECT_EQ(sql1("SELECT count(*) FROM calls WHERE stream_sid IS NOT NULL AND ended_at IS NOT NULL "
                 "AND status <> 'failed'"),
            "9");
  for (auto* n : {&a(), &b(), &c()}) {
    auto m = http_get(n->http, "/metrics");
    auto at = m.find("\nfrontdesk_ws_messages_in_total ");
    ASSERT_NE(at, std::string::npos) << n->name;
    EXPECT_GT(std::stoll(m.substr(at + 32)), 0) << n->name << " carried no media";
  }
}
