#include "adapters/store/migrate.hpp"

#include <cstdio>
#include <map>

#include <openssl/evp.h>
#include <pqxx/pqxx>

namespace frontdesk::store {

std::string checksum(const std::string& sql) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(sql.data(), sql.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

expected<migrate_report> migrate(const std::string& conninfo,
                                 const std::vector<migration>& migrations) {
  migrate_report report;
  try {
    pqxx::connection conn(conninfo);
    std::map<int, std::pair<std::string, std::string>> applied;
    {
      pqxx::work tx(conn);
      // Only one migrator at a time, whichever node or script runs it.
      tx.exec("SELECT pg_advisory_xact_lock(7345120011)");
      tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
              "applied_at timestamptz NOT NULL DEFAULT now())");
      for (auto row : tx.exec("SELECT version, name, checksum FROM schema_migrations"))
        applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
      tx.commit();
    }
    for (auto& m : migrations) {
      auto it = applied.find(m.version);
      if (it == applied.end())
        continue;
      if (it->second.second != checksum(m.sql))
        return fail("migration_changed",
                    "migration " + m.name + " was changed after it was applied (recorded checksum " +
                        it->second.second.substr(0, 12) + ", file now " +
                        checksum(m.sql).substr(0, 12) +
                        "); applied migrations are never edited: add a new migration instead");
      ++report.already_applied;
    }
    for (auto& m : migrations) {
      if (applied.count(m.version))
        continue;
      pqxx::work tx(conn);
      tx.exec("SELECT pg_advisory_xact_lock(7345120011)");
      // Another migrator may have applied it while we waited for the lock.
      if (!tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version).empty())
        continue;
      try {
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        return fail("migration_failed", "migration " + m.name + " failed: " + e.what());
      }
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     m.version, m.name, checksum(m.sql));
      tx.commit();
      report.applied.push_back(m.name);
    }
  } catch (const pqxx::broken_connection& e) {
    return fail("database_unreachable", std::string("cannot connect to PostgreSQL: ") + e.what());
  } catch (const std::exception& e) {
    return fail("migration_failed", e.what());
  }
  return report;
}

} // namespace frontdesk::store
