// frontdesk: one binary, one subcommand per job. Each subcommand's work lives in the libraries;
// this file only reads the command line and configuration and hands over.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "actors/cluster/cluster.hpp"
#include "actors/console/client.hpp"
#include "adapters/store/console.hpp"
#include "actors/node/node.hpp"
#include "adapters/caller/bench.hpp"
#include "adapters/caller/capacity.hpp"
#include "adapters/caller/scenario.hpp"
#include "adapters/caller/simulator.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/wav/wav.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/config/config.hpp"
#include "adapters/log/log.hpp"
#include "adapters/messaging/cli.hpp"
#include "adapters/gcal/cli.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/migrate.hpp"
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "adapters/store/calls.hpp"
#include "adapters/store/staff.hpp"

#include <termios.h>
#include <unistd.h>

namespace {

using namespace frontdesk;

// Exit codes: 0 done, 1 failed at run time, 2 bad usage or configuration.
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_mismatch = 3; // call --check: the call did not do what the scenario expects

struct global_options {
  std::string config_file;
  std::string log_format;
  std::string log_level;
  std::string now;
};

// Blocks SIGINT/SIGTERM in every thread started after this call, so main can sigwait for them.
void block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int wait_for_shutdown_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// Defaults < config file < environment < command-line flags.
std::optional<config> resolve_config(const global_options& g) {
  config cfg;
  std::string file = g.config_file;
  if (file.empty())
    if (const char* env = std::getenv("FRONTDESK_CONFIG"))
      file = env;
  if (!file.empty()) {
    auto loaded = load_config_file(file);
    if (!loaded) {
      std::cerr << "frontdesk: " << loaded.error().message << '\n';
      return std::nullopt;
    }
    cfg = std::move(*loaded);
  }
  apply_environment(cfg, [](const char* name) { return std::getenv(name); });
  if (!g.log_format.empty())
    cfg.log.format = g.log_format;
  if (!g.log_level.empty())
    cfg.log.level = g.log_level;
  if (!g.now.empty()) {
    auto t = parse_rfc3339(g.now);
    if (!t) {
      std::cerr << "frontdesk: --now: " << t.error().message << '\n';
      return std::nullopt;
    }
    cfg.node.now = *t;
  }
  if (auto err = validate(cfg)) {
    std::cerr << "frontdesk: " << err->message << '\n';
    return std::nullopt;
  }
  return cfg;
}

void setup_logging(const config& cfg) {
  log::format f = log::format::text;
  log::parse_format(cfg.log.format, f);
  log::setup(f, spdlog::level::from_str(cfg.log.level));
}

int run_migrate(const config& cfg, std::string url) {
  if (url.empty())
    if (const char* env = std::getenv("DATABASE_OWNER_URL"))
      url = env;
  if (url.empty()) {
    spdlog::error("migrate needs the owner role's connection: --database-url or DATABASE_OWNER_URL");
    return exit_usage;
  }
  (void)cfg;
  auto& migrations = store::bundled_migrations();
  spdlog::info("migrating: {} migrations bundled", migrations.size());
  auto report = store::migrate(url, migrations);
  if (!report) {
    spdlog::error("{}", report.error().message);
    return exit_failed;
  }
  for (auto& name : report->applied)
    spdlog::info("applied {}", name);
  spdlog::info("database is up to date: {} applied now, {} already applied", report->applied.size(),
               report->already_applied);
  return 0;
}

int run_org_load(const config& cfg, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    spdlog::error("cannot read business file '{}'", path);
    return exit_usage;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto org = org::parse_org_file(text.str());
  if (!org) {
    spdlog::error("{}: {}", path, org.error().message);
    return exit_usage;
  }
  if (cfg.database.url.empty()) {
    spdlog::error("no database: set DATABASE_URL (or database.url in the config file)");
    return exit_usage;
  }
  store::database db(cfg.database.url, 1);
  auto report = store::businesses_repo(db).load(*org, make_clock(cfg.node.now)->now());
  if (!report) {
    spdlog::error("{}: {}", path, report.error().message);
    return report.error().code == "bad_org_file" ? exit_usage : exit_failed;
  }
  spdlog::info("{} business '{}' ({}), id {}: {} knowledge entries, {} appointments imported",
               report->created ? "created" : "updated", org->name, org->phone_number,
               report->business_id, report->knowledge, report->appointments);
  std::cout << report->business_id << '\n';
  return 0;
}

struct staff_options {
  std::string business, email, role = "viewer";
  bool password_prompt = false;
};

// Reads a password: prompted twice without echo on a terminal, else one line of stdin (scripts).
std::optional<std::string> read_password() {
  auto line = [] {
    std::string p;
    std::getline(std::cin, p);
    if (!p.empty() && p.back() == '\r')
      p.pop_back();
    return p;
  };
  if (!::isatty(STDIN_FILENO))
    return line();
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  auto quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::cerr << "Password: " << std::flush;
  auto first = line();
  std::cerr << "\nAgain: " << std::flush;
  auto second = line();
  std::cerr << '\n';
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (first != second) {
    std::cerr << "frontdesk: the passwords differ\n";
    return std::nullopt;
  }
  return first;
}

int run_staff(const config& cfg, const std::string& action, const staff_options& o) {
  if (cfg.database.url.empty()) {
    spdlog::error("no database: set DATABASE_URL (or database.url in the config file)");
    return exit_usage;
  }
  store::database db(cfg.database.url, 1);
  store::staff_repo staff(db);
  if (action == "list") {
    auto l = staff.list(o.business);
    if (!l) {
      spdlog::error("{}", l.error().message);
      return exit_failed;
    }
    for (auto& u : *l)
      std::cout << u.id << '\t' << u.email << '\t' << u.role << '\t' << u.created_at << '\n';
    return 0;
  }
  if (action == "remove") {
    auto r = staff.remove(o.business, o.email);
    if (!r) {
      spdlog::error("{}", r.error().message);
      return exit_failed;
    }
    if (!*r) {
      spdlog::error("no staff member '{}' in business {}", o.email, o.business);
      return exit_failed;
    }
    return 0;
  }
  if (!o.password_prompt) {
    std::cerr << "frontdesk: staff add needs --password-prompt (the password is read from the "
                 "terminal, or from stdin when it is not one)\n";
    return exit_usage;
  }
  auto password = read_password();
  if (!password)
    return exit_usage;
  auto u = staff.add(o.business, o.email, o.role, *password);
  if (!u) {
    spdlog::error("{}", u.error().message);
    return u.error().code.rfind("bad_", 0) == 0 || u.error().code == "email_taken" ? exit_usage
                                                                                   : exit_failed;
  }
  std::cout << u->id << '\n';
  return 0;
}

// `frontdesk staff token EMAIL [--revoke]`: a console token for every account of the address,
// shown once (only its hash is kept); --revoke ends every token of the address.
int run_staff_token(const config& cfg, const std::string& email, bool revoke) {
  if (cfg.database.url.empty()) {
    spdlog::error("no database: set DATABASE_URL (or database.url in the config file)");
    return exit_usage;
  }
  store::database db(cfg.database.url, 1);
  store::console_repo repo(db);
  if (revoke) {
    auto n = repo.revoke_tokens(email);
    if (!n) {
      spdlog::error("{}", n.error().message);
      return exit_failed;
    }
    std::cout << *n << " tokens revoked\n";
    return 0;
  }
  auto t = repo.issue_token(email);
  if (!t) {
    spdlog::error("{}", t.error().message);
    return t.error().code == "unknown_email" ? exit_usage : exit_failed;
  }
  std::cout << *t << '\n';
  return 0;
}

struct console_cli {
  std::string connect, exec, name = "console", wav;
  bool json = false;
  double follow = 0, max_seconds = 600;
};

// `frontdesk console`: the operator console (see actors/console/client.hpp).
int run_console(const config& cfg, const console_cli& c) {
  console::client_options o;
  auto nodes = cluster::parse_addresses(c.connect);
  if (c.connect.empty() || !nodes || nodes->empty()) {
    std::cerr << "frontdesk: --connect must be HOST:PORT[,HOST:PORT...]\n";
    return exit_usage;
  }
  o.nodes = *nodes;
  o.link = cluster::settings_from(cfg);
  o.link.listen.clear(); // a console publishes nothing
  if (!o.link.insecure) {
    o.link.listen = c.connect.substr(0, c.connect.find(',')); // check() looks at the files then
    if (auto e = cluster::check(o.link)) {
      std::cerr << "frontdesk: " << *e << '\n';
      return exit_usage;
    }
    o.link.listen.clear();
  }
  if (const char* t = std::getenv("FRONTDESK_CONSOLE_TOKEN"))
    o.token = t;
  if (o.token.empty()) {
    std::cerr << "frontdesk: set FRONTDESK_CONSOLE_TOKEN to a staff token (frontdesk staff "
                 "token EMAIL)\n";
    return exit_usage;
  }
  o.exec = c.exec;
  o.json = c.json;
  o.name = c.name;
  o.follow_seconds = c.follow;
  o.max_seconds = c.max_seconds;
  o.wav = c.wav;
  return console::run_client(o);
}

struct call_options {
  caller::sim_options sim;
  std::string scenario;
  std::string audio_path;
  std::string say;
  std::vector<std::string> then;
  std::string voice = "rms";
  std::string record_path;
  double max_seconds = 120;
  int answer_quiet_ms = 400;
  std::string dtmf;
  bool text = false;  // scenario turns go past the recogniser as text
  bool check = false; // compare the call's record with the scenario's "expect"
};

int run_call(call_options o) {
  caller::expectation expect;
  if (!o.scenario.empty()) {
    auto sc = caller::load_scenario(o.scenario, o.voice);
    if (!sc) {
      spdlog::error("{}", sc.error().message);
      return exit_usage;
    }
    if (auto err = caller::apply_scenario(*sc, o.sim, o.text)) {
      spdlog::error("{}: {}", o.scenario, err->message);
      return exit_usage;
    }
    expect = sc->expect;
  } else if (o.text || o.check) {
    spdlog::error("--text and --check go with --scenario");
    return exit_usage;
  }
  if (o.sim.base_url.empty() || o.sim.to.empty()) {
    spdlog::error("call needs --base-url and --to");
    return exit_usage;
  }
  if (const char* t = std::getenv("TWILIO_AUTH_TOKEN"))
    o.sim.auth_token = t;
  if (!o.audio_path.empty()) {
    auto a = caller::load_caller_audio(o.audio_path);
    if (!a) {
      spdlog::error("{}", a.error().message);
      return exit_usage;
    }
    o.sim.audio = std::move(*a);
  }
  if (!o.say.empty()) {
    auto tts = speech::make_flite_tts(o.voice);
    if (!tts) {
      spdlog::error("no Flite voice '{}' (kal, kal16, rms, slt, awb)", o.voice);
      return exit_usage;
    }
    auto a = speech::synthesize_all(*tts, o.say);
    if (!a) {
      spdlog::error("cannot synthesise the caller's words: {}", a.error().message);
      return exit_failed;
    }
    o.sim.audio = std::move(*a);
    for (auto& more : o.then)
      o.sim.turns.push_back({*speech::synthesize_all(*tts, more), std::chrono::milliseconds(0)});
  }
  for (char d : o.dtmf)
    o.sim.dtmf.emplace_back(1, d);
  o.sim.max_call = std::chrono::milliseconds(static_cast<long>(o.max_seconds * 1000));
  o.sim.answer_quiet = std::chrono::milliseconds(o.answer_quiet_ms);
  auto report = caller::simulate_call(o.sim);
  if (!report) {
    spdlog::error("call failed: {}", report.error().message);
    return exit_failed;
  }
  if (!o.record_path.empty()) {
    auto bytes = wav::write_mulaw(report->received_audio, 8000);
    std::ofstream(o.record_path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  }
  // With the node's database at hand, the report also tells what the call did.
  std::string call_json;
  const char* db_url = std::getenv("DATABASE_URL");
  auto& params = report->stream_parameters;
  if (db_url && *db_url && params.count("callId") && params.count("businessId")) {
    store::database db(db_url, 1);
    store::calls_repo repo(db);
    for (int i = 0; i < 50; ++i) { // the node writes the end of the call on its worker pool
      auto r = repo.call_report_json(params.at("businessId"), params.at("callId"));
      if (r && !r->empty() && r->find("\"status\" : \"ringing\"") == std::string::npos &&
          r->find("\"end_reason\" : null") == std::string::npos) {
        call_json = *r;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  auto out = report->to_json();
  if (!call_json.empty())
    out = out.substr(0, out.size() - 1) + ",\"call\":" + call_json + "}";
  std::cout << out << std::endl;
  if (report->webhook_status != 200)
    return exit_failed;
  if (o.check) {
    auto wrong = caller::check_expectation(expect, *report, call_json);
    for (auto& w : wrong)
      spdlog::error("{}: {}", o.scenario, w);
    if (!wrong.empty())
      return exit_mismatch;
    spdlog::info("{}: as expected", o.scenario);
  }
  return 0;
}

struct bench_cli {
  caller::bench_options b;
  std::string audio_path;
  std::string say;
  std::string barge;
  std::vector<std::string> scenarios; // caller i plays scenario i mod their count
  int expect_bookings = -1;  // -1: from the scenario's "expect", else not checked
  double seconds = 10;
  double hold_seconds = 0;
  double soak_seconds = 0;
  bool find_capacity = false;
  double max_turn_p95_ms = 500;
  double max_runtime_p95_ms = 0; // 0: no limit on what the runtime adds
  int max_calls = 1000;
  bool json = false;
};

// Raises the load step by step; each step is a full bench run against the same node.
int find_capacity(const bench_cli& o) {
  std::ostringstream table;
  table << "callers  live  ok  failed  turn_p50  turn_p95  turn_p99  runtime_p95  late_p99  "
           "rejected  no_decoder  node_cpu_s  cpu_wait_s\n";
  boost::json::array steps;
  auto step = [&](int n) {
    auto b = o.b;
    b.calls = n;
    // All the callers at once: added within five seconds, each call lasting longer than that.
    b.ramp_per_second = std::max(b.ramp_per_second, n / 5.0);
    spdlog::info("capacity: trying {} callers", n);
    auto rep = caller::run_bench(b);
    table << fmt::format("{:>7}  {:>4}  {:>3}  {:>6}  {:>8.1f}  {:>8.1f}  {:>8.1f}  {:>11.2f}  "
                         "{:>8.2f}  {:>8}  {:>10}  {:>10.2f}  {:>10.2f}\n",
                         n, rep.node_calls_live_peak, rep.ok, rep.failed, rep.turn_p50_ms,
                         rep.turn_p95_ms, rep.turn_p99_ms, rep.runtime_p95_ms,
                         rep.recv_late_p99_ms, rep.stt_rejected, rep.stt_unavailable,
                         rep.node_cpu_s, rep.node_cpu_wait_s);
    steps.push_back(boost::json::parse(rep.to_json()));
    // Answered is not enough: the answers must come from recognised words (a caller who got
    // "sorry, I didn't catch that" because no decoder was free was not served).
    bool heard = rep.stt_unavailable == 0 && rep.stt_rejected * 20 <= rep.stt_utterances;
    bool fast_enough = o.max_runtime_p95_ms <= 0 || rep.runtime_p95_ms <= o.max_runtime_p95_ms;
    bool ok = rep.failed == 0 && rep.turns_unanswered == 0 && heard &&
              rep.turn_p95_ms <= o.max_turn_p95_ms && fast_enough && rep.turns_measured > 0;
    if (!ok)
      spdlog::info("capacity: {} callers did not hold (failed {}, unanswered {}, rejected {} of "
                   "{}, no decoder {}, turn P95 {:.0f} ms, runtime P95 {:.2f} ms)",
                   n, rep.failed, rep.turns_unanswered, rep.stt_rejected, rep.stt_utterances,
                   rep.stt_unavailable, rep.turn_p95_ms, rep.runtime_p95_ms);
    return ok;
  };
  int held = caller::find_capacity(o.b.calls, o.max_calls, step);
  if (o.json)
    std::cout << boost::json::serialize(boost::json::object{
                     {"max_turn_p95_ms", o.max_turn_p95_ms},
                     {"max_runtime_p95_ms", o.max_runtime_p95_ms},
                     {"capacity", held},
                     {"steps", steps}})
              << std::endl;
  else
    std::cout << table.str() << "capacity: " << held << " concurrent calls with turn latency P95 "
              << "under " << o.max_turn_p95_ms << " ms"
              << (o.max_runtime_p95_ms > 0
                      ? fmt::format(", runtime added P95 under {} ms", o.max_runtime_p95_ms)
                      : std::string())
              << " and no failed call\n";
  return held > 0 ? 0 : exit_failed;
}

int run_bench(bench_cli o) {
  auto& c = o.b.call;
  if (c.base_url.empty() || c.to.empty()) {
    spdlog::error("bench needs --base-url and --to");
    return exit_usage;
  }
  if (const char* t = std::getenv("TWILIO_AUTH_TOKEN"))
    c.auth_token = t;
  c.wait_for_greeting = false;
  double scenario_turns = 0;
  std::vector<caller::scenario> scenarios;
  if (!o.scenarios.empty()) {
    if (!o.say.empty() || !o.audio_path.empty()) {
      spdlog::error("--scenario, --say and --audio are alternatives");
      return exit_usage;
    }
    for (auto& path : o.scenarios) {
      auto sc = caller::load_scenario(path);
      if (!sc) {
        spdlog::error("{}", sc.error().message);
        return exit_usage;
      }
      // Word turns also go to the node as the call's script (what instant engines
      // "recognise"); a scenario with recorded turns is sent as audio only.
      bool all_words = std::none_of(sc->texts.begin(), sc->texts.end(),
                                    [](const std::string& t) { return t.empty(); });
      auto probe = c;
      if (auto err = caller::apply_scenario(*sc, probe, all_words)) {
        spdlog::error("{}: {}", path, err->message);
        return exit_usage;
      }
      scenario_turns = std::max(scenario_turns, double(sc->audio.size()));
      scenarios.push_back(std::move(*sc));
    }
    auto sc = &scenarios.front();
    bool all_words = std::none_of(sc->texts.begin(), sc->texts.end(),
                                  [](const std::string& t) { return t.empty(); });
    (void)caller::apply_scenario(*sc, c, all_words);
    // The callers all ask for the same slot: one booking in all, never a double one.
    if (o.scenarios.size() == 1 && o.expect_bookings < 0 && sc->expect.booked)
      o.expect_bookings = sc->expect.booked->empty() ? 0 : 1;
    o.b.node_may_hang_up = true; // a scenario may end with the receptionist's goodbye
    c.wait_for_greeting = true;
    c.quiet_to_hang_up = std::chrono::milliseconds(2000);
  } else if (!o.say.empty()) {
    // Words, spoken after the greeting: the receptionist's turn latency and barge-in.
    auto voice = speech::make_flite_tts("rms");
    c.audio = *speech::synthesize_all(*voice, o.say);
    c.extra_parameters["script"] = o.say; // what a node's instant test engines "recognise"
    if (!o.barge.empty()) {
      c.turns.push_back({*speech::synthesize_all(*voice, o.barge), std::chrono::milliseconds(800)});
      c.extra_parameters["script"] += "|" + o.barge;
    }
    c.wait_for_greeting = true;
    c.quiet_to_hang_up = std::chrono::milliseconds(2000);
  } else if (!o.audio_path.empty()) {
    auto a = caller::load_caller_audio(o.audio_path);
    if (!a) {
      spdlog::error("{}", a.error().message);
      return exit_usage;
    }
    c.audio = std::move(*a);
  } else {
    // A tone of the given length: enough to exercise the media path without an engine.
    c.audio.resize(static_cast<std::size_t>(o.seconds * 8000));
    for (std::size_t i = 0; i < c.audio.size(); ++i)
      c.audio[i] = audio::mulaw_encode(static_cast<std::int16_t>(
          8000 * ((i / 9) % 2 ? 1 : -1)));
  }
  if (o.hold_seconds > 0) { // idle sessions: no audio, stay on the line
    c.audio.clear();
    c.quiet_to_hang_up = std::chrono::milliseconds(static_cast<long>(o.hold_seconds * 1000));
    o.b.sample_rss_after =
        std::chrono::milliseconds(static_cast<long>(o.hold_seconds * 500 + 1000.0 * o.b.calls /
                                                    std::max(1.0, o.b.ramp_per_second)));
  }
  c.max_call = std::chrono::milliseconds(static_cast<long>(
      (o.seconds * 2 + o.hold_seconds + 15 * scenario_turns + 30) * 1000));
  o.b.expected_bookings = o.expect_bookings;
  // Several scenarios: each caller its own (another business, another slot), as set up above.
  if (scenarios.size() > 1)
    for (auto& sc : scenarios) {
      auto each = c;
      bool all_words = std::none_of(sc.texts.begin(), sc.texts.end(),
                                    [](const std::string& t) { return t.empty(); });
      (void)caller::apply_scenario(sc, each, all_words);
      o.b.each.push_back(std::move(each));
    }
  o.b.soak = std::chrono::seconds(static_cast<long>(o.soak_seconds));
  if (o.find_capacity)
    return find_capacity(o);
  spdlog::info("bench: {} callers at {}/s against {}{}", o.b.calls, o.b.ramp_per_second,
               c.base_url, o.soak_seconds > 0 ? fmt::format(", calling for {} s", o.soak_seconds)
                                              : std::string());
  auto rep = caller::run_bench(o.b);
  if (o.json)
    std::cout << rep.to_json() << std::endl;
  else
    std::cout << rep.to_table();
  if (o.soak_seconds > 0) {
    // Nothing may be left behind: no live call, no leaked descriptor, memory near its start.
    bool fds_back = rep.node_fds_before < 0 || rep.node_fds_after <= rep.node_fds_before + 2;
    bool calls_gone = rep.node_calls_live_after == 0;
    // Memory back near its start (within a quarter, plus 5 MB for caches that stay warm).
    bool memory_back = rep.node_rss_before_mb <= 0 ||
                       rep.node_rss_after_mb <= rep.node_rss_before_mb * 1.25 + 5;
    spdlog::info("soak: {} calls placed, {} failed; open files {} -> {}, RSS {:.1f} -> {:.1f} MB "
                 "(peak {:.1f}); live calls after: {}",
                 rep.calls_placed, rep.failed, rep.node_fds_before, rep.node_fds_after,
                 rep.node_rss_before_mb, rep.node_rss_after_mb, rep.node_rss_peak_mb,
                 rep.node_calls_live_after);
    if (!fds_back || !calls_gone || !memory_back) {
      spdlog::error("soak: the node did not return to its baseline");
      return exit_failed;
    }
  }
  if (!rep.bookings_as_expected()) {
    spdlog::error("bookings: {} made, {} expected", rep.bookings_made, rep.bookings_expected);
    return exit_failed;
  }
  return rep.failed == 0 ? 0 : exit_failed;
}

int run_serve(const config& cfg) {
  node n(cfg, make_clock(cfg.node.now));
  if (!n.start())
    return exit_failed;
  spdlog::info("node ready; Ctrl-C or SIGTERM stops it");
  int sig = wait_for_shutdown_signal();
  spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  n.stop();
  return 0;
}

// `frontdesk cluster status`: the live set as one node sees it, with load and businesses.
int run_cluster_status(const config& cfg, std::string address, bool json) {
  auto s = frontdesk::cluster::settings_from(cfg);
  if (address.empty())
    address = s.listen;
  auto parsed = frontdesk::cluster::parse_addresses(address);
  if (address.empty() || !parsed || parsed->size() != 1) {
    std::cerr << "frontdesk: give the node's cluster address (--node HOST:PORT or cluster.listen)\n";
    return exit_usage;
  }
  s.listen.clear(); // a console publishes nothing
  if (!s.insecure) {
    s.listen = address; // check() checks the certificate files only when a port is named
    if (auto e = frontdesk::cluster::check(s)) {
      std::cerr << "frontdesk: " << *e << '\n';
      return exit_usage;
    }
  }
  auto members = frontdesk::cluster::query_status(s, (*parsed)[0].first, (*parsed)[0].second);
  if (!members) {
    std::cerr << "frontdesk: " << members.error().message << '\n';
    return exit_failed;
  }
  if (json) {
    boost::json::array out;
    for (auto& m : *members) {
      boost::json::array businesses;
      for (auto& b : m.businesses)
        businesses.emplace_back(b.c_str());
      out.emplace_back(boost::json::object{{"name", m.name},
                                           {"address", m.address},
                                           {"public_url", m.public_url},
                                           {"live_calls", m.live_calls},
                                           {"max_calls", m.max_calls},
                                           {"businesses", std::move(businesses)}});
    }
    std::cout << boost::json::serialize(boost::json::object{{"members", std::move(out)}}) << '\n';
    return 0;
  }
  std::printf("%zu live nodes (as %s sees them)\n", members->size(), address.c_str());
  std::printf("%-16s %-22s %-10s %s\n", "NODE", "CLUSTER ADDRESS", "CALLS", "BUSINESSES HOMED");
  for (auto& m : *members) {
    std::string calls = std::to_string(m.live_calls) + "/" + std::to_string(m.max_calls);
    std::string businesses;
    for (auto& b : m.businesses)
      businesses += (businesses.empty() ? "" : " ") + b;
    std::printf("%-16s %-22s %-10s %s\n", m.name.c_str(), m.address.c_str(), calls.c_str(),
                businesses.empty() ? "-" : businesses.c_str());
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  block_shutdown_signals();
  CLI::App app{"frontdesk: an AI receptionist that answers a business's phone line.\n"
               "Configuration: defaults < --config FILE (or FRONTDESK_CONFIG) < environment "
               "(DATABASE_URL, TWILIO_AUTH_TOKEN) < flags.",
               "frontdesk"};
  app.require_subcommand(1);
  app.fallthrough(); // global options may follow the subcommand
  global_options g;
  app.add_option("--config", g.config_file, "TOML configuration file (see config/frontdesk.toml)");
  app.add_option("--log-format", g.log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", g.log_level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--now", g.now,
                 "Start the clock at this RFC 3339 instant and let it run (demos, tests)");

  auto* migrate = app.add_subcommand(
      "migrate", "Apply the bundled sql/ migrations as the database owner role");
  std::string migrate_url;
  migrate->add_option("--database-url", migrate_url,
                      "Owner role connection (default: DATABASE_OWNER_URL)");

  auto* serve = app.add_subcommand("serve", "Run a node until SIGINT or SIGTERM");
  std::string listen, public_url;
  serve->add_option("--listen", listen, "HOST:PORT to bind (default from config: 127.0.0.1:8080)");
  serve->add_option("--public-url", public_url,
                    "URL Twilio uses to reach this node; signatures are computed over it");
  std::string speech_mode;
  serve->add_option("--speech-mode", speech_mode,
                    "embedded (default), or for tests and benchmarks only: echo or instant "
                    "(speech.mode in the config)")
      ->check(CLI::IsMember({"embedded", "echo", "instant"}));

  auto* cluster_cmd = app.add_subcommand("cluster", "Look at the cluster of nodes");
  cluster_cmd->require_subcommand(1);
  auto* cluster_status = cluster_cmd->add_subcommand(
      "status", "The live nodes as one node sees them: address, calls and businesses homed");
  std::string cluster_node;
  bool cluster_json = false;
  cluster_status->add_option("--node", cluster_node,
                             "The node's cluster address HOST:PORT (default: cluster.listen); "
                             "the [cluster] TLS settings of the config are used to connect");
  cluster_status->add_flag("--json", cluster_json, "Print JSON");

  auto* org_cmd = app.add_subcommand("org", "Manage businesses");
  org_cmd->require_subcommand(1);
  auto* org_load = org_cmd->add_subcommand(
      "load", "Create or update a business from a JSON file; prints its id");
  std::string org_path;
  org_load->add_option("FILE", org_path, "Business file (JSON)")->required();

  auto* staff_cmd = app.add_subcommand("staff", "Manage a business's dashboard users");
  staff_cmd->require_subcommand(1);
  staff_options so;
  auto* staff_add = staff_cmd->add_subcommand("add", "Add a user; prints their id");
  auto* staff_remove = staff_cmd->add_subcommand("remove", "Remove a user (their sessions end)");
  auto* staff_list = staff_cmd->add_subcommand("list", "List users: id, email, role, created");
  auto* staff_token = staff_cmd->add_subcommand(
      "token", "Print a new operator console token for every account of EMAIL (shown once)");
  std::string token_email;
  bool token_revoke = false;
  staff_token->add_option("EMAIL", token_email, "The staff member's email address")->required();
  staff_token->add_flag("--revoke", token_revoke, "Revoke every console token of EMAIL instead");

  auto* console_cmd = app.add_subcommand(
      "console", "The operator console: watch and steer live calls (FRONTDESK_CONSOLE_TOKEN "
                 "holds the staff token; the [cluster] TLS settings are the console's certificate)");
  console_cli cc;
  console_cmd->add_option("--connect", cc.connect,
                          "Nodes' cluster addresses HOST:PORT[,HOST:PORT...]; the next one is "
                          "used when a node goes away")
      ->required();
  console_cmd->add_option("--exec", cc.exec,
                          "Run one verb and exit (watch: until the call ends; watch --all: every "
                          "call until --max-seconds): calls, watch CALL|--all, unwatch CALL|--all, "
                          "say CALL TEXT [--interrupt], hold-ai CALL, resume-ai CALL, transfer "
                          "CALL NUMBER, hangup CALL, appointments [DAY], cancel APPOINTMENT");
  console_cmd->add_flag("--json", cc.json, "With --exec: print JSON lines");
  console_cmd->add_option("--follow", cc.follow,
                          "With --exec: after the reply, print pushed changes this many seconds")
      ->check(CLI::Range(0.0, 86400.0));
  console_cmd->add_option("--wav", cc.wav,
                          "With --exec 'listen CALL': write the call's audio to this WAV file "
                          "(left the caller, right the receptionist)");
  console_cmd->add_option("--max-seconds", cc.max_seconds, "With --exec: give up after this long")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  console_cmd->add_option("--name", cc.name, "What this console calls itself in the audit log")
      ->capture_default_str();
  for (auto* c : {staff_add, staff_remove, staff_list})
    c->add_option("--business", so.business, "The business's id")->required();
  for (auto* c : {staff_add, staff_remove})
    c->add_option("--email", so.email, "The user's email address (their login)")->required();
  staff_add->add_option("--role", so.role, "owner, admin or viewer")
      ->capture_default_str()->check(CLI::IsMember({"owner", "admin", "viewer"}));
  staff_add->add_flag("--password-prompt", so.password_prompt,
                      "Ask for the password (read from stdin when it is not a terminal)");

  auto* call = app.add_subcommand(
      "call", "Place a simulated call against a node, as Twilio would; prints a JSON report");
  call_options co;
  call->add_option("--base-url", co.sim.base_url,
                   "The node, e.g. http://127.0.0.1:8080; several comma-separated: the next is "
                   "tried when one refuses (a balancer)")
      ->required();
  auto* scenario_opt = call->add_option(
      "--scenario", co.scenario,
      "A caller's script: {\"caller\": \"+1...\", \"turns\": [\"words\", {\"audio\": \"f.wav\"}]}; "
      "each turn is spoken after the receptionist has answered. With DATABASE_URL set, the report "
      "adds the call's transcript, latencies and appointments");
  call->add_option("--public-url", co.sim.public_url,
                   "The URL the node signs over (its --public-url; default: --base-url)");
  call->add_option("--to", co.sim.to, "The dialled number (a business's phone_number)")->required();
  call->add_option("--from", co.sim.from, "The caller's number")->capture_default_str();
  call->add_option("--audio", co.audio_path,
                   "Caller audio: WAV (8 or 16 kHz, 16-bit PCM or mu-law) or raw mu-law");
  auto* say_opt = call->add_option("--say", co.say, "Caller words, spoken with a Flite voice");
  call->get_option("--audio")->excludes(say_opt);
  scenario_opt->excludes(say_opt);
  call->add_flag("--text", co.text,
                 "With --scenario: the turns reach the dialog as text, past the recogniser (the "
                 "node needs speech.accept_scripts; the audio is still sent and makes the turns)");
  call->add_flag("--check", co.check,
                 "With --scenario and DATABASE_URL: compare what the call did with the scenario's "
                 "\"expect\" ({booked, cancelled, transferred, said}); exit 3 on a mismatch");
  scenario_opt->excludes(call->get_option("--audio"));
  call->add_option("--then", co.then,
                   "Further caller turns (repeatable), each after the receptionist has answered")
      ->needs(say_opt);
  call->add_option("--voice", co.voice, "Flite voice of the caller (the receptionist is kal16)")
      ->capture_default_str();
  call->add_option("--dtmf", co.dtmf, "Keys to press after the audio, e.g. '#'");
  call->add_flag("--fast", co.sim.fast, "Send caller audio as fast as possible (tests)");
  call->add_option("--words-speed", co.sim.words_speed,
                   "Send the caller's words this many times faster than real time; silence stays real "
                   "time (calls that do not measure latency)");
  call->add_option("--answer-quiet-ms", co.answer_quiet_ms,
                   "Speak the next turn after the receptionist has been quiet this long (a slow "
                   "node's pause inside an answer is waited out)")
      ->capture_default_str()
      ->check(CLI::Range(100, 10000));
  call->add_option("--max-seconds", co.max_seconds, "Hang up after this long")
      ->capture_default_str();
  call->add_option("--record", co.record_path, "Write what the caller heard to a WAV file");

  auto* bench = app.add_subcommand(
      "bench", "Drive concurrent simulated calls against a node and report latency, lateness, "
               "CPU and memory");
  bench_cli bc;
  bench->add_option("--base-url", bc.b.call.base_url,
                    "The node, e.g. http://127.0.0.1:8080; a cluster's nodes comma-separated "
                    "(callers start at each in turn, the next is tried when one refuses)")
      ->required();
  bench->add_option("--public-url", bc.b.call.public_url, "The URL the node signs over");
  bench->add_option("--to", bc.b.call.to, "A business's phone number")->required();
  bench->add_option("--calls", bc.b.calls, "Concurrent callers")->capture_default_str()
      ->check(CLI::Range(1, 5000));
  bench->add_option("--ramp", bc.b.ramp_per_second, "Callers added per second")
      ->capture_default_str();
  bench->add_option("--seconds", bc.seconds, "Length of each caller's audio (a tone)")
      ->capture_default_str()->check(CLI::Range(0.02, 3600.0));
  bench->add_option("--audio", bc.audio_path, "Caller audio instead of a tone");
  bench->add_option("--say", bc.say,
                    "Caller words (Flite) spoken after the greeting: measures turn latency");
  bench->add_option("--scenario", bc.scenarios,
                    "Every caller plays this scenario file (see call --scenario); its expected "
                    "booking makes one expected in all, since the callers ask for one slot. "
                    "Several files: caller i plays file i mod their count (each may name the "
                    "number it calls, \"to\"); bookings are then checked only with "
                    "--expect-bookings");
  bench->add_option("--expect-bookings", bc.expect_bookings,
                    "Appointments the run should book in all; the run fails otherwise")
      ->check(CLI::Range(0, 1000000));
  bench->add_option("--barge", bc.barge,
                    "With --say: words spoken over the reply, 0.8 s into it: measures barge-in");
  bench->add_option("--hold", bc.hold_seconds,
                    "Idle sessions: no audio, stay on the line this long (memory per session)");
  bench->add_option("--node-pid", bc.b.node_pid,
                    "Read the node's CPU (and its wait for a free core), memory and open files "
                    "from /proc");
  bench->add_option("--soak", bc.soak_seconds,
                    "Soak: each caller calls again and again for this many seconds; checks that "
                    "memory and open files return to where they started")
      ->check(CLI::Range(0.0, 86400.0));
  bench->add_flag("--find-capacity", bc.find_capacity,
                  "Raise the number of callers (from --calls, x1.5 a step, at least +1) until turn latency "
                  "P95 passes --max-turn-p95 (or the runtime's part passes --max-runtime-p95) or a call fails, then narrow the gap by halves to a "
                  "tenth; report the largest that held");
  bench->add_option("--max-turn-p95", bc.max_turn_p95_ms,
                    "With --find-capacity: the turn latency P95 (ms) a load must stay under")
      ->capture_default_str();
  bench->add_option("--max-runtime-p95", bc.max_runtime_p95_ms,
                    "With --find-capacity: also keep what the runtime adds to a turn (P95, ms) "
                    "under this; 0: no limit")
      ->capture_default_str()->check(CLI::Range(0.0, 60000.0));
  bench->add_option("--max-calls", bc.max_calls, "With --find-capacity: stop at this many")
      ->capture_default_str()->check(CLI::Range(1, 5000));
  bench->add_flag("--json", bc.json, "Print the report as JSON");

  auto* outbox_cmd = app.add_subcommand("outbox", "Operate the outbox (texts and other side effects)");
  outbox_cmd->require_subcommand(1);
  messaging::outbox_command oc;
  auto* outbox_list = outbox_cmd->add_subcommand("list", "Print the newest rows as JSON");
  outbox_list->add_option("--status", oc.status,
                          "Only rows in this status: pending, sending, done, failed, dead, dropped");
  outbox_list->add_option("--limit", oc.limit, "At most this many rows")->capture_default_str();
  auto* outbox_retry = outbox_cmd->add_subcommand("retry", "Send a dead, failed, dropped or waiting row again now");
  outbox_retry->add_option("ID", oc.id, "The row's id")->required();
  auto* outbox_drop = outbox_cmd->add_subcommand("drop", "Never send this row (a worker's row in flight is not touched)");
  outbox_drop->add_option("ID", oc.id, "The row's id")->required();
  auto* outbox_run = outbox_cmd->add_subcommand(
      "run", "Carry out the due rows here until none is due, then exit (prints what it did)");
  outbox_run->add_option("--max-seconds", oc.max_seconds, "Stop after this long (0: no limit)");

  auto* calendar_cmd = app.add_subcommand("calendar", "Connect a business's Google Calendar");
  calendar_cmd->require_subcommand(1);
  gcal::calendar_command gc;
  auto* cal_connect = calendar_cmd->add_subcommand(
      "connect", "Print Google's consent address for the business (GOOGLE_CLIENT_ID, "
                 "GOOGLE_CLIENT_SECRET and FRONTDESK_SECRET_KEY must be set)");
  cal_connect->add_option("--calendar", gc.calendar_id, "The calendar's id")->capture_default_str();
  cal_connect->add_flag("--busy-only", gc.busy_only,
                        "An extra calendar that only blocks time (our events go to the main one)");
  auto* cal_status = calendar_cmd->add_subcommand("status", "The business's calendars and their state");
  cal_status->add_flag("--json", gc.json, "Print JSON");
  auto* cal_disconnect = calendar_cmd->add_subcommand(
      "disconnect", "Stop syncing: channels stopped, the busy mirror and the token forgotten");
  for (auto* sub : {cal_connect, cal_status, cal_disconnect})
    sub->add_option("--business", gc.business_id, "The business's id")->required();

  CLI11_PARSE(app, argc, argv);

  auto cfg = resolve_config(g);
  if (!cfg)
    return exit_usage;
  if (!listen.empty())
    cfg->node.listen = listen;
  if (!public_url.empty())
    cfg->node.public_url = public_url;
  if (!speech_mode.empty())
    cfg->speech.mode = speech_mode;
  if (auto err = validate(*cfg)) {
    std::cerr << "frontdesk: " << err->message << '\n';
    return exit_usage;
  }
  setup_logging(*cfg);

  if (*migrate)
    return run_migrate(*cfg, migrate_url);
  if (*serve)
    return run_serve(*cfg);
  if (*org_load)
    return run_org_load(*cfg, org_path);
  if (*cluster_status)
    return run_cluster_status(*cfg, cluster_node, cluster_json);
  if (*staff_add)
    return run_staff(*cfg, "add", so);
  if (*staff_remove)
    return run_staff(*cfg, "remove", so);
  if (*staff_list)
    return run_staff(*cfg, "list", so);
  if (*staff_token)
    return run_staff_token(*cfg, token_email, token_revoke);
  if (*console_cmd)
    return run_console(*cfg, cc);
  if (*call)
    return run_call(co);
  if (*bench)
    return run_bench(bc);
  if (*calendar_cmd) {
    gc.action = *cal_connect ? "connect" : *cal_status ? "status" : "disconnect";
    return gcal::run_calendar_command(*cfg, *make_clock(cfg->node.now), gc);
  }
  if (*outbox_cmd) {
    oc.action = *outbox_list ? "list" : *outbox_retry ? "retry" : *outbox_drop ? "drop" : "run";
    return messaging::run_outbox_command(*cfg, *make_clock(cfg->node.now), oc);
  }
  return exit_usage;
}
