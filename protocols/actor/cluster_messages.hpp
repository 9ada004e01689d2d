#pragma once

// The cluster protocol: what nodes (and the console) say to each other's member actor over CAF
// networking, with inspect() and a type-id block of its own after the call protocol's. Every
// node and console must be built from the same version of this header: CAF 0.17 does not check
// field layouts, so the version lives in `cluster_protocol`, the middleman's app identifier and
// every member list. Include this only from actor code.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "protocols/actor/console_messages.hpp"
#include "protocols/actor/interfaces.hpp"
#include "protocols/actor/messages.hpp"

namespace frontdesk::proto {

/// Bumped on any change of a message below; nodes of another version are refused.
inline constexpr std::uint32_t cluster_protocol = 1;
/// The middleman's application identifier: CAF refuses a handshake with a node of another.
inline constexpr const char* cluster_app_id = "frontdesk-cluster-1";

/// What a node says about itself.
struct member_info {
  std::string name;
  std::string address;
  std::string public_url;
  std::uint64_t incarnation = 0;
  std::uint32_t live_calls = 0;
  std::uint32_t max_calls = 0;
  std::vector<std::string> businesses;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_info& x) {
  return f(caf::meta::type_name("member_info"), x.name, x.address, x.public_url, x.incarnation,
           x.live_calls, x.max_calls, x.businesses);
}

/// A list of members, the sender's own entry first.
struct member_list {
  std::uint32_t protocol = cluster_protocol;
  std::vector<member_info> members;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_list& x) {
  return f(caf::meta::type_name("member_list"), x.protocol, x.members);
}

/// A dialog tool for a business whose calendar actor lives on the receiving node.
struct routed_tool {
  std::string business_id;
  tool_request request;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routed_tool& x) {
  return f(caf::meta::type_name("routed_tool"), x.business_id, x.request);
}

using join_atom = caf::atom_constant<caf::atom("join")>;
using gossip_atom = caf::atom_constant<caf::atom("gossip")>;
using status_atom = caf::atom_constant<caf::atom("clstatus")>;
using route_atom = caf::atom_constant<caf::atom("route")>;
using cluster_tick_atom = caf::atom_constant<caf::atom("cltick")>;
using lost_atom = caf::atom_constant<caf::atom("cllost")>;

/// What a console may ask a node: its live set, and a login (handed to the console gateway).
using console_member_actor =
    caf::typed_actor<caf::replies_to<status_atom>::with<member_list>,
                     caf::replies_to<console_login>::with<console_welcome>>;

/// A node's member actor, published on its cluster port: what other nodes may send it.
using member_actor = console_member_actor::extend<
    caf::replies_to<join_atom, member_list>::with<member_list>, // a node joins; its entry first
    caf::reacts_to<gossip_atom, member_list>,                   // every tick: its entry, its view
    caf::replies_to<routed_tool>::with<tool_reply>,             // a call elsewhere uses a calendar
    caf::replies_to<steer_request>::with<console_reply>>;       // a console steers a call here

/// The member actor as its own node sees it: also its timer, the local calendar routers'
/// requests and the grace timer for a lost node's calls.
using local_member_actor = member_actor::extend<
    caf::reacts_to<cluster_tick_atom>,
    caf::replies_to<route_atom, std::string, tool_request>::with<tool_reply>,
    caf::reacts_to<lost_atom, std::string, std::uint64_t>,
    caf::replies_to<steer_atom, std::string, steer_request>::with<console_reply>>; // to a node

} // namespace frontdesk::proto

CAF_BEGIN_TYPE_ID_BLOCK(frontdesk_cluster, caf::id_block::frontdesk::end)
  CAF_ADD_TYPE_ID(frontdesk_cluster, (frontdesk::proto::member_info))
  CAF_ADD_TYPE_ID(frontdesk_cluster, (frontdesk::proto::member_list))
  CAF_ADD_TYPE_ID(frontdesk_cluster, (frontdesk::proto::routed_tool))
CAF_END_TYPE_ID_BLOCK(frontdesk_cluster)

CAF_BEGIN_TYPE_ID_BLOCK(frontdesk_console, caf::id_block::frontdesk_cluster::end)
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_login))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_welcome))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_command))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_reply))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_event))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::feed_item))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::steer_request))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::tap_event))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_part))
  CAF_ADD_TYPE_ID(frontdesk_console, (frontdesk::proto::console_batch))
CAF_END_TYPE_ID_BLOCK(frontdesk_console)
