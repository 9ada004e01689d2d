#pragma once

#include <string>

#include "protocols/actor/interfaces.hpp"

namespace frontdesk {
class worker_pool;
class clock;
namespace booking {
class calendar_service;
class profile_cache;
} // namespace booking
} // namespace frontdesk

namespace frontdesk::call {

/// The business's calendar actor: one per business on a node, shared by all of the business's
/// calls. It runs the dialogs' tools (availability, holds, bookings, cancellations, moves,
/// knowledge look-ups) on workers (the database work blocks), with the business's profile read
/// through `profiles` (the node's cache, shared with its calls' dialogs; null: a cache of its
/// own, 30 s). A call's tools run one at a time in the order the call sent them; different
/// calls' tools run side by side. Two callers asking for the same slot are kept apart by the
/// database: the writers that take a slot (hold, book, move) go one at a time per business
/// under an advisory lock, and the exclusion constraint is the final guard across nodes.
/// The release a call's end sends is answered at once, without the database, when the call
/// holds nothing here.
///
/// Include only from actor code (the interface pulls in CAF).
proto::calendar_actor
spawn_calendar_actor(caf::actor_system& sys, booking::calendar_service& service, worker_pool& pool,
                     const frontdesk::clock* clk, std::string business_id,
                     booking::profile_cache* profiles = nullptr);

} // namespace frontdesk::call
