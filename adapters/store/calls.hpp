#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk::store {

class database;

/// What the telephony edge needs to know about a business when a call arrives.
struct business_ref {
  std::string id;
  std::string name;
  std::string timezone;
  std::string greeting;
  int max_live_calls = 0;
  std::string transfer_number;
};

/// A voice webhook's facts about a new call.
struct call_start {
  std::string call_sid;
  std::string caller;
  std::string called;
  std::string node;
  sys_time at;
};

/// The call row as the edge sees it.
struct call_ref {
  std::string id;
  std::string business_id;
  std::string call_sid;
  std::string status;
  bool created = false; // false when the CallSid was already known (a retried webhook)
};

/// Calls as the telephony edge records them. Blocking (PostgreSQL): call from worker threads.
/// Every method returns a failure value instead of throwing.
class calls_repo {
public:
  explicit calls_repo(database& db) : db_(db) {}

  /// The business that owns a dialled number, or nothing.
  expected<std::optional<business_ref>> business_for_number(const std::string& number);

  /// Creates the call row, or returns the existing one for a CallSid seen before.
  expected<call_ref> open_call(const std::string& business_id, const call_start& start);

  /// The call with this CallSid, if any (any business: the SID names it).
  expected<std::optional<call_ref>> find_by_sid(const std::string& call_sid);

  /// Records a Twilio status callback. A final status also ends a still-open call.
  expected<bool> record_status(const std::string& call_sid, const std::string& status,
                               std::optional<int> duration_seconds, sys_time at);

  /// The media stream started: answered time and stream SID.
  expected<bool> mark_streaming(const std::string& business_id, const std::string& call_id,
                                const std::string& stream_sid, sys_time at);

  /// Ends a call that is still open, with how it ended. A call already ended is left as is.
  expected<bool> end_call(const std::string& business_id, const std::string& call_id,
                          const std::string& status, const std::string& end_reason, sys_time at);

  /// Appends one turn to the call's transcript (saved as it happens: a crash loses at most the
  /// turn in progress).
  expected<bool> append_turn(const std::string& business_id, const std::string& call_id,
                             const std::string& role, const std::string& text,
                             std::int64_t at_ms, bool interrupted);

  /// Appends one turn's latency figures (a JSON object) to the call.
  expected<bool> append_latency(const std::string& business_id, const std::string& call_id,
                                const std::string& json_object);

  /// The call's summary, outcome and recording, written when it ends.
  expected<bool> set_results(const std::string& business_id, const std::string& call_id,
                             const std::string& summary, const std::string& outcome,
                             const std::string& recording_path);

  /// A finished call as JSON for reports: transcript, latencies, outcome, summary, and the
  /// appointments it created or cancelled, in the business's local time. Empty when unknown.
  expected<std::string> call_report_json(const std::string& business_id, const std::string& call_id);

private:
  database& db_;
};

} // namespace frontdesk::store
