#include "adapters/store/console.hpp"

#include <boost/json.hpp>

#include "adapters/store/database.hpp"
#include "adapters/store/staff.hpp"

namespace frontdesk::store {

namespace {

constexpr const char* token_prefix = "fdc_";

bool plausible_token(const std::string& t) {
  if (t.size() < 20 || t.size() > 200 || t.rfind(token_prefix, 0) != 0)
    return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_'))
      return false;
  return true;
}

std::string text(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }

const char* ts_utc = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

} // namespace

console_repo::console_repo(database& db) : db_(db) {}

expected<std::string> console_repo::issue_token(const std::string& email) {
  auto token = token_prefix + random_token(32);
  auto n = guarded("console token", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT console_token_issue($1, sha256(convert_to($2, 'UTF8')))",
                             email, token)[0]
          .as<int>();
    });
  });
  if (!n)
    return n.error();
  if (*n == 0)
    return fail("unknown_email", "no staff account has the address '" + email + "'");
  return token;
}

expected<int> console_repo::revoke_tokens(const std::string& email) {
  return guarded("console token revoke", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT console_token_revoke($1)", email)[0].as<int>();
    });
  });
}

expected<std::vector<console_account>> console_repo::accounts(const std::string& token) {
  if (!plausible_token(token))
    return std::vector<console_account>{};
  return guarded("console login", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      std::vector<console_account> out;
      for (auto r : tx.exec_params(
               "SELECT user_id, business_id, role, email FROM "
               "console_token_lookup(sha256(convert_to($1, 'UTF8')))",
               token))
        out.push_back({text(r[0]), text(r[1]), text(r[2]), text(r[3])});
      return out;
    });
  });
}

expected<bool> console_repo::audit(const audit_entry& e) {
  return audit(std::vector<audit_entry>{e});
}

expected<bool> console_repo::audit(const std::vector<audit_entry>& entries) {
  if (entries.empty())
    return true;
  // All entries in one statement (one round trip, however many): a busy gateway gathers
  // hundreds, and one statement each was most of the consoles' pool's time on the wire.
  // jsonb cannot hold a NUL character (a text parameter ended at one): they are dropped.
  auto t = [](std::string s) {
    std::erase(s, '\0');
    return boost::json::value(std::move(s));
  };
  boost::json::array rows;
  rows.reserve(entries.size());
  for (auto& e : entries)
    rows.push_back(boost::json::object{{"b", t(e.business_id)}, {"u", t(e.user_id)},
                                       {"actor", t(e.actor)}, {"node", t(e.node)},
                                       {"command_id", t(e.command_id)}, {"verb", t(e.verb)},
                                       {"call_id", t(e.call_id)}, {"args", t(e.args)},
                                       {"result", t(e.result)}, {"detail", t(e.detail)}});
  auto json = boost::json::serialize(rows);
  return guarded("audit", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      tx.exec_params(
          "SELECT console_audit(nullif(x.b, '')::uuid, nullif(x.u, '')::uuid, x.actor, x.node, "
          "x.command_id, x.verb, x.call_id, x.args, x.result, x.detail) "
          "FROM jsonb_to_recordset($1::jsonb) AS x(b text, u text, actor text, node text, "
          "command_id text, verb text, call_id text, args text, result text, detail text)",
          json);
      return true;
    });
  });
}

expected<std::vector<live_call_row>> console_repo::live_calls(const std::string& business_id) {
  return guarded("console calls", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<live_call_row> out;
      for (auto r : tx.exec(std::string(
               "SELECT id, business_id, caller, node, status, to_char(started_at AT TIME ZONE "
               "'UTC', ") + ts_utc + "), jsonb_array_length(transcript), "
               "transcript -> -1 ->> 'role', left(transcript -> -1 ->> 'text', 300) "
               "FROM calls WHERE ended_at IS NULL AND started_at > now() - interval '1 day' "
               "ORDER BY started_at"))
        out.push_back({text(r[0]), text(r[1]), text(r[2]), text(r[3]), text(r[4]), text(r[5]),
                       r[6].as<long long>(), text(r[7]), text(r[8])});
      return out;
    });
  });
}

expected<std::optional<call_snapshot>> console_repo::call(const std::string& business_id,
                                                          const std::string& call_id) {
  return guarded("console call", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) -> std::optional<call_snapshot> {
      auto rows = tx.exec_params(
          std::string("SELECT id, business_id, caller, node, status, to_char(started_at AT TIME "
                      "ZONE 'UTC', ") + ts_utc + "), coalesce(end_reason, ''), ended_at IS NOT NULL, "
          "transcript::text, latencies::text FROM calls WHERE id = $1::uuid",
          call_id);
      if (rows.empty())
        return std::nullopt;
      auto r = rows[0];
      return call_snapshot{text(r[0]), text(r[1]), text(r[2]), text(r[3]), text(r[4]),
                           text(r[5]), text(r[6]), r[7].as<bool>(), text(r[8]), text(r[9])};
    });
  });
}

expected<std::optional<std::string>>
console_repo::business_of(const std::vector<std::string>& businesses, const std::string& id,
                          bool appointment) {
  for (auto& b : businesses) {
    auto found = guarded("console call lookup", [&] {
      return db_.as_business(b, [&](pqxx::work& tx) {
        return !tx.exec_params(appointment ? "SELECT 1 FROM appointments WHERE id = $1::uuid"
                                           : "SELECT 1 FROM calls WHERE id = $1::uuid",
                               id)
                    .empty();
      });
    });
    if (!found)
      return found.error();
    if (*found)
      return std::optional<std::string>(b);
  }
  return std::optional<std::string>();
}

expected<std::vector<console_appointment>>
console_repo::appointments(const std::string& business_id, const std::string& day) {
  return guarded("console appointments", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<console_appointment> out;
      for (auto r : tx.exec_params(
               std::string("SELECT a.id, a.status::text, to_char(lower(a.during) AT TIME ZONE "
                           "'UTC', ") + ts_utc + "), to_char(upper(a.during) AT TIME ZONE 'UTC', " +
                   ts_utc + "), a.customer_name, a.service, coalesce(a.call_id::text, '') "
                   "FROM appointments a JOIN businesses b ON b.id = a.business_id "
                   "WHERE (lower(a.during) AT TIME ZONE b.timezone)::date = CASE $1 "
                   "WHEN 'today' THEN (now() AT TIME ZONE b.timezone)::date "
                   "WHEN 'tomorrow' THEN (now() AT TIME ZONE b.timezone)::date + 1 "
                   "ELSE $1::date END "
                   "ORDER BY lower(a.during)",
               day))
        out.push_back({text(r[0]), text(r[1]), text(r[2]), text(r[3]), text(r[4]), text(r[5]),
                       text(r[6])});
      return out;
    });
  });
}

} // namespace frontdesk::store
