// A benchmark's console side: N operator consoles in one process, each logged in at a node
// with its own session, following the call list and watching every live call: with one
// `watch --all` each (the node joins them to each call as it starts), or with `--one-by-one`
// a `watch CALL` for each call as it appears in the list (up to --watch each). It measures how long a call's changes take to reach a console:
//   state: a state change (listening, thinking, speaking, on hold) from the moment the call
//          told its tap on the node to the console (the direct path between the actors);
//   turn:  a turn (the caller's or the receptionist's) from the moment the call's actors told
//          their tap on the node to the console (the same direct path; the database only
//          serves a watch's snapshot when it attaches).
// Both clocks are this machine's. Prints P50/P95/max and counts; `--out` keeps every delay.
// scripts/console-bench.sh runs it against a node under load and measures the node's CPU.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/cluster/cluster.hpp"
#include "actors/console/receiver.hpp"
#include "adapters/config/config.hpp"
#include "protocols/actor/cluster_messages.hpp"
#include "protocols/core/time.hpp"

namespace json = boost::json;
using namespace frontdesk;

namespace {

using report_atom = caf::atom_constant<caf::atom("benchrep")>;
using steady = std::chrono::steady_clock;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct options {
  std::string host;
  std::uint16_t port = 0;
  cluster::settings link;
  std::string token;
  std::size_t max_watch = 1000;
  bool one_by_one = false;
  caf::actor receiver; // the process's (unset: each session sends its console itself)
};

struct figures {
  std::vector<double> state_ms, turn_ms;
  std::uint64_t events = 0, watches = 0;
  std::string error;
};

struct console_state {
  console_state() = default;
  caf::actor session;
  std::uint64_t last_seq = 0, acked = 0;
  std::set<std::string> watching;
  // Calls this console saw end: a call event of one that comes after its end (the database's
  // last writes trail the call's own end) must not start a second watch of a finished call.
  std::set<std::string> ended;
  std::map<std::string, std::int64_t> started_ms;
  figures f;
  int n_cmd = 0;
  std::size_t max_watch = 0;
  bool one_by_one = false;
};

using console_self = caf::stateful_actor<console_state>*;

std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

void command(console_self self, const std::string& line) {
  auto& st = self->state;
  self->request(st.session, std::chrono::seconds(60),
                proto::console_command{"b" + std::to_string(++st.n_cmd), line})
      .then([self, line](proto::console_reply& r) {
        if (line == "watch --all" && r.result != "done")
          self->state.f.error = "watch --all: " + r.result + " " + r.detail;
        if (line != "calls" || !self->state.one_by_one)
          return;
        boost::system::error_code ec;
        auto v = json::parse(r.data, ec);
        if (ec || !v.is_array())
          return;
        for (auto& c : v.as_array())
          if (c.is_object()) {
            auto call = str(c.as_object(), "call");

            auto& st = self->state;
            if (!call.empty() && !st.ended.count(call) && st.watching.size() < st.max_watch &&
                st.watching.insert(call).second) {
              ++st.f.watches;
              command(self, "watch " + call);
            }
          }
      },
      [self](caf::error& e) { self->state.f.error = caf::to_string(e); });
}

void on_line(console_self self, const options& o, std::int64_t now, std::string_view line);

// One message of a session: a batch of events, one a line.
void on_event(console_self self, const options& o, const proto::console_event& e) {
  auto& st = self->state;
  ++st.f.events;
  st.last_seq = e.seq;
  if (e.seq != 0 && st.last_seq - st.acked >= 32) { // seq 0: the receiver acknowledges
    self->send(st.session, proto::console_ack_atom::value, st.last_seq);
    st.acked = st.last_seq;
  }
  auto now = now_us();
  proto::for_each_event_line(e.json, [&](std::string_view line) { on_line(self, o, now, line); });
}

void on_line(console_self self, const options& o, std::int64_t now, std::string_view line) {
  auto& st = self->state;
  boost::system::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object())
    return;
  auto& ev = v.as_object();
  auto type = str(ev, "type");
  auto call = str(ev, "call");
  if (type == "call") {
    // A turn's at_ms counts from when the call was answered (its stream started).
    if (!st.started_ms.count(call))
      if (auto t = parse_rfc3339(str(ev, "answered_at")))
        st.started_ms[call] = t->time_since_epoch().count() / 1000;
    auto* ended = ev.if_contains("ended_at");
    bool live = !ended || ended->is_null();
    if (o.one_by_one && live && !st.ended.count(call) && st.watching.size() < o.max_watch &&
        st.watching.insert(call).second) {
      ++st.f.watches;
      command(self, "watch " + call);
    }
  } else if (type == "snapshot") {
    if (!o.one_by_one && st.watching.insert(call).second)
      ++st.f.watches; // the node started this watch for the console's `watch --all`
  } else if (type == "state") {
    if (auto* at = ev.if_contains("at_us"); at && at->is_int64())
      st.f.state_ms.push_back(double(now - at->as_int64()) / 1000.0);
  } else if (type == "turn" && ev.contains("live")) {
    // at_us: when the call's actors told their tap (the node's clock, this machine's). Without
    // it (an older node), the receptionist's turns by their at_ms from the call's answer.
    if (auto* us = ev.if_contains("at_us"); us && us->is_int64()) {
      st.f.turn_ms.push_back(double(now - us->as_int64()) / 1000.0);
      return;
    }
    if (str(ev, "role") != "agent")
      return;
    auto s = st.started_ms.find(call);
    auto* at = ev.if_contains("at_ms");
    if (s != st.started_ms.end() && at && at->is_int64())
      st.f.turn_ms.push_back(double(now / 1000 - (s->second + at->as_int64())));
  } else if (type == "ended") {
    st.watching.erase(call);
    st.ended.insert(call);
  }
}

caf::behavior console_fn(console_self self, options o) {
  self->state.max_watch = o.max_watch;
  self->state.one_by_one = o.one_by_one;
  auto mm = o.link.insecure ? self->system().middleman().actor_handle()
                            : self->system().openssl_manager().actor_handle();
  auto fail = [self](const std::string& why) { self->state.f.error = why; };
  if (o.receiver)
    console::enroll(o.receiver, caf::actor_cast<caf::actor>(self));
  self->request(mm, o.link.connect_timeout, caf::connect_atom::value, o.host, o.port)
      .then(
          [self, o, fail](const caf::node_id&, caf::strong_actor_ptr& ptr,
                          const std::set<std::string>&) {
            if (!ptr)
              return fail("no member actor");
            auto member = caf::actor_cast<caf::actor>(std::move(ptr));
            self->request(member, o.link.request_timeout,
                          proto::console_login{proto::console_protocol, o.token, "bench", o.receiver})
                .then(
                    [self, fail](proto::console_welcome& w) {
                      if (!w.refused.empty())
                        return fail("login refused: " + w.refused);
                      self->state.session = w.session;
                      command(self, "calls");
                      if (!self->state.one_by_one)
                        command(self, "watch --all");
                    },
                    [fail](caf::error& e) { fail(caf::to_string(e)); });
          },
          [fail](caf::error& e) { fail(caf::to_string(e)); });
  return {
      // By const reference: the receiver shares one message among the consoles it is for.
      [self, o](const proto::console_event& e) { on_event(self, o, e); },
      [self](report_atom) {
        auto& st = self->state;
        json::array state(st.f.state_ms.begin(), st.f.state_ms.end());
        json::array turn(st.f.turn_ms.begin(), st.f.turn_ms.end());
        return json::serialize(json::object{{"state", std::move(state)},
                                            {"turn", std::move(turn)},
                                            {"events", st.f.events},
                                            {"watches", st.f.watches},
                                            {"error", st.f.error}});
      },
  };
}

double pct(std::vector<double> v, double q) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(q * double(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"N operator consoles watching every live call of a node: the delay of states "
               "and turns to the consoles"};
  std::string connect, config_path, out_path, stop_file;
  std::size_t consoles = 10;
  double seconds = 30;
  options o;
  app.add_option("--connect", connect, "The node's cluster port, HOST:PORT")->required();
  app.add_option("--config", config_path, "A config file whose [cluster] TLS files are the consoles'")
      ->required();
  app.add_option("--consoles", consoles, "Consoles (each its own login and session)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--watch", o.max_watch, "Calls each console watches at most");
  app.add_option("--seconds", seconds, "How long to watch")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--stop-file", stop_file, "Stop early once this file exists");
  app.add_option("--out", out_path, "Write every delay here ('state MS' and 'turn MS' lines)");
  app.add_flag("--one-by-one", o.one_by_one,
               "Watch each call with a command of its own as it appears in the call list, not "
               "every call with one `watch --all`");
  bool per_console = false;
  app.add_flag("--per-console", per_console,
               "Each console's session sends it its events itself (no shared receiver)");
  CLI11_PARSE(app, argc, argv);
  auto cfg = load_config_file(config_path);
  if (!cfg) {
    std::cerr << "console-bench: " << cfg.error().message << "\n";
    return 2;
  }
  auto addr = cluster::parse_addresses(connect);
  if (!addr || addr->size() != 1) {
    std::cerr << "console-bench: --connect must be HOST:PORT\n";
    return 2;
  }
  std::tie(o.host, o.port) = addr->front();
  o.link = cluster::settings_from(*cfg);
  o.link.listen.clear();
  if (const char* t = std::getenv("FRONTDESK_CONSOLE_TOKEN"))
    o.token = t;
  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads", std::size_t{2});
  // Workers that sleep when idle, as the node's: the default work stealing polls, and five
  // such processes took more of the machine's two cores than the node they measure.
  sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  sys_cfg.set("logger.console", caf::atom("none"));
  sys_cfg.add_message_types<caf::id_block::frontdesk>();
  cluster::configure(sys_cfg, o.link);
  caf::actor_system sys{sys_cfg};
  if (!per_console)
    o.receiver = console::spawn_receiver(sys);
  std::vector<caf::actor> all;
  for (std::size_t i = 0; i < consoles; ++i)
    all.push_back(sys.spawn(console_fn, o));
  auto until = steady::now() + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  while (steady::now() < until && (stop_file.empty() || !std::ifstream(stop_file)))
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<double> state_ms, turn_ms;
  std::uint64_t events = 0, watches = 0, failed = 0;
  caf::scoped_actor self{sys};
  std::ofstream out;
  if (!out_path.empty())
    out.open(out_path);
  for (auto& c : all) {
    self->request(c, std::chrono::seconds(10), report_atom::value)
        .receive(
            [&](std::string& text) {
              auto r = json::parse(text).as_object();
              for (auto& d : r.at("state").as_array())
                state_ms.push_back(d.to_number<double>());
              for (auto& d : r.at("turn").as_array())
                turn_ms.push_back(d.to_number<double>());
              events += r.at("events").to_number<std::uint64_t>();
              watches += r.at("watches").to_number<std::uint64_t>();
              auto err = std::string(r.at("error").as_string());
              if (!err.empty()) {
                ++failed;
                std::cerr << "console-bench: a console: " << err << "\n";
              }
            },
            [&](caf::error& e) {
              ++failed;
              std::cerr << "console-bench: a console did not report: " << sys.render(e) << "\n";
            });
    caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  }
  if (o.receiver)
    caf::anon_send_exit(o.receiver, caf::exit_reason::user_shutdown);
  if (out) {
    for (auto d : state_ms)
      out << "state " << d << "\n";
    for (auto d : turn_ms)
      out << "turn " << d << "\n";
  }
  std::printf("consoles %zu (%llu failed), watches %llu, events %llu\n", consoles,
              static_cast<unsigned long long>(failed), static_cast<unsigned long long>(watches),
              static_cast<unsigned long long>(events));
  std::printf("state change → console  P50 %.1f ms  P95 %.1f ms  max %.1f ms  (%zu)\n",
              pct(state_ms, 0.5), pct(state_ms, 0.95), pct(state_ms, 1.0), state_ms.size());
  std::printf("turn → console          P50 %.1f ms  P95 %.1f ms  max %.1f ms  (%zu)\n",
              pct(turn_ms, 0.5), pct(turn_ms, 0.95), pct(turn_ms, 1.0), turn_ms.size());
  return failed == consoles ? 1 : 0;
}
