#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/sms/messages_api.hpp"

namespace frontdesk::messaging {

/// The port through which texts leave: Twilio's Messages API, or a log sink. Thread-safe.
class sms_sender {
public:
  virtual ~sms_sender() = default;
  /// Sends one text; never throws. Transport failures after the request may have reached the
  /// vendor come back as `ambiguous`.
  virtual sms::send_outcome send(const sms::outgoing& m) = 0;
  /// Recent messages to `to` from `from`, newest first (to reconcile an unanswered send).
  virtual expected<std::vector<sms::listed_message>> recent(const std::string& to,
                                                            const std::string& from) = 0;
  /// One message as the vendor has it now (`GET …/Messages/{Sid}.json`), for a text whose
  /// status callback never came.
  virtual expected<sms::message_state> fetch_status(const std::string& sid) = 0;
  /// True for the log sink: nothing leaves the node, texts are only logged.
  virtual bool log_only() const { return false; }
};

struct twilio_settings {
  std::string api_base_url = "https://api.twilio.com"; // plain http:// loopback works (tests)
  std::string account_sid;
  std::string auth_token;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{10000};
};

/// Twilio's Messages API over libcurl: basic auth (account SID, auth token), form body, JSON
/// reply. A connection per thread, kept alive.
std::unique_ptr<sms_sender> make_twilio_sender(twilio_settings s);

/// The embedded default without an account: accepts every text at once (status "logged"), so
/// the outbox writes it to sms_log and nothing leaves the node.
std::unique_ptr<sms_sender> make_log_sink();

} // namespace frontdesk::messaging
