#pragma once

#include <chrono>
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
/// A check_slot or hold_slot is answered from the actor's view of the business's busy time
/// (booking::slot_view), without waiting for a database connection: read on a worker when the
/// actor starts, again
/// when it is `view_ttl` old and a tool asks, and after every change the actor's tools make;
/// a free slot is held in the view at once and written to the database behind the reply, on
/// the call's queue (so the call's booking comes after it). The tool goes to the database
/// instead while the view is being read for the first time, is 10 `view_ttl` old (its reads
/// fail), or when the call has a tool still under way, and for a free slot of a business whose
/// linked calendar must be asked live. Bookings, cancellations and moves always run against
/// the database, which decides: a slot the view thought free but someone else took meanwhile
/// is refused at booking, with the three nearest alternatives.
///
/// Include only from actor code (the interface pulls in CAF).
proto::calendar_actor
spawn_calendar_actor(caf::actor_system& sys, booking::calendar_service& service, worker_pool& pool,
                     const frontdesk::clock* clk, std::string business_id,
                     booking::profile_cache* profiles = nullptr,
                     std::chrono::milliseconds view_ttl = std::chrono::seconds(2));

} // namespace frontdesk::call
