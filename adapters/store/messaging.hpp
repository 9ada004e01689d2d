#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace pqxx {
class transaction_base;
}

namespace frontdesk::store {

class database;

/// What happened to an appointment, for the texts it causes.
enum class appointment_change { booked, moved, cancelled };

/// In the transaction that changed an appointment: re-plans its reminders (pending ones of a
/// cancelled or moved appointment are cancelled; a live one gets the business's plan, quiet
/// hours applied) and, when `confirm`, queues its confirmation text in the outbox with the
/// dedupe key appointment + change + revision. Nothing is queued for a customer without a
/// textable number or who opted out. True when a confirmation was queued.
bool queue_appointment_messages(pqxx::transaction_base& tx, const std::string& business_id,
                                const std::string& appointment_id, appointment_change change,
                                sys_time now, bool confirm);

/// Records that `phone` opted out of the business's texts (in the caller's transaction) and
/// cancels the reminders of that number's appointments.
void record_opt_out(pqxx::transaction_base& tx, const std::string& business_id,
                    const std::string& phone, const std::string& source, sys_time now);

/// True when `phone` looks like a number that can take a text (E.164).
bool textable_number(const std::string& phone);

/// In the caller's transaction (as the business): acts on a text the carrier did not deliver,
/// by its error code (sms::classify_delivery_failure). 30003/30008: the outbox row goes once
/// more (a reminder is rendered again then, a confirmation only if its appointment has not
/// changed since); 30005/30006: the number is marked unusable, its pending reminders and
/// queued texts are dropped; a task for staff when the policy names one (one open task per
/// business for business-wide causes). `outbox_id` is the row that sent it (0: none).
void record_delivery_failure(pqxx::transaction_base& tx, const std::string& business_id,
                             long long outbox_id, const std::string& phone, int error_code,
                             sys_time now);

/// An outbox row as a worker holds it after claiming it.
struct claimed_row {
  long long id = 0;
  std::string business_id;
  std::string kind;
  std::string payload; // JSON
  int attempts = 0;    // including this one (for a reconcile claim: the attempts so far)
  bool reconcile = false; // left 'sending' by a worker that died: look before sending again
  long long claim_token = 0;
  sys_time sending_since{};
  sys_time created_at{};
  bool opted_out = false; // the recipient in the payload has opted out of the business's texts
};

/// The result of working a row, written back only if the worker still holds the claim.
struct row_result {
  std::string status;          // pending, sending (ambiguous: reconcile later), done, failed, dead, dropped
  int attempts = 0;
  sys_time next_attempt_at{};  // pending / sending: when it may be claimed again
  std::string last_error;
  std::string provider_ref;    // the vendor's id (SM...)
  /// An outbound text to log with the result (same transaction), when one went or failed.
  struct log_entry {
    std::string to, from, body, sid, status, encoding;
    int segments = 0;
    int error_code = 0;
  };
  std::optional<log_entry> log;
  bool opted_out = false; // the vendor said the recipient unsubscribed (21610)
  std::string recipient;  // for opted_out
};

/// An outbound text whose final status is overdue (no callback came): look it up.
struct status_check {
  long long log_id = 0;
  std::string business_id, sid, status;
  int checks = 0; // including this one
};

/// Figures for metrics and /ready.
struct outbox_figures {
  long long depth = 0, due = 0, stuck_sending = 0, dead = 0;
  double oldest_due_seconds = 0;
};

/// One row as operators see it.
struct outbox_entry {
  long long id = 0;
  std::string business_id, kind, status, next_attempt_at, last_error, dedupe_key, payload;
  int attempts = 0;
};

/// What a reminder needs at send time: the appointment as it is now and its business.
struct reminder_context {
  bool live = false; // still booked at the planned start, in the future, number textable
                     // (not opted out, not marked unusable by a carrier)
  std::string phone, business_name, business_phone, address, zone;
  sys_time start{};
};

/// The outbox as a work queue shared by every node's workers, and the SMS records around it.
/// Blocking (PostgreSQL): worker threads only.
class outbox_repo {
public:
  explicit outbox_repo(database& db) : db_(db) {}

  /// Claims up to `limit` due rows (and rows whose worker died) for `node`: each is marked
  /// 'sending' with a lease before any vendor call. FOR UPDATE SKIP LOCKED: two workers never
  /// hold one row.
  expected<std::vector<claimed_row>> claim(const std::string& node, int limit, sys_time now,
                                           std::chrono::seconds lease);
  /// A restarted node's old claims become reconcilable at once. Returns how many.
  expected<int> expire_claims(const std::string& node, sys_time now);
  /// Writes a row's result (and its log entry, opt-out) if `row` still holds its claim.
  expected<bool> finish(const claimed_row& row, const row_result& r, sys_time now);
  /// Saves a rendered body in the row before it is sent, so a reconciliation compares the
  /// vendor's messages with exactly what went.
  expected<bool> set_payload(const claimed_row& row, const std::string& payload_json);
  /// Moves due reminders into the outbox (once each). Returns how many.
  expected<int> enqueue_due_reminders(sys_time now, int limit);
  /// The reminder's appointment and business as they are now.
  expected<reminder_context> reminder(const std::string& business_id,
                                      const std::string& appointment_id, sys_time for_start,
                                      sys_time now);

  /// Claims outbound texts with no final status `after` since their last change (then at
  /// doubling intervals, `max_checks` looks at most), for one poller across all nodes.
  expected<std::vector<status_check>> claim_status_checks(sys_time now, int limit,
                                                          std::chrono::seconds after,
                                                          int max_checks);
  /// A resent confirmation still says what is true: its appointment has had no change since
  /// revision `revision` (the count of its booking events when the text was queued).
  expected<bool> notice_current(const std::string& business_id, const std::string& appointment_id,
                                long long revision);
  /// Drops webhook receipts older than `before` (Twilio no longer retries those). Returns how many.
  expected<int> purge_webhook_receipts(sys_time before);

  expected<outbox_figures> figures(sys_time now);
  expected<std::vector<outbox_entry>> list(const std::string& status, int limit);
  expected<bool> retry(long long id, sys_time now);
  expected<bool> drop(long long id, sys_time now);

private:
  database& db_;
};

} // namespace frontdesk::store
