#include "actors/speaker/sentences.hpp"

namespace frontdesk::speaker {

std::vector<std::string> sentences(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    cur += c;
    if (c == '.' || c == '?' || c == '!') {
      if (cur.find_first_not_of(" .?!") != std::string::npos)
        out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" ") != std::string::npos)
    out.push_back(cur);
  return out;
}

} // namespace frontdesk::speaker
