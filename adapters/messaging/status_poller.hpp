#pragma once

#include <chrono>

#include "protocols/core/time.hpp"

namespace frontdesk::store {
class database;
}

namespace frontdesk::messaging {

class sms_sender;

/// When a sent text's final status callback is overdue, and how often to look again.
struct status_poll_settings {
  std::chrono::seconds after{600}; // since the text's last status change; doubles per look
  int max_checks = 8;              // 0: never look
  int batch = 50;
};

/// What one pass did.
struct status_poll_result {
  int looked = 0;  // texts looked up at the vendor
  int settled = 0; // of which the log moved on (e.g. sent -> delivered, or a failure acted on)
  int errors = 0;  // lookups that failed (the text is looked at again later)
};

/// Looks up, at the vendor, the texts whose status callback never came (claimed across nodes,
/// so each is looked at by one node) and applies what it says exactly as a callback would:
/// terminal states are kept, a carrier failure is acted on per code. Blocking (HTTP and
/// PostgreSQL): outbox threads only.
status_poll_result poll_sms_statuses(store::database& db, sms_sender& sender, sys_time now,
                                     const status_poll_settings& s);

} // namespace frontdesk::messaging
