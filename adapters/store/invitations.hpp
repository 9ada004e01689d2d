#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "adapters/store/staff.hpp"
#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::store {

class database;

/// An invitation as the owner's list shows it (never the token).
struct staff_invitation {
  std::string id, email, role, created_at, expires_at;
};

/// A new invitation and its link's secret, shown once.
struct new_invitation {
  staff_invitation invitation;
  std::string token;
};

/// Invitation links for staff: the owner invites an email with a role; whoever holds the link
/// chooses a password and becomes that member. Tokens are stored as SHA-256 (PostgreSQL's
/// sha256()) and work once, until they expire or are revoked. Blocking: call from worker
/// threads.
class invitations_repo {
public:
  explicit invitations_repo(database& db);

  /// Invites `email` as `role`, valid for `ttl`. Failures "bad_email", "bad_role".
  expected<new_invitation> create(const std::string& business_id, const std::string& created_by,
                                  const std::string& email, const std::string& role, sys_time now,
                                  std::chrono::seconds ttl);
  /// The business's open invitations (not accepted, revoked or expired), oldest first.
  expected<std::vector<staff_invitation>> open(const std::string& business_id, sys_time now);
  /// Revokes an open invitation; false when there is none with this id.
  expected<bool> revoke(const std::string& business_id, const std::string& id, sys_time now);
  /// Accepts the invitation of `token` with a new password: the staff member it creates.
  /// Failures "bad_invitation" (unknown, used, revoked or expired: alike), "bad_password",
  /// "email_taken" (the address has an account at that business already; the invitation
  /// stays open).
  expected<staff_user> accept(const std::string& token, const std::string& password,
                              sys_time now);

private:
  database& db_;
};

} // namespace frontdesk::store
