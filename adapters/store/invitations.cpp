#include "adapters/store/invitations.hpp"

#include <array>

#include "adapters/store/database.hpp"

namespace frontdesk::store {
namespace {

const char* invitation_columns =
    "id, email, role::text, to_char(created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(expires_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

staff_invitation row_to_invitation(const pqxx::row& r) {
  return staff_invitation{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                          r[3].as<std::string>(), r[4].as<std::string>()};
}

} // namespace

invitations_repo::invitations_repo(database& db) : db_(db) {}

expected<new_invitation> invitations_repo::create(const std::string& business_id,
                                                  const std::string& created_by,
                                                  const std::string& email,
                                                  const std::string& role, sys_time now,
                                                  std::chrono::seconds ttl) {
  if (!staff_repo::valid_role(role))
    return fail("bad_role", "the role must be owner, admin or viewer");
  if (email.size() < 3 || email.size() > 254 || email.find('@') == std::string::npos)
    return fail("bad_email", "the email address is not valid");
  new_invitation out;
  out.token = random_token();
  auto r = guarded("invitation create", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return row_to_invitation(tx.exec_params1(
          std::string("INSERT INTO staff_invitations (business_id, email, role, token_sha256, "
                      "created_by, created_at, expires_at) VALUES ($1, $2, $3::staff_role, "
                      "sha256(convert_to($4, 'UTF8')), nullif($5, '')::uuid, $6::timestamptz, $7::timestamptz) "
                      "RETURNING ") +
              invitation_columns,
          business_id, email, role, out.token, created_by,
          format_rfc3339(now), format_rfc3339(now + ttl)));
    });
  });
  if (!r)
    return r.error();
  out.invitation = *r;
  return out;
}

expected<std::vector<staff_invitation>> invitations_repo::open(const std::string& business_id,
                                                               sys_time now) {
  return guarded("invitation list", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<staff_invitation> out;
      for (auto r : tx.exec_params(std::string("SELECT ") + invitation_columns +
                                       " FROM staff_invitations WHERE accepted_at IS NULL AND "
                                       "revoked_at IS NULL AND expires_at > $1::timestamptz "
                                       "ORDER BY created_at, id",
                                   format_rfc3339(now)))
        out.push_back(row_to_invitation(r));
      return out;
    });
  });
}

expected<bool> invitations_repo::revoke(const std::string& business_id, const std::string& id,
                                        sys_time now) {
  return guarded("invitation revoke", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return tx.exec_params("UPDATE staff_invitations SET revoked_at = $2::timestamptz "
                            "WHERE id::text = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
                            id, format_rfc3339(now))
                 .affected_rows() > 0;
    });
  });
}

expected<staff_user> invitations_repo::accept(const std::string& token,
                                              const std::string& password, sys_time now) {
  if (token.empty() || token.size() > 100)
    return fail("bad_invitation", "the invitation link is not valid (used, revoked or expired)");
  if (password.size() < 8 || password.size() > 1024)
    return fail("bad_password", "the password must be 8 to 1024 characters");
  using found_t = std::array<std::string, 4>; // invitation, business, email, role
  auto found = guarded("invitation lookup", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      std::vector<found_t> out;
      for (auto r : tx.exec_params("SELECT invitation_id, business_id, email, role FROM "
                                   "staff_invitation_lookup(sha256(convert_to($1, 'UTF8')), "
                                   "$2::timestamptz)",
                                   token, format_rfc3339(now)))
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<std::string>()});
      return out;
    });
  });
  if (!found)
    return found.error();
  if (found->empty())
    return fail("bad_invitation", "the invitation link is not valid (used, revoked or expired)");
  auto [invitation_id, business_id, email, role] = found->front();
  auto h = hash_password(password);
  if (!h)
    return h.error();
  // One transaction: the invitation is used up exactly when the account is made (two tabs
  // accepting at once: the second finds it used).
  auto r = guarded("invitation accept", [&]() -> std::optional<staff_user> {
    return db_.as_business(business_id, [&](pqxx::work& tx) -> std::optional<staff_user> {
      auto used = tx.exec_params("UPDATE staff_invitations SET accepted_at = $2::timestamptz "
                                 "WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
                                 invitation_id, format_rfc3339(now));
      if (used.affected_rows() == 0)
        return std::nullopt;
      auto row = tx.exec_params1(
          "INSERT INTO staff_users (business_id, email, role, password_hash) VALUES ($1, $2, "
          "$3::staff_role, $4) RETURNING id, business_id, email, role::text, "
          "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
          business_id, email, role, *h);
      return staff_user{row[0].as<std::string>(), row[1].as<std::string>(),
                        row[2].as<std::string>(), row[3].as<std::string>(),
                        row[4].as<std::string>()};
    });
  });
  if (!r && r.error().message.find("duplicate key") != std::string::npos)
    return fail("email_taken", "an account with this email exists already at this business");
  if (!r)
    return r.error();
  if (!*r)
    return fail("bad_invitation", "the invitation link is not valid (used, revoked or expired)");
  return **r;
}

} // namespace frontdesk::store
