#include "adapters/messaging/service.hpp"

#include <spdlog/spdlog.h>

#include "adapters/clock/clock.hpp"
#include "adapters/config/config.hpp"
#include "adapters/messaging/inbound.hpp"
#include "adapters/messaging/outbox_worker.hpp"
#include "adapters/messaging/sender.hpp"
#include "adapters/store/database.hpp"

namespace frontdesk::messaging {

worker_settings worker_settings_of(const config& cfg) {
  worker_settings w;
  w.node = cfg.node.name;
  w.threads = cfg.outbox.threads;
  w.batch = cfg.outbox.batch;
  w.poll = std::chrono::milliseconds(cfg.outbox.poll_ms);
  w.lease = std::chrono::seconds(cfg.outbox.lease_seconds);
  w.retry.max_attempts = cfg.outbox.max_attempts;
  w.retry.base = std::chrono::milliseconds(cfg.outbox.backoff_base_ms);
  w.retry.cap = std::chrono::milliseconds(cfg.outbox.backoff_max_ms);
  auto base = cfg.node.public_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (!cfg.twilio.account_sid.empty())
    w.status_callback_url = base + "/twilio/sms-status";
  w.status_poll.after = std::chrono::seconds(cfg.outbox.status_check_after_seconds);
  w.status_poll.max_checks = cfg.outbox.status_check_max;
  return w;
}

std::unique_ptr<sms_sender> sender_of(const config& cfg) {
  if (cfg.twilio.account_sid.empty())
    return make_log_sink();
  twilio_settings t;
  t.api_base_url = cfg.twilio.api_base_url;
  t.account_sid = cfg.twilio.account_sid;
  t.auth_token = cfg.twilio.auth_token;
  t.timeout = std::chrono::milliseconds(cfg.twilio.sms_timeout_ms);
  return make_twilio_sender(std::move(t));
}

struct messaging_service::impl {
  const config& cfg;
  const clock& clk;
  metrics::registry& metrics;
  std::unique_ptr<store::database> db;
  std::unique_ptr<sms_sender> sender;
  std::unique_ptr<outbox_worker> worker;
  std::unique_ptr<sms_webhooks> webhooks;
  std::map<std::string, row_handler> handlers{};
  std::function<bool()> leads{};
};

messaging_service::messaging_service(const config& cfg, const clock& clk,
                                     metrics::registry& metrics)
    : impl_(std::make_unique<impl>(impl{cfg, clk, metrics, nullptr, nullptr, nullptr, nullptr, {}, {}})) {
  impl_->db = std::make_unique<store::database>(cfg.database.url,
                                                static_cast<std::size_t>(cfg.outbox.threads + 1));
  impl_->sender = sender_of(cfg);
}

messaging_service::~messaging_service() { stop(); }

void messaging_service::install(http::server& server, worker_pool& blocking) {
  inbound_settings s{impl_->cfg.node.public_url, impl_->cfg.twilio.auth_token,
                     impl_->cfg.twilio.validate_signatures};
  // Their database work runs on the node's worker pool, on messaging's own connections.
  impl_->webhooks = std::make_unique<sms_webhooks>(s, server, *impl_->db, blocking, impl_->clk,
                                                   impl_->metrics);
  impl_->webhooks->install();
}

void messaging_service::set_lead(std::function<bool()> leads) { impl_->leads = std::move(leads); }

void messaging_service::add_handler(std::string kind, row_handler h) {
  impl_->handlers[std::move(kind)] = std::move(h);
}

bool messaging_service::start() {
  auto& d = *impl_;
  auto ws = worker_settings_of(d.cfg);
  ws.leads = d.leads;
  d.worker = std::make_unique<outbox_worker>(ws, *d.db, *d.sender, d.clk, &d.metrics);
  for (auto& [kind, h] : d.handlers)
    d.worker->add_handler(kind, h);
  d.worker->start();
  spdlog::info("outbox: {} threads; texts go {}", d.cfg.outbox.threads,
               d.sender->log_only() ? "to sms_log only (no twilio.account_sid)"
                                    : "to " + d.cfg.twilio.api_base_url);
  return true;
}

void messaging_service::stop() {
  if (impl_->worker)
    impl_->worker->stop();
}

std::string messaging_service::readiness() const {
  if (!impl_->worker)
    return "";
  return impl_->worker->stuck_reason(std::chrono::seconds(impl_->cfg.outbox.stuck_seconds));
}

} // namespace frontdesk::messaging
