#include "actors/console/client.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "protocols/actor/cluster_messages.hpp"
#include "protocols/console/verbs.hpp"

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

// A console's link to the cluster: the session on one node, and what to re-ask on another
// node when that one goes away.
class link {
public:
  link(caf::actor_system& sys, caf::scoped_actor& self, const client_options& o)
      : sys_(sys), self_(self), o_(o) {}

  /// Logs in at the first node of the list (from the one after the last used) that takes the
  /// token. Returns the welcome; `refused` set when a node refused the token (no use trying
  /// the others), `error_` when no node answered.
  std::optional<console_welcome> login() {
    last_error_.clear();
    for (std::size_t i = 0; i < o_.nodes.size(); ++i) {
      auto idx = (start_ + i) % o_.nodes.size();
      auto& [host, port] = o_.nodes[idx];
      auto w = login_at(host, port);
      if (!w)
        continue;
      if (!w->refused.empty())
        return w;
      start_ = idx;
      session_ = w->session;
      self_->monitor(session_);
      node_ = w->node;
      return w;
    }
    return std::nullopt;
  }

  /// The next login starts at the node after the current one.
  void lost() {
    session_ = nullptr;
    start_ = (start_ + 1) % o_.nodes.size();
  }

  const caf::actor& session() const { return session_; }
  const std::string& node() const { return node_; }
  const std::string& error() const { return last_error_; }

  /// Sends a command; the reply comes back as a console_reply message.
  void send(const std::string& id, const std::string& line) {
    if (session_)
      self_->request(session_, std::chrono::seconds(30), console_command{id, line})
          .receive([&](console_reply& r) { replies_.push_back(std::move(r)); },
                   [&, id](caf::error& e) {
                     replies_.push_back(console_reply{id, "failed", sys_.render(e), "null"});
                   });
  }

  std::vector<console_reply> take_replies() { return std::exchange(replies_, {}); }

  void ack(std::uint64_t seq) {
    if (session_)
      self_->send(session_, console_ack_atom::value, seq);
  }

private:
  std::optional<console_welcome> login_at(const std::string& host, std::uint16_t port) {
    auto where = host + ":" + std::to_string(port);
    auto mm = o_.link.insecure ? sys_.middleman().actor_handle()
                               : sys_.openssl_manager().actor_handle();
    std::optional<console_welcome> out;
    self_->request(mm, o_.link.connect_timeout, caf::connect_atom::value, host, port)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
              if (!ptr || !sys_.assignable<console_member_actor>(ifs)) {
                last_error_ = "no Frontdesk node of this version at " + where;
                return;
              }
              auto h = caf::actor_cast<console_member_actor>(std::move(ptr));
              self_->request(h, o_.link.request_timeout,
                             console_login{proto::console_protocol, o_.token, o_.name})
                  .receive([&](console_welcome& w) { out = std::move(w); },
                           [&](caf::error& e) { last_error_ = where + ": " + sys_.render(e); });
            },
            [&](caf::error& e) { last_error_ = "cannot connect to " + where + ": " + sys_.render(e); });
    return out;
  }

  caf::actor_system& sys_;
  caf::scoped_actor& self_;
  const client_options& o_;
  caf::actor session_;
  std::string node_;
  std::size_t start_ = 0;
  std::string last_error_;
  std::vector<console_reply> replies_;
};

json::value parse_or_string(const std::string& s) {
  boost::system::error_code ec;
  auto v = json::parse(s, ec);
  return ec ? json::value(s) : v;
}

std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return "";
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

// What a watch has printed, so that a reconnect's repeated snapshot prints nothing twice.
struct watch_print {
  bool snapshot = false;
  long long turns = 0;         // turns printed (the next turn's n)
  long long latencies = 0;     // latencies printed
  long long latency_stream = 0; // latencies seen on the current session
};

class exec_printer {
public:
  explicit exec_printer(bool json) : json_(json) {}

  void line(const json::object& o) {
    if (json_) {
      std::cout << json::serialize(o) << std::endl;
      return;
    }
    auto type = str(o, "type");
    if (type == "welcome")
      std::cout << "logged in as " << str(o, "email") << " at node " << str(o, "node") << "\n";
    else if (type == "reply")
      print_reply(o);
    else if (type == "call")
      std::cout << "call " << str(o, "call") << " " << str(o, "status") << " from "
                << str(o, "caller") << " on " << str(o, "node") << ", " << str(o, "turns")
                << " turns: " << str(o, "last_text") << "\n";
    else if (type == "snapshot")
      std::cout << "call " << str(o, "call") << " from " << str(o, "caller") << " on node "
                << str(o, "node") << " (" << str(o, "status") << ")\n";
    else if (type == "turn")
      std::cout << "[" << str(o, "n") << "] " << str(o, "role") << ": " << str(o, "text") << "\n";
    else if (type == "latency")
      std::cout << "    turn " << str(o, "turn") << ": first reply frame after "
                << str(o, "first_frame_ms") << " ms\n";
    else if (type == "ended")
      std::cout << "call ended: " << str(o, "status") << " (" << str(o, "end_reason") << ")\n";
    else
      std::cout << json::serialize(o) << "\n";
    std::cout.flush();
  }

private:
  void print_reply(const json::object& o) {
    std::cout << str(o, "result") << ": " << str(o, "detail") << "\n";
    auto* d = o.if_contains("data");
    if (!d || !d->is_array())
      return;
    for (auto& x : d->as_array()) {
      if (!x.is_object())
        continue;
      auto& r = x.as_object();
      if (r.contains("appointment"))
        std::cout << "  " << str(r, "appointment") << "  " << str(r, "start") << "  "
                  << str(r, "status") << "  " << str(r, "customer_name") << "  "
                  << str(r, "service") << "\n";
      else
        std::cout << "  " << str(r, "call") << "  " << str(r, "status") << "  "
                  << str(r, "caller") << "  node " << str(r, "node") << "  " << str(r, "turns")
                  << " turns  " << str(r, "last_text") << "\n";
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
  bool watching = cmd->v == verb::watch;
  watch_print wp;
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
  issue();
  handle_replies();
  bool done = false;
  while (!done) {
    if (follow_until && steady::now() >= *follow_until)
      break;
    if (steady::now() >= deadline) {
      out.line(json::object{{"type", "error"}, {"detail", "gave up after --max-seconds"}});
      return watching ? exit_failed : code;
    }
    self->receive(
        [&](console_event& e) {
          if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(l.session()))
            return; // a late event of a session left behind
          last_seq = e.seq;
          boost::system::error_code ec;
          auto v = json::parse(e.json, ec);
          if (ec || !v.is_object())
            return;
          auto& ev = v.as_object();
          auto type = str(ev, "type");
          if (watching) {
            if (str(ev, "call") != cmd->call)
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
            if (type == "ended") {
              code = exit_done;
              done = true;
            }
          } else if (follow_until) {
            out.line(ev);
          }
          if (last_seq - acked >= 32) {
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
  cfg.set("logger.console", caf::atom("none"));
  cfg.add_message_types<caf::id_block::frontdesk>();
  cluster::configure(cfg, o.link);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  if (o.exec.empty()) {
    std::cerr << "frontdesk console: give a verb with --exec\n";
    return exit_usage;
  }
  return run_exec(sys, self, o);
}

} // namespace frontdesk::console
