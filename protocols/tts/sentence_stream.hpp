#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::tts {

/// Cuts text that arrives in pieces of any size (a language model's streamed reply) into whole
/// sentences as soon as each is complete, so that speech can start on the first while the rest
/// is still being written. A sentence ends at '.', '?' or '!' (closing quotes and brackets
/// after it belong to it) and a blank, or at a newline, once the next sentence has begun (so
/// the last sentence always stays for finish()); a dot after a title or an
/// initial ("Dr. Lee", "J. Smith") ends nothing, after a short form ("9 a.m.", "e.g.", "etc.")
/// only when a capital follows. Sentences come out
/// trimmed (one with no letter or digit is left out).
/// Pure: no I/O, never throws.
class sentence_stream {
public:
  /// Holds at most this many bytes of one sentence; a longer one is handed out at its last
  /// blank (else at the limit, between UTF-8 characters) rather than held without end.
  explicit sentence_stream(std::size_t max_sentence = 1000) : max_(max_sentence < 16 ? 16 : max_sentence) {}

  /// The sentences `piece` completes, in order (often none).
  std::vector<std::string> feed(std::string_view piece);

  /// At the end of the text: what is held (trimmed; "" when nothing to say), and the stream starts
  /// afresh.
  std::string finish();

private:
  std::size_t max_;
  std::string held_;
  std::size_t scanned_ = 0; // held_ before this was looked at already
};

} // namespace frontdesk::tts
