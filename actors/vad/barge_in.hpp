#pragma once

#include <chrono>
#include <string_view>

namespace frontdesk::turn {

using std::chrono::milliseconds;

/// Decides when a caller's speech interrupts the receptionist, and whether an interruption was
/// real. Coughs (too short) never interrupt; speech that lasts min_speech does, at once, so the
/// reply stops fast (`clear`). If the interruption then turns out to be a backchannel ("okay",
/// "mm-hm") or too short to be a turn, the reply resumes. Pure: fed 20 ms frames.
class barge_in {
public:
  struct settings {
    milliseconds frame{20};
    milliseconds min_speech{100}; // continuous speech over the reply that stops it
    milliseconds min_turn{350};   // shorter interruptions, or backchannel words, resume the reply
  };

  enum class action { none, interrupt };
  enum class verdict { resume, take_turn };

  barge_in() : barge_in(settings{}) {}
  explicit barge_in(settings s) : s_(s) {}

  /// One frame of VAD output while the receptionist may be speaking.
  action feed(bool speech, bool agent_speaking);

  /// The interrupting utterance ended: was it a real turn?
  verdict judge(std::string_view final_text, milliseconds speech) const;

  bool interrupted() const { return interrupted_; }
  void reset() {
    run_ = milliseconds{0};
    interrupted_ = false;
  }

  /// True when every word is a backchannel ("okay", "uh huh", "mm-hm", "yeah", "right").
  static bool is_backchannel(std::string_view text);

private:
  settings s_;
  milliseconds run_{0};
  bool interrupted_ = false;
};

} // namespace frontdesk::turn
