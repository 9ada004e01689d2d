#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace frontdesk {
class clock;
class worker_pool;
namespace http {
class server;
}
namespace store {
class database;
}
namespace booking {
class calendar_service;
class profile_cache;
} // namespace booking
} // namespace frontdesk

namespace frontdesk::dashboard {

struct dashboard_settings {
  std::string public_url;            // https: session cookies are Secure
  std::string database_url;          // the live feed's own LISTEN connection
  std::chrono::seconds session_ttl{12 * 3600};
  std::size_t login_burst_per_address = 20; // attempts per 10 minutes
  std::size_t login_burst_per_account = 10;
};

/// The business's web dashboard: the JSON API under /api/v1/ (session login, calls, appointments,
/// availability, knowledge, settings, staff, stats, live events) and the pages under /app/.
/// Every API request is checked on the io thread (cookie, size), then runs on the worker pool
/// inside its user's business scope (row-level security); appointments change through the
/// same calendar service as the phone's.
class dashboard {
public:
  dashboard(dashboard_settings settings, http::server& server, store::database& db,
            worker_pool& blocking, booking::calendar_service& calendar,
            booking::profile_cache* profiles, const clock& clk);
  ~dashboard();

  /// Registers the routes (before the server listens) and starts the live feed.
  void install();
  /// Ends the event streams and the live feed.
  void stop();

  /// The API's routes as "METHOD /api/v1/path/{id}", for the OpenAPI document's test.
  static std::vector<std::pair<std::string, std::string>> api_routes();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace frontdesk::dashboard
