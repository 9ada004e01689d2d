#include "actors/console/gateway.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/detail/scope_guard.hpp>
#include <spdlog/spdlog.h>

#include "adapters/store/console.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/actor/cluster_messages.hpp"
#include "protocols/console/tap.hpp"
#include "protocols/console/verbs.hpp"
#include "protocols/twilio/base64.hpp"

namespace frontdesk::console {

namespace json = boost::json;
using proto::console_ack_atom;
using proto::console_batch;
using proto::console_batch_ack_atom;
using proto::console_part;
using proto::console_command;
using proto::console_event;
using proto::console_login;
using proto::console_reply;
using proto::console_welcome;
using proto::feed_item;
using proto::steer_request;
using proto::tap_event;

namespace {

using job_done_atom = caf::atom_constant<caf::atom("cjobdone")>;
using session_up_atom = caf::atom_constant<caf::atom("csessup")>;
using flush_atom = caf::atom_constant<caf::atom("cflush")>;
using feed_line_atom = caf::atom_constant<caf::atom("cfeedln")>;
using tick_atom = caf::atom_constant<caf::atom("ctick")>;
// A session's `watch --all` (true, with its command's id) or `unwatch --all` (false), told to
// its gateway; and the gateway's word to a session that a new call is for it to watch.
using watch_all_atom = caf::atom_constant<caf::atom("cwatchall")>;
using watch_one_atom = caf::atom_constant<caf::atom("cwatchone")>;

// A batch goes out at once past this size, not after the batching delay.
constexpr std::size_t max_batch_bytes = 256 * 1024;

struct account {
  std::string user_id, business_id;
  role r = role::viewer;
};

// Runs `work` on the pool and `then(result)` on the actor's thread afterwards. The actor's
// state keeps the continuation; the pool job only holds a handle and the result.
template <class State, class Work, class Then>
bool run_job(caf::stateful_actor<State>* self, Work work, Then then) {
  using R = decltype(work());
  auto& st = self->state;
  auto id = ++st.next_job;
  auto out = std::make_shared<std::optional<R>>();
  st.jobs.emplace(id, [out, then]() mutable { then(std::move(**out)); });
  auto me = caf::actor_cast<caf::actor>(self);
  bool queued = st.svc.pool->post([out, work = std::move(work), me, id]() mutable {
    out->emplace(work());
    caf::anon_send(me, job_done_atom::value, id);
  });
  if (!queued)
    st.jobs.erase(id);
  return queued;
}

// A job is done: runs its continuation (once).
template <class State>
void continue_job(State& st, std::uint64_t id) {
  auto it = st.jobs.find(id);
  if (it == st.jobs.end())
    return;
  auto k = std::move(it->second);
  st.jobs.erase(it);
  k();
}

} // namespace

// Audit entries of the gateway and its sessions, written by one pool job at a time, each
// taking all that waits in one transaction: 50 consoles each starting to watch 200 calls are
// 10,000 entries, which one at a time took most of the consoles' database CPU.
class audit_queue {
public:
  void add(const gateway_services& svc, store::audit_entry e) {
    {
      std::lock_guard lock(mtx_);
      waiting_.push_back(std::move(e));
      if (writing_)
        return;
      writing_ = true;
    }
    auto me = svc.audits;
    bool queued = svc.pool->post([me, db = svc.db] { me->write(*db); });
    if (!queued) {
      std::lock_guard lock(mtx_);
      writing_ = false;
    }
  }

private:
  void write(store::database& db) {
    for (;;) {
      std::vector<store::audit_entry> now;
      {
        std::lock_guard lock(mtx_);
        if (waiting_.empty()) {
          writing_ = false;
          return;
        }
        now.swap(waiting_);
      }
      if (auto r = store::console_repo(db).audit(now); !r)
        spdlog::warn("console: {} audit entries not written: {}", now.size(), r.error().message);
    }
  }

  std::mutex mtx_;
  std::vector<store::audit_entry> waiting_;
  bool writing_ = false;
};

namespace {

void audit(const gateway_services& svc, store::audit_entry e) {
  if (svc.audits)
    return svc.audits->add(svc, std::move(e));
  svc.pool->post([db = svc.db, e = std::move(e)] {
    if (auto r = store::console_repo(*db).audit(e); !r)
      spdlog::warn("console: audit entry not written: {}", r.error().message);
  });
}

// ---------------------------------------------------------------------------------------------
// What the sessions of one console process (one receiver) have for it. The call's side, the
// sessions and the gateway append events; the gateway takes them all once per tick and sends
// the receiver one message, in which consoles that were to get the same events share one part.
// So the node sends one message per console process per tick, not one per console, and needs
// one timer, not one per session. An event is appended once for all the consoles it is for:
// its line (made once and shared) and its audience, the set of those consoles, itself shared
// by every event for the same consoles (a call's watchers, a business's followers of the call
// list). Ten consoles watching a call cost one entry per event, not ten.
using shared_line = std::shared_ptr<const std::string>;
using audience = std::shared_ptr<const std::vector<std::uint64_t>>; // console ids, ascending

audience make_audience(std::vector<std::uint64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids.empty() ? nullptr : std::make_shared<const std::vector<std::uint64_t>>(std::move(ids));
}

// `a` with console `id` added (or taken out).
audience with(const audience& a, std::uint64_t id, bool in = true) {
  std::vector<std::uint64_t> ids = a ? *a : std::vector<std::uint64_t>{};
  if (in)
    ids.push_back(id);
  else
    std::erase(ids, id);
  return make_audience(std::move(ids));
}

// The union of two audiences.
audience both(const audience& a, const audience& b) {
  if (!a || a == b)
    return b;
  if (!b)
    return a;
  std::vector<std::uint64_t> ids;
  std::set_union(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(ids));
  return make_audience(std::move(ids));
}

struct shared_watch;

struct outbox {
  std::mutex mtx;
  // Under mtx: the events since the last tick, in order, one line (a JSON object) each with
  // the consoles it is for.
  std::vector<std::pair<shared_line, audience>> log;
  // Under mtx: by business, the consoles that follow the call list (the gateway puts its
  // changes here itself); and the consoles whose sessions need the live feed (a watch that is
  // not followed through its call's tap here: it is opening, or the database carries it).
  std::unordered_map<std::string, audience> follows;
  std::set<std::uint64_t> wants_feed;
  // Calls of this node watched by this process's consoles (by call, under mtx): one tap
  // subscription for all of them, not one per console. See join_box.
  std::unordered_map<std::string, std::shared_ptr<shared_watch>> watching;
  // The gateway's alone:
  caf::actor receiver;
  std::vector<std::pair<caf::actor, std::uint64_t>> sessions; // and their consoles' ids
  std::uint64_t seq = 0, acked = 0;
  std::vector<std::pair<shared_line, audience>> taken; // the last tick's log (its room kept)

  // Appends an event (under mtx). The same line just appended for other consoles (subscribers
  // of one call told one item, one after the other) becomes one entry for all of them.
  void add(shared_line line, const audience& to) {
    if (!line || line->empty() || !to)
      return;
    if (!log.empty() && log.back().first == line)
      log.back().second = both(log.back().second, to);
    else
      log.emplace_back(std::move(line), to);
  }
};

// The parts of a batch: each console gets, in order, the lines of the events it is in the
// audience of; consoles in the same audiences get the same lines and share one part.
std::vector<console_part> batch_parts(const std::vector<std::pair<shared_line, audience>>& log) {
  // The distinct audiences, numbered by first use (few: a process's consoles mostly watch and
  // follow alike).
  std::vector<const std::vector<std::uint64_t>*> sets;
  std::vector<std::uint32_t> set_of;
  set_of.reserve(log.size());
  for (auto& [line, to] : log) {
    auto* p = to.get();
    auto at = !set_of.empty() && sets[set_of.back()] == p
                  ? sets.begin() + set_of.back()
                  : std::find(sets.begin(), sets.end(), p);
    if (at == sets.end()) {
      sets.push_back(p);
      at = sets.end() - 1;
    }
    set_of.push_back(static_cast<std::uint32_t>(at - sets.begin()));
  }
  // Each console's audiences (a bit each; past 64 audiences the rest share the last bit, and
  // such consoles get a part each): consoles in the same audiences get the same lines.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> in; // console, its audiences
  bool many = sets.size() > 64;
  for (std::uint32_t k = 0; k < sets.size(); ++k)
    for (auto id : *sets[k])
      in.emplace_back(id, std::uint64_t{1} << std::min<std::uint32_t>(k, 63));
  std::sort(in.begin(), in.end());
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size(); ++i) // one entry per console, its bits together
    if (n > 0 && in[n - 1].first == in[i].first)
      in[n - 1].second |= in[i].second;
    else
      in[n++] = in[i];
  in.resize(n);
  std::vector<console_part> parts;
  std::vector<std::uint64_t> part_mask;
  for (auto& [id, mask] : in) {
    auto p = many ? part_mask.end() : std::find(part_mask.begin(), part_mask.end(), mask);
    if (p == part_mask.end()) {
      parts.push_back(console_part{{}, {}});
      part_mask.push_back(mask);
      p = part_mask.end() - 1;
    }
    parts[static_cast<std::size_t>(p - part_mask.begin())].consoles.push_back(id);
  }
  for (std::size_t p = 0; p < parts.size(); ++p) {
    auto mine = [&](std::size_t i) {
      if (!many)
        return ((part_mask[p] >> set_of[i]) & 1) != 0;
      auto& ids = *sets[set_of[i]];
      return std::binary_search(ids.begin(), ids.end(), parts[p].consoles.front());
    };
    std::size_t size = 0;
    for (std::size_t i = 0; i < log.size(); ++i)
      if (mine(i))
        size += log[i].first->size() + 1;
    auto& json = parts[p].json;
    json.reserve(size);
    for (std::size_t i = 0; i < log.size(); ++i)
      if (mine(i)) {
        if (!json.empty())
          json += '\n';
        json += *log[i].first;
      }
  }
  return parts;
}

// What the subscribers of one call on this node share: the message made of the item the tap
// published last.
struct fanout {
  std::weak_ptr<call_tap> tap;
  std::uint64_t line_serial = 0, msg_serial = 0;
  shared_line line;  // the console's line of item `line_serial`
  caf::message msg; // the sessions' message of item `msg_serial`
  // The lines of the turns and latencies so far, by number, as a new subscriber hears them
  // replayed: made once per call, not once per watch.
  std::vector<shared_line> replayed_turns, replayed_latencies;
};

// The fanouts of this node's live calls, by call: every subscriber of a call here (each console
// process's shared watch, each session's own subscription) shares one, so an item's line is
// made once however many console processes watch the call.
class call_lines {
public:
  std::shared_ptr<fanout> of(const std::string& call, const std::shared_ptr<call_tap>& tap) {
    std::lock_guard lock(mtx_);
    auto& slot = by_call_[call];
    auto fo = slot.lock();
    if (!fo || fo->tap.lock() != tap) {
      fo = std::make_shared<fanout>();
      fo->tap = tap;
      slot = fo;
    }
    if (by_call_.size() > 2 * kept_ + 64) { // the ended calls' go now and then
      std::erase_if(by_call_, [](const auto& e) { return e.second.expired(); });
      kept_ = by_call_.size();
    }
    return fo;
  }

private:
  std::mutex mtx_;
  std::unordered_map<std::string, std::weak_ptr<fanout>> by_call_;
  std::size_t kept_ = 0;
};

// A tap item as a console event's line (made once per item, whoever subscribes). Replayed items
// (serial 0) are not live: no `live` mark, no moment (a console measuring delays skips them).
std::string event_line(const std::string& call, const tap_item& it) {
  bool live = it.serial != 0 && it.at_us != 0;
  // Built in a buffer of its own: no allocation per field (most lines fit).
  unsigned char buf[2048];
  json::monotonic_resource mr(buf, sizeof buf);
  json::object ev(&mr);
  switch (it.k) {
  case tap_item::kind::state:
    ev = {{"type", "state"}, {"call", call}, {"state", it.text}};
    break;
  case tap_item::kind::partial:
    ev = {{"type", "partial"}, {"call", call}, {"text", it.text}};
    break;
  case tap_item::kind::turn:
    ev = {{"type", "turn"}, {"call", call}, {"n", it.n}, {"role", it.role}, {"text", it.text},
          {"at_ms", it.at}, {"interrupted", it.interrupted}};
    if (live)
      ev["live"] = true;
    break;
  case tap_item::kind::latency: {
    ev = {{"type", "latency"}, {"call", call}};
    boost::system::error_code ec;
    auto v = json::parse(it.text, ec, &mr);
    if (!ec && v.is_object())
      for (auto& [k, x] : v.as_object())
        ev[k] = x;
    break;
  }
  case tap_item::kind::ended:
    return json::serialize(json::object{
        {{"type", "ended"}, {"call", call}, {"status", "ended"}, {"end_reason", it.text}}, &mr});
  default:
    return {};
  }
  if (live)
    ev["at_us"] = it.at_us;
  return json::serialize(ev);
}

tap_event make_tap_event(const std::string& call, const tap_item& it, std::string line) {
  return tap_event{call,    static_cast<std::uint8_t>(it.k), it.text,        it.n,
                   it.at,   it.audio,                        it.at_us,       it.role,
                   it.interrupted, std::move(line)};
}

// The console's line of a tap item: made once per live item for every subscriber of the call
// here (`fo` under the tap's lock), for a replayed one (this subscriber's alone) each time.
shared_line line_of(fanout& fo, const std::string& call, const tap_item& it) {
  if (it.serial == 0) {
    bool turn = it.k == tap_item::kind::turn;
    if (!turn && it.k != tap_item::kind::latency)
      return std::make_shared<const std::string>(event_line(call, it));
    auto& lines = turn ? fo.replayed_turns : fo.replayed_latencies;
    if (it.n >= lines.size())
      lines.resize(it.n + 1);
    if (!lines[it.n])
      lines[it.n] = std::make_shared<const std::string>(event_line(call, it));
    return lines[it.n];
  }
  if (!fo.line || fo.line_serial != it.serial) {
    fo.line_serial = it.serial;
    fo.line = std::make_shared<const std::string>(event_line(call, it));
  }
  return fo.line;
}

// A call of this node watched by consoles of one process: one subscription to its tap puts
// each item's line in the process's outbox once for all its watching consoles and tells their
// sessions (those that asked for the watch themselves) of the end. 50 consoles in five processes watching a call were 50 subscriptions, each opened by a
// round trip to the gateway; now the first console of a process subscribes and the others
// join under the tap's lock (call_tap::replay), from their sessions, with no message at all.
struct shared_watch {
  std::weak_ptr<call_tap> tap;
  std::once_flag subscribed;
  std::uint64_t sub = 0; // the subscription's id (0: the call had ended)
  // Under the outbox's mtx: the watching consoles' ids and their sessions (none for a console
  // the gateway joined for its `watch --all`: its session keeps no entry to forget at the end);
  // `left` once the last console left or the call ended (a console that finds it so
  // subscribes anew).
  std::vector<std::pair<std::uint64_t, caf::actor>> consoles;
  audience to; // the consoles' ids
  bool left = false;
  std::shared_ptr<fanout> fo; // the call's (call_lines), under the tap's lock
};

// The sink of a shared watch's subscription (called under the tap's lock). Replayed items are
// for each joining console alone (join_shared).
call_tap::sink shared_sink(std::shared_ptr<outbox> box, std::string call,
                           std::weak_ptr<shared_watch> weak) {
  return [box = std::move(box), call = std::move(call), weak](const tap_item& it) {
    auto sw = weak.lock();
    if (!sw || it.serial == 0)
      return;
    bool ended = it.k == tap_item::kind::ended;
    auto line = line_of(*sw->fo, call, it);
    std::vector<caf::actor> told;
    {
      std::lock_guard lock(box->mtx);
      box->add(line, sw->to);
      if (ended)
        for (auto& [id, session] : sw->consoles)
          if (session)
            told.push_back(session);
      if (ended) {
        sw->left = true;
        sw->consoles.clear();
        sw->to = nullptr;
        if (auto at = box->watching.find(call); at != box->watching.end() && at->second == sw)
          box->watching.erase(at);
      }
    }
    // The sessions forget the watch (an empty line: its text went into the outbox).
    for (auto& session : told)
      caf::anon_send(session, make_tap_event(call, it, ""));
  };
}

// ---------------------------------------------------------------------------------------------
// A console's session.

struct watch_state {
  std::string business, node;
  std::string state, partial; // last sent (a watch that also listens hears them twice)
  long long turns = 0, latencies = 0;
  bool loading = true;               // the snapshot is being read: hold the live events
  std::vector<json::object> held;
  // Live through the call's tap on its node (turns, latencies, states, partial words, the
  // end): `tapping` while the subscription is asked for, `tapped` once its first event came.
  // The database's feed then no longer carries this watch.
  bool tapping = false, tapped = false;
  // The snapshot's transcript (JSON text), until the tap says where it starts: read only for a
  // call taken over from a lost node (parsing every watch's transcript was most of the
  // sessions' allocations).
  std::string db_turns;
  long long pre = 0;                 // turns before this node's stretch of the call
  std::uint64_t tap_turns = 0, tap_latencies = 0; // next expected from the tap
  std::vector<tap_event> held_tap;   // tap events before the subscription's first
  // The call's node puts this watch's events in the console process's outbox itself; the
  // session hears only the watch's opening and end (tap events with an empty line).
  bool direct = false;
  bool shared = false; // through its console process's shared watch (join_shared)
};

struct session_state {
  session_state() = default;
  gateway_services svc;
  caf::actor gateway; // this node's (subscriptions to the taps of its own calls)
  caf::actor console;
  std::string email, client;
  std::vector<account> accounts;
  std::uint64_t seq = 0, acked = 0;
  // Set when the console process gave a receiver: events go through the gateway's tick (a
  // listened call's audio still goes directly, each chunk a message of its own).
  std::shared_ptr<outbox> box;
  std::shared_ptr<call_lines> lines; // the gateway's
  audience me;                // this console alone, as an audience in the outbox
  std::string batch;          // events not yet sent, one JSON object a line
  bool flush_pending = false; // a flush_atom is on its way
  bool calls = false; // the console follows the call list
  // `watch --all`: every live call of the user's businesses, and each that starts (the gateway
  // joins this console to those of its node; the command's id goes into their audit entries).
  bool watch_all = false;
  std::string watch_all_id;
  std::size_t direct_watches = 0; // watches whose call's node fills the outbox itself
  int fed = -1;                   // what sync_feed told the outbox last (bit 0 calls, bit 1 feed)
  std::map<std::string, watch_state> watches;
  std::set<std::string> listens; // calls whose audio goes to the console
  // Audio for the console: at most audio_window events unacknowledged, the rest queued with
  // the oldest dropped; `audio_sent` holds the sequence numbers of those in flight.
  std::unique_ptr<audio_ring> audio;
  std::deque<std::uint64_t> audio_sent;
  std::uint64_t next_job = 0;
  std::unordered_map<std::uint64_t, std::function<void()>> jobs;
};

using session_self = caf::stateful_actor<session_state>*;

std::vector<std::string> business_ids(const session_state& st) {
  std::vector<std::string> out;
  for (auto& a : st.accounts)
    out.push_back(a.business_id);
  return out;
}

const account* account_at(const session_state& st, const std::string& business) {
  for (auto& a : st.accounts)
    if (a.business_id == business)
      return &a;
  return nullptr;
}

// Tells the outbox whether this session follows the call list and needs the live feed.
void sync_feed(session_self self) {
  auto& st = self->state;
  if (!st.box)
    return;
  bool wants = st.watches.size() > st.direct_watches;
  int now = (st.calls ? 1 : 0) | (wants ? 2 : 0);
  if (now == st.fed)
    return;
  st.fed = now;
  auto id = st.console.id();
  std::lock_guard lock(st.box->mtx);
  if (st.calls)
    for (auto& a : st.accounts)
      if (auto& f = st.box->follows[a.business_id];
          !f || !std::binary_search(f->begin(), f->end(), id))
        f = with(f, id);
  if (wants)
    st.box->wants_feed.insert(id);
  else
    st.box->wants_feed.erase(id);
}

// Sends the batched events as one message, unless the console has stopped reading: then the
// session ends (the call's side never waits on a console).
void send_batch(session_self self) {
  auto& st = self->state;
  if (st.batch.empty() || self->getf(caf::abstract_actor::is_terminated_flag))
    return;
  if (st.seq - st.acked >= st.svc.max_unacked) {
    spdlog::warn("console: {} ({}) stopped reading ({} batches unacknowledged): dropped",
                 st.email, st.client, st.seq - st.acked);
    audit(st.svc, {"", "", st.email, st.svc.node_name, "", "drop", "", "", "failed",
                   "the console stopped reading"});
    st.batch.clear();
    self->quit(caf::exit_reason::user_shutdown);
    return;
  }
  self->send(st.console, console_event{++st.seq, std::exchange(st.batch, {})});
}

// Adds one event (a JSON object's text) to the batch, which goes out within batch_delay: a
// session sends its console one message per few ms however many calls it watches.
void push_line(session_self self, std::string_view line) {
  auto& st = self->state;
  if (st.box) {
    auto shared = std::make_shared<const std::string>(line);
    std::lock_guard lock(st.box->mtx);
    st.box->add(std::move(shared), st.me);
    return;
  }
  if (!st.batch.empty())
    st.batch += '\n';
  st.batch += line;
  if (st.batch.size() >= max_batch_bytes || st.svc.batch_delay.count() <= 0)
    return send_batch(self);
  if (!st.flush_pending) {
    st.flush_pending = true;
    self->delayed_send(self, st.svc.batch_delay, flush_atom::value);
  }
}

void push(session_self self, const json::object& ev) { push_line(self, json::serialize(ev)); }

json::object call_event(const json::object& d, const std::string& business,
                        json::storage_ptr sp = {}) {
  json::object ev({{"type", "call"}, {"business", business}}, sp);
  for (auto key : {"id", "caller", "node", "status", "started_at", "answered_at", "ended_at",
                   "end_reason",
                   "turns", "last_role", "last_text", "outcome", "booked"})
    if (auto* v = d.if_contains(key))
      ev[key == std::string("id") ? "call" : key] = *v;
  return ev;
}

long long int_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string str_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

struct verb_context {
  console_command cmd;
  caf::typed_response_promise<console_reply> rp;
  std::string verb_name;
};

void load_watch(session_self self, const std::string& call, std::optional<verb_context> c);

// Subscribes the session to the tap of `call` on `node` (its own node's gateway, or another
// node's through the cluster): `line` is "watch CALL", "listen CALL" or "unwatch CALL".
void tap_call(session_self self, const std::string& node, const std::string& call,
              const std::string& line, std::function<void(result, std::string)> done) {
  auto& st = self->state;
  auto me = caf::actor_cast<caf::actor>(self);
  if (node == st.svc.node_name || node.empty()) {
    if (!st.gateway)
      return done(result::not_applicable, "no gateway");
    // No timeout: the gateway is on this node and answers at once (a request to it after it
    // ended bounces with an error); a timer per watch was the clock thread's added work.
    self->request(st.gateway, caf::infinite, steer_request{call, line, st.email, me})
        .then([done](console_reply& r) { done(result_from(r.result), r.detail); },
              [done](caf::error& e) { done(result::failed, caf::to_string(e)); });
    return;
  }
  if (!st.svc.tap_route)
    return done(result::not_applicable, "calls of other nodes cannot be tapped from here");
  auto id = ++st.next_job;
  auto out = std::make_shared<std::pair<result, std::string>>(result::failed, "no answer");
  st.jobs.emplace(id, [out, done] { done(out->first, out->second); });
  st.svc.tap_route(node, call, line, st.email, me, [me, id, out](result res, std::string detail) {
    *out = {res, std::move(detail)};
    caf::anon_send(me, job_done_atom::value, id);
  });
}

// Sends queued audio while the console has acknowledged enough of what it was sent.
void pump_audio(session_self self) {
  auto& st = self->state;
  while (st.audio && !st.audio->empty() && st.audio_sent.size() < st.svc.audio_window) {
    auto it = st.audio->pop();
    if (it.k == tap_item::kind::ended) {
      push(self, json::object{{"type", "listen_end"}, {"call", it.text},
                              {"dropped_samples", st.audio->dropped_samples()}});
      continue;
    }
    auto call = std::move(it.text);
    send_batch(self); // what came before goes first; the audio is a message of its own
    st.batch = json::serialize(json::object{{"type", "audio"}, {"call", call},
                                            {"leg", to_string(it.k)}, {"n", it.n}, {"at", it.at},
                                            {"mulaw", twilio::base64_encode(it.audio)}});
    send_batch(self);
    if (!self->getf(caf::abstract_actor::is_terminated_flag))
      st.audio_sent.push_back(st.seq);
  }
}

void on_watch_tap(session_self self, const std::string& call, watch_state& w, const tap_event& e);

// The tap's first event for a watch: where this node's stretch of the call starts. The
// snapshot's turns before it go out first (a call taken over from a lost node), then the tap's
// own, numbered after them; held events follow.
void start_tapped(session_self self, const std::string& call, watch_state& w,
                  const tap_event& first) {
  w.tapped = true;
  w.tapping = false;
  w.loading = false;
  w.held.clear(); // the database's feed no longer carries this watch
  auto origin = static_cast<long long>(first.at);
  boost::system::error_code ec;
  auto saved = origin > 0 ? json::parse(w.db_turns, ec) : json::value();
  if (origin > 0 && !ec && saved.is_array())
    for (auto& t : saved.as_array()) {
      if (!t.is_object())
        continue;
      auto& o = t.as_object();
      auto* at = o.if_contains("at_ms");
      if (!at || !at->is_int64() || at->as_int64() >= origin)
        break;
      json::object ev{{"type", "turn"}, {"call", call}, {"n", w.pre}};
      for (auto& [k, v] : o)
        ev[k] = v;
      push(self, ev);
      ++w.pre;
    }
  w.turns = w.pre;
  w.db_turns.clear();
}

// What a watched call's tap says: the session only de-duplicates and batches; the line was
// made once on the call's node for every session watching.
void on_watch_tap(session_self self, const std::string& call, watch_state& w, const tap_event& e) {
  auto k = static_cast<tap_item::kind>(e.kind);
  if (e.line.empty() && (k == tap_item::kind::state || k == tap_item::kind::ended)) {
    if (k == tap_item::kind::ended) {
      self->state.direct_watches -= w.direct;
      self->state.watches.erase(call);
    } else if (!w.tapped && w.tapping) {
      start_tapped(self, call, w, e);
      w.direct = true;
      ++self->state.direct_watches;
      w.held_tap.clear(); // a listen's copies: the console got the watch's own
    }
    return;
  }
  if (w.direct)
    return; // a listen's copy of what the watch's node sent the console itself
  if (!w.tapped) {
    bool opens = k == tap_item::kind::state && e.n == 1;
    if (!w.tapping || !opens) {
      if (w.held_tap.size() < 4096)
        w.held_tap.push_back(e);
      return;
    }
    start_tapped(self, call, w, e);
    auto held = std::move(w.held_tap);
    w.held_tap.clear();
    on_watch_tap(self, call, w, e);
    for (auto& h : held)
      if (auto it = self->state.watches.find(call); it != self->state.watches.end())
        on_watch_tap(self, call, it->second, h);
    return;
  }
  switch (k) {
  case tap_item::kind::state:
  case tap_item::kind::partial: {
    auto& last = k == tap_item::kind::state ? w.state : w.partial;
    if (last == e.text)
      return;
    last = e.text;
    push_line(self, e.line);
    return;
  }
  case tap_item::kind::turn: {
    if (e.n < w.tap_turns)
      return; // heard already (a listen's subscription replays them too)
    w.tap_turns = e.n + 1;
    w.turns = w.pre + static_cast<long long>(e.n) + 1;
    if (w.pre == 0)
      return push_line(self, e.line);
    boost::system::error_code ec;
    auto v = json::parse(e.line, ec);
    if (ec || !v.is_object())
      return;
    v.as_object()["n"] = w.pre + static_cast<long long>(e.n);
    push(self, v.as_object());
    return;
  }
  case tap_item::kind::latency:
    if (e.n < w.tap_latencies)
      return;
    w.tap_latencies = e.n + 1;
    ++w.latencies;
    push_line(self, e.line);
    return;
  case tap_item::kind::ended:
    push_line(self, e.line);
    self->state.watches.erase(call);
    return;
  default:
    return;
  }
}

// What a watched or listened call's node says of it.
void on_tap(session_self self, const tap_event& e) {
  auto& st = self->state;
  auto k = static_cast<tap_item::kind>(e.kind);
  bool audio = k == tap_item::kind::caller_audio || k == tap_item::kind::agent_audio;
  if (!audio) {
    if (auto w = st.watches.find(e.call_id); w != st.watches.end())
      on_watch_tap(self, e.call_id, w->second, e);
  }
  if (!audio && k != tap_item::kind::ended)
    return;
  if (!st.listens.count(e.call_id))
    return;
  if (!st.audio)
    st.audio = std::make_unique<audio_ring>(st.svc.audio_queue);
  if (k == tap_item::kind::ended)
    st.listens.erase(e.call_id);
  // The call's id rides in `text` through the queue (an end's reason is not needed).
  st.audio->push(tap_item{k, e.call_id, e.n, e.at, e.audio});
  pump_audio(self);
}

// A live change of a watched call: new turns and latencies, or its end.
void watch_event(session_self self, const std::string& call, const json::object& d) {
  auto& st = self->state;
  auto it = st.watches.find(call);
  if (it == st.watches.end())
    return;
  auto& w = it->second;
  if (w.tapped)
    return; // its node's tap carries it
  if (w.loading) {
    w.held.push_back(d);
    return;
  }
  auto turns = int_of(d, "turns"), lats = int_of(d, "latencies");
  auto text = str_of(d, "last_text");
  bool one_more_turn = turns == w.turns + 1 && text.size() < 300; // the event carries it whole
  bool one_more_latency = lats <= w.latencies + 1;
  if ((turns > w.turns && !one_more_turn) || !one_more_latency) {
    w.loading = true; // more than the event carries: read what was missed
    w.held.push_back(d);
    load_watch(self, call, std::nullopt);
    return;
  }
  if (turns > w.turns) {
    json::object ev{{"type", "turn"}, {"call", call}, {"n", w.turns},
                    {"role", str_of(d, "last_role")}, {"text", text}, {"live", true}};
    if (auto* at = d.if_contains("last_at_ms"); at && at->is_int64())
      ev["at_ms"] = *at; // from the call's start, as a snapshot's turns have it
    push(self, std::move(ev));
    w.turns = turns;
  }
  if (lats > w.latencies) {
    json::object ev{{"type", "latency"}, {"call", call}};
    if (auto* l = d.if_contains("latency"); l && l->is_object())
      for (auto& [k, v] : l->as_object())
        ev[k] = v;
    push(self, std::move(ev));
    w.latencies = lats;
  }
  auto* ended = d.if_contains("ended_at");
  if (ended && !ended->is_null()) {
    push(self, json::object{{"type", "ended"}, {"call", call}, {"status", str_of(d, "status")},
                            {"end_reason", str_of(d, "end_reason")}});
    st.watches.erase(it);
  }
}

void finish(session_self self, verb_context& c, result res, const std::string& detail,
            const std::string& business = "", const std::string& call = "",
            std::string data = "null");

// Sends the snapshot's turns and latencies past those already sent, then the held live events
// (the database's feed carries the watch: its call has ended, or its node cannot be tapped).
void continue_from_db(session_self self, const std::string& call, const store::call_snapshot& s) {
  auto& st = self->state;
  auto it = st.watches.find(call);
  if (it == st.watches.end())
    return;
  auto& w = it->second;
  boost::system::error_code ec;
  auto turns = json::parse(s.transcript_json, ec);
  if (!ec && turns.is_array()) {
    auto& a = turns.as_array();
    for (auto n = static_cast<std::size_t>(w.turns); n < a.size(); ++n) {
      if (!a[n].is_object())
        continue;
      json::object ev{{"type", "turn"}, {"call", s.id}, {"n", n}};
      for (auto& [k, v] : a[n].as_object())
        ev[k] = v;
      push(self, ev);
    }
    w.turns = std::max<long long>(w.turns, static_cast<long long>(a.size()));
  }
  auto lats = json::parse(s.latencies_json, ec);
  if (!ec && lats.is_array()) {
    auto& a = lats.as_array();
    for (auto n = static_cast<std::size_t>(w.latencies); n < a.size(); ++n) {
      json::object ev{{"type", "latency"}, {"call", s.id}};
      if (a[n].is_object())
        for (auto& [k, v] : a[n].as_object())
          ev[k] = v;
      push(self, ev);
    }
    w.latencies = std::max<long long>(w.latencies, static_cast<long long>(a.size()));
  }
  if (s.ended) {
    push(self, json::object{{"type", "ended"}, {"call", s.id}, {"status", s.status},
                            {"end_reason", s.end_reason}});
    st.watches.erase(it);
    return;
  }
  w.loading = false;
  auto held = std::move(w.held);
  w.held.clear();
  for (auto& d : held)
    watch_event(self, call, d); // may reload, erase or hold again
}

// Subscribes a watch to its call's tap on `node`; when that fails (the call has just ended, or
// its node cannot be tapped), `fallback` carries the watch on from the database.
void tap_watch(session_self self, const std::string& node, const std::string& call,
               std::function<void()> fallback) {
  tap_call(self, node, call, "watch " + call,
           [self, call, fallback = std::move(fallback)](result res, std::string why) {
             auto& st = self->state;
             auto it = st.watches.find(call);
             if (res == result::done || it == st.watches.end() || it->second.tapped)
               return;
             spdlog::debug("console: call {} followed through the database: {}", call, why);
             it->second.tapping = false;
             it->second.db_turns.clear();
             it->second.held_tap.clear();
             fallback();
           });
}

// Reads a watched call's row (one query; `c`, the watch command, is answered from it). The
// console gets the snapshot; a live call is then followed through its tap on the node that runs
// it, which replays the turns so far from memory, so the database serves only the attach. When
// the call cannot be tapped, the database's feed carries the watch.
void load_watch(session_self self, const std::string& call, std::optional<verb_context> c) {
  auto& st = self->state;
  auto businesses = business_ids(st);
  auto db = st.svc.db;
  bool queued = run_job(
      self,
      [db, businesses, call]() -> expected<std::optional<store::call_snapshot>> {
        // Read as each of the user's businesses in turn: the database shows a business only
        // its own calls, so the first that finds it is the call's (one read per watch).
        store::console_repo repo(*db);
        for (auto& b : businesses) {
          auto s = repo.call(b, call);
          if (!s || *s)
            return s;
        }
        return std::optional<store::call_snapshot>();
      },
      [self, call, c](expected<std::optional<store::call_snapshot>> r) mutable {
        auto& st = self->state;
        if (c) {
          if (!r)
            finish(self, *c, result::failed, r.error().message);
          else if (!*r)
            finish(self, *c, result::refused, "no call " + call + " in your businesses");
          else
            finish(self, *c, result::done, "watching " + call, (*r)->business_id, call);
        }
        auto it = st.watches.find(call);
        if (it == st.watches.end())
          return;
        auto& w = it->second;
        if (!r || !*r) {
          st.watches.erase(it);
          return;
        }
        auto& s = **r;
        bool first = w.business.empty();
        w.business = s.business_id;
        w.node = s.node;
        if (first) {
          push(self, json::object{{"type", "snapshot"}, {"call", s.id}, {"business", s.business_id},
                                  {"caller", s.caller}, {"node", s.node}, {"status", s.status},
                                  {"started_at", s.started_at}});
          bool here = s.node == st.svc.node_name || s.node.empty();
          bool can_tap = here ? st.gateway && st.svc.taps : bool(st.svc.tap_route);
          if (!s.ended && can_tap) {
            w.db_turns = s.transcript_json;
            w.tapping = true;
            auto snap = std::make_shared<store::call_snapshot>(std::move(s));
            tap_watch(self, snap->node, call,
                      [self, call, snap] { continue_from_db(self, call, *snap); });
            return;
          }
        }
        continue_from_db(self, call, s);
      });
  if (!queued && c)
    finish(self, *c, result::failed, "the node is stopping");
}

// Joins consoles of one process (`joiners`: each console's id, and the session to tell of the
// call's end, or none) to the process's shared watch of `call`, a call of this node, creating
// it and its one subscription to the call's tap if there is none: each console that joins gets
// `first` (if any), the call's state and turns so far, then every live item, through the
// outbox. A console already watching stays as it was (it gets the session if it had none).
// Returns the consoles that joined; nullopt when the call has ended.
std::optional<std::vector<std::uint64_t>>
join_box(call_lines& lines, const std::shared_ptr<outbox>& box, const std::string& call,
         const std::shared_ptr<call_tap>& tap,
         const std::vector<std::pair<std::uint64_t, caf::actor>>& joiners,
         const shared_line& first = nullptr) {
  for (int attempt = 0; attempt < 2; ++attempt) { // again if the last console just left it
    std::shared_ptr<shared_watch> sw;
    auto fo = lines.of(call, tap);
    {
      std::lock_guard lock(box->mtx);
      auto& slot = box->watching[call];
      if (!slot || slot->left || slot->tap.lock() != tap) {
        slot = std::make_shared<shared_watch>();
        slot->tap = tap;
        slot->fo = fo;
      }
      sw = slot;
    }
    std::call_once(sw->subscribed,
                   [&] { sw->sub = tap->subscribe(false, shared_sink(box, call, sw)); });
    if (sw->sub == 0)
      return std::nullopt;
    std::vector<shared_line> replayed;
    if (first)
      replayed.push_back(first);
    std::optional<std::vector<std::uint64_t>> joined;
    bool live = tap->replay(
        [&](const tap_item& it) {
          if (auto line = line_of(*sw->fo, call, it); !line->empty())
            replayed.push_back(std::move(line));
        },
        [&] {
          std::lock_guard lock(box->mtx);
          if (sw->left)
            return;
          joined.emplace();
          for (auto& [id, session] : joiners) {
            auto in = std::find_if(sw->consoles.begin(), sw->consoles.end(),
                                   [id = id](const auto& c) { return c.first == id; });
            if (in != sw->consoles.end()) {
              if (!in->second)
                in->second = session;
              continue;
            }
            sw->consoles.emplace_back(id, session);
            joined->push_back(id);
          }
          if (joined->empty())
            return;
          // What the joining consoles hear first (theirs alone), before anything live.
          auto to = make_audience(*joined);
          for (auto& line : replayed)
            box->add(line, to);
          std::vector<std::uint64_t> all;
          for (auto& c : sw->consoles)
            all.push_back(c.first);
          sw->to = make_audience(std::move(all));
        });
    if (!live)
      return std::nullopt;
    if (joined)
      return joined;
  }
  return std::nullopt;
}

// Joins this session's console to its process's shared watch of `call` (join_box). False when
// the call has ended or was taken over from a lost node (those go through a subscription of the
// session's own, which numbers turns after the saved ones).
bool join_shared(session_self self, const std::string& call, const std::shared_ptr<call_tap>& tap) {
  auto& st = self->state;
  if (!st.box || tap->origin_ms() > 0)
    return false;
  return join_box(*st.lines, st.box, call, tap,
                  {{st.console.id(), caf::actor_cast<caf::actor>(self)}})
      .has_value();
}

// Whether console `console_id` watches `call` through its process's shared watch.
bool in_shared(outbox& box, std::uint64_t console_id, const std::string& call) {
  std::lock_guard lock(box.mtx);
  auto it = box.watching.find(call);
  return it != box.watching.end() && !it->second->left &&
         std::any_of(it->second->consoles.begin(), it->second->consoles.end(),
                     [&](const auto& c) { return c.first == console_id; });
}

// Takes console `console_id` out of its process's shared watches (of `call`, or all): the last
// to leave one ends its subscription.
// Returns how many it left.
std::size_t leave_shared(outbox& box, std::uint64_t console_id, const std::string* call) {
  std::vector<std::shared_ptr<shared_watch>> gone;
  std::size_t left = 0;
  {
    std::lock_guard lock(box.mtx);
    auto leave = [&](auto it) {
      auto& c = it->second->consoles;
      auto n = std::erase_if(c, [&](const auto& e) { return e.first == console_id; });
      left += n;
      if (n > 0)
        it->second->to = with(it->second->to, console_id, false);
      if (!c.empty())
        return std::next(it);
      it->second->left = true;
      it->second->to = nullptr;
      gone.push_back(it->second);
      return box.watching.erase(it);
    };
    if (call) {
      if (auto it = box.watching.find(*call); it != box.watching.end())
        leave(it);
    } else {
      for (auto it = box.watching.begin(); it != box.watching.end();)
        it = leave(it);
    }
  }
  for (auto& sw : gone) // outside the outbox's lock: the tap's sinks take it under the tap's
    if (auto t = sw->tap.lock())
      t->unsubscribe(sw->sub);
  return left;
}

// A watch of a call live on this node, whose tap says whose call it is: the scope is checked
// against the tap's business, the snapshot comes from the tap, and the database is not read
// (50 consoles starting to watch a call were 50 reads of its row, the most of what watching
// cost the node). A call taken over from a lost node has its earlier turns only in the
// database, and a tap not yet described knows no business: those are read as before
// (load_watch), as is a call outside the user's businesses (the refusal is the database's).
bool watch_here(session_self self, const std::string& call, verb_context& c) {
  auto& st = self->state;
  if (!st.svc.taps || !st.gateway)
    return false;
  auto tap = st.svc.taps->find(call);
  if (tap && tap->origin_ms() > 0)
    return false;
  auto f = tap ? tap->about() : call_tap::facts{};
  if (f.ended)
    return false;
  // A live call's row says 'in-progress' from its stream's start, when its tap is described.
  json::object snapshot{{"type", "snapshot"}, {"call", call}, {"status", "in-progress"}};
  if (f.business_id.empty()) {
    // Its actors have not started (the first row of a call, as a console that follows the
    // call list sees it): the live feed's row says whose call it is and which node runs it.
    // Only a call of this node that has said nothing yet (a call taken over from a lost node
    // has saved turns, read from the database). Its tap is opened now; the call's actors take
    // the same one when they start, and the gateway closes it if the row ends first.
    auto r = st.svc.live ? st.svc.live->find(call) : std::nullopt;
    if (!r || r->node != st.svc.node_name || r->turns != 0 || !account_at(st, r->business_id))
      return false;
    f.business_id = r->business_id;
    f.caller = r->caller;
    snapshot["status"] = r->status;
    snapshot["started_at"] = r->started_at;
    tap = st.svc.taps->open(call);
  }
  if (!account_at(st, f.business_id))
    return false;
  auto& w = st.watches[call];
  w.business = f.business_id;
  w.node = st.svc.node_name;
  w.tapping = true;
  finish(self, c, result::done, "watching " + call, f.business_id, call);
  snapshot["business"] = f.business_id;
  snapshot["caller"] = f.caller;
  snapshot["node"] = w.node;
  push(self, snapshot);
  if (join_shared(self, call, tap)) {
    w.tapping = false;
    w.tapped = true;
    w.loading = false;
    w.direct = w.shared = true;
    ++st.direct_watches;
    return true;
  }
  tap_watch(self, w.node, call, [self, call] { load_watch(self, call, std::nullopt); });
  return true;
}

// Answers a command and writes its audit entry.
void finish(session_self self, verb_context& c, result res, const std::string& detail,
            const std::string& business, const std::string& call, std::string data) {
  auto& st = self->state;
  const account* a = business.empty() ? nullptr : account_at(st, business);
  audit(st.svc, {business, a ? a->user_id : "", st.email, st.svc.node_name, c.cmd.id,
                 c.verb_name, call, c.cmd.line.substr(0, 2000), to_string(res), detail});
  if (c.rp.pending()) // a watch of `watch --all` answers no one
    c.rp.deliver(console_reply{c.cmd.id, to_string(res), detail, std::move(data)});
}

// The live calls of the user's businesses (on a pool thread).
expected<std::vector<store::live_call_row>> read_live_calls(store::database& db,
                                                           const std::vector<std::string>& businesses) {
  store::console_repo repo(db);
  std::vector<store::live_call_row> all;
  for (auto& b : businesses) {
    auto r = repo.live_calls(b);
    if (!r)
      return r.error();
    all.insert(all.end(), r->begin(), r->end());
  }
  return all;
}

void run_calls(session_self self, verb_context c) {
  auto& st = self->state;
  st.calls = true; // changes from now on are pushed; the list below is the state until now
  auto db = st.svc.db;
  auto businesses = business_ids(st);
  bool queued = run_job(
      self, [db, businesses] { return read_live_calls(*db, businesses); },
      [self, c](expected<std::vector<store::live_call_row>> r) mutable {
        if (!r)
          return finish(self, c, result::failed, r.error().message);
        json::array calls;
        for (auto& x : *r)
          calls.push_back(json::object{{"call", x.id}, {"business", x.business_id},
                                       {"caller", x.caller}, {"node", x.node},
                                       {"status", x.status}, {"started_at", x.started_at},
                                       {"turns", x.turns}, {"last_role", x.last_role},
                                       {"last_text", x.last_text}});
        finish(self, c, result::done, std::to_string(r->size()) + " live calls", "", "",
               json::serialize(calls));
      });
  if (!queued)
    finish(self, c, result::failed, "the node is stopping");
}

// A watch the session starts itself for its `watch --all` (a call live when it was asked, or
// one the gateway could not join for it): answered to no one, written to the audit log as the
// watch of that call it is, under the `watch --all` command's id.
void watch_quiet(session_self self, const std::string& call) {
  auto& st = self->state;
  if (!st.watch_all || st.watches.count(call) ||
      (st.box && in_shared(*st.box, st.console.id(), call)))
    return;
  verb_context c{console_command{st.watch_all_id, "watch " + call}, {}, "watch"};
  st.watches.try_emplace(call);
  if (!watch_here(self, call, c))
    load_watch(self, call, c);
}

// `watch --all`: from now on the gateway joins this console to each call of the user's
// businesses that starts on its node (one audit entry each, no message to this session), and
// tells the session of those of other nodes; the calls live now are read and watched here.
void run_watch_all(session_self self, verb_context c) {
  auto& st = self->state;
  if (st.watch_all)
    return finish(self, c, result::not_applicable, "already watching every call");
  st.watch_all = true;
  st.watch_all_id = c.cmd.id;
  // Before the read: a call that starts after it is the gateway's to join.
  self->send(st.gateway, watch_all_atom::value, true, c.cmd.id);
  auto db = st.svc.db;
  auto businesses = business_ids(st);
  bool queued = run_job(
      self, [db, businesses] { return read_live_calls(*db, businesses); },
      [self, c](expected<std::vector<store::live_call_row>> r) mutable {
        if (!r)
          return finish(self, c, result::failed, r.error().message);
        for (auto& call : *r)
          watch_quiet(self, call.id);
        finish(self, c, result::done,
               "watching " + std::to_string(r->size()) + " live calls and each that starts");
      });
  if (!queued)
    finish(self, c, result::failed, "the node is stopping");
}

// Stops one watch (`unwatch CALL`): the session's own, or one the gateway joined for its
// `watch --all`. Whether there was one.
bool stop_watch(session_self self, const std::string& call) {
  auto& st = self->state;
  auto w = st.watches.find(call);
  if (w == st.watches.end())
    return st.box && leave_shared(*st.box, st.console.id(), &call) > 0;
  st.direct_watches -= w->second.direct;
  if (w->second.shared)
    leave_shared(*st.box, st.console.id(), &call);
  else if (!w->second.node.empty()) // the call's node stops sending its states
    tap_call(self, w->second.node, call, "unwatch " + call, [](result, std::string) {});
  st.watches.erase(w);
  return true;
}

void run_appointments(session_self self, verb_context c, std::string day) {
  auto& st = self->state;
  auto db = st.svc.db;
  auto businesses = business_ids(st);
  if (day.empty())
    day = "today";
  bool queued = run_job(
      self,
      [db, businesses, day]() -> expected<json::array> {
        store::console_repo repo(*db);
        json::array out;
        for (auto& b : businesses) {
          auto r = repo.appointments(b, day);
          if (!r)
            return r.error();
          for (auto& a : *r)
            out.push_back(json::object{{"appointment", a.id}, {"business", b},
                                       {"status", a.status}, {"start", a.start}, {"end", a.end},
                                       {"customer_name", a.customer_name},
                                       {"service", a.service}, {"call", a.call_id}});
        }
        return out;
      },
      [self, c](expected<json::array> r) mutable {
        if (!r)
          return finish(self, c, result::failed, r.error().message);
        auto n = r->size();
        finish(self, c, result::done, std::to_string(n) + " appointments", "", "",
               json::serialize(*r));
      });
  if (!queued)
    finish(self, c, result::failed, "the node is stopping");
}

// Steering a call, and cancelling an appointment: the target's business must be one of the
// user's, and the user an admin or owner there.
void run_steering(session_self self, verb_context c, command cmd) {
  auto& st = self->state;
  auto db = st.svc.db;
  auto businesses = business_ids(st);
  bool appointment = cmd.v == verb::cancel;
  auto target = appointment ? cmd.appointment : cmd.call;
  bool queued = run_job(
      self,
      [db, businesses, target, appointment]() -> expected<std::optional<store::call_snapshot>> {
        store::console_repo repo(*db);
        auto b = repo.business_of(businesses, target, appointment);
        if (!b)
          return b.error();
        if (!*b)
          return std::optional<store::call_snapshot>();
        if (appointment) {
          store::call_snapshot s;
          s.business_id = **b;
          return std::optional<store::call_snapshot>(s);
        }
        return repo.call(**b, target);
      },
      [self, c, cmd, target, appointment](expected<std::optional<store::call_snapshot>> r) mutable {
        auto& st = self->state;
        if (!r)
          return finish(self, c, result::failed, r.error().message);
        if (!*r)
          return finish(self, c, result::refused,
                        std::string(appointment ? "no appointment " : "no call ") + target +
                            " in your businesses");
        auto& s = **r;
        auto* a = account_at(st, s.business_id);
        if (!a || !allowed(a->r, cmd.v))
          return finish(self, c, result::refused,
                        std::string("a viewer may watch, not ") +
                            (cmd.v == verb::listen ? "listen" : "steer"),
                        s.business_id, appointment ? "" : target);
        if (appointment) {
          if (!st.svc.calendar_route)
            return finish(self, c, result::not_applicable, "no calendar on this node",
                          s.business_id);
          auto cal = st.svc.calendar_route(s.business_id);
          proto::tool_request req{"", "cancel", {{"appointment_id", target}}};
          self->request(cal, std::chrono::seconds(10), std::move(req))
              .then(
                  [self, c, b = s.business_id, target](proto::tool_reply& rep) mutable {
                    if (rep.ok)
                      finish(self, c, result::done, "appointment " + target + " cancelled", b);
                    else
                      finish(self, c, result::not_applicable,
                             "appointment " + target + " is not booked", b);
                  },
                  [self, c, b = s.business_id](caf::error& e) mutable {
                    finish(self, c, result::failed, caf::to_string(e), b);
                  });
          return;
        }
        if (s.ended)
          return finish(self, c, result::not_applicable, "the call has ended (" + s.status + ")",
                        s.business_id, target);
        if (cmd.v == verb::listen) {
          st.listens.insert(target);
          tap_call(self, s.node, target, "listen " + target,
                   [self, c, business = s.business_id, target](result res,
                                                                std::string detail) mutable {
                     if (res != result::done)
                       self->state.listens.erase(target);
                     finish(self, c, res, detail, business, target);
                   });
          return;
        }
        if (!st.svc.steer)
          return finish(self, c, result::not_applicable,
                        std::string(to_string(cmd.v)) + " is not available on this node",
                        s.business_id, target);
        auto me = caf::actor_cast<caf::actor>(self);
        auto business = s.business_id;
        // The answer comes back through the session's mailbox (any thread may call `done`).
        auto id = ++st.next_job;
        auto out = std::make_shared<std::pair<result, std::string>>(result::failed, "no answer");
        st.jobs.emplace(id, [self, c, out, business, target]() mutable {
          finish(self, c, out->first, out->second, business, target);
        });
        st.svc.steer(s.node, target, cmd, st.email, [me, id, out](result res, std::string detail) {
          *out = {res, std::move(detail)};
          caf::anon_send(me, job_done_atom::value, id);
        });
      });
  if (!queued)
    finish(self, c, result::failed, "the node is stopping");
}

caf::behavior session_fn(session_self self, gateway_services svc, caf::actor gateway,
                         caf::actor console, std::string email, std::string client,
                         std::vector<account> accounts, std::shared_ptr<outbox> box,
                         std::shared_ptr<call_lines> lines) {
  auto& st = self->state;
  st.box = std::move(box);
  st.lines = std::move(lines);
  st.me = make_audience({console.id()});
  st.svc = std::move(svc);
  st.gateway = std::move(gateway);
  st.console = std::move(console);
  st.email = std::move(email);
  st.client = std::move(client);
  st.accounts = std::move(accounts);
  self->monitor(st.console);
  self->set_down_handler([self](caf::down_msg& dm) {
    if (dm.source == self->state.console.address())
      self->quit(caf::exit_reason::user_shutdown); // the console went away
  });
  return {
      [self](console_command& cmd) -> caf::result<console_reply> {
        auto synced = caf::detail::make_scope_guard([self] { sync_feed(self); });
        verb_context c{cmd, self->make_response_promise<console_reply>(), ""};
        auto parsed = parse_command(cmd.line);
        auto first = split_words(cmd.line);
        c.verb_name = first && !first->empty() ? first->front().substr(0, 32) : "";
        if (!parsed) {
          finish(self, c, result::failed, parsed.error().message);
          return c.rp;
        }
        auto& st = self->state;
        switch (parsed->v) {
        case verb::calls:
          run_calls(self, c);
          break;
        case verb::watch: {
          if (parsed->all) {
            run_watch_all(self, c);
            break;
          }
          if (st.box && !st.watches.count(parsed->call) &&
              in_shared(*st.box, st.console.id(), parsed->call)) {
            finish(self, c, result::not_applicable, "already watching " + parsed->call, "",
                   parsed->call);
            break;
          }
          auto [w, fresh] = st.watches.try_emplace(parsed->call);
          if (!fresh) {
            finish(self, c, result::not_applicable, "already watching " + parsed->call,
                   w->second.business, parsed->call);
            break;
          }
          // The reply says whether the call was found; the snapshot goes out as events.
          if (!watch_here(self, parsed->call, c))
            load_watch(self, parsed->call, c);
          break;
        }
        case verb::unwatch: {
          if (parsed->all) { // every watch, and no more calls as they start
            bool was = std::exchange(st.watch_all, false);
            if (was)
              self->send(st.gateway, watch_all_atom::value, false, c.cmd.id);
            std::vector<std::string> own;
            for (auto& [call, w] : st.watches)
              own.push_back(call);
            std::size_t n = 0;
            for (auto& call : own)
              n += stop_watch(self, call);
            if (st.box) // and those the gateway joined
              n += leave_shared(*st.box, st.console.id(), nullptr);
            finish(self, c, was || n > 0 ? result::done : result::not_applicable,
                   "stopped watching " + std::to_string(n) + " calls");
            break;
          }
          bool had = stop_watch(self, parsed->call);
          finish(self, c, had ? result::done : result::not_applicable,
                 had ? "stopped watching" : "not watching " + parsed->call, "", parsed->call);
          break;
        }
        case verb::appointments:
          run_appointments(self, c, parsed->day);
          break;
        default:
          run_steering(self, c, *parsed);
        }
        return c.rp;
      },
      [self](console_ack_atom, std::uint64_t seq) {
        auto& st = self->state;
        if (seq > st.acked && seq <= st.seq)
          st.acked = seq;
        while (!st.audio_sent.empty() && st.audio_sent.front() <= st.acked)
          st.audio_sent.pop_front();
        pump_audio(self);
      },
      // By const reference: the message is shared by every session the call's node sends it
      // to; taking it by value or mutable reference would copy it for each.
      [self](const tap_event& e) {
        on_tap(self, e);
        sync_feed(self);
      },
      [self](flush_atom) {
        self->state.flush_pending = false;
        send_batch(self);
      },
      // A call's change from the live feed, read once by the gateway for all its sessions:
      // the business, the call, the console's line, the change as the feed had it.
      [self](feed_line_atom, const std::string& business, const std::string& call,
             const std::string& line, const std::string& data) {
        auto& st = self->state;
        if (!account_at(st, business))
          return; // the gateway sends only the session's businesses; checked again here
        auto synced = caf::detail::make_scope_guard([self] { sync_feed(self); });
        if (st.calls && !st.box) // with an outbox, the gateway put it there
          push_line(self, line);
        auto w = st.watches.find(call);
        if (w == st.watches.end() || w->second.tapped)
          return; // not watched, or its node's tap carries it
        boost::system::error_code ec;
        auto v = json::parse(data, ec);
        if (!ec && v.is_object())
          watch_event(self, call, v.as_object());
      },
      [self](job_done_atom, std::uint64_t id) {
        continue_job(self->state, id);
        sync_feed(self);
      },
      [self](watch_one_atom, const std::string& call) {
        watch_quiet(self, call);
        sync_feed(self);
      },
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway.

struct tap_subscription {
  std::string call;
  bool audio = false;
  std::weak_ptr<call_tap> tap;
  std::uint64_t id = 0;
};

struct gateway_state {
  gateway_state() = default;
  std::shared_ptr<call_lines> lines = std::make_shared<call_lines>();
  gateway_services svc;
  // Sessions (of any node) subscribed to this node's calls' taps, by the session's address.
  // By session and call: a watch looks up its own call, not every call its session watches
  // (50 consoles watching 200 calls each made that a million comparisons).
  std::multimap<std::pair<caf::actor_addr, std::string>, tap_subscription> tapped;
  std::multimap<std::string, caf::actor> by_business; // sessions of each business
  std::map<caf::actor_addr, std::shared_ptr<outbox>> boxes; // by receiver
  // The sessions that have one, with their consoles' ids.
  std::map<caf::actor_addr, std::pair<std::shared_ptr<outbox>, std::uint64_t>> box_of;
  // Every session's user (for the audit entries of the watches the gateway starts for it).
  struct user {
    std::string email;
    std::vector<account> accounts;
  };
  std::map<caf::actor_addr, user> users;
  // Sessions that watch every call (`watch --all`), with that command's id.
  std::map<caf::actor_addr, std::pair<caf::actor, std::string>> watch_all;
  bool ticking = false;
  std::uint64_t next_job = 0;
  std::unordered_map<std::uint64_t, std::function<void()>> jobs;
};

using gateway_self = caf::stateful_actor<gateway_state>*;

// A session (the asking node checked its scope and role) subscribes to, or leaves, the tap of
// a call this node runs. The tap's sink only sends a message: the call never waits on it.
console_reply tap_here(gateway_self self, const steer_request& r) {
  auto& st = self->state;
  auto cmd = parse_command(r.line);
  auto no = [](result res, std::string why) {
    return console_reply{"", to_string(res), std::move(why), "null"};
  };
  if (!cmd || cmd->call != r.call_id ||
      (cmd->v != verb::watch && cmd->v != verb::listen && cmd->v != verb::unwatch))
    return no(result::failed, cmd ? "not a tap command" : cmd.error().message);
  auto who = r.subscriber.address();
  if (cmd->v == verb::unwatch) {
    auto [a, b] = st.tapped.equal_range(std::make_pair(who, r.call_id));
    for (auto it = a; it != b;) {
      if (!it->second.audio) {
        if (auto t = it->second.tap.lock())
          t->unsubscribe(it->second.id);
        it = st.tapped.erase(it);
      } else {
        ++it;
      }
    }
    return no(result::done, "stopped watching");
  }
  auto tap = st.svc.taps ? st.svc.taps->find(r.call_id) : nullptr;
  if (!tap)
    return no(result::not_applicable, "the call is not live on node " + st.svc.node_name);
  bool audio = cmd->v == verb::listen;
  auto [a, b] = st.tapped.equal_range(std::make_pair(who, r.call_id));
  for (auto it = a; it != b; ++it)
    if (it->second.audio == audio)
      return no(result::not_applicable, std::string("already ") +
                                            (audio ? "listening to " : "watching ") + r.call_id);
  // One event message per published item, shared by every subscriber of the call here.
  auto fo = st.lines->of(r.call_id, tap);
  // A watch of a session whose console process gave a receiver: the call's events go into the
  // process's outbox from here, under the tap's lock, and the session only hears when the
  // watch opens and ends (those with an empty line). No actor message per event and session.
  // A call taken over from a lost node goes through the session, which numbers its turns
  // after the saved ones.
  std::shared_ptr<outbox> box;
  std::uint64_t console_id = 0;
  if (auto in = st.box_of.find(who); !audio && tap->origin_ms() <= 0 && in != st.box_of.end())
    std::tie(box, console_id) = in->second;
  call_tap::sink fn;
  if (box)
    fn = [sub = r.subscriber, call = r.call_id, fo, box,
          to = make_audience({console_id})](const tap_item& it) {
      auto line = line_of(*fo, call, it);
      if (!line->empty()) {
        std::lock_guard lock(box->mtx);
        box->add(std::move(line), to);
      }
      bool opens = it.serial == 0 && it.k == tap_item::kind::state && it.n == 1;
      if (opens || it.k == tap_item::kind::ended)
        caf::anon_send(sub, make_tap_event(call, it, ""));
    };
  else
    fn = [sub = r.subscriber, call = r.call_id, fo](const tap_item& it) {
      // Called under the tap's lock, like every sink of this call: `fo` needs no lock of its own.
      if (it.serial != 0 && it.serial == fo->msg_serial)
        return caf::anon_send(sub, fo->msg);
      auto msg = caf::make_message(make_tap_event(call, it, *line_of(*fo, call, it)));
      if (it.serial != 0) {
        fo->msg_serial = it.serial;
        fo->msg = msg;
      }
      caf::anon_send(sub, std::move(msg));
    };
  auto id = tap->subscribe(audio, std::move(fn));
  if (id == 0)
    return no(result::not_applicable, "the call has ended");
  st.tapped.emplace(std::make_pair(who, r.call_id), tap_subscription{r.call_id, audio, tap, id});
  self->monitor(r.subscriber);
  if (audio)
    spdlog::info("console: {} listens to call {}", r.email, r.call_id);
  return no(result::done, std::string(audio ? "listening to " : "watching ") + r.call_id);
}

// Sends each receiver what its sessions gathered since the last tick, as one message; drops
// the sessions of a receiver that stopped reading.
void tick(gateway_self self) {
  auto& st = self->state;
  for (auto& [addr, box] : st.boxes) {
    auto& taken = box->taken;
    {
      std::lock_guard lock(box->mtx);
      if (box->log.empty())
        continue;
      taken.swap(box->log); // the outbox keeps the last tick's room
    }
    auto forget = caf::detail::make_scope_guard([&] { taken.clear(); });
    if (box->seq - box->acked >= st.svc.max_unacked) {
      spdlog::warn("console: a console process stopped reading ({} batches unacknowledged): its "
                   "{} consoles dropped",
                   box->seq - box->acked, box->sessions.size());
      audit(st.svc, {"", "", "console process", st.svc.node_name, "", "drop", "", "", "failed",
                     "the console stopped reading"});
      for (auto& s : box->sessions)
        self->send_exit(s.first, caf::exit_reason::user_shutdown);
      box->acked = box->seq; // the sessions are going; their down messages forget the box
      continue;
    }
    console_batch b{++box->seq, batch_parts(taken)};
    self->send(box->receiver, std::move(b));
  }
  if (st.boxes.empty()) {
    st.ticking = false;
    return;
  }
  self->delayed_send(self, st.svc.batch_delay, tick_atom::value);
}

// A call of the user's businesses has started (its first row in the live feed): the sessions
// that watch every call watch it too. For a call of this node the gateway joins their consoles
// to their processes' shared watches itself, all of a process at once, and writes each one's
// audit entry: no message to a session, no command from a console. The others (a call of
// another node, a console without a receiver, a call whose tap cannot be shared) are told to
// their sessions, which watch it as a `watch CALL` does.
void watch_new_call(gateway_self self, const std::string& call, const std::string& business,
                    const live_calls::row& r, const std::string& answered_at) {
  auto& st = self->state;
  std::map<std::shared_ptr<outbox>, std::vector<std::pair<std::uint64_t, const account*>>> boxes;
  std::vector<std::pair<caf::actor, std::uint64_t>> tell; // sessions, and their consoles (or 0)
  for (auto& [addr, w] : st.watch_all) {
    auto u = st.users.find(addr);
    if (u == st.users.end())
      continue;
    auto a = std::find_if(u->second.accounts.begin(), u->second.accounts.end(),
                          [&](const account& x) { return x.business_id == business; });
    if (a == u->second.accounts.end())
      continue;
    auto b = st.box_of.find(addr);
    if (b != st.box_of.end() && r.node == st.svc.node_name && st.svc.taps)
      boxes[b->second.first].emplace_back(b->second.second, &*a);
    else
      tell.emplace_back(w.first, 0);
  }
  std::shared_ptr<call_tap> tap;
  if (!boxes.empty()) {
    tap = st.svc.taps->find(call);
    // A call taken over from a lost node numbers its turns after its saved ones: its watchers'
    // sessions read it (as does one not started here with turns already).
    if ((tap && tap->origin_ms() > 0) || (!tap && r.turns != 0)) {
      for (auto& [box, consoles] : boxes)
        for (auto& s : box->sessions)
          for (auto& [id, a] : consoles)
            if (s.second == id)
              tell.emplace_back(s.first, 0);
      boxes.clear();
    } else if (!tap) {
      tap = st.svc.taps->open(call); // the call's actors take it when they start
    }
  }
  if (!boxes.empty()) {
    json::object snapshot{{"type", "snapshot"}, {"call", call},        {"business", business},
                          {"caller", r.caller}, {"node", r.node},       {"status", r.status},
                          {"started_at", r.started_at}};
    if (!answered_at.empty())
      snapshot["answered_at"] = answered_at;
    auto first = std::make_shared<const std::string>(json::serialize(snapshot));
    for (auto& [box, consoles] : boxes) {
      std::vector<std::pair<std::uint64_t, caf::actor>> joiners;
      for (auto& [id, a] : consoles)
        joiners.emplace_back(id, caf::actor{});
      auto joined = join_box(*st.lines, box, call, tap, joiners, first);
      if (!joined)
        break; // the call has ended
      for (auto id : *joined)
        for (auto& [cid, a] : consoles)
          if (cid == id)
            for (auto& s : box->sessions)
              if (s.second == id) {
                auto& u = st.users[s.first.address()];
                auto& w = st.watch_all[s.first.address()];
                audit(st.svc, {business, a->user_id, u.email, st.svc.node_name, w.second, "watch",
                               call, "watch " + call, "done", "watching " + call});
              }
    }
  }
  for (auto& [session, unused] : tell)
    self->send(session, watch_one_atom::value, call);
}

caf::behavior gateway_fn(gateway_self self, gateway_services svc) {
  self->state.svc = std::move(svc);
  self->set_down_handler([self](caf::down_msg& dm) {
    for (auto b = self->state.boxes.begin(); b != self->state.boxes.end();) {
      auto& ss = b->second->sessions;
      auto gone = std::find_if(ss.begin(), ss.end(), [&](const auto& s) {
        return s.first.address() == dm.source;
      });
      if (gone != ss.end()) {
        {
          std::lock_guard lock(b->second->mtx);
          for (auto& [business, to] : b->second->follows)
            if (to && std::binary_search(to->begin(), to->end(), gone->second))
              to = with(to, gone->second, false);
          b->second->wants_feed.erase(gone->second);
        }
        leave_shared(*b->second, gone->second, nullptr);
        ss.erase(gone);
        self->state.box_of.erase(dm.source);
      }
      b = ss.empty() ? self->state.boxes.erase(b) : std::next(b);
    }
    self->state.users.erase(dm.source);
    self->state.watch_all.erase(dm.source);
    auto& m = self->state.by_business;
    bool session = false;
    for (auto it = m.begin(); it != m.end();) {
      session = session || it->second.address() == dm.source;
      it = it->second.address() == dm.source ? m.erase(it) : std::next(it);
    }
    if (session && self->state.svc.feed_unwant)
      self->state.svc.feed_unwant(); // one user fewer of the feed: its session ended
    auto& tapped = self->state.tapped;
    auto a = tapped.lower_bound(std::make_pair(dm.source, std::string()));
    auto b = a;
    for (; b != tapped.end() && b->first.first == dm.source; ++b)
      if (auto t = b->second.tap.lock())
        t->unsubscribe(b->second.id);
    tapped.erase(a, b);
  });
  return {
      [self](console_batch_ack_atom, std::uint64_t seq) {
        auto& st = self->state;
        auto it = st.boxes.find(self->current_sender() ? self->current_sender()->address()
                                                       : caf::actor_addr{});
        if (it != st.boxes.end() && seq > it->second->acked && seq <= it->second->seq)
          it->second->acked = seq;
      },
      [self](tick_atom) { tick(self); },
      [self](watch_all_atom, bool on, const std::string& command_id) {
        auto session = caf::actor_cast<caf::actor>(self->current_sender());
        if (!session || !self->state.users.count(session.address()))
          return;
        if (on)
          self->state.watch_all[session.address()] = {session, command_id};
        else
          self->state.watch_all.erase(session.address());
      },
      [self](console_login& l) -> caf::result<console_welcome> {
        // Before the promise, which takes the sender over from the message.
        auto console = caf::actor_cast<caf::actor>(self->current_sender());
        auto rp = self->make_response_promise<console_welcome>();
        auto& st = self->state;
        auto refuse = [self, client = l.client](caf::typed_response_promise<console_welcome>& rp,
                                                const std::string& why) {
          auto& st = self->state;
          spdlog::warn("console: login of '{}' refused: {}", client.substr(0, 64), why);
          audit(st.svc, {"", "", "console " + client.substr(0, 64), st.svc.node_name, "", "login",
                         "", "", "refused", why});
          console_welcome no;
          no.refused = why;
          no.node = st.svc.node_name;
          rp.deliver(std::move(no));
        };
        if (l.protocol != proto::console_protocol) {
          refuse(rp, "console protocol " + std::to_string(l.protocol) + ", this node speaks " +
                         std::to_string(proto::console_protocol));
          return rp;
        }
        if (!console) {
          refuse(rp, "no console actor to send events to");
          return rp;
        }
        auto db = st.svc.db;
        bool queued = run_job(
            self,
            [db, token = l.token, want = st.svc.feed_want] {
              auto r = store::console_repo(*db).accounts(token);
              // The session about to start reads calls from the database: the feed must
              // listen before, so that no later change is missed.
              if (r && !r->empty() && want)
                want();
              return r;
            },
            [self, rp, console, client = l.client, receiver = l.receiver,
             refuse](expected<std::vector<store::console_account>> r) mutable {
              auto& st = self->state;
              if (!r)
                return refuse(rp, "the token could not be checked: " + r.error().message);
              if (r->empty())
                return refuse(rp, "unknown or revoked token");
              std::vector<account> accounts;
              console_welcome w;
              w.email = r->front().email;
              w.node = st.svc.node_name;
              for (auto& a : *r) {
                accounts.push_back({a.user_id, a.business_id, role_from(a.role).value_or(role::viewer)});
                w.businesses.push_back(a.business_id);
                w.roles.push_back(a.role);
              }
              std::shared_ptr<outbox> box;
              if (receiver && st.svc.batch_delay.count() > 0) {
                auto& b = st.boxes[receiver.address()];
                if (!b) {
                  b = std::make_shared<outbox>();
                  b->receiver = receiver;
                }
                box = b;
              }
              auto session = self->spawn(session_fn, st.svc, caf::actor_cast<caf::actor>(self),
                                         console, w.email, client, accounts, box, st.lines);
              self->monitor(session);
              if (box) {
                box->sessions.emplace_back(session, console.id());
                st.box_of.emplace(session.address(), std::make_pair(box, console.id()));
                std::lock_guard lock(box->mtx);
                box->wants_feed.insert(console.id()); // until the session says otherwise
                if (!st.ticking) {
                  st.ticking = true;
                  self->delayed_send(self, st.svc.batch_delay, tick_atom::value);
                }
              }
              for (auto& a : accounts)
                st.by_business.emplace(a.business_id, session);
              st.users[session.address()] = {w.email, accounts};
              w.session = session;
              spdlog::info("console: {} logged in from '{}' ({} businesses)", w.email,
                           client.substr(0, 64), accounts.size());
              for (auto& a : accounts)
                audit(st.svc, {a.business_id, a.user_id, w.email, st.svc.node_name, "", "login",
                               "", client.substr(0, 200), "done", ""});
              rp.deliver(std::move(w));
            });
        if (!queued)
          refuse(rp, "the node is stopping");
        return rp;
      },
      [self](proto::steer_request& r) -> caf::result<console_reply> {
        if (r.subscriber)
          return tap_here(self, r);
        // Another node's console steers a call this node runs; that node checked scope and role.
        auto rp = self->make_response_promise<console_reply>();
        auto& st = self->state;
        auto cmd = parse_command(r.line);
        if (!cmd || cmd->call != r.call_id || !st.svc.steer) {
          rp.deliver(console_reply{"", to_string(result::failed),
                                   cmd ? "this node cannot steer calls" : cmd.error().message,
                                   "null"});
          return rp;
        }
        auto me = caf::actor_cast<caf::actor>(self);
        auto id = ++st.next_job;
        auto out = std::make_shared<std::pair<result, std::string>>(result::failed, "no answer");
        st.jobs.emplace(id, [rp, out]() mutable {
          rp.deliver(console_reply{"", to_string(out->first), out->second, "null"});
        });
        st.svc.steer(st.svc.node_name, r.call_id, *cmd, r.email,
                     [me, id, out](result res, std::string detail) {
                       *out = {res, std::move(detail)};
                       caf::anon_send(me, job_done_atom::value, id);
                     });
        return rp;
      },
      [self](feed_item& f) {
        auto& st = self->state;
        auto [a, b] = st.by_business.equal_range(f.business_id);
        if (f.kind != "call" || (a == b && !st.svc.live))
          return;
        // Read once here, not once per session; every session gets the same message. Read
        // into a buffer of its own: a row is read for every change of every call.
        boost::system::error_code ec;
        unsigned char buf[8192];
        json::monotonic_resource mr(buf, sizeof buf);
        auto v = json::parse(f.data, ec, &mr);
        if (ec || !v.is_object())
          return;
        auto& d = v.as_object();
        if (st.svc.live) {
          auto* end = d.if_contains("ended_at");
          bool ended = end && !end->is_null();
          auto call = str_of(d, "id");
          auto node = str_of(d, "node");
          live_calls::row row{f.business_id, node, str_of(d, "caller"), str_of(d, "status"),
                              str_of(d, "started_at"), int_of(d, "turns")};
          if (st.svc.live->update(call, row, ended) && !st.watch_all.empty())
            watch_new_call(self, call, f.business_id, row, str_of(d, "answered_at"));
          // A tap a watch opened before the call's actors started (watch_here) has no actors
          // to close it if the call ends first; its subscribers hear the end now. The call's
          // own actors closed it already otherwise.
          if (ended && node == st.svc.node_name && st.svc.taps)
            st.svc.taps->close(call, str_of(d, "end_reason").empty() ? str_of(d, "status")
                                                                      : str_of(d, "end_reason"));
        }
        if (a == b)
          return;
        auto line = json::serialize(call_event(d, f.business_id, &mr));
        // A console process's consoles that follow the call list get the change from here,
        // once for all of them; a session with an outbox gets it only if one of its watches
        // needs it.
        auto shared = std::make_shared<const std::string>(line);
        bool feed_wanted = false;
        for (auto& [addr, box] : st.boxes) {
          std::lock_guard lock(box->mtx);
          if (auto to = box->follows.find(f.business_id); to != box->follows.end())
            box->add(shared, to->second);
          feed_wanted = feed_wanted || !box->wants_feed.empty();
        }
        caf::message msg;
        for (auto it = a; it != b; ++it) {
          if (auto in = st.box_of.find(it->second.address()); in != st.box_of.end()) {
            auto& [box, cid] = in->second;
            if (!feed_wanted)
              continue;
            std::lock_guard lock(box->mtx);
            if (!box->wants_feed.count(cid))
              continue;
          }
          if (msg.empty())
            msg = caf::make_message(feed_line_atom::value, f.business_id, str_of(d, "id"), line,
                                    f.data);
          self->send(it->second, msg);
        }
      },
      [self](job_done_atom, std::uint64_t id) { continue_job(self->state, id); },
  };
}

} // namespace

caf::actor spawn_gateway(caf::actor_system& sys, gateway_services s) {
  if (!s.audits)
    s.audits = std::make_shared<audit_queue>();
  if (!s.live)
    s.live = std::make_shared<live_calls>();
  return sys.spawn(gateway_fn, std::move(s));
}

void feed(const caf::actor& gateway, std::int64_t id, const std::string& business_id,
          const std::string& kind, const std::string& data) {
  caf::anon_send(gateway, feed_item{id, business_id, kind, data});
}

} // namespace frontdesk::console
