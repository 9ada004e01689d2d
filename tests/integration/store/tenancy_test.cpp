// The data model's guards against a real PostgreSQL: the exclusion constraint against double
// booking, and row-level security between businesses, connected as the application role.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/store/database.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;

namespace {

const char* business_a = "00000000-0000-0000-0000-00000000000a";
const char* business_b = "00000000-0000-0000-0000-00000000000b";

// Every tenant table, with an INSERT of one row for business $1 (ids derived from it).
struct tenant_table {
  const char* name;
  const char* insert;
};

const std::vector<tenant_table>& tenant_tables() {
  static const std::vector<tenant_table> list = {
      {"business_hours", "INSERT INTO business_hours VALUES ($1::uuid, 0, '09:00', '17:00')"},
      {"business_hour_overrides",
       "INSERT INTO business_hour_overrides (business_id, day) VALUES ($1::uuid, '2026-12-25')"},
      {"staff_users",
       "INSERT INTO staff_users (id, business_id, email, role) "
       "VALUES (md5($1::text)::uuid, $1::uuid, 'owner@example.com', 'owner')"},
      {"api_tokens",
       "INSERT INTO api_tokens (business_id, user_id, token_sha256) "
       "VALUES ($1::uuid, md5($1::text)::uuid, sha256($1::text::bytea))"},
      {"calls",
       "INSERT INTO calls (id, business_id, call_sid) VALUES (md5('c' || $1::text)::uuid, $1::uuid, 'CA' || md5($1::text))"},
      {"appointments",
       // Held, not booked: a booking would also write a booking event.
       "INSERT INTO appointments (id, business_id, during, status, hold_expires_at) "
       "VALUES (md5('a' || $1::text)::uuid, $1::uuid, '[2026-03-04 15:00Z, 2026-03-04 16:00Z)', "
       "'held', '2026-03-04 15:05Z')"},
      {"booking_events",
       "INSERT INTO booking_events (business_id, appointment_id, kind, starts_at) "
       "VALUES ($1::uuid, md5('a' || $1::text)::uuid, 'booked', '2026-03-04 15:00Z')"},
      {"knowledge", "INSERT INTO knowledge (business_id, body) VALUES ($1::uuid, 'We open at nine.')"},
      {"calendar_links",
       "INSERT INTO calendar_links (id, business_id) VALUES (md5('l' || $1::text)::uuid, $1::uuid)"},
      {"calendar_busy",
       "INSERT INTO calendar_busy VALUES ($1::uuid, md5('l' || $1::text)::uuid, 'ev1', "
       "'[2026-03-04 18:00Z, 2026-03-04 19:00Z)')"},
      {"outbox",
       "INSERT INTO outbox (business_id, kind, payload) VALUES ($1::uuid, 'sms', '{}')"},
      {"sms_log",
       "INSERT INTO sms_log (business_id, direction, to_number, from_number, body) "
       "VALUES ($1::uuid, 'outbound', '+15550001', '+15550002', 'hi')"},
      {"sms_opt_outs", "INSERT INTO sms_opt_outs (business_id, phone) VALUES ($1::uuid, '+15550001')"},
      {"staff_sessions",
       "INSERT INTO staff_sessions (business_id, user_id, token_sha256, csrf_token, expires_at) "
       "VALUES ($1::uuid, md5($1::text)::uuid, sha256(('s' || $1::text)::bytea), repeat('x', 32), "
       "'2030-01-01Z')"},
      {"reminders",
       "INSERT INTO reminders (business_id, appointment_id, send_at) "
       "VALUES ($1::uuid, md5('a' || $1::text)::uuid, '2026-03-03 15:00Z')"},
      {"sms_conversations",
       "INSERT INTO sms_conversations (business_id, phone, appointment_id, offered, expires_at) "
       "VALUES ($1::uuid, '+15550001', md5('a' || $1::text)::uuid, '{}', '2026-03-05 00:00Z')"},
      {"staff_tasks", "INSERT INTO staff_tasks (business_id, kind) VALUES ($1::uuid, 'call_back')"},
      {"services", "INSERT INTO services (business_id, name, minutes) VALUES ($1::uuid, 'cleaning', 45)"},
      {"sms_unusable_numbers",
       "INSERT INTO sms_unusable_numbers (business_id, phone, error_code) VALUES ($1::uuid, "
       "'+15550001', 30006)"},
      {"twilio_webhook_receipts",
       "INSERT INTO twilio_webhook_receipts (business_id, token, route, message_sid) VALUES "
       "($1::uuid, 'tok-' || $1::text, 'sms', 'SM1')"},
      {"staff_invitations",
       "INSERT INTO staff_invitations (business_id, email, role, token_sha256, expires_at) "
       "VALUES ($1::uuid, 'new@example.com', 'viewer', sha256(('i' || $1::text)::bytea), "
       "'2030-01-01Z')"},
      {"google_oauth_states",
       "INSERT INTO google_oauth_states (state, business_id, code_verifier, expires_at) "
       "VALUES ('st' || $1::text, $1::uuid, 'verifier', '2030-01-01Z')"},
  };
  return list;
}

class tenancy : public ::testing::Test {
protected:
  void SetUp() override {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    // The owner role bypasses RLS: fixtures for both businesses.
    tx.exec_params("INSERT INTO businesses (id, name, phone_number, timezone) VALUES "
                   "($1, 'Alpha Dental', '+15550100001', 'America/Chicago'), "
                   "($2, 'Beta Salon', '+15550100002', 'America/New_York')",
                   business_a, business_b);
    for (auto id : {business_a, business_b})
      for (auto& t : tenant_tables())
        tx.exec_params(t.insert, id);
    tx.commit();
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 2};
};

std::string sqlstate_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const pqxx::sql_error& err) {
    return err.sqlstate() + " " + err.what();
  } catch (const std::exception& err) {
    return std::string("not an SQL error: ") + err.what();
  }
}

} // namespace

TEST_F(tenancy, every_table_with_a_business_id_has_row_level_security) {
  pqxx::connection c(db_.owner_dsn());
  pqxx::nontransaction tx(c);
  auto rows = tx.exec("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'business_id' "
                      "WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity");
  for (auto r : rows)
    ADD_FAILURE() << "table without RLS: " << r[0].as<std::string>();
  auto tables = tx.exec("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'business_id' "
                        "WHERE n.nspname = 'public' AND c.relkind = 'r'");
  // And live_events, which only the owner's triggers write (the application role may read its
  // business's rows, never write any): its scoping is tested with the dashboard's event stream;
  // and audit_log, written only through console_audit() (tested below).
  EXPECT_EQ(tables[0][0].as<std::size_t>(), tenant_tables().size() + 2);
}

TEST_F(tenancy, the_audit_log_is_written_only_through_its_function_and_read_per_business) {
  app_.as_business(business_a, [&](pqxx::work& tx) {
    for (auto id : {business_a, business_b})
      tx.exec_params("SELECT console_audit($1::uuid, NULL, 'staff@example.com', 'n1', 'c1', "
                     "'calls', '', '', 'done', '')",
                     id);
  });
  auto seen = app_.as_business(business_a, [&](pqxx::work& tx) {
    return tx.exec1("SELECT count(*) FROM audit_log")[0].as<int>();
  });
  EXPECT_EQ(seen, 1);
  EXPECT_THROW(app_.as_business(business_a,
                                [&](pqxx::work& tx) {
                                  tx.exec("INSERT INTO audit_log (business_id, actor, node, verb, "
                                          "result) VALUES (current_business(), 'x', 'n', 'v', "
                                          "'done')");
                                }),
               pqxx::sql_error);
}

TEST_F(tenancy, a_business_sees_only_its_own_rows_in_every_table) {
  for (auto& t : tenant_tables()) {
    auto [mine, others] = app_.as_business(business_a, [&](pqxx::work& tx) {
      auto q = std::string("SELECT count(*) FILTER (WHERE business_id = $1), "
                           "count(*) FILTER (WHERE business_id <> $1) FROM ") + t.name;
      auto r = tx.exec_params1(q, business_a);
      return std::pair{r[0].as<int>(), r[1].as<int>()};
    });
    EXPECT_EQ(mine, 1) << t.name;
    EXPECT_EQ(others, 0) << t.name;
  }
  auto names = app_.as_business(business_a, [](pqxx::work& tx) {
    return tx.exec("SELECT name FROM businesses");
  });
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0][0].as<std::string>(), "Alpha Dental");
}

TEST_F(tenancy, a_business_cannot_insert_rows_for_another) {
  for (auto& t : tenant_tables()) {
    std::exception_ptr failure;
    try {
      app_.as_business(business_a, [&](pqxx::work& tx) { tx.exec_params(t.insert, business_b); });
    } catch (...) {
      failure = std::current_exception();
    }
    ASSERT_TRUE(failure) << t.name << ": insert for another business was accepted";
    // The policy refuses it (SQLSTATE 42501, which libpqxx 6 raises as insufficient_privilege);
    // a unique or foreign-key error would mean the row got past RLS to the table's other checks.
    bool refused_by_policy = false;
    try {
      std::rethrow_exception(failure);
    } catch (const pqxx::insufficient_privilege& e) {
      refused_by_policy = std::string(e.what()).find("row-level security") != std::string::npos;
    } catch (...) {
    }
    EXPECT_TRUE(refused_by_policy) << t.name << ": " << sqlstate_of(failure);
  }
}

TEST_F(tenancy, a_business_cannot_change_or_delete_another_s_rows) {
  auto changed = app_.as_business(business_a, [](pqxx::work& tx) {
    auto u = tx.exec_params("UPDATE calls SET summary = 'x' WHERE business_id = $1", business_b);
    auto d = tx.exec_params("DELETE FROM knowledge WHERE business_id = $1", business_b);
    return u.affected_rows() + d.affected_rows();
  });
  EXPECT_EQ(changed, 0u);
  // Moving one's own row to another business is refused too.
  EXPECT_THROW(app_.as_business(business_a,
                                [](pqxx::work& tx) {
                                  tx.exec_params("UPDATE calls SET business_id = $1", business_b);
                                }),
               pqxx::sql_error);
}

TEST_F(tenancy, without_a_business_scope_nothing_is_visible) {
  auto n = app_.unscoped([](pqxx::work& tx) {
    return tx.exec1("SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM businesses) "
                    "+ (SELECT count(*) FROM appointments)")[0]
        .as<int>();
  });
  EXPECT_EQ(n, 0);
  // The cross-tenant lookups answer with an id and nothing more.
  auto id = app_.unscoped([](pqxx::work& tx) {
    return tx.exec1("SELECT business_for_number('+15550100002')")[0].as<std::string>();
  });
  EXPECT_EQ(id, business_b);
}

TEST_F(tenancy, the_scope_ends_with_the_transaction) {
  app_.as_business(business_a, [](pqxx::work& tx) { tx.exec("SELECT 1"); });
  auto n = app_.unscoped(
      [](pqxx::work& tx) { return tx.exec1("SELECT count(*) FROM calls")[0].as<int>(); });
  EXPECT_EQ(n, 0);
}

TEST_F(tenancy, the_application_role_cannot_read_migrations_or_disable_security) {
  EXPECT_THROW(app_.unscoped([](pqxx::work& tx) { tx.exec("SELECT * FROM schema_migrations"); }),
               pqxx::sql_error);
  EXPECT_THROW(app_.unscoped([](pqxx::work& tx) {
                 tx.exec("ALTER TABLE calls DISABLE ROW LEVEL SECURITY");
               }),
               pqxx::sql_error);
}

namespace {

void book(store::database& db, const char* business, const char* range,
          const char* status = "booked") {
  db.as_business(business, [&](pqxx::work& tx) {
    tx.exec_params("INSERT INTO appointments (business_id, during, status) "
                   "VALUES ($1::uuid, $2::tstzrange, $3::appointment_status)",
                   business, range, status);
  });
}

} // namespace

TEST_F(tenancy, overlapping_appointments_of_one_business_are_refused) {
  // The fixture booked 15:00-16:00Z for both businesses.
  try {
    book(app_, business_a, "[2026-03-04 15:30Z, 2026-03-04 16:30Z)");
    FAIL() << "overlap accepted";
  } catch (const pqxx::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "23P01"); // exclusion_violation
    EXPECT_NE(std::string(e.what()).find("appointments_no_overlap"), std::string::npos);
  }
  // A hold blocks the slot as much as a booking.
  EXPECT_THROW(book(app_, business_a, "[2026-03-04 15:00Z, 2026-03-04 15:15Z)", "held"),
               pqxx::sql_error);
  // Back to back is fine: ranges are [start, end).
  EXPECT_NO_THROW(book(app_, business_a, "[2026-03-04 16:00Z, 2026-03-04 17:00Z)"));
}

TEST_F(tenancy, the_same_time_is_free_for_another_business_and_after_a_cancellation) {
  EXPECT_NO_THROW(book(app_, business_b, "[2026-03-04 16:00Z, 2026-03-04 17:00Z)"));
  EXPECT_THROW(book(app_, business_b, "[2026-03-04 15:00Z, 2026-03-04 16:00Z)"), pqxx::sql_error);
  app_.as_business(business_b, [](pqxx::work& tx) {
    tx.exec("UPDATE appointments SET status = 'cancelled', cancelled_at = now() "
            "WHERE during @> '2026-03-04 15:30Z'::timestamptz");
  });
  EXPECT_NO_THROW(book(app_, business_b, "[2026-03-04 15:00Z, 2026-03-04 16:00Z)"));
}

TEST_F(tenancy, concurrent_bookings_of_one_slot_produce_exactly_one) {
  store::database pool(db_.app_dsn(), 8);
  std::atomic<int> ok{0}, refused{0};
  // Anything else a thread meets is kept and reported (an exception escaping a thread would
  // abort the whole test binary and hide what it was).
  std::mutex m;
  std::vector<std::string> other;
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      try {
        book(pool, business_a, "[2026-03-05 15:00Z, 2026-03-05 16:00Z)");
        ++ok;
      } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() == "23P01") {
          ++refused;
          return;
        }
        std::lock_guard lk(m);
        other.push_back(e.sqlstate() + ": " + e.what());
      } catch (const std::exception& e) {
        std::lock_guard lk(m);
        other.push_back(e.what());
      }
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 15);
  EXPECT_TRUE(other.empty()) << other.front();
}
