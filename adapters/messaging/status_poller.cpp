#include "adapters/messaging/status_poller.hpp"

#include <spdlog/spdlog.h>

#include "adapters/messaging/inbound.hpp"
#include "adapters/messaging/sender.hpp"
#include "adapters/store/messaging.hpp"

namespace frontdesk::messaging {

status_poll_result poll_sms_statuses(store::database& db, sms_sender& sender, sys_time now,
                                     const status_poll_settings& s) {
  status_poll_result out;
  if (s.max_checks <= 0 || sender.log_only())
    return out;
  auto due = store::outbox_repo(db).claim_status_checks(now, s.batch, s.after, s.max_checks);
  if (!due) {
    spdlog::error("sms status poll: {}", due.error().message);
    return out;
  }
  for (auto& c : *due) {
    ++out.looked;
    auto got = sender.fetch_status(c.sid);
    if (!got) {
      ++out.errors;
      spdlog::warn("sms status poll: {} ({} look {}): {}", c.sid, c.status, c.checks,
                   got.error().message);
      continue;
    }
    try {
      if (apply_sms_status(db, c.sid, got->status, got->error_code, now) && got->status != c.status)
        ++out.settled;
      spdlog::info("sms status poll: {} was {} in the log, {} at the vendor{}", c.sid, c.status,
                   got->status, got->error_code ? " (" + std::to_string(got->error_code) + ")" : "");
    } catch (const std::exception& e) {
      ++out.errors;
      spdlog::error("sms status poll: {}: {}", c.sid, e.what());
    }
  }
  return out;
}

} // namespace frontdesk::messaging
