#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

/// Google Calendar API v3 and Google's OAuth2 token endpoint, as values: JSON bodies in,
/// structs out, and back. No sockets. Every parser takes untrusted bytes and fails with a value.
namespace frontdesk::google {

/// An instant ("dateTime") or a floating all-day date ("date": "2026-03-05"). All-day dates
/// belong to no zone: the business's zone turns them into instants (never through UTC).
struct event_time {
  std::optional<sys_time> instant;
  std::string date;      // YYYY-MM-DD, for all-day events
  std::string time_zone; // the event's own zone, when given
  bool all_day() const { return !instant && !date.empty(); }
};

/// One event of an events.list page (or the events.insert/patch reply).
struct event {
  std::string id;
  std::string status;       // confirmed | tentative | cancelled
  std::string summary;
  std::string transparency; // opaque (the default) | transparent
  std::string event_type;   // default | outOfOffice | focusTime | workingLocation | ...
  std::string self_response; // the calendar owner's attendee responseStatus, if invited
  std::string recurring_event_id;
  std::string etag;
  event_time start, end;
  std::map<std::string, std::string> private_properties; // extendedProperties.private

  bool cancelled() const { return status == "cancelled"; }
  /// Whether the event takes the owner's time: confirmed or tentative, opaque, not declined,
  /// and not a working-location marker. `declined_blocks` is the business's setting.
  bool blocks_time(bool declined_blocks = false) const;
};

/// One page of events.list: its items and where to go next. `next_sync_token` comes only on
/// the last page.
struct events_page {
  std::vector<event> items;
  std::string next_page_token;
  std::string next_sync_token;
  std::string time_zone; // the calendar's zone
};

expected<events_page> parse_events_page(std::string_view json);
expected<event> parse_event(std::string_view json);

/// The busy periods of freeBusy.query, per calendar, with the per-calendar errors Google
/// reports inside a 200 (a calendar with errors tells nothing about its busy time).
struct free_busy {
  struct calendar {
    std::vector<std::pair<sys_time, sys_time>> busy;
    std::vector<std::string> errors; // reasons: notFound, internalError, ...
  };
  std::map<std::string, calendar> calendars;
};

expected<free_busy> parse_free_busy(std::string_view json);
/// The freeBusy.query request body for [from, to) over `calendar_ids`.
std::string free_busy_request(sys_time from, sys_time to, const std::vector<std::string>& calendar_ids);

/// What the token endpoint answered.
struct token_reply {
  std::string access_token;
  int expires_in = 0;
  std::string refresh_token; // usually absent on a refresh: keep the old one
  std::string error;         // invalid_grant, invalid_client, ... (a 400 body)
  std::string error_description;
};

expected<token_reply> parse_token_reply(std::string_view json);

/// How to act on a failed Google request.
enum class error_action {
  none,          // not an error
  refresh_token, // 401 authError: refresh once, then retry
  back_off,      // 403/429 rate limits, 5xx: retry later with backoff
  full_sync,     // 410 fullSyncRequired / updatedMinTooLongAgo: wipe and sync again
  gone_is_done,  // 410 deleted: deleting what is already deleted succeeded
  duplicate_id,  // 409 duplicate: the event id is taken (a tombstone): use a new revision
  give_up        // anything else: no retry helps
};

/// The error envelope's first reason ("rateLimitExceeded") and what to do, from the status and
/// the body (which may be empty or not JSON at all).
struct google_error {
  int status = 0;
  std::string reason;
  std::string message;
  error_action action = error_action::none;
};
google_error classify_error(int status, std::string_view body);

/// What we write for one of our appointments.
struct appointment_event {
  std::string appointment_id;
  int revision = 0;
  std::string summary, description, location;
  sys_time start, end;
  std::string time_zone; // the business's IANA zone
  std::string root_id;   // the chain's first appointment, which owns the event id ("": this one)
};

/// The event id for an appointment at a revision: base32hex ([a-v0-9]), 5 to 1024 characters,
/// the same for the same inputs, different for another revision (Google keeps deleted ids).
std::string event_id(std::string_view appointment_id, int revision);

/// The events.insert (or patch) body: our id, the times in the business's zone, and the
/// appointment id in extendedProperties.private so that our own events are recognised when
/// they come back through sync.
std::string event_body(const appointment_event& a);

/// The private extended property that marks our events.
inline constexpr std::string_view appointment_property = "frontdeskAppointmentId";

} // namespace frontdesk::google
