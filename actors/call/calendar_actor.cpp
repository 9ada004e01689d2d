#include "actors/call/calendar_actor.hpp"

#include <functional>
#include <mutex>
#include <optional>
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
// The id of the tool_done a worker sends when it read the business's busy time (or a hold's
// write failed): tools' ids start at 1.
constexpr std::uint64_t view_read_id = 0;
using steady = std::chrono::steady_clock;

// One call's tools: they run in the order the call sent them (a release before the next
// hold, a hold before its booking), on a queue of the call's own.
struct call_lane {
  std::shared_ptr<serial_queue> queue;
  std::size_t in_flight = 0; // tools queued or running
  bool holds = false;        // a reply gave the call a hold that nothing released since
  std::size_t parked = 0;    // tools waiting for the view's first read
};

// A read of the business's busy time, handed from the worker that made it to the actor.
struct view_read {
  std::mutex mtx;
  std::optional<booking::slot_view> view; // none: the read failed
  std::shared_ptr<const booking::business_profile> profile;
  std::uint64_t mark = 0; // the view's mark when the read was sent off
  steady::time_point sent_at;
  bool done = false;  // a read finished (the fields above are its)
  bool again = false; // a hold's write failed: the view missed something, read it again
};

struct calendar_state {
  calendar_state() = default;
  std::uint64_t next = 0;
  struct waiting {
    caf::typed_response_promise<proto::tool_reply> promise;
    std::string call_id;
    dialog::tool_call tool;
  };
  std::unordered_map<std::uint64_t, waiting> pending;
  std::unordered_map<std::string, call_lane> lanes; // by call id; gone once idle and holding nothing
  // The business's busy time as last read, with what the tools changed since; the profile it
  // was read with; when that read was sent off.
  std::optional<booking::slot_view> view;
  std::shared_ptr<const booking::business_profile> profile;
  steady::time_point view_at;
  bool reading = false;   // a read is under way
  bool read_again = false; // something changed while it was: read once more when it comes
  std::shared_ptr<view_read> read = std::make_shared<view_read>();
  // Tools that wait for the first read (so as not to queue for the database meanwhile).
  std::vector<std::pair<proto::tool_request, caf::typed_response_promise<proto::tool_reply>>>
      parked;
};

using reply_promise = caf::typed_response_promise<proto::tool_reply>;

proto::tool_reply to_reply(const dialog::tool_result& r) {
  return {r.name, r.ok, r.values, r.options, r.option_values};
}

proto::calendar_actor::behavior_type
calendar_fn(proto::calendar_actor::stateful_pointer<calendar_state> self,
            booking::calendar_service* service, worker_pool* pool, const frontdesk::clock* clk,
            std::string business_id, booking::profile_cache* node_profiles,
            std::chrono::milliseconds view_ttl) {
  // The node's cache; without one, a cache of the actor's own that its queued jobs keep alive.
  auto own = node_profiles ? nullptr
                           : std::make_shared<booking::profile_cache>(std::chrono::seconds(30));
  auto* profiles = node_profiles ? node_profiles : own.get();
  auto now_of = [clk] {
    return clk ? clk->now()
               : std::chrono::time_point_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now());
  };
  // Reads the business's busy time on a worker (never on this actor's thread: it blocks).
  auto start_read = [=] {
    auto& st = self->state;
    if (st.reading) {
      st.read_again = true;
      return;
    }
    st.reading = true;
    st.read_again = false;
    auto mark = st.view ? st.view->mark() : 0;
    auto me = caf::actor_cast<proto::calendar_actor>(self);
    bool posted = pool->post([service, profiles, own, business_id, me, mark, box = st.read,
                              now_of] {
      auto sent_at = steady::now();
      auto profile = profiles->fresh(business_id, sent_at);
      if (!profile) {
        if (auto p = service->profile(business_id))
          profile = profiles->put(std::move(*p), sent_at);
      }
      std::optional<booking::slot_view> view;
      if (profile) {
        if (auto v = service->read_view(*profile, now_of()))
          view = std::move(*v);
        else
          spdlog::warn("calendar {}: busy time not read: {}", business_id, v.error().message);
      }
      {
        std::lock_guard lk(box->mtx);
        box->view = std::move(view);
        box->profile = std::move(profile);
        box->mark = mark;
        box->sent_at = sent_at;
        box->done = true;
      }
      caf::anon_send(me, tool_done_atom::value, view_read_id, proto::tool_reply{});
    });
    if (!posted)
      st.reading = false;
  };
  // Whether the view may answer now; starts a read when it is old or missing. A view whose
  // next read is under way answers for longer (on starved cores a read can take seconds; what
  // this actor's tools changed is in the view meanwhile, and the database decides bookings).
  auto view_usable = [=] {
    auto& st = self->state;
    auto age = steady::now() - st.view_at;
    if ((!st.view || age > view_ttl) && !st.reading)
      start_read();
    return st.view && st.profile &&
           (age <= view_ttl * 10 || (st.reading && age <= view_ttl * 30));
  };
  // Answers a tool from the view, parks it until the first read, or runs it on the call's
  // queue against the database; `rp` gets the reply.
  auto dispatch = [=](proto::tool_request req, reply_promise rp) {
    auto& st = self->state;
    auto& lane = st.lanes[req.call_id];
    bool slot = req.name == "check_slot" || req.name == "hold_slot";
    // Before the first read is back, a check (and what its call sends after it) waits
    // for it rather than for a database connection.
    if (((slot && lane.in_flight == 0) || lane.parked > 0) && !st.view && st.reading) {
      ++lane.parked;
      st.parked.emplace_back(std::move(req), std::move(rp));
      return;
    }
    // A slot checked from the view, when nothing of this call's is still under way (its
    // tools keep their order): no database connection waited for.
    if (slot && lane.in_flight == 0 && view_usable()) {
      auto now = now_of();
      auto a = booking::calendar_service::answer_from_view(*st.profile, *st.view, req.call_id,
                                                           {req.name, req.args}, now);
      // The view answers "free" (the database arbitrates the booking) and every refusal but
      // "taken": a slot another writer freed since the last read (a cancellation on the
      // dashboard, by text, in Google) is confirmed against the database before the caller
      // hears it is taken.
      if (a && !a->result.ok) {
        auto why = a->result.values.find("reason");
        if (why != a->result.values.end() && why->second == "taken")
          a.reset();
      }
      if (a) {
        if (a->hold) {
          auto& h = *a->hold;
          st.view->hold(h.call_id, h.appointment_id, h.start, h.end, h.expires);
          lane.holds = true;
          if (!lane.queue)
            lane.queue = std::make_shared<serial_queue>(*pool);
          // Written behind the reply, before anything else of the call's (its booking).
          auto me = caf::actor_cast<proto::calendar_actor>(self);
          lane.queue->post([service, business_id, me, hold = h, now, box = st.read] {
            auto w = service->write_hold(business_id, hold, now);
            if (!w) {
              spdlog::warn("calendar {}: hold {} not written: {}", business_id,
                           hold.appointment_id, w.error().message);
              {
                std::lock_guard lk(box->mtx);
                box->again = true; // read again: something the view missed took it
              }
              caf::anon_send(me, tool_done_atom::value, view_read_id, proto::tool_reply{});
            }
          });
        } else if (!lane.holds && lane.in_flight == 0) {
          st.lanes.erase(req.call_id);
        }
        rp.deliver(to_reply(a->result));
        return;
      }
    }
    if (req.name == "release_slot")
      if (st.view)
        st.view->release(req.call_id); // at once; the database's row goes on the call's queue
    // The release a call's end sends in any case (see the supervisor): nothing to do when
    // this call holds nothing and has no tool under way that could have taken a hold. (A
    // hold taken on another node, before a take-over, goes with the call's record.)
    if (req.name == "release_slot" && req.args.count("call_ended") && !lane.holds &&
        lane.in_flight == 0) {
      st.lanes.erase(req.call_id);
      rp.deliver(proto::tool_reply{req.name, true, {{"released", "none"}}, {}, {}});
      return;
    }
    if (!lane.queue)
      lane.queue = std::make_shared<serial_queue>(*pool);
    auto id = ++st.next;
    st.pending.emplace(id, calendar_state::waiting{rp, req.call_id, {req.name, req.args}});
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
      rp.deliver(proto::tool_reply{name, false, {}, {}, {}});
    }
  };
  // A worker read the business's busy time, or found that the view missed something.
  auto on_view_read = [=] {
    auto& st = self->state;
    auto& box = *st.read;
    bool finished = false, again = false;
    {
      std::lock_guard lk(box.mtx);
      std::swap(finished, box.done);
      std::swap(again, box.again);
      if (finished) {
        if (box.profile)
          st.profile = box.profile;
        if (box.view) {
          if (st.view)
            st.view->replace(std::move(*box.view), box.mark);
          else
            st.view = std::move(box.view);
          st.view_at = box.sent_at;
        }
        box.view.reset();
      }
    }
    if (finished)
      st.reading = false;
    if (again || (finished && st.read_again))
      start_read();
    // The tools that waited for the first read go on: from the view, or to the database if
    // the read failed.
    if (finished && !st.parked.empty()) {
      auto parked = std::move(st.parked);
      st.parked.clear();
      for (auto& p : parked)
        if (auto l = st.lanes.find(p.first.call_id); l != st.lanes.end() && l->second.parked > 0)
          --l->second.parked;
      for (auto& [req, rp] : parked)
        dispatch(std::move(req), std::move(rp));
    }
  };
  // Read at once: the actor starts with its business's first call, whose caller is still
  // hearing the greeting, so the view is there by the time a slot is asked for.
  start_read();
  return {
      [=](proto::tool_request& req) -> caf::result<proto::tool_reply> {
        auto rp = self->make_response_promise<proto::tool_reply>();
        dispatch(std::move(req), rp);
        return rp;
      },
      [=](tool_done_atom, std::uint64_t id, proto::tool_reply& r) {
        if (id == view_read_id)
          return on_view_read();
        auto& st = self->state;
        auto it = st.pending.find(id);
        if (it == st.pending.end())
          return;
        auto call_id = std::move(it->second.call_id);
        // What the tool changed goes into the view at once, and the view is read again.
        if (st.view && r.ok) {
          auto& tool = it->second.tool;
          std::optional<booking::busy_entry> took;
          if (st.profile) // before the move's old appointment leaves the view (its length)
            took = booking::calendar_service::taken_by(
                *st.profile, *st.view, call_id, tool,
                {r.name, r.ok, r.values, r.options, r.option_values}, now_of());
          if (r.name == "cancel" || r.name == "reschedule")
            st.view->cancelled(tool.args.count("appointment_id") ? tool.args.at("appointment_id")
                                                                 : std::string());
          if (r.name == "book" || r.name == "reschedule")
            st.view->release(call_id); // its hold became the booking (or was dropped)
          if (took)
            st.view->took(*took);
        }
        if (r.name == "book" || r.name == "cancel" || r.name == "reschedule" ||
            r.name == "check_slot" || r.name == "hold_slot" || r.name == "release_slot")
          if (st.view || st.reading)
            start_read();
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
                                           booking::profile_cache* profiles,
                                           std::chrono::milliseconds view_ttl) {
  return sys.spawn(calendar_fn, &service, &pool, clk, std::move(business_id), profiles, view_ttl);
}

} // namespace frontdesk::call
