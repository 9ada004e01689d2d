#include "protocols/tts/sentence_stream.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace frontdesk::tts {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string trimmed(std::string_view s) {
  auto a = std::find_if_not(s.begin(), s.end(), blank);
  auto b = std::find_if_not(s.rbegin(), s.rend(), blank).base();
  return a < b ? std::string(a, b) : std::string();
}

// A letter or digit (or any character beyond ASCII): marks alone are not said.
bool speakable(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
}

// Closing marks that stay with the sentence before them: ASCII quotes and brackets, and the
// UTF-8 right quotes (U+2019, U+201D).
std::size_t closing_mark(std::string_view s, std::size_t i) {
  if (i >= s.size())
    return 0;
  char c = s[i];
  if (c == '"' || c == '\'' || c == ')' || c == ']')
    return 1;
  if (s.size() - i >= 3 && s[i] == '\xE2' && s[i + 1] == '\x80' && (s[i + 2] == '\x99' || s[i + 2] == '\x9D'))
    return 3;
  return 0;
}

// What the word before a dot says about the dot.
enum class dot_after { word, title, short_form };

// "Dr. Lee" and "J. Smith": a title or an initial, never an end. "9 a.m." and "etc.": an end
// only when a capital follows. Anything else ends a sentence.
dot_after classify(std::string_view word) {
  while (!word.empty() && (word.front() == '(' || word.front() == '"' || word.front() == '\''))
    word.remove_prefix(1);
  if (word.empty())
    return dot_after::word;
  if (word.size() == 1 && std::isalpha(static_cast<unsigned char>(word[0])))
    return dot_after::title; // an initial
  auto letters = [](std::string_view p) {
    return std::all_of(p.begin(), p.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  };
  if (word.find('.') != std::string_view::npos) { // "a.m", "e.g", "U.S" but not "example.com"
    for (std::size_t from = 0; from <= word.size();) {
      auto dot = std::min(word.find('.', from), word.size());
      auto part = word.substr(from, dot - from);
      if (part.empty() || part.size() > 2 || !letters(part))
        return dot_after::word;
      from = dot + 1;
    }
    return dot_after::short_form;
  }
  std::string lower;
  for (char c : word)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::array<std::string_view, 9> titles{"mr", "mrs", "ms", "dr", "st", "prof", "mt", "sr", "jr"};
  static constexpr std::array<std::string_view, 4> short_forms{"etc", "vs", "approx", "ave"};
  if (std::find(titles.begin(), titles.end(), lower) != titles.end())
    return dot_after::title;
  if (std::find(short_forms.begin(), short_forms.end(), lower) != short_forms.end())
    return dot_after::short_form;
  return dot_after::word;
}

// Where a cut may go in `s` without splitting a UTF-8 character: at most `at`.
std::size_t char_boundary(std::string_view s, std::size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80)
    --at;
  return at;
}

} // namespace

std::vector<std::string> sentence_stream::feed(std::string_view piece) {
  std::vector<std::string> out;
  held_.append(piece);
  auto emit = [&](std::size_t end) {
    if (auto s = trimmed(std::string_view(held_).substr(0, end)); speakable(s))
      out.push_back(std::move(s));
    held_.erase(0, end);
  };
  // The held text up to `end` goes out: in pieces of at most max_, cut at blanks.
  auto hand_out = [&](std::size_t end) {
    while (end > max_) {
      auto cut = held_.find_last_of(" \t\r\n\f\v", max_);
      if (cut == std::string::npos || cut == 0)
        cut = char_boundary(held_, max_);
      if (cut == 0)
        cut = max_;
      emit(cut);
      end -= cut;
    }
    emit(end);
    scanned_ = 0;
  };
  for (;;) {
    std::size_t i = scanned_;
    while (i < held_.size()) {
      char c = held_[i];
      if (c == '\n') {
        if (held_.find_first_not_of(" \t\r\n\f\v", i + 1) == std::string::npos)
          break; // the last line stays until the next begins
        hand_out(i + 1);
        i = 0;
        continue;
      }
      if (c != '.' && c != '?' && c != '!') {
        ++i;
        continue;
      }
      // The end marks and closing quotes that follow belong to this sentence.
      std::size_t j = i + 1;
      for (;;) {
        if (j < held_.size() && (held_[j] == '.' || held_[j] == '?' || held_[j] == '!'))
          ++j;
        else if (auto n = closing_mark(held_, j))
          j += n;
        else
          break;
      }
      if (j >= held_.size() || (held_[j] == '\xE2' && held_.size() - j < 3)) {
        break; // the next piece decides (a blank, a right quote, or more of a word)
      }
      if (!blank(held_[j])) {
        i = j; // "3.5", "www.example.com": inside a sentence
        continue;
      }
      // An end once the next sentence has begun: the last one always stays for finish(), so
      // a reply's end is never handed out as if more followed.
      auto next = held_.find_first_not_of(" \t\r\n\f\v", j);
      if (next == std::string::npos)
        break;
      if (c == '.' && j == i + 1) {
        auto start = held_.find_last_of(" \t\r\n\f\v", i);
        start = start == std::string::npos ? 0 : start + 1;
        auto kind = classify(std::string_view(held_).substr(start, i - start));
        if (kind == dot_after::short_form && !std::isupper(static_cast<unsigned char>(held_[next])))
          kind = dot_after::title;
        if (kind == dot_after::title) {
          i = j;
          continue;
        }
      }
      hand_out(j);
      i = 0;
    }
    scanned_ = i;
    if (held_.size() <= max_)
      return out;
    // No end in sight: what is over the limit goes (cut at a blank), the rest waits.
    auto cut = held_.find_last_of(" \t\r\n\f\v", max_);
    if (cut == std::string::npos || cut == 0)
      cut = char_boundary(held_, max_);
    if (cut == 0)
      cut = max_;
    hand_out(cut);
  }
}

std::string sentence_stream::finish() {
  auto s = trimmed(held_);
  held_.clear();
  scanned_ = 0;
  return speakable(s) ? s : std::string();
}

} // namespace frontdesk::tts
