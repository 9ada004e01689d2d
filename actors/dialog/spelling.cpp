#include "actors/dialog/spelling.hpp"

#include <cctype>
#include <vector>

#include "protocols/core/words.hpp"

namespace frontdesk::dialog {
namespace {

struct letter_name {
  std::string_view word;
  char letter;
  bool also_a_word; // an everyday word too: not taken at the edge of a run
};

// Letters as they are said, and as a recogniser spells what it heard.
constexpr letter_name letter_names[] = {
    {"ay", 'a', false},    {"bee", 'b', false},   {"be", 'b', true},     {"cee", 'c', false},
    {"see", 'c', true},    {"sea", 'c', true},    {"dee", 'd', false},   {"ee", 'e', false},
    {"ef", 'f', false},    {"eff", 'f', false},   {"gee", 'g', false},   {"aitch", 'h', false},
    {"haitch", 'h', false}, {"eye", 'i', true},   {"jay", 'j', false},   {"kay", 'k', false},
    {"el", 'l', false},    {"ell", 'l', false},   {"em", 'm', false},    {"en", 'n', false},
    {"oh", 'o', true},     {"pee", 'p', false},   {"cue", 'q', false},   {"queue", 'q', false},
    {"ar", 'r', false},    {"are", 'r', true},    {"es", 's', false},    {"ess", 's', false},
    {"tee", 't', false},   {"tea", 't', true},    {"you", 'u', true},    {"vee", 'v', false},
    {"ex", 'x', false},    {"why", 'y', true},    {"wye", 'y', false},   {"zee", 'z', false},
    {"zed", 'z', false}};

// One letter read from the words at `i`; `used` says how many words it took.
struct read_letter {
  char letter = 0;
  std::size_t used = 0;
  bool also_a_word = false;
};

read_letter letter_at(const std::vector<std::string>& ws, std::size_t i) {
  const auto& w = ws[i];
  read_letter r;
  if (w == "double" && i + 1 < ws.size() && (ws[i + 1] == "u" || ws[i + 1] == "you")) {
    r = {'w', 2, false}; // "double u" is w
  } else if (w.size() == 1 && std::isalpha(static_cast<unsigned char>(w[0]))) {
    r = {w[0], 1, false};
  } else {
    for (auto& n : letter_names)
      if (w == n.word)
        r = {n.letter, 1, n.also_a_word};
  }
  if (!r.letter)
    return r;
  // "b as in boy", "b for boy", "b like boy": the example's first letter.
  std::size_t k = i + r.used;
  std::size_t lead = 0;
  if (k + 2 < ws.size() && ws[k] == "as" && ws[k + 1] == "in")
    lead = 2;
  else if (k + 1 < ws.size() && (ws[k] == "for" || ws[k] == "like"))
    lead = 1;
  if (lead && k + lead < ws.size()) {
    const auto& example = ws[k + lead];
    // A word, not "for the" or "like that" after the last letter.
    bool word = example.size() >= 3 && example != "the" && example != "that" &&
                example != "this" && example != "your";
    if (word && std::isalpha(static_cast<unsigned char>(example[0]))) {
      r.letter = example[0];
      r.used += lead + 1;
      r.also_a_word = false;
    }
  }
  return r;
}

} // namespace

std::optional<std::string> spelled_word(std::string_view text) {
  auto ws = lower_words(text);
  std::string best, run;
  std::vector<bool> run_word; // per letter of `run`: also an everyday word
  auto close_run = [&] {
    // Everyday words at the edges are words, not letters ("thank you, s m i t h").
    std::size_t from = 0, to = run.size();
    while (from < to && run_word[from])
      ++from;
    while (to > from && run_word[to - 1])
      --to;
    auto letters = run.substr(from, to - from);
    if (letters.size() >= 2 && letters.size() >= best.size())
      best = letters;
    run.clear();
    run_word.clear();
  };
  for (std::size_t i = 0; i < ws.size();) {
    if (ws[i] == "double" && i + 1 < ws.size()) { // "double l": the letter twice
      auto next = letter_at(ws, i + 1);
      if (next.letter && ws[i + 1] != "u" && ws[i + 1] != "you") {
        run += std::string(2, next.letter);
        run_word.insert(run_word.end(), 2, false);
        i += 1 + next.used;
        continue;
      }
    }
    auto l = letter_at(ws, i);
    if (!l.letter) {
      close_run();
      ++i;
      continue;
    }
    run += l.letter;
    run_word.push_back(l.also_a_word);
    i += l.used;
  }
  close_run();
  if (best.empty())
    return std::nullopt;
  best[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(best[0])));
  return best;
}

} // namespace frontdesk::dialog
