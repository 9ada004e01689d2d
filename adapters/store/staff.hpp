#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::store {

class database;

/// A staff member as lists show them (never the hash).
struct staff_user {
  std::string id, business_id, email, role, created_at;
};

/// A logged-in session as a request sees it.
struct staff_session {
  std::string session_id, user_id, business_id, role, email, csrf_token;
  sys_time expires_at;
};

/// What a successful login hands the browser: the cookie's token (stored only as its hash) and
/// the CSRF token the page sends back on every write.
struct login_result {
  std::string token;
  staff_session session;
};

/// Staff accounts and their sessions. Passwords are hashed with Argon2id (libsodium
/// crypto_pwhash_str); session tokens are stored as SHA-256. Blocking (PostgreSQL, and Argon2
/// takes a fraction of a second on purpose): call from worker threads.
class staff_repo {
public:
  explicit staff_repo(database& db);

  /// Roles a staff member can have: "owner", "admin", "viewer".
  static bool valid_role(const std::string& role);

  /// Adds a staff member; failure "email_taken" when the address has an account at this
  /// business already.
  expected<staff_user> add(const std::string& business_id, const std::string& email,
                           const std::string& role, const std::string& password);
  /// Removes a staff member by id or email (their sessions end with them); false when unknown.
  expected<bool> remove(const std::string& business_id, const std::string& id_or_email);
  expected<std::vector<staff_user>> list(const std::string& business_id);
  /// Changes a member's role; false when unknown.
  expected<bool> set_role(const std::string& business_id, const std::string& user_id,
                          const std::string& role);

  /// Checks an email and password and opens a session of `ttl`. A wrong password and an unknown
  /// email fail alike ("bad_login") after the same work (a hash is verified either way).
  expected<login_result> login(const std::string& email, const std::string& password,
                               const std::string& remote, sys_time now, std::chrono::seconds ttl);
  /// The live session of a cookie's token, or nothing (unknown, expired, revoked).
  expected<std::optional<staff_session>> session(const std::string& token, sys_time now);
  /// Ends a session (logout).
  expected<bool> revoke(const std::string& business_id, const std::string& session_id,
                        sys_time now);

private:
  const std::string& dummy_hash();

  database& db_;
  std::once_flag dummy_once_;
  std::string dummy_hash_; // verified for unknown emails, so they take as long as known ones
};

/// Hashes a password with Argon2id (libsodium's string form).
expected<std::string> hash_password(const std::string& password);
/// True when `password` matches `hash`.
bool verify_password(const std::string& hash, const std::string& password);
/// `n` random bytes as unpadded base64url.
std::string random_token(std::size_t n = 32);

} // namespace frontdesk::store
