#include "actors/call/calendar_actor.hpp"

#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/calendar/calendar.hpp"
#include "actors/calendar/profile_cache.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/workers/serial.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk::call {
namespace {

using proto::tool_done_atom;

// One call's tools: they run in the order the call sent them (a release before the next
// hold, a hold before its booking), on a queue of the call's own.
struct call_lane {
  std::shared_ptr<serial_queue> queue;
  std::size_t in_flight = 0; // tools queued or running
  bool holds = false;        // a reply gave the call a hold that nothing released since
};

struct calendar_state {
  calendar_state() = default;
  std::uint64_t next = 0;
  struct waiting {
    caf::typed_response_promise<proto::tool_reply> promise;
    std::string call_id;
  };
  std::unordered_map<std::uint64_t, waiting> pending;
  std::unordered_map<std::string, call_lane> lanes; // by call id; gone once idle and holding nothing
};

proto::tool_reply to_reply(const dialog::tool_result& r) {
  return {r.name, r.ok, r.values, r.options, r.option_values};
}

proto::calendar_actor::behavior_type
calendar_fn(proto::calendar_actor::stateful_pointer<calendar_state> self,
            booking::calendar_service* service, worker_pool* pool, const frontdesk::clock* clk,
            std::string business_id, booking::profile_cache* node_profiles) {
  // The node's cache; without one, a cache of the actor's own that its queued jobs keep alive.
  auto own = node_profiles ? nullptr
                           : std::make_shared<booking::profile_cache>(std::chrono::seconds(30));
  auto* profiles = node_profiles ? node_profiles : own.get();
  return {
      [=](proto::tool_request& req) -> caf::result<proto::tool_reply> {
        auto& st = self->state;
        auto& lane = st.lanes[req.call_id];
        // The release a call's end sends in any case (see the supervisor): nothing to do when
        // this call holds nothing and has no tool under way that could have taken a hold. (A
        // hold taken on another node, before a take-over, goes with the call's record.)
        if (req.name == "release_slot" && req.args.count("call_ended") && !lane.holds &&
            lane.in_flight == 0) {
          st.lanes.erase(req.call_id);
          return proto::tool_reply{req.name, true, {{"released", "none"}}, {}, {}};
        }
        if (!lane.queue)
          lane.queue = std::make_shared<serial_queue>(*pool);
        auto id = ++st.next;
        auto rp = self->make_response_promise<proto::tool_reply>();
        st.pending.emplace(id, calendar_state::waiting{rp, req.call_id});
        ++lane.in_flight;
        auto me = caf::actor_cast<proto::calendar_actor>(self);
        auto name = req.name;
        auto call_id = req.call_id;
        bool queued = lane.queue->post([service, clk, business_id, profiles, own, me, id,
                                        req = std::move(req)] {
          dialog::tool_result r{req.name, false, {}, {}, {}};
          auto now = std::chrono::steady_clock::now();
          auto profile = profiles->fresh(business_id, now);
          if (!profile) {
            if (auto p = service->profile(business_id))
              profile = profiles->put(std::move(*p), now);
            else
              spdlog::error("calendar {}: {}", business_id, p.error().message);
          }
          if (profile)
            r = service->run(*profile, req.call_id, {req.name, req.args},
                             clk ? clk->now() : std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
          caf::anon_send(me, tool_done_atom::value, id, to_reply(r));
        });
        if (!queued) { // the pool is stopping: answer at once
          st.pending.erase(id);
          if (--lane.in_flight == 0 && !lane.holds)
            st.lanes.erase(call_id);
          return proto::tool_reply{name, false, {}, {}, {}};
        }
        return rp;
      },
      [=](tool_done_atom, std::uint64_t id, proto::tool_reply& r) {
        auto& st = self->state;
        auto it = st.pending.find(id);
        if (it == st.pending.end())
          return;
        auto call_id = std::move(it->second.call_id);
        if (auto l = st.lanes.find(call_id); l != st.lanes.end()) {
          auto& lane = l->second;
          // A hold is taken by check_slot or hold_slot (the reply names it); a release, a
          // booking (the hold becomes it) or a move (it drops the call's holds first) ends it.
          if (r.values.count("hold_id"))
            lane.holds = true;
          else if (r.name == "release_slot" || r.name == "reschedule" ||
                   (r.name == "book" && r.ok))
            lane.holds = false;
          if (--lane.in_flight == 0 && !lane.holds)
            st.lanes.erase(l);
        }
        it->second.promise.deliver(std::move(r));
        st.pending.erase(it);
      },
  };
}

} // namespace

proto::calendar_actor spawn_calendar_actor(caf::actor_system& sys,
                                           booking::calendar_service& service, worker_pool& pool,
                                           const frontdesk::clock* clk, std::string business_id,
                                           booking::profile_cache* profiles) {
  return sys.spawn(calendar_fn, &service, &pool, clk, std::move(business_id), profiles);
}

} // namespace frontdesk::call
