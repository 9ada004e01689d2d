#include "adapters/messaging/cli.hpp"

#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/clock/clock.hpp"
#include "adapters/config/config.hpp"
#include "adapters/messaging/service.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"

namespace frontdesk::messaging {

int run_outbox_command(const config& cfg, const clock& clk, const outbox_command& c) {
  if (cfg.database.url.empty()) {
    spdlog::error("no database: set DATABASE_URL (or database.url in the config file)");
    return 2;
  }
  store::database db(cfg.database.url, static_cast<std::size_t>(cfg.outbox.threads + 1));
  store::outbox_repo repo(db);
  if (c.action == "list") {
    auto rows = repo.list(c.status, c.limit);
    if (!rows) {
      spdlog::error("{}", rows.error().message);
      return 1;
    }
    boost::json::array out;
    for (auto& r : *rows) {
      boost::system::error_code ec;
      auto payload = boost::json::parse(r.payload, ec);
      out.push_back(boost::json::object{{"id", r.id},
                                        {"business_id", r.business_id},
                                        {"kind", r.kind},
                                        {"status", r.status},
                                        {"attempts", r.attempts},
                                        {"next_attempt_at", r.next_attempt_at},
                                        {"last_error", r.last_error},
                                        {"dedupe_key", r.dedupe_key},
                                        {"payload", ec ? boost::json::value(r.payload) : payload}});
    }
    std::cout << boost::json::serialize(out) << '\n';
    return 0;
  }
  if (c.action == "retry" || c.action == "drop") {
    auto done = c.action == "retry" ? repo.retry(c.id, clk.now()) : repo.drop(c.id, clk.now());
    if (!done) {
      spdlog::error("{}", done.error().message);
      return 1;
    }
    if (!*done) {
      spdlog::error("outbox row {} cannot be {} (no such row, or a worker holds it, or it is done)",
                    c.id, c.action == "retry" ? "retried" : "dropped");
      return 2;
    }
    std::cout << "outbox row " << c.id << (c.action == "retry" ? " will go again now" : " dropped")
              << '\n';
    return 0;
  }
  if (c.action == "run") {
    auto sender = sender_of(cfg);
    auto settings = worker_settings_of(cfg);
    outbox_worker worker(settings, db, *sender, clk);
    auto expired = repo.expire_claims(settings.node, clk.now());
    if (expired && *expired > 0)
      spdlog::warn("outbox: reconciling {} texts left in flight by '{}'", *expired, settings.node);
    auto started = std::chrono::steady_clock::now();
    int idle = 0, total = 0;
    // Passes until two in a row find nothing due (a retry may fall due in between).
    while (idle < 2) {
      int n = worker.run_once();
      total += n;
      idle = n == 0 ? idle + 1 : 0;
      if (n == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (c.max_seconds > 0 &&
          std::chrono::steady_clock::now() - started > std::chrono::seconds(c.max_seconds))
        break;
    }
    // Texts whose final status callback is overdue are looked up too.
    auto polled = worker.poll_statuses();
    auto& k = worker.counts();
    std::cout << boost::json::serialize(boost::json::object{
                     {"worked", total},
                     {"sent", k.sent.load()},
                     {"failed", k.failed.load()},
                     {"retried", k.retried.load()},
                     {"dead", k.dead.load()},
                     {"dropped", k.dropped.load()},
                     {"reconciled", k.reconciled.load()},
                     {"status_looked", polled.looked}})
              << '\n';
    return 0;
  }
  spdlog::error("unknown outbox command '{}'", c.action);
  return 2;
}

} // namespace frontdesk::messaging
