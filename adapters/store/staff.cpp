#include "adapters/store/staff.hpp"

#include <array>
#include <mutex>

#include <sodium.h>

#include "adapters/store/database.hpp"

namespace frontdesk::store {
namespace {

std::string ts(sys_time t) { return format_rfc3339(t); }

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

// SHA-256 as hex, for decode($n, 'hex') in SQL.
std::string sha256(const std::string& s) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  char hex[2 * sizeof out + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string(hex);
}

staff_user row_to_user(const pqxx::row& r) {
  return staff_user{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                    r[3].as<std::string>(), r[4].as<std::string>()};
}

const char* user_columns =
    "id, business_id, email, CASE WHEN role::text = 'user' THEN 'viewer' ELSE role::text END, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

} // namespace

expected<std::string> hash_password(const std::string& password) {
  if (!sodium_ready())
    return fail("crypto_unavailable", "libsodium did not initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail("out_of_memory", "hashing the password ran out of memory");
  return std::string(out);
}

bool verify_password(const std::string& hash, const std::string& password) {
  if (!sodium_ready() || hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_token(std::size_t n) {
  sodium_ready();
  std::string raw(n, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

staff_repo::staff_repo(database& db) : db_(db) {}

const std::string& staff_repo::dummy_hash() {
  // Made on the first login, not at start: Argon2 takes a noticeable moment on purpose.
  std::call_once(dummy_once_, [this] {
    if (auto h = hash_password(random_token(16)))
      dummy_hash_ = *h;
  });
  return dummy_hash_;
}

bool staff_repo::valid_role(const std::string& role) {
  return role == "owner" || role == "admin" || role == "viewer";
}

expected<staff_user> staff_repo::add(const std::string& business_id, const std::string& email,
                                     const std::string& role, const std::string& password) {
  if (!valid_role(role))
    return fail("bad_role", "the role must be owner, admin or viewer");
  if (email.size() < 3 || email.size() > 254 || email.find('@') == std::string::npos)
    return fail("bad_email", "the email address is not valid");
  if (password.size() < 8 || password.size() > 1024)
    return fail("bad_password", "the password must be 8 to 1024 characters");
  auto h = hash_password(password);
  if (!h)
    return h.error();
  auto r = guarded("staff add", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto row = tx.exec_params1(std::string("INSERT INTO staff_users (business_id, email, role, "
                                             "password_hash) VALUES ($1, $2, $3::staff_role, $4) "
                                             "RETURNING ") + user_columns,
                                 business_id, email, role, *h);
      return row_to_user(row);
    });
  });
  if (!r && r.error().message.find("duplicate key") != std::string::npos) // in this business
    return fail("email_taken", "an account with this email exists already");
  return r;
}

expected<bool> staff_repo::remove(const std::string& business_id, const std::string& id_or_email) {
  return guarded("staff remove", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return tx.exec_params("DELETE FROM staff_users WHERE lower(email) = lower($1) OR "
                            "id::text = $1",
                            id_or_email)
                 .affected_rows() > 0;
    });
  });
}

expected<std::vector<staff_user>> staff_repo::list(const std::string& business_id) {
  return guarded("staff list", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<staff_user> out;
      for (auto r : tx.exec(std::string("SELECT ") + user_columns +
                            " FROM staff_users ORDER BY lower(email)"))
        out.push_back(row_to_user(r));
      return out;
    });
  });
}

expected<bool> staff_repo::set_role(const std::string& business_id, const std::string& user_id,
                                    const std::string& role) {
  if (!valid_role(role))
    return fail("bad_role", "the role must be owner, admin or viewer");
  return guarded("staff role", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return tx.exec_params("UPDATE staff_users SET role = $2::staff_role WHERE id::text = $1",
                            user_id, role)
                 .affected_rows() > 0;
    });
  });
}

expected<login_result> staff_repo::login(const std::string& email, const std::string& password,
                                         const std::string& remote, sys_time now,
                                         std::chrono::seconds ttl) {
  using candidate = std::array<std::string, 3>; // user, business, hash
  auto found = guarded("login lookup", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      std::vector<candidate> out;
      for (auto r : tx.exec_params("SELECT user_id, business_id, password_hash FROM "
                                   "staff_login_lookup($1) LIMIT 5",
                                   email))
        out.push_back(candidate{r[0].as<std::string>(), r[1].as<std::string>(),
                                r[2].as<std::string>()});
      return out;
    });
  });
  if (!found)
    return found.error();
  // Argon2 work whether or not the email is known: timing does not tell which. An address with
  // accounts at several businesses logs in to the one whose password matches.
  const candidate* match = nullptr;
  if (found->empty())
    verify_password(dummy_hash(), password);
  for (auto& c : *found)
    if (!match && verify_password(c[2], password))
      match = &c;
  if (!match)
    return fail("bad_login", "wrong email or password");
  auto& user_id = (*match)[0];
  auto& business_id = (*match)[1];
  login_result out;
  out.token = random_token();
  auto csrf = random_token();
  auto expires = now + ttl;
  auto s = guarded("session open", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto r = tx.exec_params1(
          "INSERT INTO staff_sessions (business_id, user_id, token_sha256, csrf_token, remote, "
          "created_at, expires_at) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6::timestamptz, $7::timestamptz) "
          "RETURNING id, (SELECT CASE WHEN role::text = 'user' THEN 'viewer' ELSE role::text END "
          "FROM staff_users WHERE id = $2), (SELECT email FROM staff_users WHERE id = $2)",
          business_id, user_id, sha256(out.token), csrf, remote.substr(0, 100), ts(now),
          ts(expires));
      return staff_session{r[0].as<std::string>(), user_id, business_id, r[1].as<std::string>(),
                           r[2].as<std::string>(), csrf, expires};
    });
  });
  if (!s)
    return s.error();
  out.session = *s;
  return out;
}

expected<std::optional<staff_session>> staff_repo::session(const std::string& token,
                                                           sys_time now) {
  if (token.empty() || token.size() > 100)
    return std::optional<staff_session>();
  return guarded("session", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      auto r = tx.exec_params(
          "SELECT session_id, user_id, business_id, CASE WHEN role = 'user' THEN 'viewer' ELSE "
          "role END, email, csrf_token, to_char(expires_at AT TIME ZONE 'UTC', "
          "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM staff_session_lookup(decode($1, 'hex'), $2::timestamptz)",
          sha256(token), ts(now));
      std::optional<staff_session> out;
      if (!r.empty()) {
        staff_session s{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                        r[0][2].as<std::string>(), r[0][3].as<std::string>(),
                        r[0][4].as<std::string>(), r[0][5].as<std::string>(), now};
        if (auto e = parse_rfc3339(r[0][6].as<std::string>()))
          s.expires_at = *e;
        out = std::move(s);
      }
      return out;
    });
  });
}

expected<bool> staff_repo::revoke(const std::string& business_id, const std::string& session_id,
                                  sys_time now) {
  return guarded("session revoke", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return tx.exec_params("UPDATE staff_sessions SET revoked_at = $2::timestamptz WHERE id = $1 "
                            "AND revoked_at IS NULL",
                            session_id, ts(now))
                 .affected_rows() > 0;
    });
  });
}

} // namespace frontdesk::store
