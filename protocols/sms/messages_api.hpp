#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::sms {

/// One message to send through Twilio's Messages API.
struct outgoing {
  std::string to, from, body;
  std::string status_callback; // may be empty
  /// Seconds the vendor may hold the text in its queue before giving up (1-36000, Twilio's
  /// `ValidityPeriod`); 0: the vendor's default. A reminder must not arrive late.
  int validity_seconds = 0;
};

/// The form body of `POST /2010-04-01/Accounts/{AC}/Messages.json`.
std::string create_form(const outgoing& m);

/// How a create request ended, as the outbox acts on it.
struct send_outcome {
  enum class kind {
    accepted,  // 201: the vendor has the message
    retry,     // 429, 5xx, 21611 queue full, nothing was sent: try again later
    final,     // 21211 invalid number, 21610 unsubscribed, other 4xx: never retry
    ambiguous, // the request may have been accepted (lost response, timeout): look first
  } what = kind::retry;
  std::string sid;            // accepted
  std::string status;         // accepted: queued, accepted, ...
  int error_code = 0;         // Twilio's code, when it gave one
  std::string message;        // for the log and last_error
  std::optional<std::chrono::milliseconds> retry_after;
  bool opted_out() const { return error_code == 21610; }
};

/// Maps a Messages API reply (HTTP status, JSON body, the wait its Retry-After asked for) to an
/// outcome.
send_outcome parse_create_reply(int http_status, std::string_view body,
                                std::optional<std::chrono::milliseconds> retry_after);

/// One message of a `GET …/Messages.json` listing.
struct listed_message {
  std::string sid, to, from, body, status;
  std::optional<sys_time> created;
};

/// Parses a list page: {"messages": [...], ...}.
expected<std::vector<listed_message>> parse_message_list(std::string_view body);

/// A message resource as `GET …/Messages/{Sid}.json` returns it, reduced to what the log keeps.
struct message_state {
  std::string sid, status;
  int error_code = 0; // 0 when null or absent
  std::string error_message;
};

/// Parses a message resource (a JSON object with at least "sid" and "status").
expected<message_state> parse_message_resource(std::string_view body);

/// The path of one message: "/2010-04-01/Accounts/{AC}/Messages/{SM}.json". Nothing when
/// either id is not of the form Twilio gives (two letters and hex digits), so an id from the
/// database can never steer the request elsewhere.
std::optional<std::string> message_path(const std::string& account_sid, const std::string& sid);

/// The `ValidityPeriod` of a reminder sent at `now` for an appointment at `start`: the text
/// must arrive by the midpoint of the time left (a 2 h reminder by 1 h before, a 1 h one within
/// 1800 s), capped at Twilio's 36000 s. Nothing when less than `min_lead` is left before the
/// start (the text could not arrive in time to be of use: it is not sent).
std::optional<int> reminder_validity(sys_time start, sys_time now,
                                     std::chrono::seconds min_lead = std::chrono::minutes(10));

/// The query string of a reconciliation listing: To, From, PageSize (newest first).
std::string list_query(const std::string& to, const std::string& from, int page_size);

/// Parses Twilio's RFC 2822 dates: "Tue, 27 Nov 2018 16:14:39 +0000".
std::optional<sys_time> parse_rfc2822(std::string_view s);
/// Formats an instant the way Twilio does (in +0000).
std::string format_rfc2822(sys_time t);

/// The message that an earlier, unanswered create produced, if the listing holds it: same
/// recipient and body, created no earlier than `since` minus `slack` (clocks differ).
std::optional<listed_message> find_sent(const std::vector<listed_message>& listing,
                                        const outgoing& m, sys_time since,
                                        std::chrono::seconds slack = std::chrono::seconds(120));

/// Status callback states, ranked so an old or repeated callback never undoes a newer state:
/// terminal states (delivered, undelivered, failed, and our own logged) are sticky.
int status_rank(std::string_view status);
bool is_terminal(std::string_view status);
/// True when `next` should replace `current` in the log.
bool status_advances(std::string_view current, std::string_view next);

} // namespace frontdesk::sms
