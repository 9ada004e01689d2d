#include "adapters/gcal/cli.hpp"

#include <iostream>

#include <boost/json.hpp>

#include "adapters/clock/clock.hpp"
#include "adapters/config/config.hpp"
#include "adapters/gcal/google_sync.hpp"
#include "adapters/gcal/service.hpp"
#include "adapters/store/database.hpp"

namespace frontdesk::gcal {

int run_calendar_command(const config& cfg, const clock& clk, const calendar_command& c) {
  if (cfg.database.url.empty()) {
    std::cerr << "frontdesk calendar: DATABASE_URL is not set\n";
    return 2;
  }
  store::database db(cfg.database.url, 1);
  google_sync sync(settings_of(cfg), db, clk);
  if (c.action == "connect") {
    auto url = sync.begin_connect(c.business_id, c.calendar_id, c.busy_only);
    if (!url) {
      std::cerr << "frontdesk calendar connect: " << url.error().message << '\n';
      return url.error().code == "database_error" ? 1 : 2;
    }
    std::cout << *url << '\n';
    std::cerr << "Open this address as the calendar's owner; Google sends the owner back to "
              << sync.config().client.redirect_uri << ".\n";
    return 0;
  }
  if (c.action == "disconnect") {
    auto n = sync.disconnect(c.business_id);
    if (!n) {
      std::cerr << "frontdesk calendar disconnect: " << n.error().message << '\n';
      return 1;
    }
    std::cout << "disconnected " << *n << " calendar(s)\n";
    return 0;
  }
  auto all = sync.links(c.business_id);
  if (!all) {
    std::cerr << "frontdesk calendar status: " << all.error().message << '\n';
    return 1;
  }
  boost::json::array out;
  for (auto& l : *all) {
    auto opt = [](const std::optional<sys_time>& t) {
      return t ? boost::json::value(format_rfc3339(*t)) : boost::json::value(nullptr);
    };
    out.push_back(boost::json::object{{"calendar_id", l.calendar_id},
                                      {"status", l.status},
                                      {"busy_only", l.busy_only},
                                      {"last_synced_at", opt(l.last_synced_at)},
                                      {"channel_expires_at", opt(l.channel_expires_at)},
                                      {"last_error", l.last_error}});
  }
  if (c.json) {
    std::cout << boost::json::serialize(out) << '\n';
    return 0;
  }
  if (all->empty())
    std::cout << "no calendar connected: the database is the calendar\n";
  for (auto& l : *all)
    std::cout << l.calendar_id << (l.busy_only ? " (busy time only)" : "") << ": " << l.status
              << (l.status == "broken" ? " - Google refused the grant; run `frontdesk calendar connect` again" : "")
              << (l.last_synced_at ? ", synced " + format_rfc3339(*l.last_synced_at) : ", never synced")
              << (l.last_error.empty() ? "" : ", last error: " + l.last_error) << '\n';
  return 0;
}

} // namespace frontdesk::gcal
