#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"

namespace frontdesk::speech {

// The instant engines: for benchmarks and tests only, never a product default. They cost
// (almost) nothing, so a load run with them shows what the runtime itself adds to a turn.

/// A recogniser session that already knows what the caller says: `text` is its partial from
/// the first frame and its final result (confidence 1) at the end of the turn. An empty text is
/// rejected as unintelligible, as a real recogniser would reject noise.
std::unique_ptr<stt_session> make_script_session(std::string text);
/// The session for turn `n` of a declared script (past its end: nothing intelligible).
std::unique_ptr<stt_session> make_script_session(const std::vector<std::string>& script,
                                                 std::size_t n);

/// A synthesiser that returns, at once and in one chunk, a 440 Hz tone as long as the text
/// would take to say (`ms_per_word` per word, at least one word).
std::unique_ptr<tts_engine> make_tone_tts(int ms_per_word = 250);

} // namespace frontdesk::speech
