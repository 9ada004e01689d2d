#pragma once

#include <condition_variable>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "protocols/core/expected.hpp"

namespace frontdesk::store {

/// A bounded pool of PostgreSQL connections as the application role, and the only way the
/// application opens transactions: `as_business(id, fn)` scopes row-level security to one
/// business for exactly that transaction, so no query can forget its tenant.
///
/// Blocking: call from worker threads or detached actors, never from scheduler threads.
/// This header includes libpqxx and is meant for the store's own code and tests; the rest of
/// the product uses the store's pqxx-free repositories.
class database {
public:
  database(std::string conninfo, std::size_t pool_size);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Runs `fn(pqxx::work&)` in a transaction scoped to `business_id` and commits it.
  /// Retries once on a broken connection before the transaction did anything visible.
  template <class F>
  auto as_business(std::string_view business_id, F&& fn) {
    return run([&](pqxx::work& tx) {
      scope(tx, business_id);
      return fn(tx);
    });
  }

  /// Scopes row-level security to `business_id` for the rest of the transaction (as
  /// as_business does first): for an unscoped transaction that learns its business mid-way.
  static void scope(pqxx::work& tx, std::string_view business_id) {
    tx.exec_params("SELECT set_config('app.business_id', $1, true)", std::string(business_id));
  }

  /// Runs `fn` in a transaction with no business scope: tenant tables show nothing; only the
  /// cross-tenant lookup functions (business_for_number, ...) answer.
  template <class F>
  auto unscoped(F&& fn) {
    return run([&](pqxx::work& tx) { return fn(tx); });
  }

  /// True when a connection answers `SELECT 1` within the pool's wait limit.
  bool ping();

  const std::string& conninfo() const { return conninfo_; }

private:
  struct lease {
    database* db;
    std::unique_ptr<pqxx::connection> conn;
    lease(database* d, std::unique_ptr<pqxx::connection> c) : db(d), conn(std::move(c)) {}
    lease(lease&&) = default;
    ~lease() {
      if (conn)
        db->release(std::move(conn));
    }
  };

  template <class F>
  auto run(F&& body) {
    for (int attempt = 0;; ++attempt) {
      lease l = acquire();
      try {
        pqxx::work tx(*l.conn);
        if constexpr (std::is_void_v<decltype(body(tx))>) {
          body(tx);
          tx.commit();
          return;
        } else {
          auto result = body(tx);
          tx.commit();
          return result;
        }
      } catch (const pqxx::broken_connection&) {
        l.conn.reset(); // dropped, not returned to the pool
        forget_one();
        if (attempt >= 1)
          throw;
      }
    }
  }

  lease acquire();
  void release(std::unique_ptr<pqxx::connection> c);
  void forget_one();

  std::string conninfo_;
  std::size_t size_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;
};

/// A fresh random (version 4) UUID, for a row whose id is given before it is written.
std::string new_uuid();

/// Runs `f` and turns libpqxx's exceptions into failure values: the store's repositories never
/// throw. A refused overlap of appointments comes back as "slot_taken".
template <class F>
auto guarded(const char* what, F&& f) -> expected<decltype(f())> {
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    return fail("database_unreachable", std::string(what) + ": " + e.what());
  } catch (const pqxx::transaction_rollback& e) {
    // Deadlock or serialization failure: nothing was written; the caller may run it again.
    return fail("conflict", std::string(what) + ": " + e.what());
  } catch (const pqxx::sql_error& e) {
    if (std::string(e.what()).find("appointments_no_overlap") != std::string::npos)
      return fail("slot_taken", "the slot overlaps another appointment");
    return fail("database_error", std::string(what) + ": " + e.what());
  } catch (const std::exception& e) {
    return fail("database_error", std::string(what) + ": " + e.what());
  }
}

} // namespace frontdesk::store
