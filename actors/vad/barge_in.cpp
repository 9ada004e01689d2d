#include "actors/vad/barge_in.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace frontdesk::turn {

barge_in::action barge_in::feed(bool speech, bool agent_speaking) {
  run_ = speech ? run_ + s_.frame : milliseconds{0};
  if (agent_speaking && !interrupted_ && run_ >= s_.min_speech) {
    interrupted_ = true;
    return action::interrupt;
  }
  return action::none;
}

barge_in::verdict barge_in::judge(std::string_view text, milliseconds speech) const {
  if (speech < s_.min_turn || is_backchannel(text))
    return verdict::resume;
  return verdict::take_turn;
}

bool barge_in::is_backchannel(std::string_view text) {
  static constexpr std::array<std::string_view, 16> words = {
      "okay", "ok", "mm", "hm", "mhm", "mmhm", "uh", "huh", "yeah", "yep",
      "right", "sure", "alright", "uhhuh", "aha", "hmm"};
  std::string w;
  bool any = false;
  auto flush = [&]() {
    if (w.empty())
      return true;
    any = true;
    bool ok = std::find(words.begin(), words.end(), w) != words.end();
    w.clear();
    return ok;
  };
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c == '-') {
      continue; // "mm-hm", "uh-huh" read as one word
    } else if (!flush()) {
      return false;
    }
  }
  if (!flush())
    return false;
  return any;
}

} // namespace frontdesk::turn
