#pragma once

// A node's console gateway: logs operator consoles in with a staff token and gives each a
// session actor scoped to its user's businesses and roles. Every verb goes through the
// session, which checks scope and role on the node and writes the audit log; the sessions
// learn of calls from the node's live feed (the database's 'frontdesk_live' events, which
// every node's calls publish), so a console on any node sees the whole cluster's calls. A
// watched call's turns, latencies, states and end come straight from its tap on the node that
// runs it (one message per event for all of that node's subscribers); the database serves a
// watch's snapshot when it attaches. A session batches what it sends its console.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

namespace frontdesk {
class worker_pool;
namespace store {
class database;
}
} // namespace frontdesk

namespace frontdesk::console {

struct command;
enum class result;
class call_taps;
class live_calls;
class audit_queue;

/// What the gateway and its sessions use.
struct gateway_services {
  store::database* db = nullptr;
  worker_pool* pool = nullptr; // database reads and audit writes (never on actor threads)
  /// The node's live feed follows the database's events only while a console is logged in:
  /// `feed_want` is called on a pool thread before a login's session starts and may wait
  /// until the feed listens; `feed_unwant` when a session ends (on the gateway; never blocks).
  /// Unset: the feed is always on.
  std::function<void()> feed_want;
  std::function<void()> feed_unwant;
  std::string node_name;
  /// Event batches (console_event messages) a console may leave unacknowledged before it is
  /// dropped (it stopped reading).
  std::size_t max_unacked = 4096;
  /// The business's calendar actor (a `proto::calendar_actor`, wherever it lives): `cancel`
  /// goes through it as a phone cancellation does. Unset: appointments cannot be cancelled here.
  std::function<caf::actor(const std::string& business_id)> calendar_route;
  /// Carries a steering verb out on a live call that node `node` runs, for staff `email`;
  /// `done` is called exactly once, from any thread, and must not wait on the call. Unset:
  /// steering answers not_applicable.
  std::function<void(const std::string& node, const std::string& call_id, const command& c,
                     const std::string& email, std::function<void(result, std::string)> done)>
      steer;
  /// The node's live calls' taps: consoles watching a call here get its states and partial
  /// words, and listening ones its audio. Unset: watches carry turns only, listen is not
  /// applicable.
  std::shared_ptr<call_taps> taps;
  /// The live feed's last word on each call that has not ended (kept by the gateway): a watch
  /// of a call that has just started here opens its tap without reading its row (made by
  /// spawn_gateway).
  std::shared_ptr<live_calls> live;
  /// Subscribes `subscriber` (a session) to the tap of call `call_id` on another node `node`
  /// (`line`: "watch CALL", "listen CALL" or "unwatch CALL"); `done` as for `steer`. Unset:
  /// only this node's calls can be tapped.
  std::function<void(const std::string& node, const std::string& call_id, const std::string& line,
                     const std::string& email, const caf::actor& subscriber,
                     std::function<void(result, std::string)> done)>
      tap_route;
  /// Audio events a listening console may leave unacknowledged; more wait in a queue of
  /// `audio_queue` events, where the oldest are dropped (a slow console hears gaps, the call
  /// never waits).
  std::size_t audio_window = 32;
  std::size_t audio_queue = 150; // 3 s of one call's two legs
  /// How long a session gathers events before sending them to its console as one message
  /// (0: each at once).
  std::chrono::milliseconds batch_delay{20};
  /// Audit entries waiting to be written together (made by spawn_gateway).
  std::shared_ptr<audit_queue> audits;
};

/// Spawns the gateway (a `proto::console_gateway_actor`).
caf::actor spawn_gateway(caf::actor_system& sys, gateway_services s);

/// Hands one live feed event to the gateway (any thread; never blocks).
void feed(const caf::actor& gateway, std::int64_t id, const std::string& business_id,
          const std::string& kind, const std::string& data);

} // namespace frontdesk::console
