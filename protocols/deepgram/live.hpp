#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocols/core/expected.hpp"

namespace frontdesk::deepgram {

/// A transcript message (`"type":"Results"`): an interim or final hypothesis for a span of audio.
/// Times are seconds of the socket's audio.
struct results {
  bool is_final = false;
  bool speech_final = false;
  bool from_finalize = false;
  double start = 0;
  double duration = 0;
  std::string transcript; // the first alternative's
  double confidence = 0;
  double last_word_end = -1; // the end of its last word; -1 when it has none
};

/// `"type":"UtteranceEnd"`: a gap of utterance_end_ms after the last finalised word.
struct utterance_end {
  double last_word_end = -1;
};

/// `"type":"SpeechStarted"` (vad_events=true).
struct speech_started {
  double timestamp = 0;
};

/// `"type":"Metadata"`: the terminal message after CloseStream (or the first, on some servers).
struct metadata {
  double duration = 0;
  std::string request_id;
};

/// Any other well-formed message (`Error`, future types): kept by name, otherwise ignored.
struct other {
  std::string type;
  std::string description;
};

using live_message = std::variant<results, utterance_end, speech_started, metadata, other>;

/// Parses one text frame from the live endpoint. Malformed JSON, a missing `type`, or fields of
/// the wrong kind are a failure, never an exception.
expected<live_message> parse_live_message(std::string_view text);

/// A caller's turn as the vendor's results make it.
struct turn_text {
  enum class end { speech_final, finalize, utterance_end, forced };
  std::string text;
  double confidence = 0; // the mean of its finals' confidences (interims count as 0.5)
  end why = end::speech_final;
};

const char* to_string(turn_text::end e);

/// Combines a live stream's messages into turns. Finals accumulate until `speech_final` or a
/// `Finalize` result ends the turn; an `UtteranceEnd` ends it when speech_final never came,
/// unless it is stale (its last word ends before the latest word heard); a turn of interims
/// only is finalised by an `UtteranceEnd` or by force(); a turn ends at most once. Pure: the
/// socket's owner feeds it in order. Results that arrive late for a span already given as a turn
/// (a final after force() took its interim) are dropped, so no words are heard twice.
class transcript_assembler {
public:
  /// Feeds one message; returns the turn it ended, if any.
  std::optional<turn_text> on(const live_message& m);
  /// Our own endpointer decided the turn is over: whatever was heard (finals, then the
  /// latest interim) is the turn. Nothing when nothing was heard since the last turn.
  std::optional<turn_text> force();
  /// Finals of the open turn, then its latest interim (for barge-in and the endpointer).
  std::string partial() const;
  /// Anything heard in the open turn?
  bool open() const { return !finals_.empty() || !interim_.empty(); }
  /// Seconds to add to the times of the messages that follow (a new socket restarts at 0).
  void set_offset(double seconds) { offset_ = seconds; }
  /// The end of the latest final span, in offset time: audio after it is not yet transcribed
  /// for good.
  double final_until() const { return final_until_; }

private:
  std::optional<turn_text> take(turn_text::end why);

  std::string finals_;
  double confidence_sum_ = 0;
  int final_count_ = 0;
  std::string interim_;
  double latest_word_end_ = -1;
  double final_until_ = 0;
  double offset_ = 0;
  double heard_until_ = 0; // the end of the latest result's span
  double taken_until_ = 0; // results ending by here belong to a turn already ended
};

} // namespace frontdesk::deepgram
