#pragma once

// A node's part in the cluster: its member actor on the cluster port, the live set, where each
// business's calendar lives, and what happens to a lost node's calls. Included by the node and
// the cluster's own files only (it names CAF's forward declarations).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/cluster/membership.hpp"
#include "protocols/core/expected.hpp"

namespace frontdesk {
struct config;
namespace metrics {
class registry;
}
} // namespace frontdesk

namespace frontdesk::cluster {

/// The `[cluster]` settings a node or console runs with.
struct settings {
  std::string node_name;   // node.name
  std::string listen;      // HOST:PORT of this node's cluster port; empty: no cluster
  std::string seeds;       // HOST:PORT,... of nodes to join through (any one that answers)
  std::string public_url;  // this node's own media base URL (node.public_url)
  std::uint32_t max_calls = 0;
  bool insecure = false;   // plain TCP (tests on loopback only); otherwise mutual TLS
  std::string certificate, key, cafile;
  std::chrono::milliseconds heartbeat{1000};       // CAF heartbeat interval on every link
  std::chrono::milliseconds timeout{5000};         // a link silent this long is dropped
  std::chrono::milliseconds connect_timeout{2000}; // one connect attempt, dead or silent peer
  std::chrono::milliseconds request_timeout{3000}; // one cross-node request
  std::chrono::milliseconds orphan_grace{2000};    // a lost node's calls are finished after this
  double spread_above = 0.8; // a node loaded past this share of max_calls sends new calls on
};

/// Failure is detected by CAF's heartbeats and connection timeout alone (settings::heartbeat,
/// settings::timeout). A node's gossip (its load, businesses and members) goes out when it
/// changed, else only once every `gossip_every_beats` heartbeats (news of members missed); it
/// writes that it is alive to the database every `alive_every_beats` heartbeats.
inline constexpr unsigned gossip_every_beats = 5;
inline constexpr unsigned alive_every_beats = 2;

/// The cluster settings of a node's (or console's) configuration.
settings settings_from(const config& cfg);

/// Why the settings cannot work (a missing certificate file, a malformed address), or nothing.
std::optional<std::string> check(const settings& s);

/// Loads CAF's middleman (and, unless insecure, its TLS module with the node's certificate, key
/// and the cluster CA) into an actor system's configuration, with heartbeats, the connection
/// timeout and the cluster's application identifier set explicitly (CAF 0.17 has them off).
/// Also registers the cluster protocol's message types.
void configure(caf::actor_system_config& cfg, const settings& s);

/// What the node lends the cluster.
struct hooks {
  /// Calls live on this node now (its load).
  std::function<std::uint32_t()> live_calls;
  /// Spawns the business's calendar actor on this node (a `proto::calendar_actor`).
  std::function<caf::actor(const std::string& business_id)> spawn_calendar;
  /// Called every `alive_every_beats` heartbeats: the node writes that it is alive where every node can read it
  /// (the database), so that a survivor can tell a dead node from one only it lost sight of.
  /// Must not block (queue the work).
  std::function<void()> alive;
  /// Finishes the calls recorded on a lost node that are still open, unless that node has
  /// written that it is alive recently: then it calls `again()`, and the cluster asks again a
  /// heartbeat later while the node stays lost. Must not block (queue the work).
  std::function<void(const std::string& node_name, std::function<void()> again)> finish_calls_of;
  metrics::registry* metrics = nullptr;
  /// The node's console gateway (a `proto::console_gateway_actor`): consoles log in through
  /// the member actor, and other nodes' consoles steer this node's calls through it. Unset:
  /// consoles are refused.
  std::function<caf::actor()> console_gateway;
};

/// The cluster as this node takes part in it.
class node_cluster {
public:
  /// Publishes the member actor on `s.listen` and starts joining through the seeds (in the
  /// background: a node whose seeds are all down starts alone and keeps trying).
  static expected<std::unique_ptr<node_cluster>> start(caf::actor_system& sys, settings s,
                                                       hooks h);
  ~node_cluster();

  /// The port the member actor listens on (the OS's choice when `listen` says port 0).
  std::uint16_t port() const;
  /// The actor the node's calls send a business's calendar tools to (a `proto::calendar_actor`
  /// that routes each request to the business's home node).
  caf::actor calendar_route(const std::string& business_id);
  /// The live set as this node sees it now, this node included.
  std::vector<member> members() const;
  /// Which node should carry a new call (see place_call in membership.hpp): its name and
  /// public URL. Counts the call against that node until it next reports its load.
  std::pair<std::string, std::string> place_call();
  /// The node whose calendar actor serves `business_id` now.
  std::string home_of(const std::string& business_id) const;
  /// The node is stopping: from now on it reports no room, so the other nodes send it no new
  /// calls, and the calls its own webhook takes go to another node with room.
  void drain();
  /// Sends a console's steering command to the gateway of node `node` (bounded by the request
  /// timeout); `done(result, detail)` runs once, on an actor thread.
  void steer(const std::string& node, const std::string& call_id, const std::string& line,
             const std::string& email, std::function<void(std::string, std::string)> done);
  /// The same with a subscriber: a console session's subscription to a call's tap there.
  void steer(const std::string& node, const std::string& call_id, const std::string& line,
             const std::string& email, const caf::actor& subscriber,
             std::function<void(std::string, std::string)> done);
  /// Stops the member actor (links close; the other nodes see this node leave).
  void stop();

  struct impl;

private:
  explicit node_cluster(std::shared_ptr<impl> d);
  std::shared_ptr<impl> impl_;
};

/// Asks the node at `host:port` for its live set, as a console (bounded by `s.connect_timeout`
/// and `s.request_timeout`). Starts and stops an actor system of its own.
expected<std::vector<member>> query_status(const settings& s, const std::string& host,
                                           std::uint16_t port);

} // namespace frontdesk::cluster
