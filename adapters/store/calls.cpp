#include "adapters/store/calls.hpp"

#include "adapters/store/database.hpp"
#include "adapters/store/holds.hpp"

namespace frontdesk::store {
namespace {

std::string ts(sys_time t) { return format_rfc3339(t); }

// One part of what apply() found, or its failure.
expected<bool> part(expected<call_changes_applied> r, bool call_changes_applied::*which) {
  if (!r)
    return r.error();
  return (*r).*which;
}

bool is_final_status(const std::string& s) {
  return s == "completed" || s == "busy" || s == "no-answer" || s == "canceled" || s == "failed";
}

} // namespace

expected<std::optional<business_ref>> calls_repo::business_for_number(const std::string& number) {
  return guarded("business_for_number", [&]() -> std::optional<business_ref> {
    // One transaction: the cross-tenant lookup, then scoped to the business it found.
    return db_.unscoped([&](pqxx::work& tx) -> std::optional<business_ref> {
      auto found = tx.exec_params1("SELECT business_for_number($1)", number);
      if (found[0].is_null())
        return std::nullopt;
      auto id = found[0].as<std::string>();
      database::scope(tx, id);
      auto r = tx.exec_params1(
          "SELECT id, name, timezone, greeting, max_live_calls, coalesce(transfer_number, ''), "
          "coalesce(tts_voice, ''), coalesce(stt_model, ''), coalesce(stt_language, '') "
          "FROM businesses WHERE id = $1",
          id);
      return business_ref{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                          r[3].as<std::string>(), r[4].as<int>(), r[5].as<std::string>(),
                          r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<std::string>()};
    });
  });
}

expected<call_ref> calls_repo::open_call(const std::string& business_id, const call_start& s) {
  return guarded("open_call", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto inserted = tx.exec_params(
          "INSERT INTO calls (business_id, call_sid, caller, called, node, started_at) "
          "VALUES ($1, $2, $3, $4, $5, $6::timestamptz) ON CONFLICT (call_sid) DO NOTHING "
          "RETURNING id, status",
          business_id, s.call_sid, s.caller, s.called, s.node, ts(s.at));
      if (!inserted.empty())
        return call_ref{inserted[0][0].as<std::string>(), business_id, s.call_sid,
                        inserted[0][1].as<std::string>(), true};
      auto existing =
          tx.exec_params("SELECT id, status FROM calls WHERE call_sid = $1", s.call_sid);
      if (existing.empty()) // the SID belongs to another business: refuse rather than share
        throw std::runtime_error("CallSid " + s.call_sid + " is recorded for another business");
      return call_ref{existing[0][0].as<std::string>(), business_id, s.call_sid,
                      existing[0][1].as<std::string>(), false};
    });
  });
}

namespace {

// The business a CallSid belongs to ("" when unknown): the SID names the call across tenants.
std::string business_of_call(database& db, const std::string& call_sid) {
  return db.unscoped([&](pqxx::work& tx) {
    auto r = tx.exec_params1("SELECT business_for_call_sid($1)", call_sid);
    return r[0].is_null() ? std::string() : r[0].as<std::string>();
  });
}

} // namespace

expected<std::optional<call_ref>> calls_repo::find_by_sid(const std::string& call_sid) {
  return guarded("find_by_sid", [&]() -> std::optional<call_ref> {
    auto business = business_of_call(db_, call_sid);
    if (business.empty())
      return std::nullopt;
    return db_.as_business(business, [&](pqxx::work& tx) -> std::optional<call_ref> {
      auto r = tx.exec_params("SELECT id, status FROM calls WHERE call_sid = $1", call_sid);
      if (r.empty())
        return std::nullopt;
      return call_ref{r[0][0].as<std::string>(), business, call_sid, r[0][1].as<std::string>(),
                      false};
    });
  });
}

expected<std::optional<call_after_stream>> calls_repo::after_stream(const std::string& call_sid) {
  return guarded("after_stream", [&]() -> std::optional<call_after_stream> {
    auto business = business_of_call(db_, call_sid);
    if (business.empty())
      return std::nullopt;
    return db_.as_business(business, [&](pqxx::work& tx) -> std::optional<call_after_stream> {
      auto r = tx.exec_params(
          "SELECT c.id, c.node, c.caller, c.ended_at IS NOT NULL, coalesce(c.end_reason, ''), "
          "CASE WHEN c.transfer_to IS NULL THEN '' "
          "ELSE coalesce(nullif(c.transfer_to, ''), b.transfer_number, '') END "
          "FROM calls c JOIN businesses b ON b.id = c.business_id WHERE c.call_sid = $1",
          call_sid);
      if (r.empty())
        return std::nullopt;
      return call_after_stream{r[0][0].as<std::string>(), business, r[0][1].as<std::string>(),
                               r[0][2].as<std::string>(), r[0][3].as<bool>(),
                               r[0][4].as<std::string>(), r[0][5].as<std::string>()};
    });
  });
}

expected<std::optional<call_taken_over>>
calls_repo::take_over(const std::string& business_id, const std::string& call_id,
                      const std::string& from_node, const std::string& node) {
  return guarded("take_over", [&]() -> std::optional<call_taken_over> {
    return db_.as_business(business_id, [&](pqxx::work& tx) -> std::optional<call_taken_over> {
      // Open again if it was finished as lost with its node (or cut at its node's shutdown): the
      // caller is back.
      auto r = tx.exec_params(
          "UPDATE calls SET node = $3, status = 'in-progress', ended_at = NULL, "
          "end_reason = NULL, duration_seconds = NULL "
          "WHERE id = $1 AND node = $2 "
          "AND (ended_at IS NULL OR end_reason IN ('node_lost', 'node_shutdown')) "
          "RETURNING coalesce(dialog_state::text, ''), "
          "greatest(coalesce((SELECT max((t->>'at_ms')::bigint) FROM "
          "  jsonb_array_elements(transcript) t), 0) + 1, "
          "  (extract(epoch FROM now() - coalesce(answered_at, started_at)) * 1000)::bigint)",
          call_id, from_node, node);
      if (r.empty())
        return std::nullopt;
      call_taken_over t{r[0][0].as<std::string>(), r[0][1].as<std::int64_t>(), {}};
      // What the caller said, in order: the dialog answers the lines its state never saw.
      auto lines = tx.exec_params(
          "SELECT coalesce(t->>'text', '') FROM calls c, "
          "jsonb_array_elements(c.transcript) WITH ORDINALITY AS x(t, n) "
          "WHERE c.id = $1 AND t->>'role' = 'caller' ORDER BY n",
          call_id);
      for (const auto& row : lines)
        t.caller_lines.push_back(row[0].as<std::string>());
      return t;
    });
  });
}

expected<std::optional<std::size_t>>
calls_repo::finish_node_calls(const std::string& node, const std::string& end_reason, sys_time at,
                              std::optional<std::chrono::milliseconds> quiet_for) {
  return guarded("finish_node_calls", [&]() -> std::optional<std::size_t> {
    return db_.unscoped([&](pqxx::work& tx) -> std::optional<std::size_t> {
      std::optional<std::string> quiet;
      if (quiet_for)
        quiet = std::to_string(quiet_for->count()) + " milliseconds";
      auto r = tx.exec_params1("SELECT finish_node_calls($1, $2, $3::timestamptz, $4::interval)",
                               node, end_reason, ts(at), quiet);
      auto n = r[0].as<int>();
      if (n < 0)
        return std::nullopt;
      return static_cast<std::size_t>(n);
    });
  });
}

expected<bool> calls_repo::node_alive(const std::string& node) {
  return guarded("node_alive", [&] {
    return db_.unscoped([&](pqxx::work& tx) {
      tx.exec_params("SELECT cluster_node_alive($1)", node);
      return true;
    });
  });
}

expected<bool> calls_repo::record_status(const std::string& call_sid, const std::string& status,
                                         std::optional<int> duration, sys_time at) {
  auto call = find_by_sid(call_sid);
  if (!call)
    return call.error();
  if (!*call)
    return false;
  auto& c = **call;
  return guarded("record_status", [&] {
    return db_.as_business(c.business_id, [&](pqxx::work& tx) {
      bool final_status = is_final_status(status);
      auto r = tx.exec_params(
          "UPDATE calls SET status = CASE WHEN ended_at IS NULL OR $2 THEN $1 ELSE status END, "
          "duration_seconds = coalesce($3, duration_seconds), "
          "ended_at = CASE WHEN $2 THEN coalesce(ended_at, $4::timestamptz) ELSE ended_at END, "
          "end_reason = CASE WHEN $2 AND end_reason IS NULL THEN 'status_callback' "
          "ELSE end_reason END WHERE id = $5",
          status, final_status, duration, ts(at), c.id);
      if (final_status)
        drop_call_holds(tx, c.id);
      return r.affected_rows() == 1;
    });
  });
}

expected<bool> calls_repo::mark_streaming(const std::string& business_id,
                                          const std::string& call_id,
                                          const std::string& stream_sid, sys_time at) {
  call_changes c;
  c.stream = call_changes::streaming{stream_sid, at};
  return part(apply(business_id, call_id, c), &call_changes_applied::stream);
}

expected<bool> calls_repo::end_call(const std::string& business_id, const std::string& call_id,
                                    const std::string& status, const std::string& end_reason,
                                    sys_time at) {
  call_changes c;
  c.end = call_changes::ending{status, end_reason, at};
  return part(apply(business_id, call_id, c), &call_changes_applied::end);
}

expected<bool> calls_repo::append_turn(const std::string& business_id, const std::string& call_id,
                                       const std::string& role, const std::string& text,
                                       std::int64_t at_ms, bool interrupted) {
  call_changes c;
  c.turns.push_back({role, text, at_ms, interrupted});
  return part(apply(business_id, call_id, c), &call_changes_applied::rows);
}

expected<bool> calls_repo::append_latency(const std::string& business_id,
                                          const std::string& call_id,
                                          const std::string& json_object) {
  call_changes c;
  c.latencies.push_back(json_object);
  return part(apply(business_id, call_id, c), &call_changes_applied::rows);
}

expected<bool> calls_repo::add_speech_usage(const std::string& business_id,
                                            const std::string& call_id, double stt_seconds,
                                            std::uint64_t tts_characters) {
  return guarded("add_speech_usage", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto r = tx.exec_params(
          "UPDATE calls SET stt_vendor_seconds = stt_vendor_seconds + $2, "
          "tts_vendor_characters = tts_vendor_characters + $3 WHERE id = $1",
          call_id, stt_seconds, static_cast<std::int64_t>(tts_characters));
      return r.affected_rows() == 1;
    });
  });
}

expected<call_changes_applied> calls_repo::apply(const std::string& business_id,
                                                 const std::string& call_id,
                                                 const call_changes& c) {
  return guarded("apply", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      call_changes_applied done;
      if (c.stream) {
        auto r = tx.exec_params("UPDATE calls SET stream_sid = $1, status = 'in-progress', "
                                "answered_at = coalesce(answered_at, $2::timestamptz) "
                                "WHERE id = $3 AND ended_at IS NULL",
                                c.stream->stream_sid, ts(c.stream->at), call_id);
        done.stream = r.affected_rows() == 1;
      }
      if (!c.turns.empty() || !c.latencies.empty() || c.dialog_state || c.transfer_to) {
        // One statement for every turn and latency, the dialog's state and a transfer: $1 is
        // the call, then four parameters per turn and one per latency object. One statement,
        // so that the row's live event (a trigger on each UPDATE) goes out once, not once per
        // part.
        std::vector<std::string> params{call_id};
        auto next = [&](std::string v) {
          params.push_back(std::move(v));
          return "$" + std::to_string(params.size());
        };
        std::string turns, lats;
        for (auto& t : c.turns) {
          turns += turns.empty() ? "" : ", ";
          turns += "jsonb_build_object('role', " + next(t.role) + "::text, 'text', " +
                   next(t.text) + "::text, 'at_ms', " + next(std::to_string(t.at_ms)) +
                   "::bigint, 'interrupted', " + next(t.interrupted ? "true" : "false") +
                   "::boolean)";
        }
        for (auto& l : c.latencies) {
          lats += lats.empty() ? "" : ", ";
          lats += next(l) + "::jsonb";
        }
        std::vector<std::string> sets;
        if (!turns.empty())
          // Keep the array in the order things were said, whatever order they arrive in.
          sets.push_back("transcript = (SELECT jsonb_agg(t ORDER BY (t->>'at_ms')::bigint) FROM "
                         "jsonb_array_elements(transcript || jsonb_build_array(" + turns + ")) t)");
        if (!lats.empty())
          sets.push_back("latencies = latencies || jsonb_build_array(" + lats + ")");
        if (c.dialog_state)
          sets.push_back("dialog_state = " + next(*c.dialog_state) + "::jsonb");
        if (c.transfer_to)
          sets.push_back("transfer_to = " + next(*c.transfer_to));
        std::string sql = "UPDATE calls SET ";
        for (std::size_t i = 0; i < sets.size(); ++i)
          sql += (i ? ", " : "") + sets[i];
        sql += " WHERE id = $1";
        auto r = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
        if (!c.turns.empty() || !c.latencies.empty())
          done.rows = r.affected_rows() == 1;
      }
      if (c.result) {
        auto r = tx.exec_params(
            "UPDATE calls SET summary = nullif($2, ''), outcome = nullif($3, ''), "
            "recording_path = nullif($4, ''), appointment_booked = EXISTS ("
            "SELECT 1 FROM appointments a WHERE a.call_id = $1 AND a.status = 'booked') "
            "WHERE id = $1",
            call_id, c.result->summary, c.result->outcome, c.result->recording_path);
        done.result = r.affected_rows() == 1;
      }
      if (c.end) {
        // A slot the call still holds is free again the moment the call ends.
        drop_call_holds(tx, call_id);
        auto r = tx.exec_params(
            "UPDATE calls SET status = $1, end_reason = $2, ended_at = $3::timestamptz, "
            "duration_seconds = coalesce(duration_seconds, "
            "  extract(epoch FROM ($3::timestamptz - coalesce(answered_at, started_at)))::int) "
            "WHERE id = $4 AND ended_at IS NULL",
            c.end->status, c.end->end_reason, ts(c.end->at), call_id);
        done.end = r.affected_rows() == 1;
      }
      return done;
    });
  });
}

expected<std::string> calls_repo::call_report_json(const std::string& business_id,
                                                   const std::string& call_id) {
  return guarded("call_report", [&] {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      auto r = tx.exec_params(
          "SELECT json_build_object("
          " 'status', c.status, 'end_reason', c.end_reason, 'outcome', c.outcome,"
          " 'appointment_booked', c.appointment_booked,"
          " 'summary', c.summary, 'transcript', c.transcript, 'latencies', c.latencies,"
          " 'recording', c.recording_path,"
          " 'appointments_created', coalesce((SELECT json_agg(json_build_object("
          "     'name', a.customer_name, 'phone', a.customer_phone, 'service', a.service,"
          "     'notes', a.notes, 'status', a.status,"
          "     'start', to_char(lower(a.during) AT TIME ZONE b.timezone, 'YYYY-MM-DD\"T\"HH24:MI'))"
          "     ORDER BY lower(a.during)) FROM appointments a"
          "   WHERE a.call_id = c.id AND a.status <> 'held'), '[]'::json),"
          " 'holds_left', (SELECT count(*) FROM appointments a"
          "   WHERE a.call_id = c.id AND a.status = 'held'),"
          " 'appointments_cancelled', coalesce((SELECT json_agg(json_build_object("
          "     'name', a.customer_name,"
          "     'start', to_char(lower(a.during) AT TIME ZONE b.timezone, 'YYYY-MM-DD\"T\"HH24:MI')))"
          "     FROM appointments a WHERE a.status = 'cancelled'"
          "     AND a.cancelled_at BETWEEN c.started_at AND coalesce(c.ended_at, 'infinity')"
          "     AND (a.call_id IS DISTINCT FROM c.id OR a.rescheduled_from IS NULL)), '[]'::json))::text"
          " FROM calls c JOIN businesses b ON b.id = c.business_id WHERE c.id = $1",
          call_id);
      return r.empty() ? std::string() : r[0][0].as<std::string>();
    });
  });
}

} // namespace frontdesk::store
