#pragma once

// The cluster's pure membership logic: which nodes are live, what each last said about itself,
// and which node is a business's home. No actors, no sockets: the member actor
// (cluster_actor.cpp) feeds it events and acts on what it returns.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::cluster {

/// What a node says about itself (in join requests and gossip).
struct member {
  std::string name;         // node.name: unique in the cluster
  std::string address;      // HOST:PORT of its cluster port
  std::string public_url;   // its own media WebSocket base URL (node.public_url)
  std::uint64_t incarnation = 0; // when this run of the node started (µs since the epoch)
  std::uint32_t live_calls = 0;
  std::uint32_t max_calls = 0;
  std::vector<std::string> businesses; // businesses whose calendar actors live there now
  bool operator==(const member&) const = default;
};

/// What one event did to the live set.
enum class change {
  none,     // nothing new (a repeated join, or gossip from an older incarnation)
  joined,   // a node not live before
  updated,  // a live node's load or businesses changed
  replaced, // the same name, a newer incarnation: the node restarted
  left,     // a live node is gone
};

const char* to_string(change c);

/// The live set as this node sees it. Every node keeps one; they agree once every pair of nodes
/// is connected (each node connects to every member it learns of), since a node is live here
/// exactly while this node holds a monitored connection to it.
class member_table {
public:
  explicit member_table(member self);

  /// A node joined or sent news. A name seen with an older incarnation than the one held is
  /// ignored (late news from a node that has since restarted).
  change upsert(const member& m);

  /// A node's connection was lost. Only the incarnation held is removed: the down notice of a
  /// node that has already restarted and rejoined must not remove its new run.
  change remove(const std::string& name, std::uint64_t incarnation);

  /// This node's own entry (load and businesses are updated by the caller).
  member& self() { return self_; }
  const member& self() const { return self_; }

  /// Every live node, this one included, ordered by name.
  std::vector<member> live() const;
  /// Names of every live node, this one included, ordered.
  std::vector<std::string> live_names() const;
  std::size_t size() const { return others_.size() + 1; }

  /// The entry of a live node (this one included), if any.
  const member* find(std::string_view name) const;
  /// The live node at a cluster address, if any.
  const member* find_by_address(std::string_view address) const;

  /// Of the nodes a peer reports, those this node should connect to: not itself, not live
  /// here already with the same or a newer incarnation.
  std::vector<member> unknown_in(const std::vector<member>& reported) const;

private:
  member self_;
  std::vector<member> others_; // ordered by name
};

/// Rendezvous (highest random weight) hashing: the member with the highest weight for `key`.
/// Every node computes the same answer from the same live set; when a member leaves, only the
/// keys it held move, each to its next-highest member. Empty when `members` is.
std::string rendezvous_home(std::string_view key, const std::vector<std::string>& members);

/// The members ordered by their weight for `key`, highest first (the home, then its successors).
std::vector<std::string> rendezvous_order(std::string_view key, std::vector<std::string> members);

/// The weight of `member` for `key` (stable across processes and builds: FNV-1a + a mixer).
std::uint64_t rendezvous_weight(std::string_view member, std::string_view key);

/// Which live node should carry a new call: `self`, unless it is loaded past `spread_above`
/// (a share of its max_calls) and another node is below that share; then the least loaded one
/// by share. `placed` adds the calls sent to each node since its load was last reported, so a
/// burst of calls does not all go to the node that looked emptiest a moment ago.
std::string place_call(const std::vector<member>& live, const std::string& self,
                       double spread_above,
                       const std::map<std::string, std::uint32_t>& placed = {});

/// Parses "HOST:PORT[,HOST:PORT...]" (cluster.seeds); spaces around items are ignored. Returns
/// nothing when an item is malformed.
std::optional<std::vector<std::pair<std::string, std::uint16_t>>>
parse_addresses(std::string_view text);

} // namespace frontdesk::cluster
