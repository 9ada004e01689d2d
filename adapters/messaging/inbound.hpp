#pragma once

#include <memory>
#include <string>

#include "protocols/core/time.hpp"

namespace frontdesk {
class clock;
class worker_pool;
namespace http {
class server;
}
namespace metrics {
class registry;
}
namespace store {
class database;
}
} // namespace frontdesk

namespace frontdesk::messaging {

struct inbound_settings {
  std::string public_url; // signatures are computed over it
  std::string auth_token; // TWILIO_AUTH_TOKEN
  bool validate_signatures = true;
};

/// What an inbound text did, and the reply to it (empty: no reply).
struct inbound_reply {
  std::string action; // opted_out, opted_in, help, cancelled, offered, moved, nothing, duplicate, unknown_number
  std::string text;
};

/// Handles one inbound text for the business that owns `to` (blocking: PostgreSQL). Dedupes on
/// MessageSid and on Twilio's I-Twilio-Idempotency-Token (when given): a retried webhook is
/// acted on once and answered with the reply the first delivery got; C cancels the sender's next appointment, R offers the three open slots nearest it
/// and 1/2/3 (within a day) moves to one; STOP and the other carrier words opt out (a bare
/// CANCEL also leaves a task for staff); START/UNSTOP opt in; HELP/INFO name the business.
inbound_reply handle_inbound_sms(store::database& db, const std::string& message_sid,
                                 const std::string& from, const std::string& to,
                                 const std::string& body, const std::string& opt_out_type,
                                 sys_time now, const std::string& idempotency_token = "");

/// Applies a message status (a callback, or a poll when none came) to sms_log: terminal states
/// are sticky, older or repeated states never overwrite newer ones. A text that ends
/// undelivered or failed is acted on per carrier code (store::record_delivery_failure) once.
/// A callback whose idempotency token was seen before changes nothing. False when the message
/// is not ours.
bool apply_sms_status(store::database& db, const std::string& message_sid,
                      const std::string& status, int error_code, sys_time now,
                      const std::string& idempotency_token = "");

/// `POST /twilio/sms` (inbound texts, answered with TwiML <Message>) and
/// `POST /twilio/sms-status` (delivery callbacks), both signed as Twilio signs the voice
/// webhooks; the database work runs on the worker pool.
class sms_webhooks {
public:
  sms_webhooks(inbound_settings s, http::server& server, store::database& db,
               worker_pool& blocking, const clock& clk, metrics::registry& metrics);
  ~sms_webhooks();
  void install();
  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace frontdesk::messaging
