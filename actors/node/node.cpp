#include "actors/node/node.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "adapters/store/database.hpp"

namespace frontdesk {

struct node::impl {
  config cfg;
  std::shared_ptr<frontdesk::clock> clk;
  std::unique_ptr<caf::actor_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<store::database> db;
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
  d.sys_cfg = std::make_unique<caf::actor_system_config>();
  d.sys_cfg->set("scheduler.max-threads", static_cast<size_t>(d.cfg.scheduler.max_threads));
  d.sys_cfg->set("scheduler.policy", caf::atom_from_string(d.cfg.scheduler.policy));
  d.sys = std::make_unique<caf::actor_system>(*d.sys_cfg);
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
  d.sys.reset();
  d.db.reset();
  spdlog::info("node '{}' stopped", d.cfg.node.name);
}

} // namespace frontdesk
