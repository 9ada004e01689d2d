// Prints the dashboard API's latency for its main pages with a business of 10,000 calls and
// 50,000 appointments (a whole node on loopback, real PostgreSQL: a scratch database from the
// migrated template), then how long a call's change takes to reach 200 open event streams.
//   frontdesk-dashboard-bench [--calls N] [--appointments N] [--requests N] [--streams N]
//                             [--events N]
// Bounded: a fixed number of requests and events, each event waited for at most 5 s.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "actors/node/node.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/http/http.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/staff.hpp"
#include "protocols/org/org_file.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

double ms_since(steady::time_point t0) {
  return std::chrono::duration<double, std::milli>(steady::now() - t0).count();
}

struct figures {
  double p50 = 0, p95 = 0, max = 0;
};

figures summarise(std::vector<double> v) {
  if (v.empty())
    return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  return {at(0.50), at(0.95), v.back()};
}

// Fills the business: calls every 7 minutes back from `now` (about 130 of them today), each with
// a transcript, latencies and a summary; appointments 14 a day, 30 minutes each, on either side
// of `now`, one in ten cancelled, in place of the demo's own. The live-event triggers are off
// while it loads.
void seed(const std::string& owner_dsn, const std::string& biz, int calls, int appointments) {
  pqxx::connection c(owner_dsn);
  pqxx::work tx(c);
  tx.exec("ALTER TABLE calls DISABLE TRIGGER calls_live");
  tx.exec("ALTER TABLE appointments DISABLE TRIGGER appointments_live");
  tx.exec("DELETE FROM appointments"); // the demo's two would overlap the grid below
  tx.exec_params(
      "INSERT INTO calls (business_id, call_sid, caller, called, status, started_at, answered_at, "
      "ended_at, duration_seconds, appointment_booked, outcome, summary, transcript, latencies) "
      "SELECT $1, 'CA-bench-' || i, '+1555' || lpad((1000000 + i)::text, 7, '0'), '+15550100001', "
      "'completed', t, t + interval '2 seconds', t + interval '150 seconds', 148, i % 3 = 0, "
      "CASE WHEN i % 3 = 0 THEN 'booked' ELSE 'answered' END, "
      "'Caller ' || i || ' asked about a cleaning and insurance.', "
      "jsonb_build_array("
      "  jsonb_build_object('role', 'agent', 'text', 'Thank you for calling Bright Smile Dental.'),"
      "  jsonb_build_object('role', 'caller', 'text', 'Hi, I would like a cleaning next week.'),"
      "  jsonb_build_object('role', 'agent', 'text', 'I can offer Thursday at 10 AM or 2 PM.'),"
      "  jsonb_build_object('role', 'caller', 'text', 'Thursday at 2 works. Do you take Delta?'),"
      "  jsonb_build_object('role', 'agent', 'text', 'Yes, we accept Delta Dental. Booked.'),"
      "  jsonb_build_object('role', 'caller', 'text', 'Great, thank you. Bye.')), "
      "jsonb_build_array("
      "  jsonb_build_object('turn', 1, 'stt_final_ms', 180, 'decision_ms', 2, 'tts_first_ms', 90,"
      "    'first_frame_ms', 290 + i % 200),"
      "  jsonb_build_object('turn', 2, 'stt_final_ms', 170, 'decision_ms', 3, 'tts_first_ms', 85,"
      "    'first_frame_ms', 270 + i % 150)) "
      "FROM generate_series(1, $2) i, LATERAL (SELECT '2026-03-04T21:00:00Z'::timestamptz - "
      "  i * interval '7 minutes' AS t) s",
      biz, calls);
  tx.exec_params(
      "INSERT INTO appointments (business_id, during, status, service, customer_name, "
      "customer_phone, cancelled_at) "
      "SELECT $1, tstzrange(t, t + interval '30 minutes'), "
      "  (CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'booked' END)::appointment_status, "
      "  'cleaning', 'Patient ' || i, '+1555' || lpad((2000000 + i)::text, 7, '0'), "
      "  CASE WHEN i % 10 = 0 THEN t - interval '1 day' END "
      "FROM generate_series(0, $2 - 1) i, LATERAL (SELECT ('2026-03-05T15:00:00Z'::timestamptz + "
      "  ((i / 14) - $2 / 28) * interval '1 day' + (i % 14) * interval '30 minutes') AS t) s",
      biz, appointments);
  tx.exec("ALTER TABLE calls ENABLE TRIGGER calls_live");
  tx.exec("ALTER TABLE appointments ENABLE TRIGGER appointments_live");
  tx.commit();
  pqxx::nontransaction n(c);
  n.exec("ANALYZE calls");
  n.exec("ANALYZE appointments");
}

// "queue;dur=0.05, auth;dur=0.61, handler;dur=2.10, total;dur=2.80" (the node's Server-Timing):
// the named phase's milliseconds, or -1 when it is missing.
double server_timing(const std::string& header, const std::string& name) {
  auto at = header.find(name + ";dur=");
  if (at == std::string::npos || (at > 0 && header[at - 1] != ' ' && header[at - 1] != ','))
    return -1;
  try {
    return std::stod(header.substr(at + name.size() + 5));
  } catch (const std::exception&) {
    return -1;
  }
}

// The machine's load (1-minute average) and its processors: a P95 measured while the run queue is
// longer than the processors is the scheduler's figure more than the program's.
std::string machine_load() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  char buf[96];
  std::snprintf(buf, sizeof buf, "load average %.2f on %u processors", one,
                std::thread::hardware_concurrency());
  return buf;
}

// Where the time a request spends waiting for a processor shows: the node's threads (it runs in
// this process; the calling thread is the client) and the database's backends serving it. Each file's second field is the
// nanoseconds its thread was runnable but not running (the kernel's schedstat).
std::vector<std::string> schedstat_files(const std::string& owner_dsn) {
  std::vector<std::string> out;
  auto me = std::to_string(::gettid()); // the client's own thread is not the node's
  for (auto& e : std::filesystem::directory_iterator("/proc/self/task"))
    if (e.path().filename() != me)
      out.push_back(e.path().string() + "/schedstat");
  try {
    pqxx::connection c(owner_dsn);
    pqxx::nontransaction tx(c);
    for (auto r : tx.exec("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                          "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"))
      out.push_back("/proc/" + r[0].as<std::string>() + "/schedstat");
  } catch (const std::exception&) {
  }
  return out;
}

std::uint64_t run_queue_wait_ns(const std::vector<std::string>& files) {
  std::uint64_t sum = 0;
  for (auto& f : files) {
    std::ifstream in(f);
    std::uint64_t on_cpu = 0, waiting = 0;
    if (in >> on_cpu >> waiting)
      sum += waiting;
  }
  return sum;
}

// An event stream's reading end: a plain socket, read by the one poll loop below.
struct stream_end {
  int fd = -1;
  std::string text;
  std::size_t scanned = 0;
  bool open = false;
};

int open_stream(std::uint16_t port, const std::string& cookie) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                    "\r\nAccept: text/event-stream\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measure the dashboard: API latency with a large business, and live event delay "
               "to many open event streams."};
  int calls = 10000, appointments = 50000, requests = 200, streams = 200, events = 20;
  app.add_option("--calls", calls, "Calls in the database")->capture_default_str()->check(CLI::Range(10, 1000000));
  app.add_option("--appointments", appointments, "Appointments in the database")->capture_default_str()->check(CLI::Range(28, 1000000));
  app.add_option("--requests", requests, "Requests per page")->capture_default_str()->check(CLI::Range(10, 100000));
  app.add_option("--streams", streams, "Open event streams")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--events", events, "Events sent to the streams")->capture_default_str()->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // figures as they come, also into a file

  fixtures::scratch_database db;
  std::string biz;
  {
    store::database app_db(db.app_dsn(), 2);
    std::ifstream in(std::string(FRONTDESK_SOURCE_DIR) + "/config/demo/bright_smile.json");
    std::stringstream text;
    text << in.rdbuf();
    auto org = org::parse_org_file(text.str());
    if (!org) {
      std::fprintf(stderr, "the demo business's file: %s\n", org.error().message.c_str());
      return 1;
    }
    auto loaded = store::businesses_repo(app_db).load(*org);
    if (!loaded) {
      std::fprintf(stderr, "loading the demo business failed: %s\n", loaded.error().message.c_str());
      return 1;
    }
    biz = loaded->business_id;
    if (!store::staff_repo(app_db).add(biz, "owner@bench.test", "owner", "owner-password")) {
      std::fprintf(stderr, "adding the owner failed\n");
      return 1;
    }
  }
  auto t_seed = steady::now();
  seed(db.owner_dsn(), biz, calls, appointments);
  std::printf("seeded %d calls and %d appointments in %.1f s\n", calls, appointments,
              ms_since(t_seed) / 1000);

  config cfg;
  cfg.database.url = db.app_dsn();
  cfg.twilio.auth_token = "bench-auth-token";
  cfg.node.drain_seconds = 0;
  cfg.speech.mode = "echo";
  cfg.node.listen = "127.0.0.1:0";
  auto now = parse_rfc3339("2026-03-04T21:00:00Z"); // Wednesday 3 PM in Chicago
  node n(cfg, make_clock(*now));
  if (!n.start()) {
    std::fprintf(stderr, "the node did not start\n");
    return 1;
  }
  auto base = "http://127.0.0.1:" + std::to_string(n.port());
  auto login = http::fetch("POST", base + "/api/v1/session", {{"Content-Type", "application/json"}},
                           R"({"email":"owner@bench.test","password":"owner-password"})");
  if (!login || login->status != 200) {
    std::fprintf(stderr, "login failed\n");
    return 1;
  }
  auto set = login->header("Set-Cookie");
  auto cookie = set.substr(0, set.find(';'));
  auto some_call = [&] {
    pqxx::connection c(db.owner_dsn());
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT id FROM calls ORDER BY started_at DESC OFFSET 40 LIMIT 1")[0].as<std::string>();
  }();

  // The main pages' requests, as the pages send them.
  std::vector<std::pair<std::string, std::string>> pages = {
      {"Today: stats", "/api/v1/stats"},
      {"Today: live calls", "/api/v1/calls?status=live&limit=50"},
      {"Calls: newest 50", "/api/v1/calls?limit=50"},
      {"Calls: search", "/api/v1/calls?limit=50&q=%2B15551001"},
      {"Calls: booked", "/api/v1/calls?limit=50&status=booked"},
      {"Call detail", "/api/v1/calls/" + some_call},
      {"Appointments: 14 days", "/api/v1/appointments?from=2026-03-04"},
      {"Appointments: week", "/api/v1/appointments?from=2026-03-02&to=2026-03-08"},
      {"Availability: a day", "/api/v1/availability?date=2026-03-05"},
      {"Knowledge", "/api/v1/knowledge"},
      {"Settings", "/api/v1/settings"},
      {"Staff", "/api/v1/staff"},
  };
  // Two figures a request: the client's (connect, send, wait, read: what a browser sees, and
  // what the machine's load inflates on this side too) and the node's own, from its
  // Server-Timing header (request parsed to answer ready: worker queue, session check, handler).
  std::printf("\nAPI latency, %d sequential requests a page, each on a new connection "
              "(target P95 < 20 ms; %s):\n", requests, machine_load().c_str());
  // The third figure: the node's time less what its threads and its database backends spent
  // runnable but waiting for a processor during the request (an estimate of the time on a quiet
  // machine; the requests are sequential, so that wait is on the request's path).
  std::printf("  %-24s %21s %21s %21s %12s\n", "", "client P50/P95 ms", "node P50/P95 ms",
              "node-wait P50/P95", "wait P95");
  std::vector<double> all, all_server, all_busy;
  int failures = 0;
  for (auto& [name, path] : pages) {
    for (int i = 0; i < 5; ++i) // warm the connection pool and the caches
      (void)http::fetch("GET", base + path, {{"Cookie", cookie}}, "");
    auto files = schedstat_files(db.owner_dsn());
    std::vector<double> t, server, waited, busy;
    for (int i = 0; i < requests; ++i) {
      auto w0 = run_queue_wait_ns(files);
      auto t0 = steady::now();
      auto r = http::fetch("GET", base + path, {{"Cookie", cookie}}, "");
      t.push_back(ms_since(t0));
      auto wait_ms = static_cast<double>(run_queue_wait_ns(files) - w0) / 1e6;
      waited.push_back(wait_ms);
      if (!r || r->status != 200) {
        ++failures;
        continue;
      }
      auto total = server_timing(r->header("Server-Timing"), "total");
      if (total >= 0) {
        server.push_back(total);
        busy.push_back(std::max(0.0, total - wait_ms));
      }
    }
    if (server.size() != t.size())
      ++failures; // every answer must say its own time
    all.insert(all.end(), t.begin(), t.end());
    all_server.insert(all_server.end(), server.begin(), server.end());
    all_busy.insert(all_busy.end(), busy.begin(), busy.end());
    auto f = summarise(t), fs = summarise(server), fb = summarise(busy), fw = summarise(waited);
    std::printf("  %-24s %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %12.2f\n", name.c_str(), f.p50,
                f.p95, fs.p50, fs.p95, fb.p50, fb.p95, fw.p95);
  }
  auto fa = summarise(all), fas = summarise(all_server), fab = summarise(all_busy);
  std::printf("  %-24s %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f\n", "all pages", fa.p50, fa.p95,
              fas.p50, fas.p95, fab.p50, fab.p95);
  std::printf("  %d of %zu requests not 200 or without Server-Timing; max %.1f ms (client), %.1f "
              "ms (node)\n", failures, all.size(), fa.max, fas.max);
  std::printf("  after the requests: %s\n", machine_load().c_str());

  // Event delay: `streams` open event streams; a live call's transcript grows `events` times;
  // each growth is timed from just before its UPDATE to its arrival on every stream.
  std::string live_call;
  {
    pqxx::connection c(db.owner_dsn());
    pqxx::work tx(c);
    live_call = tx.exec_params1("INSERT INTO calls (business_id, call_sid, caller, status, "
                                "started_at) VALUES ($1, 'CA-bench-live', '+15557770999', "
                                "'in-progress', '2026-03-04T20:59:00Z') RETURNING id",
                                biz)[0]
                    .as<std::string>();
    tx.commit();
  }
  std::vector<stream_end> ends(static_cast<std::size_t>(streams));
  for (auto& e : ends)
    e.fd = open_stream(n.port(), cookie);
  std::mutex mtx;
  std::map<std::pair<std::size_t, int>, steady::time_point> arrived; // (stream, event) -> when
  std::atomic<bool> reading{true};
  std::thread reader([&] {
    std::vector<pollfd> fds;
    for (auto& e : ends)
      fds.push_back(pollfd{e.fd, POLLIN, 0});
    char buf[8192];
    while (reading) {
      if (::poll(fds.data(), fds.size(), 50) <= 0)
        continue;
      auto at = steady::now();
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN))
          continue;
        auto got = ::read(fds[i].fd, buf, sizeof buf);
        if (got <= 0) {
          fds[i].fd = -1;
          continue;
        }
        auto& e = ends[i];
        e.text.append(buf, static_cast<std::size_t>(got));
        if (!e.open && e.text.find("retry:") != std::string::npos)
          e.open = true;
        std::size_t p;
        while ((p = e.text.find("bench-event-", e.scanned)) != std::string::npos) {
          auto end = e.text.find_first_not_of("0123456789", p + 12);
          if (end == std::string::npos)
            break; // the number is not all here yet
          int k = std::stoi(e.text.substr(p + 12, end - p - 12));
          std::lock_guard lock(mtx);
          arrived.emplace(std::pair{i, k}, at);
          e.scanned = end;
        }
      }
    }
  });
  auto t_open = steady::now();
  auto all_open = [&] {
    return std::all_of(ends.begin(), ends.end(), [](const stream_end& e) { return e.open; });
  };
  while (!all_open() && ms_since(t_open) < 10000)
    std::this_thread::sleep_for(10ms);
  auto opened = std::count_if(ends.begin(), ends.end(), [](const stream_end& e) { return e.open; });
  std::printf("\n%ld of %d event streams open after %.0f ms\n", static_cast<long>(opened), streams,
              ms_since(t_open));

  std::vector<double> delays;
  std::size_t missed = 0;
  {
    pqxx::connection c(db.owner_dsn());
    for (int k = 0; k < events; ++k) {
      auto t0 = steady::now();
      {
        pqxx::work tx(c);
        tx.exec_params("UPDATE calls SET transcript = transcript || jsonb_build_array("
                       "jsonb_build_object('role', 'caller', 'text', $2::text)) WHERE id = $1",
                       live_call, "bench-event-" + std::to_string(k) + " please");
        tx.commit();
      }
      auto until = t0 + 5s;
      while (steady::now() < until) {
        std::size_t got = 0;
        {
          std::lock_guard lock(mtx);
          for (std::size_t i = 0; i < ends.size(); ++i)
            got += arrived.count({i, k});
        }
        if (got == static_cast<std::size_t>(opened))
          break;
        std::this_thread::sleep_for(2ms);
      }
      std::lock_guard lock(mtx);
      for (std::size_t i = 0; i < ends.size(); ++i) {
        auto it = arrived.find({i, k});
        if (it == arrived.end()) {
          missed += ends[i].open ? 1 : 0;
          continue;
        }
        delays.push_back(std::chrono::duration<double, std::milli>(it->second - t0).count());
      }
      std::this_thread::sleep_for(100ms);
    }
  }
  reading = false;
  reader.join();
  for (auto& e : ends)
    if (e.fd >= 0)
      ::close(e.fd);
  auto fd = summarise(delays);
  std::printf("event delay to %ld streams, %d events (UPDATE sent -> event read; target P95 < "
              "1000 ms):\n  P50 %.2f ms, P95 %.2f ms, max %.2f ms; %zu deliveries, %zu missed\n",
              static_cast<long>(opened), events, fd.p50, fd.p95, fd.max, delays.size(), missed);
  n.stop();
  return failures == 0 && missed == 0 && opened == streams ? 0 : 1;
}
