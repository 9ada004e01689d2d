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

} // namespace frontdesk
