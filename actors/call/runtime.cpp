// The call runtime: starts each call as an actor tree under its supervisor (supervisor.cpp) and
// keeps the businesses' calendar actors that the calls share.

#include "actors/call/runtime.hpp"
#include "actors/call/calendar_actor.hpp"
#include "actors/call/supervisor.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/media/media_actor.hpp"
#include "actors/vad/audio_route.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk::call {
namespace {

using namespace proto;

class actor_call_handle final : public call_handle {
public:
  explicit actor_call_handle(call_actor a, std::shared_ptr<audio_route> route = nullptr)
      : actor_(std::move(a)), route_(std::move(route)) {}
  ~actor_call_handle() override { caf::anon_send(actor_, stream_ended{"handle_released"}); }
  void audio(std::span<const std::uint8_t> mulaw, std::uint64_t ts) override {
    if (route_)
      hear(*route_, mulaw, ts); // on the connection's thread: see audio_route
    else
      caf::anon_send(actor_, audio_in{{mulaw.begin(), mulaw.end()}, ts});
  }
  void mark(std::string name) override { caf::anon_send(actor_, mark_played{std::move(name)}); }
  void dtmf(std::string digit) override { caf::anon_send(actor_, dtmf_in{std::move(digit)}); }
  void end(std::string reason) override { caf::anon_send(actor_, stream_ended{std::move(reason)}); }

private:
  call_actor actor_;
  std::shared_ptr<audio_route> route_;
};

class runtime final : public call_runtime {
public:
  runtime(caf::actor_system& sys, call_services services)
      : sys_(sys), services_(std::move(services)) {}

  std::shared_ptr<call_handle> start(call_info info, std::shared_ptr<media_out> out,
                                     std::function<void(call_report)> on_end) override {
    auto ended = services_.on_call_end && !services_.echo ? std::make_shared<const call_info>(info)
                                                          : nullptr;
    call_actor a;
    std::shared_ptr<audio_route> route;
    std::string call_id = info.call_id;
    if (services_.echo)
      a = spawn_echo(sys_, std::move(out), std::move(info), std::move(on_end));
    else {
      if (services_.on_call_start)
        services_.on_call_start(info);
      auto calendar = calendar_for(info.business_id);
      route = std::make_shared<audio_route>();
      route->recording = recording_pool(services_) != nullptr; // from the first frame
      auto sup = spawn_supervisor(sys_, std::move(info), std::move(out), std::move(on_end),
                                  &services_, std::move(calendar), route);
      {
        std::lock_guard lk(route->mtx);
        route->supervisor = sup;
      }
      {
        std::lock_guard lk(mtx_);
        by_call_id_[call_id] = sup;
      }
      a = sup;
    }
    {
      std::lock_guard lk(mtx_);
      actors_[a.id()] = a;
    }
    ++live_;
    // Runs however the actor ends (quit, exception, system shutdown).
    a->attach_functor([this, id = a.id(), call_id, ended = std::move(ended)] {
      {
        std::lock_guard lk(mtx_);
        actors_.erase(id);
        if (auto it = by_call_id_.find(call_id); it != by_call_id_.end() && it->second.id() == id)
          by_call_id_.erase(it);
        --live_;
      }
      if (ended)
        services_.on_call_end(*ended);
    });
    return std::make_shared<actor_call_handle>(std::move(a), std::move(route));
  }

  std::size_t live() const override { return live_.load(); }

  void end_all(const std::string& reason) override {
    std::lock_guard lk(mtx_);
    for (auto& [id, a] : actors_)
      caf::anon_send(a, stream_ended{reason});
  }

  bool control(const std::string& call_id, const std::string& verb, const std::string& arg,
               bool interrupt, std::function<void(std::string, std::string)> done) override {
    supervisor_actor sup;
    {
      std::lock_guard lk(mtx_);
      auto it = by_call_id_.find(call_id);
      if (it == by_call_id_.end())
        return false;
      sup = it->second;
    }
    // A helper asks the supervisor, bounded: the call answers between its own messages.
    sys_.spawn([sup, verb, arg, interrupt, done = std::move(done)](caf::event_based_actor* self) {
      self->request(sup, std::chrono::seconds(2), operator_atom::value, verb, arg, interrupt)
          .then([done](std::string& result, std::string& detail) { done(result, detail); },
                [done](caf::error& e) {
                  done("not_applicable", "the call has ended (" + caf::to_string(e) + ")");
                });
    });
    return true;
  }

  void shutdown() override {
    std::lock_guard lk(mtx_);
    for (auto& [id, c] : calendars_)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    calendars_.clear();
  }

  ~runtime() override { shutdown(); }

private:
  // The business's calendar actor, started with its first call on this node.
  calendar_actor calendar_for(const std::string& business_id) {
    if (!services_.calendar || !services_.blocking || business_id.empty())
      return {};
    std::lock_guard lk(mtx_);
    auto& c = calendars_[business_id];
    if (!c && services_.calendar_route)
      c = caf::actor_cast<calendar_actor>(services_.calendar_route(business_id));
    if (!c)
      c = spawn_calendar_actor(sys_, *services_.calendar,
                               services_.calendar_pool ? *services_.calendar_pool
                                                       : *services_.blocking,
                               services_.clk,
                               business_id, services_.profiles);
    return c;
  }

  caf::actor_system& sys_;
  call_services services_;
  std::atomic<std::size_t> live_{0};
  std::mutex mtx_;
  std::unordered_map<caf::actor_id, call_actor> actors_;
  std::unordered_map<std::string, supervisor_actor> by_call_id_; // live calls an operator steers
  std::unordered_map<std::string, calendar_actor> calendars_;
};

} // namespace

std::unique_ptr<call_runtime> make_call_runtime(caf::actor_system& sys, call_services services) {
  return std::make_unique<runtime>(sys, std::move(services));
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::frontdesk>();
}

} // namespace frontdesk::call
