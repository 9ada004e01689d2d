#include "actors/cluster/cluster.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/config/config.hpp"
#include "adapters/metrics/metrics.hpp"
#include "protocols/actor/cluster_messages.hpp"

namespace frontdesk::cluster {

using namespace std::chrono_literals;
using proto::calendar_actor;
using proto::console_login;
using proto::console_reply;
using proto::console_welcome;
using proto::steer_atom;
using proto::steer_request;
using proto::cluster_tick_atom;
using proto::gossip_atom;
using proto::join_atom;
using proto::local_member_actor;
using proto::lost_atom;
using proto::member_actor;
using proto::member_info;
using proto::member_list;
using proto::route_atom;
using proto::routed_tool;
using proto::status_atom;
using proto::tool_reply;
using proto::tool_request;

namespace {

using steady = std::chrono::steady_clock;

member from_wire(const member_info& w) {
  return member{w.name, w.address, w.public_url, w.incarnation, w.live_calls, w.max_calls,
                w.businesses};
}

member_info to_wire(const member& m) {
  return member_info{m.name, m.address, m.public_url, m.incarnation, m.live_calls, m.max_calls,
                     m.businesses};
}

std::pair<std::string, std::uint16_t> split_address(const std::string& a) {
  auto colon = a.rfind(':');
  return {a.substr(0, colon), static_cast<std::uint16_t>(std::stoi(a.substr(colon + 1)))};
}

// The connection manager to dial peers through: CAF's TLS one unless the cluster is insecure.
caf::io::middleman_actor dialer(caf::actor_system& sys, bool insecure) {
  return insecure ? sys.middleman().actor_handle() : sys.openssl_manager().actor_handle();
}

} // namespace

// What the node's threads read (metrics, status) while the member actor changes it.
struct shared_view {
  mutable std::mutex mtx;
  std::vector<member> live;
  std::string self_name;
  std::map<std::string, std::uint32_t> placed; // calls sent to a node since its last report
  std::atomic<bool> draining{false};           // stopping: takes no new calls
};

struct metrics_set {
  metrics::gauge* members = nullptr;
  metrics::histogram* request_ms = nullptr;      // answered by another node
  metrics::histogram* home_request_ms = nullptr; // answered here, the business's home
  metrics::counter *joined = nullptr, *left = nullptr, *retried = nullptr, *failed = nullptr;
};

namespace {

struct pending_tool {
  std::string business;
  tool_request request;
  caf::typed_response_promise<tool_reply> promise;
  std::string target; // the node asked in the current attempt
  std::uint32_t attempt = 0;
  steady::time_point started;
};

// What this node knows of one call's calendar tools (as the home's calendar actor keeps it):
// tools sent and not answered yet, and whether an answer gave the call a hold since released.
struct call_tools {
  std::size_t in_flight = 0;
  bool holds = false;
  bool ended = false; // the call's end sent its release: forgotten once that is answered
};

struct member_state {
  member_state() = default; // see caf-0.17 gotcha 1: no aggregate state
  settings cfg;
  hooks h;
  std::shared_ptr<shared_view> view;
  std::shared_ptr<metrics_set> m;
  std::unique_ptr<member_table> table;
  std::unordered_map<std::string, member_actor> handles; // live members by name
  std::set<std::string> connecting;                      // addresses being dialled
  std::map<std::string, std::string> dial_errors;        // address → last error logged
  // Refused joiners (name@address) → when last logged and refusals since: a process posing as
  // a node retries about once a second, and is logged once a minute.
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, int>> refused_log;
  std::vector<std::string> seeds;                        // HOST:PORT
  std::map<std::string, std::string> seed_names;         // seed address → the node it reached
  std::unordered_map<std::string, calendar_actor> calendars; // businesses served here
  std::unordered_map<std::uint64_t, pending_tool> pending;
  std::unordered_map<std::string, call_tools> calls; // by call id; gone once idle, holding nothing
  std::uint64_t next_id = 0;
  std::uint64_t beats = 0; // heartbeats (cluster ticks) so far
  caf::actor gateway; // the node's console gateway (empty: consoles are refused)
};

using member_self = local_member_actor::stateful_pointer<member_state>;

member_list my_list(member_state& st) {
  member_list l;
  l.members.push_back(to_wire(st.table->self()));
  for (auto& m : st.table->live())
    if (m.name != st.table->self().name)
      l.members.push_back(to_wire(m));
  return l;
}

void publish_view(member_state& st) {
  {
    std::lock_guard lk(st.view->mtx);
    auto live = st.table->live();
    // A node's reported load now includes the calls sent to it before (or they ended).
    for (auto& m : live) {
      auto old = std::find_if(st.view->live.begin(), st.view->live.end(),
                              [&](const member& x) { return x.name == m.name; });
      if (old == st.view->live.end() || old->live_calls != m.live_calls ||
          old->incarnation != m.incarnation)
        st.view->placed.erase(m.name);
    }
    st.view->live = std::move(live);
  }
  if (st.m->members)
    st.m->members->set(static_cast<std::int64_t>(st.table->size()));
}

std::string names(const member_table& t) {
  std::string out;
  for (auto& n : t.live_names())
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

calendar_actor local_calendar(member_self self, const std::string& business) {
  auto& st = self->state;
  auto& c = st.calendars[business];
  if (!c && st.h.spawn_calendar)
    c = caf::actor_cast<calendar_actor>(st.h.spawn_calendar(business));
  return c;
}

void dispatch(member_self self, std::uint64_t id);

// A tool of the call is answered (`reply`) or given up (none: whether it took a hold is not
// known, so the call counts as holding one).
void call_tool_ended(member_state& st, const std::string& call_id, const tool_reply* reply) {
  auto c = st.calls.find(call_id);
  if (c == st.calls.end())
    return;
  auto& t = c->second;
  // A hold is taken by check_slot or hold_slot (the reply names it); a release, a booking (the
  // hold becomes it) or a move (it drops the call's holds first) ends it.
  if (!reply || reply->values.count("hold_id"))
    t.holds = true;
  else if (reply->name == "release_slot" || reply->name == "reschedule" ||
           (reply->name == "book" && reply->ok))
    t.holds = false;
  if (t.in_flight > 0)
    --t.in_flight;
  if (t.in_flight == 0 && (!t.holds || t.ended))
    st.calls.erase(c);
}

void tool_done(member_self self, std::uint64_t id, std::uint32_t attempt, tool_reply r) {
  auto& st = self->state;
  auto it = st.pending.find(id);
  if (it == st.pending.end() || it->second.attempt != attempt)
    return; // a late answer to an attempt already retried elsewhere
  auto* h = it->second.target != st.table->self().name ? st.m->request_ms : st.m->home_request_ms;
  if (h)
    h->observe(std::chrono::duration<double, std::milli>(steady::now() - it->second.started).count());
  call_tool_ended(st, it->second.request.call_id, &r);
  it->second.promise.deliver(std::move(r));
  st.pending.erase(it);
}

void tool_failed(member_self self, std::uint64_t id, std::uint32_t attempt, const caf::error& e) {
  auto& st = self->state;
  auto it = st.pending.find(id);
  if (it == st.pending.end() || it->second.attempt != attempt)
    return;
  auto& p = it->second;
  // The home moved (its node is gone, or another joined): ask the new home, a few times.
  bool moved = rendezvous_home(p.business, st.table->live_names()) != p.target;
  if (moved && p.attempt < 3) {
    if (st.m->retried)
      st.m->retried->inc();
    dispatch(self, id);
    return;
  }
  spdlog::warn("cluster: tool '{}' of business {} failed on node {}: {}", p.request.name,
               p.business, p.target, caf::to_string(e));
  if (st.m->failed)
    st.m->failed->inc();
  call_tool_ended(st, p.request.call_id, nullptr);
  p.promise.deliver(tool_reply{p.request.name, false, {}, {}, {}});
  st.pending.erase(it);
}

// Sends a pending tool to its business's home as this node sees it now.
void dispatch(member_self self, std::uint64_t id) {
  auto& st = self->state;
  auto& p = st.pending.at(id);
  p.target = rendezvous_home(p.business, st.table->live_names());
  auto attempt = ++p.attempt;
  p.started = steady::now();
  auto ok = [self, id, attempt](tool_reply& r) { tool_done(self, id, attempt, std::move(r)); };
  auto err = [self, id, attempt](caf::error& e) { tool_failed(self, id, attempt, e); };
  if (p.target == st.table->self().name) {
    auto cal = local_calendar(self, p.business);
    if (!cal)
      return tool_failed(self, id, attempt, caf::make_error(caf::sec::invalid_argument));
    self->request(cal, 60s, p.request).then(ok, err);
    return;
  }
  auto h = st.handles.find(p.target);
  if (h == st.handles.end())
    return tool_failed(self, id, attempt, caf::make_error(caf::sec::request_receiver_down));
  // A finite timeout: a request in flight when its node dies is never answered (CAF 0.17).
  self->request(h->second, st.cfg.request_timeout, routed_tool{p.business, p.request})
      .then(ok, err);
}

void add_member(member_self self, const member& m, member_actor handle) {
  auto& st = self->state;
  auto c = st.table->upsert(m);
  if (c == change::joined || c == change::replaced) {
    if (auto old = st.handles.find(m.name); old != st.handles.end() && old->second != handle)
      self->demonitor(old->second.address());
    st.handles[m.name] = handle;
    self->monitor(handle);
    st.dial_errors.erase(m.address);
    spdlog::info("cluster: node {} {} at {} ({} live: {})", m.name,
                 c == change::joined ? "joined" : "restarted and rejoined", m.address,
                 st.table->size(), names(*st.table));
    if (st.m->joined)
      st.m->joined->inc();
    publish_view(st);
  } else if (c == change::updated) {
    publish_view(st);
  }
}

void dial(member_self self, const std::string& address);

void joined_through(member_self self, const std::string& address, member_actor h,
                    member_list& l) {
  auto& st = self->state;
  if (l.protocol != proto::cluster_protocol || l.members.empty()) {
    spdlog::error("cluster: node at {} speaks protocol {}, this node {}: not joined", address,
                  l.protocol, proto::cluster_protocol);
    return;
  }
  auto them = from_wire(l.members.front());
  st.seed_names[address] = them.name; // a seed may name a node by another address than its own
  add_member(self, them, h);
  std::vector<member> reported;
  for (std::size_t i = 1; i < l.members.size(); ++i)
    reported.push_back(from_wire(l.members[i]));
  for (auto& m : st.table->unknown_in(reported))
    dial(self, m.address);
}

// Connects to the node at `address` and joins it, bounded by the connect and request timeouts.
// Failures are logged once per address until it answers again; the tick tries again.
void dial(member_self self, const std::string& address) {
  auto& st = self->state;
  if (address == st.table->self().address || st.connecting.count(address) ||
      st.table->find_by_address(address))
    return;
  st.connecting.insert(address);
  auto [host, port] = split_address(address);
  auto failed = [self, address](const std::string& what) {
    auto& st = self->state;
    st.connecting.erase(address);
    auto& last = st.dial_errors[address];
    if (last != what)
      spdlog::warn("cluster: cannot join through {}: {}", address, what);
    last = what;
  };
  auto mm = dialer(self->system(), st.cfg.insecure);
  self->request(mm, st.cfg.connect_timeout, caf::connect_atom::value, host, port)
      .then(
          [self, address, failed](const caf::node_id&, caf::strong_actor_ptr& ptr,
                                  const std::set<std::string>& ifs) {
            if (!ptr)
              return failed("no member actor published there");
            if (!self->system().assignable<member_actor>(ifs))
              return failed("not a Frontdesk node of this protocol version");
            auto h = caf::actor_cast<member_actor>(std::move(ptr));
            auto& st = self->state;
            self->request(h, st.cfg.request_timeout, join_atom::value, my_list(st))
                .then(
                    [self, address, h](member_list& l) {
                      self->state.connecting.erase(address);
                      joined_through(self, address, h, l);
                    },
                    [failed](caf::error& e) { failed("join refused: " + caf::to_string(e)); });
          },
          [failed](caf::error& e) { failed(caf::to_string(e)); });
}

void lost(member_self self, const std::string& name, std::uint64_t incarnation,
          const caf::error& reason) {
  auto& st = self->state;
  if (st.table->remove(name, incarnation) != change::left)
    return;
  st.handles.erase(name);
  spdlog::warn("cluster: node {} left ({}); {} live: {}", name, caf::to_string(reason),
               st.table->size(), names(*st.table));
  if (st.m->left)
    st.m->left->inc();
  publish_view(st);
  // Its businesses move: what was waiting on it is asked of the new home now, not at timeout.
  std::vector<std::uint64_t> again;
  for (auto& [id, p] : st.pending)
    if (p.target == name)
      again.push_back(id);
  for (auto id : again) {
    if (st.m->retried)
      st.m->retried->inc();
    dispatch(self, id);
  }
  self->delayed_send(self, st.cfg.orphan_grace, lost_atom::value, name, incarnation);
}

local_member_actor::behavior_type member_fn(member_self self, settings cfg, hooks h,
                                            std::shared_ptr<shared_view> view,
                                            std::shared_ptr<metrics_set> m) {
  auto& st = self->state;
  member me{cfg.node_name, cfg.listen, cfg.public_url,
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count()),
            0, cfg.max_calls, {}};
  st.table = std::make_unique<member_table>(std::move(me));
  if (auto seeds = parse_addresses(cfg.seeds))
    for (auto& [host, port] : *seeds)
      st.seeds.push_back(host + ":" + std::to_string(port));
  st.cfg = std::move(cfg);
  st.h = std::move(h);
  st.view = std::move(view);
  st.m = std::move(m);
  if (st.h.console_gateway)
    st.gateway = st.h.console_gateway();
  publish_view(st);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto& [name, handle] : st.handles)
      if (handle.address() == dm.source) {
        auto gone = name; // lost() erases the entry `name` refers to
        if (auto* mm = st.table->find(gone))
          lost(self, gone, mm->incarnation, dm.reason);
        return;
      }
  });
  self->send(self, cluster_tick_atom::value);
  return {
      [self](status_atom) { return my_list(self->state); },
      [self](console_login& l) -> caf::result<console_welcome> {
        // Delegated: the gateway answers the console itself and sees it as the sender.
        auto& st = self->state;
        if (!st.gateway) {
          console_welcome no;
          no.refused = "this node takes no consoles";
          no.node = st.table->self().name;
          return no;
        }
        return self->delegate(caf::actor_cast<proto::console_gateway_actor>(st.gateway),
                              std::move(l));
      },
      [self](steer_request& r) -> caf::result<console_reply> {
        auto& st = self->state;
        if (!st.gateway)
          return console_reply{"", "not_applicable", "this node takes no consoles", "null"};
        auto rp = self->make_response_promise<console_reply>();
        self->request(st.gateway, st.cfg.request_timeout, std::move(r))
            .then([rp](console_reply& x) mutable { rp.deliver(std::move(x)); },
                  [rp](caf::error& e) mutable {
                    rp.deliver(console_reply{"", "failed", caf::to_string(e), "null"});
                  });
        return rp;
      },
      [self](steer_atom, std::string& node, steer_request& r) -> caf::result<console_reply> {
        auto& st = self->state;
        auto h = st.handles.find(node);
        if (h == st.handles.end())
          return console_reply{"", "not_applicable", "node " + node + " is not live", "null"};
        auto rp = self->make_response_promise<console_reply>();
        self->request(h->second, st.cfg.request_timeout, std::move(r))
            .then([rp](console_reply& x) mutable { rp.deliver(std::move(x)); },
                  [rp, node](caf::error& e) mutable {
                    rp.deliver(console_reply{"", "failed", "node " + node + ": " + caf::to_string(e),
                                             "null"});
                  });
        return rp;
      },
      [self](join_atom, member_list& l) -> caf::result<member_list> {
        auto& st = self->state;
        if (l.protocol != proto::cluster_protocol || l.members.empty())
          return caf::make_error(caf::sec::invalid_argument, "cluster protocol mismatch");
        auto them = from_wire(l.members.front());
        if (them.name == st.table->self().name && them.incarnation != st.table->self().incarnation)
          return caf::make_error(caf::sec::invalid_argument,
                                 "a node named " + them.name + " is already a member");
        auto sender = caf::actor_cast<member_actor>(self->current_sender());
        if (!sender || them.name == st.table->self().name)
          return my_list(st);
        auto* known = st.table->find(them.name);
        if (st.cfg.insecure || (known && known->incarnation == them.incarnation &&
                                known->address == them.address)) {
          add_member(self, them, sender);
          return my_list(st);
        }
        // A node proves it is one by what it serves: this node connects to the cluster address
        // it gives, and TLS there takes only a node's certificate (server use; a console's
        // certificate of the same CA is for client use only, so a console cannot join).
        auto rp = self->make_response_promise<member_list>();
        auto [host, port] = split_address(them.address);
        self->request(dialer(self->system(), false), st.cfg.connect_timeout,
                      caf::connect_atom::value, host, port)
            .then(
                [self, rp, them, sender](const caf::node_id&, caf::strong_actor_ptr&,
                                         const std::set<std::string>&) mutable {
                  add_member(self, them, sender);
                  rp.deliver(my_list(self->state));
                },
                [self, rp, them](caf::error& e) mutable {
                  auto now = std::chrono::steady_clock::now();
                  if (self->state.refused_log.size() > 1000)
                    self->state.refused_log.clear(); // many names: forget, log again
                  auto [it, first] = self->state.refused_log.try_emplace(
                      them.name + "@" + them.address, now, 0);
                  if (first || now - it->second.first >= std::chrono::minutes(1)) {
                    spdlog::warn("cluster: refused node {}: its cluster address {} does not "
                                 "serve a node's certificate ({}){}",
                                 them.name, them.address, caf::to_string(e),
                                 first ? std::string()
                                       : fmt::format("; refused {} more times since",
                                                     it->second.second));
                    it->second = {now, 0};
                  } else {
                    ++it->second.second;
                  }
                  rp.deliver(caf::make_error(caf::sec::invalid_argument,
                                             "not a node: " + them.address +
                                                 " serves no node certificate"));
                });
        return rp;
      },
      [self](gossip_atom, member_list& l) {
        auto& st = self->state;
        if (l.protocol != proto::cluster_protocol || l.members.empty())
          return;
        auto them = from_wire(l.members.front());
        auto* known = st.table->find(them.name);
        if (!known || known->incarnation != them.incarnation)
          return; // news from a node this one is not (or no longer) connected to
        them.address = known->address;
        add_member(self, them, st.handles[them.name]);
        std::vector<member> reported;
        for (std::size_t i = 1; i < l.members.size(); ++i)
          reported.push_back(from_wire(l.members[i]));
        for (auto& x : st.table->unknown_in(reported))
          dial(self, x.address);
      },
      [self](routed_tool& t) -> caf::result<tool_reply> {
        // Served here even if this node's view puts the home elsewhere (a membership change
        // in flight): the database's constraints guard the bookings of two homes.
        auto cal = local_calendar(self, t.business_id);
        if (!cal)
          return tool_reply{t.request.name, false, {}, {}, {}};
        auto rp = self->make_response_promise<tool_reply>();
        self->request(cal, 60s, std::move(t.request))
            .then([rp](tool_reply& r) mutable { rp.deliver(std::move(r)); },
                  [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
        return rp;
      },
      [self](route_atom, std::string& business, tool_request& req) -> caf::result<tool_reply> {
        auto& st = self->state;
        // The release a call's end sends in any case: when no tool of the call is under way
        // and none gave it a hold, it holds nothing, and the home is not asked (a round trip
        // to another node for most calls). A hold taken through another node before the call
        // moved here goes with the call's record, as at the home.
        if (req.name == "release_slot" && req.args.count("call_ended") &&
            !st.calls.count(req.call_id))
          return tool_reply{req.name, true, {{"released", "none"}}, {}, {}};
        auto& tools = st.calls[req.call_id];
        ++tools.in_flight;
        tools.ended = tools.ended || req.args.count("call_ended") > 0;
        auto id = ++st.next_id;
        auto rp = self->make_response_promise<tool_reply>();
        st.pending.emplace(id, pending_tool{std::move(business), std::move(req), rp, {}, 0, {}});
        dispatch(self, id);
        return rp;
      },
      [self](cluster_tick_atom) {
        auto& st = self->state;
        auto& me = st.table->self();
        auto load = st.h.live_calls ? st.h.live_calls() : 0;
        std::vector<std::string> served;
        auto live = st.table->live_names();
        for (auto& [b, c] : st.calendars)
          if (rendezvous_home(b, live) == me.name)
            served.push_back(b);
        std::sort(served.begin(), served.end());
        // A draining node says it has no room, so that no node sends it new calls.
        std::uint32_t room = st.view->draining ? 0u : st.cfg.max_calls;
        bool changed = load != me.live_calls || served != me.businesses || room != me.max_calls;
        if (changed) {
          me.max_calls = room;
          me.live_calls = load;
          me.businesses = std::move(served);
          publish_view(st);
        }
        auto beat = st.beats++;
        if (st.h.alive && beat % alive_every_beats == 0)
          st.h.alive();
        if (changed || beat % gossip_every_beats == 0) {
          auto l = my_list(st);
          for (auto& [name, h] : st.handles)
            self->send(h, gossip_atom::value, l);
        }
        for (auto& s : st.seeds)
          if (auto it = st.seed_names.find(s); it == st.seed_names.end() || !st.table->find(it->second))
            dial(self, s);
        self->delayed_send(self, st.cfg.heartbeat, cluster_tick_atom::value);
      },
      [self](lost_atom, std::string& name, std::uint64_t incarnation) {
        auto& st = self->state;
        if (st.table->find(name))
          return; // it came back (SIGCONT) before its calls were given up
        // One survivor finishes them: the one the lost node's name hashes to.
        auto who = rendezvous_home("orphans/" + name, st.table->live_names());
        if (who == st.table->self().name && st.h.finish_calls_of)
          st.h.finish_calls_of(name, [me = caf::actor_cast<local_member_actor>(self), name,
                                      incarnation, delay = st.cfg.heartbeat] {
            caf::delayed_anon_send(me, delay, lost_atom::value, name, incarnation);
          });
      },
  };
}

// Routes one business's calendar tools through the member actor (a calendar_actor to calls).
calendar_actor::behavior_type router_fn(calendar_actor::pointer self, local_member_actor m,
                                        std::string business) {
  return {
      [self, m, business](tool_request& r) {
        return self->delegate(m, route_atom::value, business, std::move(r));
      },
      [](proto::tool_done_atom, std::uint64_t, tool_reply&) {},
  };
}

} // namespace

settings settings_from(const config& cfg) {
  settings s;
  s.node_name = cfg.node.name;
  s.listen = cfg.cluster.listen;
  s.seeds = cfg.cluster.seeds;
  s.public_url = cfg.node.public_url;
  s.max_calls = static_cast<std::uint32_t>(cfg.node.max_calls);
  s.insecure = cfg.cluster.insecure;
  s.certificate = cfg.cluster.certificate;
  s.key = cfg.cluster.key;
  s.cafile = cfg.cluster.cafile;
  s.heartbeat = std::chrono::milliseconds(cfg.cluster.heartbeat_ms);
  s.timeout = std::chrono::milliseconds(cfg.cluster.timeout_ms);
  s.connect_timeout = std::chrono::milliseconds(cfg.cluster.connect_timeout_ms);
  s.request_timeout = std::chrono::milliseconds(cfg.cluster.request_timeout_ms);
  s.orphan_grace = std::chrono::milliseconds(cfg.cluster.orphan_grace_ms);
  s.spread_above = cfg.cluster.spread_above;
  return s;
}

std::optional<std::string> check(const settings& s) {
  if (s.listen.empty())
    return std::nullopt;
  auto self_addr = parse_addresses(s.listen);
  if (!self_addr || self_addr->size() != 1)
    return "cluster.listen must be HOST:PORT with a port other than 0 (the other nodes dial "
           "it), got '" + s.listen + "'";
  if (!parse_addresses(s.seeds))
    return "cluster.seeds must be HOST:PORT[,HOST:PORT...], got '" + s.seeds + "'";
  if (s.node_name.empty())
    return "node.name must not be empty in a cluster";
  if (s.timeout < 2 * s.heartbeat)
    return "cluster.timeout_ms must be at least twice cluster.heartbeat_ms";
  if (!s.insecure) {
    for (auto [key, path] : {std::pair{"cluster.certificate", &s.certificate},
                             std::pair{"cluster.key", &s.key}, std::pair{"cluster.cafile", &s.cafile}}) {
      if (path->empty())
        return std::string(key) + " is required for TLS (or set cluster.insecure = true on "
                                  "loopback tests)";
      std::error_code ec;
      if (!std::filesystem::is_regular_file(*path, ec))
        return std::string(key) + ": cannot read '" + *path + "'";
    }
  }
  return std::nullopt;
}

void configure(caf::actor_system_config& cfg, const settings& s) {
  cfg.add_message_types<caf::id_block::frontdesk_cluster>();
  cfg.add_message_types<caf::id_block::frontdesk_console>();
  cfg.load<caf::io::middleman>();
  // Explicit failure detection: CAF 0.17.6 ships with both off, and then a frozen peer is never
  // noticed and a connect to a silent one never returns. Every node and console uses the same
  // values (heartbeats on one side only drop healthy idle links).
  cfg.set("middleman.heartbeat-interval", caf::timespan{s.heartbeat});
  cfg.set("middleman.connection-timeout", caf::timespan{s.timeout});
  cfg.set("middleman.app-identifiers", std::vector<std::string>{proto::cluster_app_id});
  if (!s.insecure) {
    // With any of these set, CAF's TLS module requires a peer certificate signed by the CA
    // (mutual TLS, ciphers HIGH:!aNULL:!MD5). With none, it would fall back to anonymous
    // TLS; check() refuses to start without all three.
    cfg.openssl_certificate = s.certificate;
    cfg.openssl_key = s.key;
    cfg.openssl_cafile = s.cafile;
    cfg.load<caf::openssl::manager>();
  }
}

struct node_cluster::impl {
  caf::actor_system* sys = nullptr;
  settings cfg;
  local_member_actor actor;
  std::uint16_t port = 0;
  std::shared_ptr<shared_view> view = std::make_shared<shared_view>();
  std::mutex mtx;
  std::unordered_map<std::string, calendar_actor> routers;
  std::function<std::uint32_t()> live_calls; // this node's load now (thread-safe)
};

node_cluster::node_cluster(std::shared_ptr<impl> d) : impl_(std::move(d)) {}

node_cluster::~node_cluster() { stop(); }

expected<std::unique_ptr<node_cluster>> node_cluster::start(caf::actor_system& sys, settings s,
                                                            hooks h) {
  if (auto e = check(s))
    return fail("cluster_config", *e);
  auto d = std::make_shared<impl>();
  d->sys = &sys;
  auto hb = caf::get_or(sys.config(), "middleman.heartbeat-interval", caf::timespan{0});
  auto to = caf::get_or(sys.config(), "middleman.connection-timeout", caf::timespan{0});
  if (hb.count() == 0 || to.count() == 0)
    return fail("cluster_config", "CAF heartbeats are off: configure() was not applied");
  auto m = std::make_shared<metrics_set>();
  if (h.metrics) {
    m->members = &h.metrics->add_gauge("frontdesk_cluster_members",
                                       "Live nodes in the cluster as this node sees it.");
    // The same buckets for both, fine enough below 25 ms that what the hop to another node adds
    // shows against the requests the home answers itself in the same run.
    const std::vector<double> bounds{0.25, 0.5, 0.75, 1,  1.5, 2,   3,   4,    5,   7.5,
                                     10,   15,  20,   25, 50,  100, 250, 1000, 3000};
    m->request_ms = &h.metrics->add_histogram(
        "frontdesk_cluster_request_ms",
        "Calendar requests answered by another node: round trip in ms.", bounds);
    m->home_request_ms = &h.metrics->add_histogram(
        "frontdesk_cluster_home_request_ms",
        "Calendar requests of this node's calls answered here, the business's home: round trip "
        "in ms (the database's work without the hop to another node).",
        bounds);
    m->joined = &h.metrics->add_counter("frontdesk_cluster_member_changes_total",
                                        "Nodes that joined or left.", "change=\"joined\"");
    m->left = &h.metrics->add_counter("frontdesk_cluster_member_changes_total",
                                      "Nodes that joined or left.", "change=\"left\"");
    m->retried = &h.metrics->add_counter("frontdesk_cluster_requests_retried_total",
                                         "Calendar requests asked again of a new home node.");
    m->failed = &h.metrics->add_counter("frontdesk_cluster_requests_failed_total",
                                        "Calendar requests that failed across nodes.");
  }
  auto [host, port] = split_address(s.listen);
  // Publish first (port 0: the OS's choice), then spawn the actor that knows its address.
  d->view->self_name = s.node_name;
  d->live_calls = h.live_calls;
  auto actor = sys.spawn(member_fn, s, std::move(h), d->view, m);
  auto bound = s.insecure ? sys.middleman().publish(actor, port, host.c_str(), true)
                          : caf::openssl::publish(actor, port, host.c_str(), true);
  if (!bound) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    return fail("cluster_listen", "cannot listen on " + s.listen + ": " + sys.render(bound.error()));
  }
  d->port = *bound;
  d->actor = actor;
  d->cfg = s;
  spdlog::info("cluster: node {} on {}:{} ({}), heartbeat {} ms, timeout {} ms, seeds '{}'",
               s.node_name, host, *bound, s.insecure ? "plain TCP: insecure" : "mutual TLS",
               std::chrono::duration_cast<std::chrono::milliseconds>(hb).count(),
               std::chrono::duration_cast<std::chrono::milliseconds>(to).count(), s.seeds);
  return std::unique_ptr<node_cluster>(new node_cluster(std::move(d)));
}

std::uint16_t node_cluster::port() const { return impl_->port; }

caf::actor node_cluster::calendar_route(const std::string& business_id) {
  std::lock_guard lk(impl_->mtx);
  auto& r = impl_->routers[business_id];
  if (!r)
    r = impl_->sys->spawn(router_fn, impl_->actor, business_id);
  return caf::actor_cast<caf::actor>(r);
}

std::vector<member> node_cluster::members() const {
  std::lock_guard lk(impl_->view->mtx);
  return impl_->view->live;
}

std::pair<std::string, std::string> node_cluster::place_call() {
  auto& v = *impl_->view;
  std::lock_guard lk(v.mtx);
  // This node's own load as it is now (the others' as they last reported it).
  auto live = v.live;
  for (auto& m : live)
    if (m.name == v.self_name) {
      if (impl_->live_calls)
        m.live_calls = impl_->live_calls();
      if (v.draining)
        m.max_calls = 0; // no room: every new call goes to another node, if one has room
    }
  auto name = cluster::place_call(live, v.self_name, impl_->cfg.spread_above, v.placed);
  ++v.placed[name];
  if (name == v.self_name)
    return {name, impl_->cfg.public_url};
  for (auto& m : v.live)
    if (m.name == name)
      return {name, m.public_url};
  return {v.self_name, impl_->cfg.public_url};
}

std::string node_cluster::home_of(const std::string& business_id) const {
  std::vector<std::string> live;
  for (auto& m : members())
    live.push_back(m.name);
  return rendezvous_home(business_id, live);
}

void node_cluster::steer(const std::string& node, const std::string& call_id,
                         const std::string& line, const std::string& email,
                         std::function<void(std::string, std::string)> done) {
  steer(node, call_id, line, email, caf::actor{}, std::move(done));
}

void node_cluster::steer(const std::string& node, const std::string& call_id,
                         const std::string& line, const std::string& email,
                         const caf::actor& subscriber,
                         std::function<void(std::string, std::string)> done) {
  auto member = impl_->actor;
  if (!member)
    return done("not_applicable", "the node is stopping");
  auto timeout = 2 * impl_->cfg.request_timeout;
  impl_->sys->spawn([member, timeout, node, req = steer_request{call_id, line, email, subscriber},
                     done = std::move(done)](caf::event_based_actor* self) mutable {
    self->request(member, timeout, steer_atom::value, node, std::move(req))
        .then([done](console_reply& r) { done(r.result, r.detail); },
              [done](caf::error& e) { done("failed", caf::to_string(e)); });
  });
}

void node_cluster::drain() { impl_->view->draining = true; }

void node_cluster::stop() {
  if (!impl_ || !impl_->actor)
    return;
  {
    std::lock_guard lk(impl_->mtx);
    for (auto& [b, r] : impl_->routers)
      caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
    impl_->routers.clear();
  }
  caf::anon_send_exit(impl_->actor, caf::exit_reason::user_shutdown);
  impl_->actor = nullptr;
}

expected<std::vector<member>> query_status(const settings& s, const std::string& host,
                                           std::uint16_t port) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", std::size_t{1});
  cfg.add_message_types<caf::id_block::frontdesk>();
  configure(cfg, s);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  expected<std::vector<member>> out = fail("cluster_status", "no answer");
  auto mm = dialer(sys, s.insecure);
  self->request(mm, s.connect_timeout, caf::connect_atom::value, host, port)
      .receive(
          [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
            if (!ptr || !sys.assignable<proto::console_member_actor>(ifs)) {
              out = fail("cluster_status", "no Frontdesk node of this version at " + host + ":" +
                                               std::to_string(port));
              return;
            }
            auto h = caf::actor_cast<proto::console_member_actor>(std::move(ptr));
            self->request(h, s.request_timeout, status_atom::value)
                .receive(
                    [&](member_list& l) {
                      std::vector<member> ms;
                      for (auto& w : l.members)
                        ms.push_back(from_wire(w));
                      std::sort(ms.begin(), ms.end(),
                                [](const member& a, const member& b) { return a.name < b.name; });
                      out = ms;
                    },
                    [&](caf::error& e) { out = fail("cluster_status", sys.render(e)); });
          },
          [&](caf::error& e) {
            out = fail("cluster_status",
                       "cannot connect to " + host + ":" + std::to_string(port) + ": " + sys.render(e));
          });
  return out;
}

} // namespace frontdesk::cluster

// ---------------------------------------------------------------------------------------------
// CAF 0.17.6's TLS transport (libcaf_openssl, session.cpp) calls SSL_read, SSL_write,
// SSL_connect and SSL_accept without emptying the thread's OpenSSL error queue first, and never
// empties it after a failure. OpenSSL requires the queue to be empty before each of these calls,
// or SSL_get_error() reports a stale error: with OpenSSL 3, one peer that goes away (its
// unexpected EOF is queued as an error) or one refused handshake made the next would-block read
// of every other cluster link look fatal, and the node dropped all its links within a second
// (measured: a console's exit, a killed node and a rogue certificate each did it). These
// definitions take the place of libssl's for the process (the executable's symbols come first)
// and do what OpenSSL asks: empty the queue, then call libssl's own function.
extern "C" {

int SSL_read(SSL* s, void* buf, int num) {
  static auto real = reinterpret_cast<int (*)(SSL*, void*, int)>(::dlsym(RTLD_NEXT, "SSL_read"));
  ::ERR_clear_error();
  return real(s, buf, num);
}

int SSL_write(SSL* s, const void* buf, int num) {
  static auto real =
      reinterpret_cast<int (*)(SSL*, const void*, int)>(::dlsym(RTLD_NEXT, "SSL_write"));
  ::ERR_clear_error();
  return real(s, buf, num);
}

int SSL_connect(SSL* s) {
  static auto real = reinterpret_cast<int (*)(SSL*)>(::dlsym(RTLD_NEXT, "SSL_connect"));
  ::ERR_clear_error();
  // The peer serves a cluster port, so it must hold a node's certificate (server use): an
  // operator console's certificate of the same CA (client use only) is refused, and with it
  // a console posing as a node (see the join: a joiner's address is connected to first).
  // Set on each call; the handshake's first call is the one that counts.
  ::SSL_set_purpose(s, X509_PURPOSE_SSL_SERVER);
  return real(s);
}

int SSL_accept(SSL* s) {
  static auto real = reinterpret_cast<int (*)(SSL*)>(::dlsym(RTLD_NEXT, "SSL_accept"));
  ::ERR_clear_error();
  ::SSL_set_purpose(s, X509_PURPOSE_SSL_CLIENT); // nodes and consoles both connect as clients
  int ret = real(s);
  // CAF drops a refused peer (no certificate, another CA, plain TCP) without a word: say it
  // here. The queue is only peeked, so CAF's SSL_get_error still sees the error.
  if (ret <= 0 && SSL_get_error(s, ret) == SSL_ERROR_SSL) {
    char why[256] = "unknown";
    if (auto e = ::ERR_peek_error())
      ::ERR_error_string_n(e, why, sizeof why);
    spdlog::warn("cluster: refused a TLS connection: {}", why);
  }
  return ret;
}

} // extern "C"
