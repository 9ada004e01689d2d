#pragma once

#include "actors/vad/barge_in.hpp"
#include "actors/vad/endpointer.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace frontdesk::turn {

/// The VAD role's per-frame logic for one call: fed each 20 ms frame (as linear samples, with
/// the VAD's verdict) where it arrives, it runs the endpointer and the barge-in judge, keeps
/// the audio from just before speech was noticed, and gathers a turn's audio into blocks for
/// the recogniser. It says something only when there is something to do: a turn starts, a
/// block is ready, the turn ends, the caller talks over the reply. Silence between turns costs
/// no message at all. Pure: no clock, no threads (its owner serialises the calls).
class front_end {
public:
  struct settings {
    endpointer::settings endpointing{};
    barge_in::settings barge{};
    std::size_t frame_samples = 160;
    std::size_t preroll_frames = 15; // 300 ms before the VAD noticed speech
    std::size_t block_frames = 5;    // a turn's audio goes to the recogniser 100 ms at a time
  };

  /// What one frame led to. Several can happen at once (a turn starts and ends in one frame
  /// only with degenerate settings, but a block and the end often come together).
  struct output {
    bool barge = false;              // the caller talks over the reply: stop it now
    bool started = false;            // a turn began; its pre-roll leads `audio`
    bool ended = false;              // the turn is over; `audio` holds its last samples
    std::uint64_t turn = 0;          // the turn the above belong to (1, 2, ...)
    std::vector<std::int16_t> audio; // the turn's next samples for the recogniser, in order
    milliseconds trailing_silence{0}; // at the end: silence since the last speech frame
    milliseconds speech{0};           // at the end: the speech heard in the turn

    /// Whether the recogniser's side has anything to do.
    bool for_recogniser() const { return started || ended || !audio.empty(); }
  };

  front_end() : front_end(settings{}) {}
  explicit front_end(settings s);

  /// One frame and whether the VAD heard speech in it.
  output feed(std::span<const std::int16_t> frame, bool speech);

  /// Is our reply playing (only then can the caller barge in)?
  void set_agent_speaking(bool on);
  /// What the dialog waits for next: it sets how long a pause ends the turn.
  void set_expectation(expectation e) { endpointer_.set_expectation(e); }
  /// The recogniser's partial words for `turn`; ignored unless that turn is still open.
  void set_partial(std::uint64_t turn, std::string text);

  bool in_turn() const { return endpointer_.in_turn(); }
  /// The latest turn's number (0 before the first).
  std::uint64_t turn() const { return turn_; }

private:
  settings s_;
  endpointer endpointer_;
  barge_in barge_;
  bool agent_speaking_ = false;
  std::uint64_t turn_ = 0;
  std::vector<std::int16_t> preroll_; // audio outside a turn: at least the last preroll_frames
  std::vector<std::int16_t> block_;   // the open turn's audio not yet handed over
};

} // namespace frontdesk::turn
