#pragma once

#include <string>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::store {

/// One numbered migration, `sql/NNNN_name.sql`, compiled into the binary.
struct migration {
  int version;
  std::string name; // "0001_schema.sql"
  std::string sql;
};

/// The migrations shipped with this build, in order.
const std::vector<migration>& bundled_migrations();

/// Hex SHA-256 of a migration's text: what is recorded when it is applied.
std::string checksum(const std::string& sql);

struct migrate_report {
  std::vector<std::string> applied;  // names applied by this run
  std::size_t already_applied = 0;
};

/// Applies pending migrations in order, each in its own transaction, as the owner role given by
/// `conninfo`. Concurrent runs are serialised by an advisory lock. An applied migration whose text
/// has changed is refused, naming the file, and nothing is applied.
expected<migrate_report> migrate(const std::string& conninfo,
                                 const std::vector<migration>& migrations);

} // namespace frontdesk::store
