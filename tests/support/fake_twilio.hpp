#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/fake_openai.hpp"

namespace frontdesk::fixtures {

/// Twilio's Messages API on 127.0.0.1 for tests, in its real wire format: HTTP basic auth
/// (account SID and auth token) checked, form bodies, 201 JSON message resources, JSON errors
/// ({"code", "message", "more_info", "status"}), the newest-first message list and one
/// message's resource. Messages keep a status that tests move on, with or without the signed
/// status callback Twilio would POST. Faults are queued and each applies to one create request.
class fake_twilio {
public:
  enum class fault {
    none,
    invalid_number,        // 400 21211
    unsubscribed,          // 400 21610
    rate_limited,          // 429 20429 with Retry-After
    rate_limited_no_header, // 429 20429 without Retry-After
    server_error,          // 500
    unavailable,           // 503
    queue_full,            // 400 21611
    accept_then_reset,     // the message is accepted (it is listed), then the connection resets
    hang,                  // nothing accepted; no answer for `hang_for`
    accept_then_hang,      // accepted, then no answer for `hang_for`
  };

  struct message {
    std::string sid, to, from, body, status_callback;
    std::chrono::system_clock::time_point created;
    int validity_period = 0; // ValidityPeriod as sent (0: none)
    std::string status = "queued";
    int error_code = 0;
  };

  fake_twilio(std::string account_sid = "AC00000000000000000000000000000001",
              std::string auth_token = "test-token");

  /// "http://127.0.0.1:PORT" (the api_base_url).
  std::string base_url() const;
  const std::string& account_sid() const { return sid_; }
  const std::string& auth_token() const { return token_; }

  /// The next create requests meet these faults, one each, in order.
  void push_faults(std::vector<fault> f);
  void set_retry_after(int seconds);
  void set_hang_for(std::chrono::milliseconds d);
  /// Later sends to this number get 21610 (the recipient replied STOP at the carrier).
  void unsubscribe(const std::string& to);

  /// Accepted messages, in order.
  std::vector<message> messages() const;
  std::size_t count_to(const std::string& to) const;
  /// Create requests received (accepted or not).
  int creates() const;
  /// Requests refused for bad credentials.
  int unauthorized() const;
  /// List requests received.
  int lists() const;
  /// Message fetches (`GET …/Messages/{Sid}.json`) received.
  int fetches() const;
  /// Moves a message on at the vendor without telling anyone (a status callback that never
  /// arrives). False for an unknown sid.
  bool set_status(const std::string& sid, const std::string& status, int error_code = 0);
  /// Moves a message on and POSTs its status callback as Twilio does: a signed form
  /// (MessageSid, MessageStatus, ErrorCode, ...) to the StatusCallback it was sent with, with
  /// `I-Twilio-Idempotency-Token: token` (a retry of one callback sends the same token). The
  /// HTTP status of the answer, or 0 when it could not be delivered.
  int deliver_status(const std::string& sid, const std::string& status, int error_code,
                     const std::string& token);
  /// Called with each create request as it arrives, before it is answered (kill tests).
  void on_create(std::function<void(const std::string& body)> f);

  void stop();

private:
  scripted_reply handle(const recorded_request& req);
  scripted_reply create(const std::string& body);
  scripted_reply list(const std::string& query);
  scripted_reply fetch(const std::string& sid);

  std::string sid_, token_;
  mutable std::mutex mtx_;
  std::deque<fault> faults_;
  std::set<std::string> unsubscribed_;
  std::vector<message> messages_;
  int creates_ = 0, unauthorized_ = 0, lists_ = 0, fetches_ = 0;
  int retry_after_ = 1;
  std::chrono::milliseconds hang_for_{30000};
  std::function<void(const std::string&)> on_create_;
  std::unique_ptr<fake_openai> server_; // the HTTP/1.1 engine (generic despite its name)
};

/// Twilio's request signature for a webhook to `url` with these form fields (test callers).
std::string twilio_signature(const std::string& token, const std::string& url,
                             const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace frontdesk::fixtures
