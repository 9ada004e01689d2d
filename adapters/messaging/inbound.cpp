#include "adapters/messaging/inbound.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/calendar/availability.hpp"
#include "actors/calendar/calendar.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/http/http.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/sms/delivery_policy.hpp"
#include "protocols/sms/keywords.hpp"
#include "protocols/sms/messages_api.hpp"
#include "protocols/sms/sms_text.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/signature.hpp"
#include "protocols/twilio/twiml.hpp"

namespace frontdesk::messaging {
namespace {

using namespace std::chrono_literals;

std::string ts(sys_time t) { return format_rfc3339(t); }

struct business_info {
  std::string id, name, phone, address, zone;
};

// A reply to R stays answerable this long.
constexpr auto offer_lifetime = std::chrono::hours(24);

std::string help_line(const business_info& b) {
  return b.name + ": reply C to cancel or R to reschedule your appointment. For anything else, "
                  "call " + b.phone + ".";
}

std::string no_appointment(const business_info& b) {
  return b.name + ": we could not find an upcoming appointment for this number. To book, call " +
         b.phone + ".";
}

std::string when_text(const business_info& b, sys_time t) {
  return sms::local_when(b.zone, t).value_or(format_rfc3339(t));
}

std::optional<store::appointment> next_appointment(store::database& db, const business_info& b,
                                                   const std::string& phone, sys_time now) {
  auto found = store::appointments_repo(db).find_upcoming(b.id, phone, "", now);
  if (!found || found->empty())
    return std::nullopt;
  return found->front();
}

inbound_reply offer_slots(store::database& db, const business_info& b, const std::string& phone,
                          sys_time now) {
  auto appt = next_appointment(db, b, phone, now);
  if (!appt)
    return {"nothing", no_appointment(b)};
  booking::calendar_service cal(db);
  auto profile = cal.profile(b.id);
  if (!profile)
    return {"error", help_line(b)};
  auto& rules = profile->booking;
  store::appointments_repo repo(db);
  auto horizon = now + std::chrono::hours(24 * (rules.days_ahead + 1));
  std::vector<booking::busy_interval> busy;
  if (auto got = repo.busy(b.id, {now, horizon}, now, appt->id))
    for (auto& i : *got)
      busy.push_back({std::chrono::floor<std::chrono::seconds>(i.start),
                      std::chrono::floor<std::chrono::seconds>(i.end)});
  auto utc_now = std::chrono::floor<std::chrono::seconds>(now);
  auto today = booking::to_local(b.zone, utc_now);
  if (!today)
    return {"error", help_line(b)};
  auto first_day = date::floor<date::days>(*today);
  auto last_day = first_day + date::days{rules.days_ahead};
  // The open slots nearest the appointment being moved (a week either side of its day, within
  // the booking horizon), offered in time order.
  auto appt_local = booking::to_local(b.zone, std::chrono::floor<std::chrono::seconds>(appt->during.start));
  if (!appt_local)
    return {"error", help_line(b)};
  auto appt_day = date::floor<date::days>(*appt_local);
  auto from = std::max(first_day, appt_day - date::days{7});
  auto to = std::min(last_day, appt_day + date::days{7});
  if (from > to) // the appointment lies beyond the horizon: the latest days that can be booked
    from = std::max(first_day, to - date::days{7});
  auto slots = booking::open_slots(rules, busy, utc_now, from, to);
  if (!slots)
    return {"error", help_line(b)};
  auto distance = [&](sys_time t) {
    return t > appt->during.start ? t - appt->during.start : appt->during.start - t;
  };
  std::vector<sys_time> offered;
  for (auto& s : *slots) {
    sys_time start = std::chrono::time_point_cast<sys_time::duration>(s.start);
    if (start != appt->during.start)
      offered.push_back(start);
  }
  std::stable_sort(offered.begin(), offered.end(),
                   [&](sys_time a, sys_time c) { return distance(a) < distance(c); });
  if (offered.size() > 3)
    offered.resize(3);
  std::sort(offered.begin(), offered.end());
  if (offered.empty())
    return {"nothing", b.name + ": there are no open times to move to right now. Please call " +
                           b.phone + "."};
  std::string arr = "{";
  std::string text = b.name + ": reply 1, 2 or 3 to move your appointment on " +
                     when_text(b, appt->during.start) + " to:";
  for (std::size_t i = 0; i < offered.size(); ++i) {
    arr += (i ? "," : "") + ts(offered[i]);
    text += "\n" + std::to_string(i + 1) + ") " + when_text(b, offered[i]);
  }
  arr += "}";
  db.as_business(b.id, [&](pqxx::work& tx) {
    tx.exec_params("INSERT INTO sms_conversations (business_id, phone, appointment_id, offered, "
                   "expires_at) VALUES ($1, $2, $3, $4::timestamptz[], $5::timestamptz) "
                   "ON CONFLICT (business_id, phone) DO UPDATE SET appointment_id = "
                   "excluded.appointment_id, offered = excluded.offered, expires_at = "
                   "excluded.expires_at",
                   b.id, phone, appt->id, arr, ts(now + offer_lifetime));
  });
  return {"offered", text};
}

inbound_reply choose_slot(store::database& db, const business_info& b, const std::string& phone,
                          int choice, sys_time now) {
  struct offer {
    std::string appointment_id;
    std::vector<sys_time> starts;
  };
  auto got = db.as_business(b.id, [&](pqxx::work& tx) -> std::optional<offer> {
    auto r = tx.exec_params(
        "SELECT appointment_id::text, array_to_string(ARRAY(SELECT to_char(x AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM unnest(offered) x), ',') "
        "FROM sms_conversations WHERE phone = $1 AND expires_at > $2::timestamptz",
        phone, ts(now));
    if (r.empty())
      return std::nullopt;
    offer o{r[0][0].as<std::string>(), {}};
    auto list = r[0][1].as<std::string>();
    for (std::size_t at = 0; at < list.size();) {
      auto comma = list.find(',', at);
      auto one = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      if (auto t = parse_rfc3339(one))
        o.starts.push_back(*t);
      if (comma == std::string::npos)
        break;
      at = comma + 1;
    }
    return o;
  });
  if (!got || choice < 1 || choice > static_cast<int>(got->starts.size()))
    return {"nothing", help_line(b)};
  store::appointments_repo repo(db);
  auto current = repo.find_upcoming(b.id, phone, "", now);
  std::optional<store::appointment> appt;
  if (current)
    for (auto& a : *current)
      if (a.id == got->appointment_id)
        appt = a;
  if (!appt)
    return {"nothing", no_appointment(b)};
  auto start = got->starts[static_cast<std::size_t>(choice - 1)];
  auto length = appt->during.end - appt->during.start;
  auto moved = repo.reschedule(b.id, appt->id, {start, start + length}, now, "", false);
  if (!moved)
    return {"taken", b.name + ": sorry, that time was just taken. Reply R for new times."};
  db.as_business(b.id, [&](pqxx::work& tx) {
    tx.exec_params("DELETE FROM sms_conversations WHERE phone = $1", phone);
  });
  sms::business_card card{b.name, b.phone, b.address, b.zone};
  return {"moved", sms::render_notice(sms::notice::moved, card, start).value_or(help_line(b))};
}

// What a fresh inbound text does (its MessageSid claimed): the reply, empty for none.
inbound_reply act_on_text(store::database& db, const business_info& b, const std::string& from,
                          const std::string& body, const std::string& opt_out_type, sys_time now);

} // namespace

inbound_reply handle_inbound_sms(store::database& db, const std::string& message_sid,
                                 const std::string& from, const std::string& to,
                                 const std::string& body, const std::string& opt_out_type,
                                 sys_time now, const std::string& idempotency_token) {
  auto id = db.unscoped([&](pqxx::work& tx) {
    auto r = tx.exec_params1("SELECT business_for_number($1)::text", to);
    return r[0].is_null() ? std::string() : r[0].as<std::string>();
  });
  if (id.empty())
    return {"unknown_number", ""};
  business_info b;
  // The MessageSid (and the webhook's idempotency token) are claimed first, in their own
  // transaction: a retried webhook is a duplicate even while the first delivery is still being
  // handled, so nothing is done twice.
  std::string first_sid = message_sid;
  bool fresh = db.as_business(id, [&](pqxx::work& tx) {
    auto r = tx.exec_params1("SELECT name, phone_number, address, timezone FROM businesses WHERE id = $1", id);
    b = {id, r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
         r[3].as<std::string>()};
    if (!idempotency_token.empty()) {
      auto seen = tx.exec_params("INSERT INTO twilio_webhook_receipts (business_id, token, route, "
                                 "message_sid, created_at) VALUES ($1, $2, 'sms', $3, "
                                 "$4::timestamptz) ON CONFLICT DO NOTHING RETURNING 1",
                                 id, idempotency_token, message_sid, ts(now));
      if (seen.empty()) {
        first_sid = tx.exec_params1("SELECT message_sid FROM twilio_webhook_receipts WHERE token = $1",
                                    idempotency_token)[0]
                        .as<std::string>();
        return false;
      }
    }
    auto seg = sms::count_segments(body);
    bool inserted =
        tx.exec_params("INSERT INTO sms_log (business_id, direction, to_number, from_number, "
                       "body, provider_sid, status, encoding, segments, created_at, updated_at) "
                       "VALUES ($1, 'inbound', $2, $3, $4, $5, 'received', $6, $7, "
                       "$8::timestamptz, $8::timestamptz) ON CONFLICT DO NOTHING",
                       id, to, from, body, message_sid, sms::to_string(seg.encoding),
                       seg.segments, ts(now))
            .affected_rows() == 1;
    // A number that texts us can take texts, whatever a carrier said of it before.
    if (inserted)
      tx.exec_params("DELETE FROM sms_unusable_numbers WHERE phone = $1", from);
    return inserted;
  });
  if (!fresh) {
    // Twilio retries a webhook whose answer it did not get in time: it gets the same answer.
    auto reply = db.as_business(id, [&](pqxx::work& tx) {
      auto r = tx.exec_params("SELECT coalesce(reply, '') FROM sms_log WHERE direction = "
                              "'inbound' AND provider_sid = $1",
                              first_sid);
      return r.empty() ? std::string() : r[0][0].as<std::string>();
    });
    return {"duplicate", reply};
  }
  auto reply = act_on_text(db, b, from, body, opt_out_type, now);
  db.as_business(id, [&](pqxx::work& tx) {
    tx.exec_params("UPDATE sms_log SET reply = $2 WHERE direction = 'inbound' AND provider_sid = $1",
                   message_sid, reply.text);
  });
  return reply;
}

namespace {

inbound_reply act_on_text(store::database& db, const business_info& b, const std::string& from,
                          const std::string& body, const std::string& opt_out_type, sys_time now) {
  const auto& id = b.id;
  auto in = sms::parse_inbound(body, opt_out_type);
  // With Twilio's Advanced Opt-Out (OptOutType set) Twilio has answered the keyword itself.
  bool vendor_replied = !opt_out_type.empty();
  switch (in.kind) {
  case sms::intent::opt_out: {
    auto appt = in.bare_cancel ? next_appointment(db, b, from, now) : std::nullopt;
    db.as_business(id, [&](pqxx::work& tx) {
      store::record_opt_out(tx, id, from, "keyword", now);
      tx.exec_params("DELETE FROM sms_conversations WHERE phone = $1", from);
      if (in.bare_cancel)
        // CANCEL is a carrier opt-out word: the appointment stays, a person confirms it.
        tx.exec_params("INSERT INTO staff_tasks (business_id, kind, phone, appointment_id, note, "
                       "created_at) VALUES ($1, 'sms_cancel_keyword', $2, nullif($3, '')::uuid, "
                       "'Replied CANCEL: opted out of texts. Call to confirm whether to cancel "
                       "the appointment.', $4::timestamptz)",
                       id, from, appt ? appt->id : std::string(), ts(now));
    });
    return {"opted_out", ""}; // never a reply to an opt-out: the carrier answers it
  }
  case sms::intent::opt_in:
    db.as_business(id, [&](pqxx::work& tx) {
      tx.exec_params("DELETE FROM sms_opt_outs WHERE phone = $1", from);
    });
    return {"opted_in", vendor_replied ? "" : b.name + ": you will get appointment texts again. Reply STOP to opt out."};
  case sms::intent::help:
    return {"help", vendor_replied ? "" : b.name + " appointment texts. Call " + b.phone +
                                               ". Reply C to cancel or R to reschedule, STOP to opt out."};
  case sms::intent::cancel: {
    auto appt = next_appointment(db, b, from, now);
    if (!appt)
      return {"nothing", no_appointment(b)};
    auto done = store::appointments_repo(db).cancel(id, appt->id, now, false);
    if (!done || !*done)
      return {"nothing", no_appointment(b)};
    sms::business_card card{b.name, b.phone, b.address, b.zone};
    return {"cancelled", sms::render_notice(sms::notice::cancelled, card, appt->during.start).value_or("")};
  }
  case sms::intent::reschedule:
    return offer_slots(db, b, from, now);
  case sms::intent::choose:
    return choose_slot(db, b, from, in.choice, now);
  case sms::intent::other:
    break;
  }
  return {"help", help_line(b)};
}

} // namespace

bool apply_sms_status(store::database& db, const std::string& message_sid,
                      const std::string& status, int error_code, sys_time now,
                      const std::string& idempotency_token) {
  auto id = db.unscoped([&](pqxx::work& tx) {
    auto r = tx.exec_params1("SELECT business_for_message_sid($1)::text", message_sid);
    return r[0].is_null() ? std::string() : r[0].as<std::string>();
  });
  if (id.empty())
    return false;
  return db.as_business(id, [&](pqxx::work& tx) {
    auto r = tx.exec_params("SELECT status, coalesce(outbox_id, 0), to_number FROM sms_log WHERE "
                            "provider_sid = $1 AND direction = 'outbound' FOR UPDATE",
                            message_sid);
    if (r.empty())
      return false;
    if (!idempotency_token.empty() &&
        tx.exec_params("INSERT INTO twilio_webhook_receipts (business_id, token, route, "
                       "message_sid, created_at) VALUES ($1, $2, 'sms-status', $3, "
                       "$4::timestamptz) ON CONFLICT DO NOTHING RETURNING 1",
                       id, idempotency_token, message_sid, ts(now))
            .empty())
      return true; // a retried callback: applied the first time
    if (sms::status_advances(r[0][0].as<std::string>(), status)) {
      tx.exec_params("UPDATE sms_log SET status = $2, error_code = coalesce(nullif($3, 0), "
                     "error_code), updated_at = $4::timestamptz WHERE provider_sid = $1 AND "
                     "direction = 'outbound'",
                     message_sid, status, error_code, ts(now));
      // Terminal states are sticky, so this runs once per text however often it is reported.
      if (sms::is_delivery_failure(status) && error_code != 0)
        store::record_delivery_failure(tx, id, r[0][1].as<long long>(),
                                       r[0][2].as<std::string>(), error_code, now);
    }
    return true;
  });
}

struct sms_webhooks::impl : std::enable_shared_from_this<impl> {
  inbound_settings s;
  http::server& server;
  store::database& db;
  worker_pool& blocking;
  const clock& clk;
  metrics::counter *in_ok, *in_forbidden, *in_bad, *status_ok, *status_forbidden, *status_bad;

  impl(inbound_settings st, http::server& srv, store::database& d, worker_pool& w,
       const clock& k, metrics::registry& reg)
      : s(std::move(st)), server(srv), db(d), blocking(w), clk(k) {
    while (!s.public_url.empty() && s.public_url.back() == '/')
      s.public_url.pop_back();
    auto c = [&](const char* route, const char* result) {
      return &reg.add_counter("frontdesk_webhooks_total", "Twilio webhooks by route and result.",
                              std::string("route=\"") + route + "\",result=\"" + result + "\"");
    };
    in_ok = c("sms", "ok");
    in_forbidden = c("sms", "forbidden");
    in_bad = c("sms", "bad_request");
    status_ok = c("sms_status", "ok");
    status_forbidden = c("sms_status", "forbidden");
    status_bad = c("sms_status", "bad_request");
  }

  static http::response xml(std::string body) {
    return http::response{200, "text/xml; charset=utf-8", std::move(body), {}};
  }
  static http::response text(int status, std::string body) {
    return http::response{status, "text/plain; charset=utf-8", std::move(body), {}};
  }

  bool signed_ok(const http::request& r, const twilio::form& f) const {
    if (!s.validate_signatures)
      return true;
    return twilio::validate_signature(s.auth_token, s.public_url + r.target, f,
                                      r.header("X-Twilio-Signature"));
  }

  void inbound(http::request r, std::function<void(http::response)> respond) {
    auto f = twilio::parse_form(r.body);
    if (!f) {
      in_bad->inc();
      return respond(text(400, "bad form body"));
    }
    if (!signed_ok(r, *f)) {
      in_forbidden->inc();
      spdlog::warn("inbound SMS from {}: missing or bad X-Twilio-Signature; refused", r.remote);
      return respond(text(403, "forbidden"));
    }
    auto sid = f->value("MessageSid"), from = f->value("From"), to = f->value("To");
    if (sid.empty() || from.empty() || to.empty()) {
      in_bad->inc();
      return respond(text(400, "MessageSid, From and To are required"));
    }
    auto token = r.header("I-Twilio-Idempotency-Token");
    if (token.size() > 256) {
      in_bad->inc();
      return respond(text(400, "I-Twilio-Idempotency-Token is too long"));
    }
    auto self = shared_from_this();
    bool queued = blocking.post([self, sid, from, to, body = f->value("Body"),
                                 type = f->value("OptOutType"), token, respond] {
      try {
        auto reply =
            handle_inbound_sms(self->db, sid, from, to, body, type, self->clk.now(), token);
        self->in_ok->inc();
        spdlog::info("inbound SMS {} from {}: {}", sid, from, reply.action);
        twilio::twiml t;
        if (!reply.text.empty())
          t.message(reply.text);
        respond(xml(t.str()));
      } catch (const std::exception& e) {
        spdlog::error("inbound SMS {}: {}", sid, e.what());
        respond(text(503, "try again"));
      }
    });
    if (!queued)
      respond(text(503, "busy"));
  }

  void status(http::request r, std::function<void(http::response)> respond) {
    auto f = twilio::parse_form(r.body);
    if (!f) {
      status_bad->inc();
      return respond(text(400, "bad form body"));
    }
    if (!signed_ok(r, *f)) {
      status_forbidden->inc();
      spdlog::warn("SMS status callback from {}: missing or bad X-Twilio-Signature; refused", r.remote);
      return respond(text(403, "forbidden"));
    }
    auto sid = f->value("MessageSid");
    auto st = f->value("MessageStatus");
    if (st.empty())
      st = f->value("SmsStatus");
    int code = 0;
    auto code_text = f->value("ErrorCode");
    if (code_text.size() > 9) {
      status_bad->inc();
      return respond(text(400, "ErrorCode must be a number"));
    }
    for (char c : code_text) {
      if (c < '0' || c > '9') {
        status_bad->inc();
        return respond(text(400, "ErrorCode must be a number"));
      }
      code = code * 10 + (c - '0');
    }
    if (sid.empty() || st.empty()) {
      status_bad->inc();
      return respond(text(400, "MessageSid and MessageStatus are required"));
    }
    auto token = r.header("I-Twilio-Idempotency-Token");
    if (token.size() > 256) {
      status_bad->inc();
      return respond(text(400, "I-Twilio-Idempotency-Token is too long"));
    }
    auto self = shared_from_this();
    bool queued = blocking.post([self, sid, st, code, token, respond] {
      try {
        bool ours = apply_sms_status(self->db, sid, st, code, self->clk.now(), token);
        self->status_ok->inc();
        if (!ours)
          spdlog::info("SMS status {} for unknown message {}", st, sid);
        respond(text(200, "ok"));
      } catch (const std::exception& e) {
        spdlog::error("SMS status {}: {}", sid, e.what());
        respond(text(503, "try again"));
      }
    });
    if (!queued)
      respond(text(503, "busy"));
  }
};

sms_webhooks::sms_webhooks(inbound_settings s, http::server& server, store::database& db,
                           worker_pool& blocking, const clock& clk, metrics::registry& metrics)
    : impl_(std::make_shared<impl>(std::move(s), server, db, blocking, clk, metrics)) {}

sms_webhooks::~sms_webhooks() = default;

void sms_webhooks::install() {
  auto i = impl_;
  i->server.on("POST", "/twilio/sms",
               [i](http::request r, auto respond) { i->inbound(std::move(r), std::move(respond)); });
  i->server.on("POST", "/twilio/sms-status",
               [i](http::request r, auto respond) { i->status(std::move(r), std::move(respond)); });
}

} // namespace frontdesk::messaging
