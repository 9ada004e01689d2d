#include "actors/vad/endpointer.hpp"

#include "protocols/core/words.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace frontdesk::turn {
namespace {

std::vector<std::string> words(std::string_view s) { return lower_words(s); }

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view w) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

// Words after which a sentence cannot end.
constexpr std::array<std::string_view, 34> trailing_unfinished = {
    "and", "or", "but", "the", "a", "an", "at", "on", "for", "to", "with", "my", "is", "um",
    "uh", "like", "so", "about", "in", "of", "from", "by", "around", "maybe", "because", "it's",
    "its", "i'm", "i", "we", "you", "your", "this", "next"};

constexpr std::array<std::string_view, 24> short_answers = {
    "yes", "yeah", "yep", "no", "nope", "okay", "ok", "sure", "correct", "right", "thanks",
    "bye", "goodbye", "please", "perfect", "great", "fine", "that's", "works", "thank", "good",
    "absolutely", "definitely", "alright"};

constexpr std::array<std::string_view, 20> digit_words = {
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "eleven", "twelve", "double", "triple", "hundred", "thousand", "o", "nil"};

std::size_t spoken_digits(const std::vector<std::string>& ws) {
  std::size_t n = 0;
  for (auto& w : ws) {
    if (std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; }))
      n += w.size();
    else if (in(digit_words, w))
      ++n;
  }
  return n;
}

} // namespace

completeness judge(std::string_view partial, expectation expecting) {
  auto ws = words(partial);
  if (ws.empty())
    return completeness::neutral;
  auto& last = ws.back();
  switch (expecting) {
  case expectation::digits:
    // A phone number is ten digits here; until then the caller is still reading it.
    return spoken_digits(ws) >= 10 ? completeness::complete : completeness::unfinished;
  case expectation::name:
  case expectation::email:
    if (in(trailing_unfinished, last) || last == "dot" || last == "at")
      return completeness::unfinished;
    return ws.size() >= 2 ? completeness::neutral : completeness::unfinished;
  case expectation::spelling:
    // Letters come one at a time, with pauses between them: only a long pause ends the turn.
    return completeness::unfinished;
  case expectation::yes_no:
  case expectation::when:
  case expectation::choice:
  case expectation::anything:
    break;
  }
  // A short answer is whole even when it ends on "you" ("no thank you", "thank you").
  if (ws.size() <= 3 && std::all_of(ws.begin(), ws.end(), [](const std::string& w) {
        return in(short_answers, w) || w == "it" || w == "is" || w == "you" || w == "much";
      }) && !(ws.size() == 1 && (ws[0] == "you" || ws[0] == "it" || ws[0] == "is")))
    return completeness::complete;
  if (in(trailing_unfinished, last))
    return completeness::unfinished;
  // A request that names a time or ends on am/pm or a day reads finished.
  static constexpr std::array<std::string_view, 16> finishers = {
      "am", "pm", "m", "noon", "midnight", "morning", "afternoon", "evening", "today",
      "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "appointment"};
  if (in(finishers, last) || last == "saturday" || last == "sunday" || last == "please" ||
      last == "o'clock")
    return completeness::complete;
  // A question of four words or more that does not trail off ("what are your hours", "do you
  // take insurance") reads finished; "do you take" may still be going.
  static constexpr std::array<std::string_view, 12> asks = {
      "what", "where", "when", "how", "do", "does", "is", "are", "can", "could", "will", "who"};
  if (ws.size() >= 4 && in(asks, ws.front()))
    return completeness::complete;
  return completeness::neutral;
}

milliseconds endpointer::current_window() const {
  auto c = judge(partial_, expecting_);
  bool expecting_long = expecting_ == expectation::digits || expecting_ == expectation::name ||
                        expecting_ == expectation::email || expecting_ == expectation::spelling;
  if (c == completeness::complete)
    return s_.complete_pause;
  // A whole name ("my name is maria garcia") needs no longer pause than any other sentence;
  // a partial one, or digits still coming, does.
  if (c == completeness::neutral && !(expecting_ == expectation::digits))
    return s_.neutral_pause;
  if (expecting_long)
    return s_.expecting_pause;
  return c == completeness::unfinished ? s_.unfinished_pause : s_.neutral_pause;
}

endpointer::event endpointer::feed(bool speech) {
  if (!in_turn_) {
    onset_ = speech ? onset_ + s_.frame : milliseconds{0};
    if (onset_ >= s_.min_speech) {
      in_turn_ = true;
      speech_ = onset_;
      length_ = onset_;
      silence_ = milliseconds{0};
      return event::speech_started;
    }
    return event::none;
  }
  length_ += s_.frame;
  if (speech) {
    speech_ += s_.frame;
    silence_ = milliseconds{0};
  } else {
    silence_ += s_.frame;
  }
  if (silence_ >= current_window() || length_ >= s_.max_turn) {
    in_turn_ = false;
    onset_ = milliseconds{0};
    return event::turn_ended;
  }
  return event::none;
}

void endpointer::reset() {
  in_turn_ = false;
  onset_ = speech_ = silence_ = length_ = milliseconds{0};
  partial_.clear();
}

} // namespace frontdesk::turn
