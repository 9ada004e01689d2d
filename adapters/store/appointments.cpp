#include "adapters/store/appointments.hpp"

#include <cctype>

#include "adapters/store/database.hpp"
#include "adapters/store/holds.hpp"
#include "adapters/store/messaging.hpp"

namespace frontdesk::store {
namespace {

std::string ts(sys_time t) { return format_rfc3339(t); }

sys_time parse_ts(const std::string& s) {
  auto t = parse_rfc3339(s);
  if (!t)
    throw std::runtime_error("bad timestamp from the database: " + s);
  return *t;
}

// Timestamps leave PostgreSQL as RFC 3339 in UTC.
constexpr const char* utc_lower =
    "to_char(lower(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
constexpr const char* utc_upper =
    "to_char(upper(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";


appointment row_to_appointment(const pqxx::row& r) {
  appointment a;
  a.id = r[0].as<std::string>();
  a.during = {parse_ts(r[1].as<std::string>()), parse_ts(r[2].as<std::string>())};
  a.status = r[3].as<std::string>();
  a.customer_name = r[4].as<std::string>();
  a.customer_phone = r[5].is_null() ? "" : r[5].as<std::string>();
  a.service = r[6].as<std::string>();
  return a;
}

std::string select_columns() {
  return std::string("id, ") + utc_lower + ", " + utc_upper +
         ", status::text, customer_name, customer_phone, service";
}

// Writers that take a business's slots (a hold, a booking, a move) go one at a time per
// business, for the length of their transaction. Without it, concurrent bookers of overlapping
// slots each insert their row and then wait on each other's through the exclusion constraint:
// PostgreSQL breaks each such cycle only after deadlock_timeout, and under load the retried
// writers could deadlock again and again (a CI run saw 249 deadlocks and 49 of 50 racing
// bookers give up). In line, each sees the rows committed before it and is refused at once.
// The calendar actor runs different calls' tools side by side: this lock, not the actor, is
// what keeps a business's slot writers in line (reads do not take it).
void take_slots_lock(pqxx::work& tx, const std::string& business_id) {
  tx.exec_params("SELECT pg_advisory_xact_lock(7345, hashtext($1))", business_id);
}

// Expired holds stop blocking: they are removed before anything that needs the slot.
void sweep_expired_holds(pqxx::work& tx, sys_time now) {
  tx.exec_params("DELETE FROM appointments WHERE status = 'held' AND hold_expires_at < $1::timestamptz",
                 ts(now));
}

// The write of the appointment's event to a connected Google Calendar, queued in the same
// transaction (nothing when no calendar is connected).
void queue_calendar_event(pqxx::work& tx, const std::string& appointment_id, const char* why,
                          sys_time now) {
  tx.exec_params("SELECT queue_calendar_event($1::uuid, $2::timestamptz, $3)", appointment_id,
                 ts(now), std::string(why));
}

} // namespace

int drop_call_holds(pqxx::work& tx, const std::string& call_id) {
  return static_cast<int>(
      tx.exec_params("DELETE FROM appointments WHERE status = 'held' AND call_id = $1::uuid",
                     call_id)
          .affected_rows());
}

expected<std::vector<interval>> appointments_repo::busy(const std::string& business_id,
                                                        interval w, sys_time now,
                                                        const std::string& ignore,
                                                        const std::string& own_call) {
  return guarded("busy", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<interval> out;
      auto rows = tx.exec_params(
          std::string("SELECT ") + utc_lower + ", " + utc_upper +
              " FROM appointments WHERE during && tstzrange($1::timestamptz, $2::timestamptz) "
              // Row-level security keeps the range operator (not leakproof) from using an
              // index; the starts' index bounds the scan instead (no appointment is a week long).
              "AND starts_at < $2::timestamptz AND starts_at >= $1::timestamptz - interval '7 days' "
              "AND (status = 'booked' OR (status = 'held' AND hold_expires_at >= $3::timestamptz)) "
              "AND id::text <> $4 "
              "AND NOT (status = 'held' AND $5 <> '' AND call_id IS NOT NULL "
              "AND call_id::text = $5) "
              "UNION ALL SELECT " + utc_lower + ", " + utc_upper +
              " FROM calendar_busy WHERE during && tstzrange($1::timestamptz, $2::timestamptz) "
              "ORDER BY 1",
          ts(w.start), ts(w.end), ts(now), ignore, own_call);
      for (auto r : rows)
        out.push_back({parse_ts(r[0].as<std::string>()), parse_ts(r[1].as<std::string>())});
      return out;
    });
  });
}

expected<busy_read> appointments_repo::busy_rows(const std::string& business_id, interval w,
                                                 sys_time now) {
  return guarded("busy_rows", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      busy_read out;
      auto rows = tx.exec_params(
          std::string("SELECT ") + utc_lower + ", " + utc_upper +
              ", id::text, coalesce(call_id::text, ''), status = 'held', "
              "coalesce(to_char(hold_expires_at AT TIME ZONE 'UTC', "
              "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '') "
              "FROM appointments WHERE during && tstzrange($1::timestamptz, $2::timestamptz) "
              "AND starts_at < $2::timestamptz AND starts_at >= $1::timestamptz - interval '7 days' "
              "AND (status = 'booked' OR (status = 'held' AND hold_expires_at >= $3::timestamptz)) "
              "UNION ALL SELECT " + utc_lower + ", " + utc_upper +
              ", '', '', false, '' FROM calendar_busy "
              "WHERE during && tstzrange($1::timestamptz, $2::timestamptz) ORDER BY 1",
          ts(w.start), ts(w.end), ts(now));
      for (auto r : rows) {
        busy_row b;
        b.during = {parse_ts(r[0].as<std::string>()), parse_ts(r[1].as<std::string>())};
        b.appointment_id = r[2].as<std::string>();
        b.call_id = r[3].as<std::string>();
        b.held = r[4].as<bool>();
        if (auto e = r[5].as<std::string>(); !e.empty())
          b.expires = parse_ts(e);
        out.rows.push_back(std::move(b));
      }
      out.calendar_linked =
          tx.exec("SELECT EXISTS (SELECT 1 FROM calendar_links WHERE status = 'active')")[0][0]
              .as<bool>();
      return out;
    });
  });
}

expected<std::string> appointments_repo::hold(const std::string& business_id, interval during,
                                              const std::string& call_id, sys_time expires_at,
                                              sys_time now, const std::string& id) {
  return guarded("hold", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      take_slots_lock(tx, business_id);
      sweep_expired_holds(tx, now);
      if (!call_id.empty())
        drop_call_holds(tx, call_id);
      auto r = tx.exec_params1(
          "INSERT INTO appointments (id, business_id, during, status, hold_expires_at, call_id) "
          "VALUES (coalesce(nullif($6, '')::uuid, gen_random_uuid()), $1, "
          "tstzrange($2::timestamptz, $3::timestamptz), 'held', $4::timestamptz, "
          "nullif($5, '')::uuid) RETURNING id",
          business_id, ts(during.start), ts(during.end), ts(expires_at), call_id, id);
      return r[0].as<std::string>();
    });
  });
}

expected<bool> appointments_repo::release(const std::string& business_id,
                                          const std::string& hold_id) {
  return guarded("release", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return tx.exec_params("DELETE FROM appointments WHERE id = $1 AND status = 'held'", hold_id)
                 .affected_rows() == 1;
    });
  });
}

expected<int> appointments_repo::release_call_holds(const std::string& business_id,
                                                   const std::string& call_id) {
  return guarded("release_call_holds", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return drop_call_holds(tx, call_id);
    });
  });
}

expected<appointment> appointments_repo::book(const std::string& business_id,
                                              const booking_request& req,
                                              const std::string& hold_id, sys_time now) {
  // Bookers waiting on the exclusion constraint for the same slot can deadlock each other once
  // the first commits; the one PostgreSQL aborts runs again and then sees "slot_taken".
  for (int attempt = 0;; ++attempt) {
    auto r = book_once(business_id, req, hold_id, now);
    if (r || r.error().code != "conflict" || attempt == 4)
      return r;
  }
}

expected<appointment> appointments_repo::book_once(const std::string& business_id,
                                                   const booking_request& req,
                                                   const std::string& hold_id, sys_time now) {
  return guarded("book", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      take_slots_lock(tx, business_id);
      if (!req.idempotency_key.empty()) {
        auto seen = tx.exec_params("SELECT " + select_columns() +
                                       " FROM appointments WHERE idempotency_key = $1",
                                   req.idempotency_key);
        if (!seen.empty())
          return row_to_appointment(seen[0]);
      }
      sweep_expired_holds(tx, now);
      pqxx::result r;
      if (!hold_id.empty()) {
        // The hold becomes the booking: same row, so no moment without the slot.
        r = tx.exec_params(
            "UPDATE appointments SET status = 'booked', hold_expires_at = NULL, "
            "during = tstzrange($2::timestamptz, $3::timestamptz), customer_name = $4, "
            "customer_phone = nullif($5, ''), service = $6, idempotency_key = nullif($7, ''), "
            "updated_at = $8::timestamptz, notes = $9 WHERE id = $1 AND status = 'held' "
            "RETURNING " + select_columns(),
            hold_id, ts(req.during.start), ts(req.during.end), req.customer_name,
            req.customer_phone, req.service, req.idempotency_key, ts(now), req.notes);
      }
      if (r.empty())
        r = tx.exec_params(
            "INSERT INTO appointments (business_id, during, status, customer_name, customer_phone, "
            "service, call_id, idempotency_key, created_at, updated_at, notes) VALUES ($1, "
            "tstzrange($2::timestamptz, $3::timestamptz), 'booked', $4, nullif($5, ''), $6, "
            "nullif($7, '')::uuid, nullif($8, ''), $9::timestamptz, $9::timestamptz, $10) "
            "RETURNING " + select_columns(),
            business_id, ts(req.during.start), ts(req.during.end), req.customer_name,
            req.customer_phone, req.service, req.call_id, req.idempotency_key, ts(now),
            req.notes);
      auto a = row_to_appointment(r[0]);
      a.confirmation_queued = queue_appointment_messages(tx, business_id, a.id,
                                                         appointment_change::booked, now,
                                                         req.confirm);
      queue_calendar_event(tx, a.id, "booked", now);
      return a;
    });
  });
}

expected<std::vector<appointment>> appointments_repo::find_upcoming(
    const std::string& business_id, const std::string& phone, const std::string& name,
    sys_time now) {
  return guarded("find_upcoming", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<appointment> out;
      auto rows = tx.exec_params(
          "SELECT " + select_columns() +
              " FROM appointments WHERE status = 'booked' AND upper(during) > $1::timestamptz "
              "AND (($2 <> '' AND customer_phone = $2) OR "
              "     ($3 <> '' AND lower(customer_name) = lower($3))) "
              "ORDER BY lower(during) LIMIT 5",
          ts(now), phone, name);
      for (auto r : rows)
        out.push_back(row_to_appointment(r));
      return out;
    });
  });
}

expected<std::optional<appointment>> appointments_repo::get(const std::string& business_id,
                                                            const std::string& appointment_id) {
  // Not an id at all (a model's guess): no such appointment, not a database error.
  bool uuid_like = appointment_id.size() == 36;
  for (std::size_t i = 0; uuid_like && i < appointment_id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    uuid_like = dash ? appointment_id[i] == '-'
                     : std::isxdigit(static_cast<unsigned char>(appointment_id[i])) != 0;
  }
  if (!uuid_like)
    return std::optional<appointment>();
  return guarded("get", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto rows = tx.exec_params("SELECT " + select_columns() +
                                     " FROM appointments WHERE id = $1::uuid",
                                 appointment_id);
      return rows.empty() ? std::optional<appointment>() : row_to_appointment(rows[0]);
    });
  });
}

expected<bool> appointments_repo::cancel(const std::string& business_id,
                                         const std::string& appointment_id, sys_time now,
                                         bool confirm) {
  return guarded("cancel", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto r = tx.exec_params(
          "UPDATE appointments SET status = 'cancelled', cancelled_at = $2::timestamptz, "
          "updated_at = $2::timestamptz WHERE id = $1 AND status = 'booked'",
          appointment_id, ts(now));
      if (r.affected_rows() != 1)
        return false;
      queue_appointment_messages(tx, business_id, appointment_id, appointment_change::cancelled,
                                 now, confirm);
      queue_calendar_event(tx, appointment_id, "cancelled", now);
      return true;
    });
  });
}

expected<appointment> appointments_repo::reschedule(const std::string& business_id,
                                                    const std::string& appointment_id,
                                                    interval to, sys_time now,
                                                    const std::string& call_id, bool confirm) {
  return guarded("reschedule", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      take_slots_lock(tx, business_id);
      auto old = tx.exec_params(
          "UPDATE appointments SET status = 'cancelled', cancelled_at = $2::timestamptz, "
          "updated_at = $2::timestamptz WHERE id = $1 AND status = 'booked' "
          "RETURNING customer_name, customer_phone, service, call_id",
          appointment_id, ts(now));
      if (old.empty())
        throw std::runtime_error("no booked appointment " + appointment_id);
      sweep_expired_holds(tx, now);
      auto r = tx.exec_params(
          "INSERT INTO appointments (business_id, during, status, customer_name, customer_phone, "
          "service, call_id, rescheduled_from, created_at, updated_at) VALUES ($1, "
          "tstzrange($2::timestamptz, $3::timestamptz), 'booked', $4, $5, $6, $7, $8, "
          "$9::timestamptz, $9::timestamptz) RETURNING " +
              select_columns(),
          business_id, ts(to.start), ts(to.end), old[0][0].as<std::string>(),
          old[0][1].is_null() ? std::optional<std::string>() : old[0][1].as<std::string>(),
          old[0][2].as<std::string>(),
          !call_id.empty()     ? std::optional<std::string>(call_id)
          : old[0][3].is_null() ? std::optional<std::string>()
                                : old[0][3].as<std::string>(),
          appointment_id, ts(now));
      auto moved = row_to_appointment(r[0]);
      queue_appointment_messages(tx, business_id, appointment_id, appointment_change::cancelled,
                                 now, false);
      moved.confirmation_queued = queue_appointment_messages(
          tx, business_id, moved.id, appointment_change::moved, now, confirm);
      queue_calendar_event(tx, moved.id, "moved", now);
      return moved;
    });
  });
}

expected<std::vector<knowledge_repo::passage>> knowledge_repo::search(
    const std::string& business_id, const std::vector<question_concept>& concepts,
    std::size_t limit, double min_coverage) {
  // One concept a line, "a " before an aspect's words and "s " before a subject's: libpqxx 6
  // has no array parameters.
  std::string joined;
  for (auto& c : concepts) {
    joined += c.aspect ? "a " : "s ";
    for (char ch : c.words)
      joined += ch == '\n' ? ' ' : ch;
    joined += '\n';
  }
  return guarded("knowledge", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<passage> out;
      // Each concept becomes an OR of its words' lexemes; a concept of stop words only has none
      // and does not count. Two concepts with the same lexemes count once.
      auto rows = tx.exec_params(
          "WITH c AS (SELECT q, bool_and(aspect) AS aspect FROM ("
          "    SELECT left(g, 1) = 'a' AS aspect, "
          "      (SELECT string_agg(quote_literal(lexeme), ' | ' ORDER BY lexeme) "
          "       FROM unnest(to_tsvector('english', substr(g, 3)))) AS q "
          "    FROM unnest(string_to_array($1, E'\\n')) g WHERE g <> '') s "
          "  WHERE q IS NOT NULL GROUP BY q), "
          "n AS (SELECT count(*) AS total, count(*) FILTER (WHERE NOT aspect) AS subjects, "
          "  string_agg(q, ' | ') AS anyq FROM c), "
          "scored AS (SELECT k.body, "
          "  (SELECT count(*) FROM c WHERE k.tsv @@ to_tsquery('english', c.q))::float8 "
          "    / greatest(n.total, 1) AS coverage, "
          "  n.subjects = 0 OR EXISTS (SELECT 1 FROM c WHERE NOT c.aspect "
          "    AND k.tsv @@ to_tsquery('english', c.q)) AS on_subject, "
          "  ts_rank_cd(k.tsv, to_tsquery('english', n.anyq)) AS rank "
          "  FROM knowledge k, n WHERE n.total > 0) "
          "SELECT body, coverage, rank FROM scored WHERE coverage >= $2 AND on_subject "
          "ORDER BY coverage DESC, rank DESC LIMIT $3",
          joined, min_coverage, static_cast<int>(limit));
      for (auto r : rows)
        out.push_back({r[0].as<std::string>(), r[1].as<double>(), r[2].as<double>()});
      return out;
    });
  });
}

} // namespace frontdesk::store
