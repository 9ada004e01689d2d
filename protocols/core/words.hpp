#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk {

/// Lower-cased words of a transcript: letters, digits and apostrophes ("I'd" stays "i'd");
/// everything else separates words.
inline std::vector<std::string> lower_words(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '\'') {
      w += static_cast<char>(std::tolower(u));
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty())
    out.push_back(std::move(w));
  return out;
}

/// Where the words of `phrase` occur consecutively in `ws` (the index of each match's first
/// word), in order. An empty phrase occurs nowhere.
inline std::vector<std::size_t> phrase_positions(const std::vector<std::string>& ws,
                                                 std::string_view phrase) {
  auto p = lower_words(phrase);
  std::vector<std::size_t> at;
  for (std::size_t i = 0; !p.empty() && i + p.size() <= ws.size(); ++i) {
    bool same = true;
    for (std::size_t k = 0; same && k < p.size(); ++k)
      same = ws[i + k] == p[k];
    if (same)
      at.push_back(i);
  }
  return at;
}

/// True when `ws` contains the words of `phrase` consecutively.
inline bool has_phrase(const std::vector<std::string>& ws, std::string_view phrase) {
  return !phrase_positions(ws, phrase).empty();
}

} // namespace frontdesk
