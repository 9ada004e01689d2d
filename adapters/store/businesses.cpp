#include "adapters/store/businesses.hpp"

#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"

namespace frontdesk::store {

expected<load_report> businesses_repo::load(const org::org_file& org) {
  return load(org, std::chrono::time_point_cast<sys_time::duration>(std::chrono::system_clock::now()));
}

expected<load_report> businesses_repo::load(const org::org_file& org, sys_time now) {
  try {
    load_report report;
    report.business_id = db_.unscoped([&](pqxx::work& tx) {
      // An unknown zone makes PostgreSQL raise here, before anything is written.
      tx.exec_params("SELECT now() AT TIME ZONE $1", org.timezone);
      auto r = tx.exec_params1("SELECT business_for_number($1)", org.phone_number);
      return r[0].is_null() ? std::string() : r[0].as<std::string>();
    });
    report.created = report.business_id.empty();
    if (report.created)
      report.business_id = new_uuid();
    auto& id = report.business_id;
    db_.as_business(id, [&](pqxx::work& tx) {
      tx.exec_params(
          "INSERT INTO businesses (id, name, phone_number, timezone, greeting, address, "
          "transfer_number, appointment_minutes, buffer_minutes, min_notice_minutes, days_ahead, "
          "tts_voice, stt_model, stt_language) "
          "VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), $8, $9, $10, $11, nullif($12, ''), "
          "nullif($13, ''), nullif($14, '')) "
          "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone, "
          "greeting = EXCLUDED.greeting, address = EXCLUDED.address, "
          "transfer_number = EXCLUDED.transfer_number, "
          "appointment_minutes = EXCLUDED.appointment_minutes, "
          "buffer_minutes = EXCLUDED.buffer_minutes, "
          "min_notice_minutes = EXCLUDED.min_notice_minutes, days_ahead = EXCLUDED.days_ahead, "
          "tts_voice = EXCLUDED.tts_voice, stt_model = EXCLUDED.stt_model, "
          "stt_language = EXCLUDED.stt_language, updated_at = now()",
          id, org.name, org.phone_number, org.timezone, org.greeting, org.address,
          org.transfer_number, org.appointment_minutes, org.buffer_minutes,
          org.min_notice_minutes, org.days_ahead, org.speech.voice, org.speech.stt_model,
          org.speech.stt_language);
      tx.exec_params("DELETE FROM business_hours WHERE business_id = $1", id);
      for (std::size_t day = 0; day < org.hours.size(); ++day)
        for (auto& r : org.hours[day])
          tx.exec_params("INSERT INTO business_hours VALUES ($1, $2, $3::time, $4::time)", id,
                         static_cast<int>(day), r.opens, r.closes);
      tx.exec_params("DELETE FROM knowledge WHERE business_id = $1", id);
      for (auto& s : org.services)
        tx.exec_params("INSERT INTO knowledge (business_id, title, body) VALUES ($1, 'service', $2)",
                       id, "We offer " + s + ".");
      // A service with its own length is a row of `services` (which the dashboard edits too):
      // the file sets the lengths it names and leaves other services as they are.
      for (auto& [name, minutes] : org.service_minutes)
        tx.exec_params("INSERT INTO services (business_id, name, minutes) VALUES ($1, $2, $3) "
                       "ON CONFLICT (business_id, lower(name)) DO UPDATE SET minutes = EXCLUDED.minutes",
                       id, name, minutes);
      for (auto& k : org.knowledge)
        tx.exec_params("INSERT INTO knowledge (business_id, body) VALUES ($1, $2)", id, k);
      report.knowledge = org.services.size() + org.knowledge.size();
      for (auto& a : org.existing_appointments) {
        auto r = tx.exec_params(
            "INSERT INTO appointments (business_id, during, status, customer_name, customer_phone, "
            "idempotency_key) "
            "SELECT $1, tstzrange(s, s + make_interval(mins => $3)), 'booked', $4, nullif($5, ''), "
            "'import:' || $2 || ':' || $4 "
            "FROM (SELECT ($2::timestamp AT TIME ZONE $6) AS s) t "
            "ON CONFLICT (business_id, idempotency_key) DO NOTHING RETURNING id::text",
            id, a.start, a.minutes, a.name, a.phone, org.timezone);
        report.appointments += r.affected_rows();
        // Reminders as for any booking (quiet hours, the business's plan); a load run again
        // adds nothing, so plans nothing twice.
        if (!r.empty())
          queue_appointment_messages(tx, id, r[0][0].as<std::string>(), appointment_change::booked,
                                     now, false);
      }
    });
    return report;
  } catch (const pqxx::broken_connection& e) {
    return fail("database_unreachable", e.what());
  } catch (const pqxx::sql_error& e) {
    std::string msg = e.what();
    if (msg.find("time zone") != std::string::npos)
      return fail("bad_org_file", "'timezone' " + org.timezone + " is not a known IANA zone");
    if (msg.find("appointments_no_overlap") != std::string::npos)
      return fail("bad_org_file", "existing_appointments overlap each other or a booking");
    return fail("database_error", msg);
  }
}

} // namespace frontdesk::store
