#include "actors/console/client.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/console/link.hpp"
#include "actors/console/screen.hpp"
#include "protocols/actor/cluster_messages.hpp"
#include "protocols/console/tap.hpp"
#include "protocols/console/verbs.hpp"
#include "protocols/twilio/base64.hpp"

namespace frontdesk::console {

namespace json = boost::json;
using proto::console_ack_atom;
using proto::console_command;
using proto::console_event;
using proto::console_login;
using proto::console_member_actor;
using proto::console_reply;
using proto::console_welcome;
using steady = std::chrono::steady_clock;

namespace {

json::value parse_or_string(const std::string& s) {
  boost::system::error_code ec;
  auto v = json::parse(s, ec);
  return ec ? json::value(s) : v;
}

// What a watch has printed, so that a reconnect's repeated snapshot prints nothing twice.
struct watch_print {
  bool snapshot = false;
  long long turns = 0;         // turns printed (the next turn's n)
  long long latencies = 0;     // latencies printed
  long long latency_stream = 0; // latencies seen on the current session
};

// A call's state as a person reads it.
std::string state_words(const std::string& s) {
  if (s == "listening")
    return "listening to the caller";
  if (s == "thinking")
    return "thinking of a reply";
  if (s == "speaking")
    return "the receptionist is speaking";
  if (s == "on_hold")
    return "the AI is on hold (an operator answers)";
  return s;
}

class exec_printer {
public:
  explicit exec_printer(bool json) : json_(json) {}

  void line(const json::object& o) {
    if (json_) {
      std::cout << json::serialize(o) << std::endl;
      return;
    }
    auto type = field(o, "type");
    if (type == "welcome")
      std::cout << "logged in as " << field(o, "email") << " at node " << field(o, "node") << "\n";
    else if (type == "reply")
      print_reply(o);
    else if (type == "call")
      std::cout << "call " << field(o, "call") << " " << field(o, "status") << " from "
                << field(o, "caller") << " on " << field(o, "node") << ", " << field(o, "turns")
                << " turns: " << field(o, "last_text") << "\n";
    else if (type == "snapshot")
      std::cout << "call " << field(o, "call") << " from " << field(o, "caller") << " on node "
                << field(o, "node") << " (" << field(o, "status") << ")\n";
    else if (type == "turn")
      std::cout << "[" << field(o, "n") << "] " << field(o, "role") << ": " << field(o, "text") << "\n";
    else if (type == "latency")
      std::cout << "    turn " << field(o, "turn") << ": first reply frame after "
                << field(o, "first_frame_ms") << " ms\n";
    else if (type == "state")
      std::cout << "    -- " << state_words(field(o, "state")) << "\n";
    else if (type == "partial")
      std::cout << "    caller (speaking): " << field(o, "text") << " ...\n";
    else if (type == "ended")
      std::cout << "call ended: " << field(o, "status") << " (" << field(o, "end_reason") << ")\n";
    else
      std::cout << json::serialize(o) << "\n";
    std::cout.flush();
  }

private:
  void print_reply(const json::object& o) {
    std::cout << field(o, "result") << ": " << field(o, "detail") << "\n";
    auto* d = o.if_contains("data");
    if (!d || !d->is_array())
      return;
    for (auto& x : d->as_array()) {
      if (!x.is_object())
        continue;
      auto& r = x.as_object();
      if (r.contains("appointment"))
        std::cout << "  " << field(r, "appointment") << "  " << field(r, "start") << "  "
                  << field(r, "status") << "  " << field(r, "customer_name") << "  "
                  << field(r, "service") << "\n";
      else
        std::cout << "  " << field(r, "call") << "  " << field(r, "status") << "  "
                  << field(r, "caller") << "  node " << field(r, "node") << "  " << field(r, "turns")
                  << " turns  " << field(r, "last_text") << "\n";
    }
  }

  bool json_;
};

json::object welcome_line(const console_welcome& w) {
  json::array businesses;
  for (std::size_t i = 0; i < w.businesses.size(); ++i)
    businesses.push_back(json::object{{"id", w.businesses[i]},
                                      {"role", i < w.roles.size() ? w.roles[i] : ""}});
  return json::object{{"type", "welcome"}, {"email", w.email}, {"node", w.node},
                      {"businesses", std::move(businesses)}};
}

int code_of(const std::string& result) {
  switch (result_from(result)) {
  case result::done:
    return exit_done;
  case result::not_applicable:
    return exit_not_applicable;
  case result::refused:
    return exit_refused;
  case result::failed:
    return exit_failed;
  }
  return exit_failed;
}

int run_exec(caf::actor_system& sys, caf::scoped_actor& self, const client_options& o) {
  exec_printer out(o.json);
  auto cmd = parse_command(o.exec);
  if (!cmd) {
    std::cerr << "frontdesk console: " << cmd.error().message << "\n";
    return exit_usage;
  }
  link l(sys, self, o);
  auto deadline = steady::now() + std::chrono::milliseconds(static_cast<long long>(o.max_seconds * 1000));
  auto w = l.login();
  if (!w) {
    out.line(json::object{{"type", "error"}, {"detail", l.error()}});
    return exit_unreachable;
  }
  if (!w->refused.empty()) {
    out.line(json::object{{"type", "error"}, {"detail", "login refused by node " + w->node + ": " + w->refused}});
    return exit_refused;
  }
  out.line(welcome_line(*w));
  // A listen runs like a watch (until its call ends), and keeps the audio instead of printing
  // it.
  bool listening = cmd->v == verb::listen;
  bool watching = cmd->v == verb::watch || listening;
  // `watch --all` prints every call's events until --max-seconds (no call ends it).
  bool watching_all = cmd->v == verb::watch && cmd->all;
  watch_print wp;
  stereo_call heard;
  std::optional<std::uint64_t> heard_from; // the caller's clock at the first audio
  std::uint64_t audio_events = 0, bad_audio = 0;
  // Each leg's first and end sample as the call counts them (gaps show as end - first larger
  // than the samples received).
  std::optional<std::uint64_t> first_n[2];
  std::uint64_t end_n[2] = {0, 0};
  auto listen_summary = [&](const json::object& end) {
    json::object sum{{"type", "listened"}, {"call", cmd->call},
                   {"caller_samples", heard.received(true)},
                   {"agent_samples", heard.received(false)},
                   {"caller_rms", heard.rms(true)}, {"agent_rms", heard.rms(false)},
                   {"seconds", double(heard.samples()) / 8000.0},
                   {"caller_first", first_n[0].value_or(0)}, {"caller_end", end_n[0]},
                   {"agent_first", first_n[1].value_or(0)}, {"agent_end", end_n[1]},
                   {"first_at", heard_from.value_or(0)}, {"audio_events", audio_events},
                   {"bad_audio", bad_audio}};
    if (auto* d = end.if_contains("dropped_samples"))
      sum["dropped_samples"] = *d;
    if (!o.wav.empty()) {
      auto bytes = heard.wav();
      std::ofstream f(o.wav, std::ios::binary | std::ios::trunc);
      f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      f.close();
      sum["wav"] = f ? o.wav : "";
      if (!f)
        sum["error"] = "cannot write " + o.wav;
    }
    out.line(sum);
  };
  int code = exit_failed;
  bool answered = false;
  std::optional<steady::time_point> follow_until;
  std::uint64_t last_seq = 0, acked = 0;
  int n_cmd = 0;
  auto issue = [&] { l.send("c" + std::to_string(++n_cmd), format_command(*cmd)); };
  auto handle_replies = [&] {
    for (auto& r : l.take_replies()) {
      if (answered && watching)
        continue; // the same watch again after a reconnect
      out.line(json::object{{"type", "reply"}, {"id", r.id}, {"result", r.result},
                            {"detail", r.detail}, {"data", parse_or_string(r.data)}});
      answered = true;
      code = code_of(r.result);
      if (!watching || code != exit_done)
        follow_until = steady::now() + std::chrono::milliseconds(
                                           static_cast<long long>(o.follow_seconds * 1000));
    }
  };
  bool done = false;
  // One event of a batch.
  auto on_line = [&](std::string_view line) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object())
      return;
    auto& ev = v.as_object();
    auto type = field(ev, "type");
          if (listening && type == "audio") {
            // Each leg at its place on the caller's clock, from the first audio heard.
            ++audio_events;
            std::vector<std::uint8_t> mulaw;
            auto* at = ev.if_contains("at");
            auto* n = ev.if_contains("n");
            boost::system::error_code ec1, ec2;
            auto pos = at ? at->to_number<std::uint64_t>(ec1) : 0;
            auto first = n ? n->to_number<std::uint64_t>(ec2) : 0;
            if (field(ev, "call") != cmd->call || !at || !n || ec1 || ec2 ||
                !twilio::base64_decode_to(field(ev, "mulaw"), mulaw)) {
              ++bad_audio;
            } else {
              int leg = field(ev, "leg") == "caller" ? 0 : 1;
              if (!first_n[leg])
                first_n[leg] = first;
              end_n[leg] = first + mulaw.size();
              if (!heard_from)
                heard_from = pos;
              heard.add(field(ev, "leg") == "caller", pos > *heard_from ? pos - *heard_from : 0,
                        mulaw);
            }
          } else if (listening && type == "listen_end") {
            if (field(ev, "call") == cmd->call) {
              listen_summary(ev);
              code = exit_done;
              done = true;
            }
          } else if (watching_all) {
            out.line(ev);
          } else if (watching) {
            if (field(ev, "call") != cmd->call)
              return;
            if (type == "snapshot") {
              if (wp.snapshot)
                return;
              wp.snapshot = true;
            } else if (type == "turn") {
              auto* n = ev.if_contains("n");
              if (!n || !n->is_int64() || n->as_int64() < wp.turns)
                return;
              wp.turns = n->as_int64() + 1;
            } else if (type == "latency") {
              if (++wp.latency_stream <= wp.latencies)
                return;
              wp.latencies = wp.latency_stream;
            }
            out.line(ev);
            if (type == "ended" && !listening) {
              code = exit_done;
              done = true;
            }
          } else if (follow_until) {
            out.line(ev);
          }
  };
  issue();
  handle_replies();

  while (!done) {
    if (follow_until && steady::now() >= *follow_until)
      break;
    if (steady::now() >= deadline) {
      if (watching_all && answered)
        return code; // watched for as long as asked
      out.line(json::object{{"type", "error"}, {"detail", "gave up after --max-seconds"}});
      return watching ? exit_failed : code;
    }
    self->receive(
        [&](const console_event& e) {
          if (!l.from_session(self->current_sender()))
            return; // a late event of a session left behind
          if (e.seq != 0) // 0: through the receiver, which acknowledges
            last_seq = e.seq;
          proto::for_each_event_line(e.json, [&](std::string_view line) { on_line(line); });
          if (last_seq - acked >= 8) { // soon: a listen's audio waits for these
            l.ack(last_seq);
            acked = last_seq;
          }
        },
        [&](caf::down_msg& dm) {
          if (dm.source != l.session().address())
            return;
          out.line(json::object{{"type", "lost"}, {"node", l.node()},
                                {"detail", sys.render(dm.reason)}});
          l.lost();
          last_seq = acked = 0;
          wp.latency_stream = 0;
          // Another node of the list: log in again and ask again.
          while (steady::now() < deadline) {
            auto again = l.login();
            if (again && again->refused.empty()) {
              out.line(json::object{{"type", "reconnected"}, {"node", again->node}});
              if (!answered || watching)
                issue();
              handle_replies();
              return;
            }
            if (again) {
              out.line(json::object{{"type", "error"}, {"detail", "login refused: " + again->refused}});
              done = true;
              code = exit_refused;
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
          }
        },
        caf::after(std::chrono::milliseconds(50)) >> [&] {
          if (last_seq > acked) {
            l.ack(last_seq);
            acked = last_seq;
          }
        });
    handle_replies();
    if (answered && !watching && !follow_until)
      break;
    if (answered && watching && code != exit_done)
      break; // the watch was refused or failed
  }
  return code;
}

} // namespace

int run_client(const client_options& o) {
  if (o.nodes.empty()) {
    std::cerr << "frontdesk console: --connect names no node\n";
    return exit_usage;
  }
  if (auto e = cluster::check(o.link)) {
    std::cerr << "frontdesk console: " << *e << "\n";
    return exit_usage;
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", std::size_t{2});
  cfg.set("scheduler.policy", caf::atom("sharing")); // idle workers sleep (no polling)
  cfg.set("logger.console", caf::atom("none"));
  cfg.add_message_types<caf::id_block::frontdesk>();
  cluster::configure(cfg, o.link);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  if (o.exec.empty())
    return run_screen(sys, self, o);
  return run_exec(sys, self, o);
}

} // namespace frontdesk::console
