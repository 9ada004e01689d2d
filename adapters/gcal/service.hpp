#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "actors/calendar/calendar.hpp"
#include "adapters/gcal/google_sync.hpp"
#include "adapters/messaging/outbox_worker.hpp"

namespace frontdesk {
struct config;
class clock;
class worker_pool;
namespace http {
class server;
}
namespace metrics {
class registry;
class gauge;
} // namespace metrics
namespace store {
class database;
}
} // namespace frontdesk

namespace frontdesk::gcal {

/// The sync's settings from the configuration (base URLs, client and key from the
/// environment, the redirect and push URLs under node.public_url).
settings settings_of(const config& cfg);

/// Google Calendar on one node: the OAuth callback and push routes, a sync thread of its own
/// (pushed calendars at once, every calendar at the backstop period, channels renewed), the
/// outbox handler that writes our events, and the live check the calendar asks before a hold.
class google_service {
public:
  google_service(const config& cfg, const clock& clk, metrics::registry* metrics = nullptr);
  ~google_service();

  /// Registers GET /google/oauth/callback and POST /google/calendar/notify (before listen).
  void install(http::server& server, worker_pool& blocking);
  /// In a cluster: whether this node leads the calendar sync now (one live node does). The
  /// leader looks every second for what is due; the others every ten (a backstop for the
  /// moments two nodes disagree on who leads), and at once when a push comes to them. Call
  /// before start().
  void set_lead(std::function<bool()> leads) { leads_ = std::move(leads); }
  /// Starts the sync thread.
  void start();
  /// Stops it after the sync in flight.
  void stop();
  /// Wakes the sync thread now.
  void poke();

  /// For the outbox's "gcal.event" rows.
  messaging::row_handler outbox_handler();
  /// For the calendar service's holds.
  booking::live_check live_check();

  google_sync& sync() { return *sync_; }

private:
  void loop();
  void report();

  std::unique_ptr<store::database> db_;
  std::unique_ptr<google_sync> sync_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool poked_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::function<bool()> leads_;
  struct metric_refs;
  std::unique_ptr<metric_refs> m_;
};

} // namespace frontdesk::gcal
