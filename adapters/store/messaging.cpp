#include "adapters/store/messaging.hpp"

#include <boost/json.hpp>

#include "adapters/store/database.hpp"
#include "protocols/sms/delivery_policy.hpp"
#include "protocols/sms/reminder_plan.hpp"
#include "protocols/sms/sms_text.hpp"

namespace frontdesk::store {
namespace {

namespace json = boost::json;

std::string ts(sys_time t) { return format_rfc3339(t); }

// Timestamps leave PostgreSQL as RFC 3339 in UTC.
std::string utc(const std::string& expr) {
  return "to_char((" + expr + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

sys_time parse_ts(const pqxx::field& f) {
  if (f.is_null())
    return {};
  auto t = parse_rfc3339(f.as<std::string>());
  if (!t)
    throw std::runtime_error("bad timestamp from the database: " + f.as<std::string>());
  return *t;
}

// "{1440,120}" -> minutes.
std::vector<std::chrono::minutes> parse_minutes(const std::string& arr) {
  std::vector<std::chrono::minutes> out;
  long v = 0;
  bool any = false;
  for (char c : arr) {
    if (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      any = true;
    } else {
      if (any && v > 0)
        out.emplace_back(v);
      v = 0;
      any = false;
    }
  }
  return out;
}

const char* change_name(appointment_change c) {
  switch (c) {
  case appointment_change::booked: return "booked";
  case appointment_change::moved: return "moved";
  case appointment_change::cancelled: return "cancelled";
  }
  return "booked";
}

// Opted out, or the carrier said the number cannot take texts.
bool is_opted_out(pqxx::transaction_base& tx, const std::string& business_id,
                  const std::string& phone) {
  return !tx.exec_params("SELECT 1 FROM sms_opt_outs WHERE business_id = $1 AND phone = $2 "
                         "UNION ALL SELECT 1 FROM sms_unusable_numbers WHERE business_id = $1 "
                         "AND phone = $2",
                         business_id, phone)
              .empty();
}

void add_staff_task(pqxx::transaction_base& tx, const std::string& business_id,
                    const std::string& kind, const std::string& phone,
                    const std::string& appointment_id, const std::string& note, sys_time now,
                    bool business_wide) {
  // One open task per cause: per business for its sending, else per number.
  tx.exec_params("INSERT INTO staff_tasks (business_id, kind, phone, appointment_id, note, "
                 "created_at) SELECT $1, $2, nullif($3, ''), nullif($4, '')::uuid, $5, "
                 "$6::timestamptz WHERE NOT EXISTS (SELECT 1 FROM staff_tasks WHERE business_id "
                 "= $1 AND kind = $2 AND done_at IS NULL AND ($7 OR phone = $3))",
                 business_id, kind, business_wide ? "" : phone, appointment_id, note, ts(now),
                 business_wide);
}

} // namespace

bool textable_number(const std::string& phone) {
  if (phone.size() < 8 || phone.size() > 16 || phone[0] != '+' || phone[1] < '1' || phone[1] > '9')
    return false;
  for (std::size_t i = 1; i < phone.size(); ++i)
    if (phone[i] < '0' || phone[i] > '9')
      return false;
  return true;
}

bool queue_appointment_messages(pqxx::transaction_base& tx, const std::string& business_id,
                                const std::string& appointment_id, appointment_change change,
                                sys_time now, bool confirm) {
  // Whatever was planned for this appointment no longer fits it.
  tx.exec_params("UPDATE reminders SET status = 'cancelled' WHERE appointment_id = $1 AND "
                 "status = 'pending'",
                 appointment_id);
  auto a = tx.exec_params("SELECT coalesce(customer_phone, ''), " + utc("lower(during)") +
                              ", status::text, (SELECT count(*) FROM booking_events e WHERE "
                              "e.appointment_id = appointments.id) FROM appointments WHERE id = $1",
                          appointment_id);
  if (a.empty())
    return false;
  auto phone = a[0][0].as<std::string>();
  auto start = parse_ts(a[0][1]);
  auto status = a[0][2].as<std::string>();
  auto revision = a[0][3].as<long long>();
  if (!textable_number(phone) || is_opted_out(tx, business_id, phone))
    return false;
  auto b = tx.exec_params1(
      "SELECT name, phone_number, address, timezone, "
      "extract(hour FROM quiet_start)::int * 60 + extract(minute FROM quiet_start)::int, "
      "extract(hour FROM quiet_end)::int * 60 + extract(minute FROM quiet_end)::int, "
      "reminder_minutes::text FROM businesses WHERE id = $1",
      business_id);
  sms::business_card card{b[0].as<std::string>(), b[1].as<std::string>(), b[2].as<std::string>(),
                          b[3].as<std::string>()};
  if (change != appointment_change::cancelled && status == "booked") {
    if (auto* zone = sms::find_zone(card.zone)) {
      sms::reminder_settings rs;
      rs.before = parse_minutes(b[6].as<std::string>());
      rs.quiet = {std::chrono::minutes(b[4].as<int>()), std::chrono::minutes(b[5].as<int>())};
      for (auto& r : sms::plan_reminders(*zone, rs, start, now))
        tx.exec_params("INSERT INTO reminders (business_id, appointment_id, send_at, kind, "
                       "for_start, offset_minutes) VALUES ($1, $2, $3::timestamptz, 'sms', "
                       "$4::timestamptz, $5) ON CONFLICT (appointment_id, kind, send_at) DO "
                       "UPDATE SET status = 'pending', for_start = excluded.for_start, "
                       "offset_minutes = excluded.offset_minutes",
                       business_id, appointment_id, ts(r.send_at), ts(start), r.offset_minutes);
    }
  }
  if (!confirm)
    return false;
  auto kind = change == appointment_change::booked  ? sms::notice::booked
              : change == appointment_change::moved ? sms::notice::moved
                                                    : sms::notice::cancelled;
  auto body = sms::render_notice(kind, card, start);
  if (!body)
    return false;
  json::object payload{{"to", phone},
                       {"from", card.phone},
                       {"body", *body},
                       {"appointment_id", appointment_id},
                       {"notice", change_name(change)}};
  auto key = "sms:" + appointment_id + ":" + change_name(change) + ":" + std::to_string(revision);
  auto r = tx.exec_params("INSERT INTO outbox (business_id, kind, payload, dedupe_key, "
                          "next_attempt_at, created_at, updated_at) VALUES ($1, 'sms', $2::jsonb, "
                          "$3, $4::timestamptz, $4::timestamptz, $4::timestamptz) "
                          "ON CONFLICT DO NOTHING",
                          business_id, json::serialize(payload), key, ts(now));
  return r.affected_rows() == 1;
}

void record_opt_out(pqxx::transaction_base& tx, const std::string& business_id,
                    const std::string& phone, const std::string& source, sys_time now) {
  tx.exec_params("INSERT INTO sms_opt_outs (business_id, phone, source, created_at) VALUES ($1, "
                 "$2, $3, $4::timestamptz) ON CONFLICT DO NOTHING",
                 business_id, phone, source, ts(now));
  tx.exec_params("UPDATE reminders SET status = 'cancelled' WHERE status = 'pending' AND "
                 "appointment_id IN (SELECT id FROM appointments WHERE customer_phone = $1)",
                 phone);
}

void record_delivery_failure(pqxx::transaction_base& tx, const std::string& business_id,
                             long long outbox_id, const std::string& phone, int error_code,
                             sys_time now) {
  auto policy = sms::classify_delivery_failure(error_code);
  std::string appointment_id;
  bool resend = false, was_resend = false;
  if (outbox_id > 0) {
    auto o = tx.exec_params("SELECT coalesce(payload->>'appointment_id', ''), payload ? "
                            "'resend_of' FROM outbox WHERE id = $1",
                            outbox_id);
    if (!o.empty()) {
      appointment_id = o[0][0].as<std::string>();
      was_resend = o[0][1].as<bool>();
    }
  }
  if (policy.retry_once && !was_resend && outbox_id > 0) {
    // A copy of the row with its own dedupe key: a second callback or poll adds nothing. A
    // reminder loses its rendered body (it is rendered, and checked, again when it goes); a
    // confirmation keeps its words and the revision they describe.
    auto r = tx.exec_params(
        "INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at, created_at, "
        "updated_at) SELECT business_id, kind, (CASE WHEN kind = 'sms.reminder' THEN payload - "
        "'body' ELSE payload END) || jsonb_build_object('resend_of', id, 'revision', "
        "CASE WHEN dedupe_key ~ '^sms:[^:]+:[a-z]+:[0-9]+$' THEN split_part(dedupe_key, ':', 4)::bigint "
        "END), coalesce(dedupe_key, 'outbox:' || id) || ':resend', $2::timestamptz, "
        "$3::timestamptz, $3::timestamptz FROM outbox WHERE id = $1 ON CONFLICT DO NOTHING",
        outbox_id, ts(now + policy.retry_after), ts(now));
    resend = r.affected_rows() == 1;
  }
  if (policy.number_unusable && !phone.empty()) {
    tx.exec_params("INSERT INTO sms_unusable_numbers (business_id, phone, error_code, created_at) "
                   "VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (business_id, phone) DO "
                   "UPDATE SET error_code = excluded.error_code",
                   business_id, phone, error_code, ts(now));
    tx.exec_params("UPDATE reminders SET status = 'cancelled' WHERE status = 'pending' AND "
                   "appointment_id IN (SELECT id FROM appointments WHERE customer_phone = $1)",
                   phone);
    tx.exec_params("UPDATE outbox SET status = 'dropped', last_error = $2, updated_at = "
                   "$3::timestamptz WHERE status = 'pending' AND payload->>'to' = $1",
                   phone, "number cannot take texts (" + std::to_string(error_code) + ")", ts(now));
  }
  if (!policy.staff_task.empty() && !resend && (!policy.retry_once || was_resend))
    add_staff_task(tx, business_id, policy.staff_task, phone, appointment_id, policy.note, now,
                   policy.business_wide);
}

expected<std::vector<claimed_row>> outbox_repo::claim(const std::string& node, int limit,
                                                      sys_time now, std::chrono::seconds lease) {
  return guarded("outbox claim", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      std::vector<claimed_row> out;
      auto rows = tx.exec_params(
          "SELECT id, business_id::text, kind, payload::text, attempts, reconcile, claim_token, " +
              utc("sending_since") + ", " + utc("created_at") +
              ", opted_out FROM claim_outbox($1, $2, $3::timestamptz, $4)",
          node, limit, ts(now), static_cast<int>(lease.count()));
      for (auto r : rows)
        out.push_back({r[0].as<long long>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<std::string>(), r[4].as<int>(), r[5].as<bool>(),
                       r[6].as<long long>(), parse_ts(r[7]), parse_ts(r[8]), r[9].as<bool>()});
      return out;
    });
  });
}

expected<int> outbox_repo::expire_claims(const std::string& node, sys_time now) {
  return guarded("outbox expire claims", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT expire_outbox_claims($1, $2::timestamptz)", node, ts(now))[0]
          .as<int>();
    });
  });
}

expected<bool> outbox_repo::finish(const claimed_row& row, const row_result& r, sys_time now) {
  return guarded("outbox finish", [&] {
    return db_.as_business(row.business_id, [&](pqxx::work& tx) {
      // No wait for the WAL flush: should PostgreSQL itself crash and lose this commit, the
      // row is still 'sending' from its (durable) claim and is reconciled with the vendor
      // before anything goes again. A flush per text would cap a node at the disk's fsync rate.
      tx.exec("SET LOCAL synchronous_commit TO OFF");
      auto done = tx.exec_params(
          "UPDATE outbox SET status = $3, attempts = $4, next_attempt_at = $5::timestamptz, "
          "lease_until = CASE WHEN $3 = 'sending' THEN $5::timestamptz END, "
          "last_error = nullif($6, ''), provider_ref = coalesce(nullif($7, ''), provider_ref), "
          "done_at = CASE WHEN $3 IN ('done', 'failed', 'dead', 'dropped') THEN $8::timestamptz END, "
          "updated_at = $8::timestamptz "
          "WHERE id = $1 AND claim_token = $2 AND status = 'sending'",
          row.id, row.claim_token, r.status, r.attempts, ts(r.next_attempt_at), r.last_error,
          r.provider_ref, ts(now));
      if (done.affected_rows() != 1)
        return false; // the claim was lost (lease ran out, an operator acted): write nothing
      if (r.log) {
        auto seg = r.log->segments;
        tx.exec_params(
            "INSERT INTO sms_log (business_id, direction, to_number, from_number, body, "
            "provider_sid, status, error_code, encoding, segments, outbox_id, created_at, "
            "updated_at) VALUES ($1, 'outbound', $2, $3, $4, nullif($5, ''), $6, "
            "nullif($7, 0), nullif($8, ''), nullif($9, 0), $10, $11::timestamptz, "
            "$11::timestamptz) ON CONFLICT DO NOTHING",
            row.business_id, r.log->to, r.log->from, r.log->body, r.log->sid, r.log->status,
            r.log->error_code, r.log->encoding, seg, row.id, ts(now));
      }
      if (r.opted_out && !r.recipient.empty())
        record_opt_out(tx, row.business_id, r.recipient, "vendor_21610", now);
      return true;
    });
  });
}

expected<bool> outbox_repo::set_payload(const claimed_row& row, const std::string& payload_json) {
  return guarded("outbox payload", [&] {
    return db_.as_business(row.business_id, [&](pqxx::work& tx) {
      return tx.exec_params("UPDATE outbox SET payload = $3::jsonb WHERE id = $1 AND "
                            "claim_token = $2 AND status = 'sending'",
                            row.id, row.claim_token, payload_json)
                 .affected_rows() == 1;
    });
  });
}

expected<int> outbox_repo::enqueue_due_reminders(sys_time now, int limit) {
  return guarded("reminders", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT enqueue_due_reminders($1::timestamptz, $2)", ts(now), limit)[0]
          .as<int>();
    });
  });
}

expected<reminder_context> outbox_repo::reminder(const std::string& business_id,
                                                 const std::string& appointment_id,
                                                 sys_time for_start, sys_time now) {
  return guarded("reminder context", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      reminder_context c;
      auto r = tx.exec_params(
          "SELECT coalesce(a.customer_phone, ''), " + utc("lower(a.during)") +
              ", a.status::text, b.name, b.phone_number, b.address, b.timezone, "
              "EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.business_id = a.business_id AND "
              "o.phone = a.customer_phone) OR EXISTS (SELECT 1 FROM sms_unusable_numbers u WHERE "
              "u.business_id = a.business_id AND u.phone = a.customer_phone) "
              "FROM appointments a JOIN businesses b ON b.id = a.business_id WHERE a.id = $1",
          appointment_id);
      if (r.empty())
        return c;
      c.phone = r[0][0].as<std::string>();
      c.start = parse_ts(r[0][1]);
      c.business_name = r[0][3].as<std::string>();
      c.business_phone = r[0][4].as<std::string>();
      c.address = r[0][5].as<std::string>();
      c.zone = r[0][6].as<std::string>();
      c.live = r[0][2].as<std::string>() == "booked" && c.start == for_start && c.start > now &&
               textable_number(c.phone) && !r[0][7].as<bool>();
      return c;
    });
  });
}

expected<std::vector<status_check>> outbox_repo::claim_status_checks(sys_time now, int limit,
                                                                     std::chrono::seconds after,
                                                                     int max_checks) {
  return guarded("sms status checks", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      std::vector<status_check> out;
      auto rows = tx.exec_params("SELECT id, business_id::text, provider_sid, status, checks FROM "
                                 "claim_sms_status_checks($1::timestamptz, $2, $3, $4)",
                                 ts(now), limit, static_cast<int>(after.count()), max_checks);
      for (auto r : rows)
        out.push_back({r[0].as<long long>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<std::string>(), r[4].as<int>()});
      return out;
    });
  });
}

expected<bool> outbox_repo::notice_current(const std::string& business_id,
                                           const std::string& appointment_id, long long revision) {
  return guarded("notice current", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      return tx.exec_params1("SELECT count(*) FROM booking_events WHERE appointment_id = "
                             "$1::uuid",
                             appointment_id)[0]
                 .as<long long>() == revision;
    });
  });
}

expected<int> outbox_repo::purge_webhook_receipts(sys_time before) {
  return guarded("webhook receipts", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT purge_webhook_receipts($1::timestamptz)", ts(before))[0]
          .as<int>();
    });
  });
}

expected<outbox_figures> outbox_repo::figures(sys_time now) {
  return guarded("outbox figures", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      auto r = tx.exec_params1("SELECT depth, due, oldest_due_seconds, stuck_sending, dead FROM "
                               "outbox_stats($1::timestamptz)",
                               ts(now));
      return outbox_figures{r[0].as<long long>(), r[1].as<long long>(), r[3].as<long long>(),
                            r[4].as<long long>(), r[2].as<double>()};
    });
  });
}

expected<std::vector<outbox_entry>> outbox_repo::list(const std::string& status, int limit) {
  return guarded("outbox list", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      std::vector<outbox_entry> out;
      auto rows = tx.exec_params("SELECT id, business_id::text, kind, status, attempts, " +
                                     utc("next_attempt_at") +
                                     ", coalesce(last_error, ''), coalesce(dedupe_key, ''), "
                                     "payload::text FROM outbox_list($1, $2)",
                                 status, limit);
      for (auto r : rows) {
        outbox_entry e;
        e.id = r[0].as<long long>();
        e.business_id = r[1].as<std::string>();
        e.kind = r[2].as<std::string>();
        e.status = r[3].as<std::string>();
        e.attempts = r[4].as<int>();
        e.next_attempt_at = r[5].as<std::string>();
        e.last_error = r[6].as<std::string>();
        e.dedupe_key = r[7].as<std::string>();
        e.payload = r[8].as<std::string>();
        out.push_back(std::move(e));
      }
      return out;
    });
  });
}

expected<bool> outbox_repo::retry(long long id, sys_time now) {
  return guarded("outbox retry", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT outbox_retry($1, $2::timestamptz)", id, ts(now))[0].as<bool>();
    });
  });
}

expected<bool> outbox_repo::drop(long long id, sys_time now) {
  return guarded("outbox drop", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      return tx.exec_params1("SELECT outbox_drop($1, $2::timestamptz)", id, ts(now))[0].as<bool>();
    });
  });
}

} // namespace frontdesk::store
