#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  // Its own cloud speech choices ("" = the node's default): voice, recogniser model, language.
  std::string tts_voice, stt_model, stt_language;
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

/// Changes to one live call, saved together in one transaction (see edge::call_journal).
struct call_changes {
  struct streaming {
    std::string stream_sid;
    sys_time at;
  };
  struct turn {
    std::string role, text;
    std::int64_t at_ms = 0;
    bool interrupted = false;
  };
  struct results {
    std::string summary, outcome, recording_path;
  };
  struct ending {
    std::string status, end_reason;
    sys_time at;
  };
  std::optional<streaming> stream;
  std::vector<turn> turns;            // in any order: the transcript is kept sorted by at_ms
  std::vector<std::string> latencies; // JSON objects, appended in this order
  std::optional<results> result;
  std::optional<ending> end;
  std::optional<std::string> dialog_state; // JSON: the dialog's state after its last reply
  /// A transfer to a person is pending: the number to dial ("": the business's).
  std::optional<std::string> transfer_to;
  bool empty() const {
    return !stream && turns.empty() && latencies.empty() && !result && !end && !dialog_state &&
           !transfer_to;
  }
};

/// A call as <Connect action> finds it when its stream has ended: which node carried it, and
/// whether it ended (and why).
struct call_after_stream {
  std::string id;
  std::string business_id;
  std::string node;
  std::string caller;
  bool ended = false;
  std::string end_reason;
  /// The number to <Dial> when a transfer to a person is pending (the operator's, or the
  /// business's transfer number); "" when none is.
  std::string transfer_number;
};

/// A call taken over by another node: what its dialog had reached, and how far into the call
/// the new stream starts.
struct call_taken_over {
  std::string dialog_state; // "" when none was saved
  std::int64_t at_offset_ms = 0;
  std::vector<std::string> caller_lines; // the transcript's caller lines, in order
};

/// What call_changes found: false where the call was unknown or (for stream and end) already
/// ended. Parts that were not asked for are true.
struct call_changes_applied {
  bool stream = true, rows = true, result = true, end = true;
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

  /// Adds what the call used of the cloud speech vendors: seconds of audio streamed to the
  /// recogniser, characters sent to the voice.
  expected<bool> add_speech_usage(const std::string& business_id, const std::string& call_id,
                                  double stt_seconds, std::uint64_t tts_characters);

  /// Several changes to one call in one transaction, in the order the fields are declared
  /// (stream, turns and latencies, results, end): one round of BEGIN/scope/COMMIT instead of
  /// one per change.
  expected<call_changes_applied> apply(const std::string& business_id, const std::string& call_id,
                                       const call_changes& c);

  /// Finishes every open call recorded on `node` (any business) as failed with `end_reason`:
  /// the calls of a node that left the cluster, or of this node when it starts again. With
  /// `quiet_for`, only if the node has not said it was alive (node_alive) for that long;
  /// otherwise nothing is touched and the result is empty. Returns how many it finished.
  expected<std::optional<std::size_t>>
  finish_node_calls(const std::string& node, const std::string& end_reason, sys_time at,
                    std::optional<std::chrono::milliseconds> quiet_for = std::nullopt);

  /// The call with this CallSid as <Connect action> needs it, if any.
  expected<std::optional<call_after_stream>> after_stream(const std::string& call_sid);

  /// `node` takes over the call that `from_node` carried (still open, or finished as lost with
  /// it or cut at its shutdown): the row is open again under `node`. Nothing when another node
  /// got there first or the call ended otherwise meanwhile.
  expected<std::optional<call_taken_over>> take_over(const std::string& business_id,
                                                     const std::string& call_id,
                                                     const std::string& from_node,
                                                     const std::string& node);

  /// A cluster node says it is alive (its heartbeat in the database).
  expected<bool> node_alive(const std::string& node);

  /// A finished call as JSON for reports: transcript, latencies, outcome, summary, and the
  /// appointments it created or cancelled, in the business's local time. Empty when unknown.
  expected<std::string> call_report_json(const std::string& business_id, const std::string& call_id);

private:
  database& db_;
};

} // namespace frontdesk::store
