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

struct calendar_state {
  calendar_state() = default;
  std::shared_ptr<serial_queue> queue;
  std::uint64_t next = 0;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<proto::tool_reply>> pending;
};

proto::tool_reply to_reply(const dialog::tool_result& r) {
  return {r.name, r.ok, r.values, r.options, r.option_values};
}

proto::calendar_actor::behavior_type
calendar_fn(proto::calendar_actor::stateful_pointer<calendar_state> self,
            booking::calendar_service* service, worker_pool* pool, const frontdesk::clock* clk,
            std::string business_id, booking::profile_cache* node_profiles) {
  self->state.queue = std::make_shared<serial_queue>(*pool);
  // The node's cache; without one, a cache of the actor's own that its queued jobs keep alive.
  auto own = node_profiles ? nullptr
                           : std::make_shared<booking::profile_cache>(std::chrono::seconds(30));
  auto* profiles = node_profiles ? node_profiles : own.get();
  return {
      [=](proto::tool_request& req) -> caf::result<proto::tool_reply> {
        auto& st = self->state;
        auto id = ++st.next;
        auto rp = self->make_response_promise<proto::tool_reply>();
        st.pending.emplace(id, rp);
        auto me = caf::actor_cast<proto::calendar_actor>(self);
        auto name = req.name;
        bool queued = st.queue->post([service, clk, business_id, profiles, own, me, id,
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
          return proto::tool_reply{name, false, {}, {}, {}};
        }
        return rp;
      },
      [=](tool_done_atom, std::uint64_t id, proto::tool_reply& r) {
        auto& st = self->state;
        if (auto it = st.pending.find(id); it != st.pending.end()) {
          it->second.deliver(std::move(r));
          st.pending.erase(it);
        }
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
