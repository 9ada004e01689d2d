#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "adapters/messaging/outbox_worker.hpp"
#include "adapters/messaging/sender.hpp"

namespace frontdesk {
struct config;
class clock;
class worker_pool;
namespace http {
class server;
}
namespace metrics {
class registry;
}
} // namespace frontdesk

namespace frontdesk::messaging {

/// Outbox worker settings from the configuration (node name, threads, retry policy, the
/// status callback URL under node.public_url).
worker_settings worker_settings_of(const config& cfg);

/// The sender the configuration names: Twilio with an account SID, else the log sink.
std::unique_ptr<sms_sender> sender_of(const config& cfg);

/// Messaging on one node, from the configuration: the outbox workers (Twilio when an account
/// SID is set, else the log sink) and the SMS webhooks. Has its own database connections, so
/// texts never wait for the calls' pool.
class messaging_service {
public:
  messaging_service(const config& cfg, const clock& clk, metrics::registry& metrics);
  ~messaging_service();
  /// Registers /twilio/sms and /twilio/sms-status (before the server listens).
  void install(http::server& server, worker_pool& blocking);
  /// Rows of another kind go to `h` (call before start()).
  void add_handler(std::string kind, row_handler h);
  /// In a cluster: whether this node leads the outbox now (see worker_settings::leads). Call
  /// before start().
  void set_lead(std::function<bool()> leads);
  /// Starts the outbox workers (they log and retry while the database cannot be reached).
  bool start();
  /// Stops the workers after the rows they hold.
  void stop();
  /// "" when the outbox is fine, else why /ready should fail. Non-blocking.
  std::string readiness() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace frontdesk::messaging
