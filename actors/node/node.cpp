#include "actors/node/node.hpp"

#include <chrono>
#include <thread>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/call/runtime.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"

namespace frontdesk {

struct node::impl {
  config cfg;
  std::shared_ptr<frontdesk::clock> clk;
  std::unique_ptr<caf::actor_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<store::database> db;
  std::unique_ptr<worker_pool> blocking; // database writes and other blocking work
  std::unique_ptr<call::call_runtime> calls;
  metrics::registry metrics;
  bool stopped = false;
};

node::node(config cfg, std::shared_ptr<frontdesk::clock> clk) : impl_(std::make_unique<impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->clk = std::move(clk);
}

node::~node() { stop(); }

bool node::start() {
  auto& d = *impl_;
  if (d.cfg.database.url.empty()) {
    spdlog::error("no database: set DATABASE_URL (or database.url in the config file)");
    return false;
  }
  d.db = std::make_unique<store::database>(d.cfg.database.url, d.cfg.database.pool_size);
  if (!d.db->ping()) {
    spdlog::error("database not reachable at the configured DATABASE_URL");
    return false;
  }
  d.blocking = std::make_unique<worker_pool>("blocking", d.cfg.database.pool_size, 10000);
  d.sys_cfg = std::make_unique<caf::actor_system_config>();
  d.sys_cfg->set("scheduler.max-threads", static_cast<size_t>(d.cfg.scheduler.max_threads));
  d.sys_cfg->set("scheduler.policy", caf::atom_from_string(d.cfg.scheduler.policy));
  call::add_message_types(*d.sys_cfg);
  d.sys = std::make_unique<caf::actor_system>(*d.sys_cfg);
  d.calls = call::make_call_runtime(*d.sys);
  spdlog::info("node '{}' started: {} scheduler threads ({}), clock at {}", d.cfg.node.name,
               d.cfg.scheduler.max_threads, d.cfg.scheduler.policy,
               format_rfc3339(d.clk->now()));
  return true;
}

void node::stop() {
  auto& d = *impl_;
  if (d.stopped || !d.sys)
    return;
  d.stopped = true;
  spdlog::info("node '{}' stopping", d.cfg.node.name);
  if (d.calls && d.calls->live() > 0) {
    spdlog::info("ending {} live calls", d.calls->live());
    d.calls->end_all("node_shutdown");
    for (int i = 0; i < 200 && d.calls->live() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Actors first (they may still hand work to the pool), then the pool drains, then the rest.
  d.sys.reset();
  d.calls.reset();
  d.blocking->stop();
  d.db.reset();
  spdlog::info("node '{}' stopped", d.cfg.node.name);
}

} // namespace frontdesk
