#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "adapters/speech/recognizer.hpp"

namespace frontdesk::speech {

/// An utterance's recognition that can begin before a decoder is free. It asks `open` for a
/// session at once and again at every feed; until it has one it keeps the caller's audio (up to
/// `max_buffered_samples`, the oldest dropped beyond that), then feeds what it kept so the
/// decoder catches up (decoding runs at a small fraction of real time). Only when no decoder
/// came free during the whole utterance is its result `unavailable`.
///
/// Decoders are held for whole utterances, but callers rarely all speak at once: this turns a
/// momentary shortage into a short delay instead of "sorry, I didn't catch that".
std::unique_ptr<stt_session> make_waiting_session(
    std::function<std::unique_ptr<stt_session>()> open,
    std::size_t max_buffered_samples = 8000 * 30);

} // namespace frontdesk::speech
