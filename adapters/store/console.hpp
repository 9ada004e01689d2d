#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::store {

class database;

/// One account a console token reaches: a business and the role there.
struct console_account {
  std::string user_id, business_id, role, email;
};

/// One entry of the audit log.
struct audit_entry {
  std::string business_id; // empty: none (a refused login)
  std::string user_id;     // empty: none
  std::string actor, node, command_id, verb, call_id, args, result, detail;
};

/// A live call as the console's list shows it.
struct live_call_row {
  std::string id, business_id, caller, node, status, started_at;
  long long turns = 0;
  std::string last_role, last_text;
};

/// A call as `watch` starts from: its row and its transcript so far.
struct call_snapshot {
  std::string id, business_id, caller, node, status, started_at, end_reason;
  bool ended = false;
  std::string transcript_json; // [{role, text, at_ms, interrupted}, ...]
  std::string latencies_json;  // [{turn, ...}, ...]
};

/// An appointment as the console lists it.
struct console_appointment {
  std::string id, status, start, end, customer_name, service, call_id;
};

/// The console's tokens, audit log and reads. Tokens are random, shown once and stored as
/// SHA-256; a token reaches every account of its email address. Blocking (PostgreSQL): call
/// from worker threads.
class console_repo {
public:
  explicit console_repo(database& db);

  /// A new token for `email`; failure "unknown_email" when the address has no live account.
  expected<std::string> issue_token(const std::string& email);
  /// Revokes every token of `email`; how many were live.
  expected<int> revoke_tokens(const std::string& email);
  /// The accounts a token reaches; empty for an unknown, revoked or malformed token.
  expected<std::vector<console_account>> accounts(const std::string& token);

  /// Writes one audit entry.
  expected<bool> audit(const audit_entry& e);
  /// Writes audit entries in one transaction (a busy gateway's, gathered).
  expected<bool> audit(const std::vector<audit_entry>& entries);

  /// The business's calls that have not ended, oldest first.
  expected<std::vector<live_call_row>> live_calls(const std::string& business_id);
  /// One call of the business (nothing when it is not the business's).
  expected<std::optional<call_snapshot>> call(const std::string& business_id,
                                              const std::string& call_id);
  /// Which of `businesses` has the call (or, with `appointment`, the appointment) `id`;
  /// nothing when none of them has it.
  expected<std::optional<std::string>> business_of(const std::vector<std::string>& businesses,
                                                   const std::string& id,
                                                   bool appointment = false);
  /// The business's appointments that start on `day` (YYYY-MM-DD, "today" or "tomorrow") in
  /// its own time zone.
  expected<std::vector<console_appointment>> appointments(const std::string& business_id,
                                                          const std::string& day);

private:
  database& db_;
};

} // namespace frontdesk::store
