#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace frontdesk::turn {

using std::chrono::milliseconds;

/// What the dialog is waiting for, which changes how long a pause may be before the turn ends.
enum class expectation { anything, digits, name, email, yes_no, spelling, when, choice };

/// How complete the caller's words read so far.
enum class completeness { complete, neutral, unfinished };

/// Judges whether a partial transcript reads as a finished request or answer ("tomorrow at two
/// p m", "yes") or an unfinished one ("my number is five five five", "and", "at").
completeness judge(std::string_view partial, expectation expecting);

/// Turns per-frame voice activity (and the STT's partial words) into speech start and end of
/// turn. The end-of-turn window adapts: short when the words read complete, long when they read
/// unfinished or the dialog expects digits, a name or an email, so a caller who pauses
/// mid-sentence keeps the turn. Pure: fed 20 ms frames, no clock.
class endpointer {
public:
  struct settings {
    milliseconds frame{20};
    milliseconds min_speech{60};     // speech this long (continuous) starts a turn
    milliseconds complete_pause{260};
    milliseconds neutral_pause{500};
    milliseconds unfinished_pause{900};
    milliseconds expecting_pause{1200}; // digits, names, emails: people read them in chunks
    milliseconds max_turn{20000};       // a turn never runs longer than this
  };

  enum class event { none, speech_started, turn_ended };

  endpointer() : endpointer(settings{}) {}
  explicit endpointer(settings s) : s_(s) {}

  /// One frame of VAD output. Returns what happened at this frame.
  event feed(bool speech);

  /// The STT's latest partial transcript for the current turn.
  void set_partial(std::string partial) { partial_ = std::move(partial); }
  void set_expectation(expectation e) { expecting_ = e; }

  bool in_turn() const { return in_turn_; }
  /// The pause that would end the turn now, given the words so far.
  milliseconds current_window() const;
  /// Speech heard in the current (or just ended) turn.
  milliseconds speech_in_turn() const { return speech_; }
  /// Silence since the last speech frame in the current turn.
  milliseconds trailing_silence() const { return silence_; }
  void reset();

private:
  settings s_;
  bool in_turn_ = false;
  milliseconds onset_{0};   // continuous speech before a turn starts
  milliseconds speech_{0};  // speech in this turn
  milliseconds silence_{0}; // trailing silence in this turn
  milliseconds length_{0};  // whole turn
  std::string partial_;
  expectation expecting_ = expectation::anything;
};

} // namespace frontdesk::turn
