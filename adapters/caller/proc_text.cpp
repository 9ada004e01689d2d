#include "adapters/caller/proc_text.hpp"

#include <charconv>
#include <vector>

namespace frontdesk::caller {
namespace {

// The whitespace-separated unsigned numbers at the start of `text`, up to `max`; stops at the
// first word that is not one.
std::vector<double> leading_numbers(std::string_view text, std::size_t max) {
  std::vector<double> out;
  std::size_t i = 0;
  while (out.size() < max) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n')
      ++j;
    if (j == i)
      break;
    unsigned long long v = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + j, v);
    if (ec != std::errc{} || end != text.data() + j)
      break;
    out.push_back(double(v));
    i = j;
  }
  return out;
}

} // namespace

double parse_schedstat_wait_s(std::string_view line) {
  auto v = leading_numbers(line, 3);
  return v.size() >= 2 ? v[1] / 1e9 : -1;
}

int parse_stat_policy(std::string_view line) {
  // The command (field 2) is in parentheses and may hold anything: fields 3... follow the
  // last ')'.
  auto close = line.rfind(')');
  if (close == std::string_view::npos || line.substr(0, close).find('(') == std::string_view::npos)
    return -1;
  auto rest = line.substr(close + 1);
  // Field 3 (the state) is a letter; then numbers. The policy is field 41.
  std::size_t i = 0;
  while (i < rest.size() && rest[i] == ' ')
    ++i;
  if (i >= rest.size() || rest[i] < 'A' || rest[i] > 'Z')
    return -1;
  auto after_state = rest.substr(i + 1);
  // Fields 4..40 can be negative (e.g. the nice value and the tty's process group).
  std::size_t at = 0;
  for (int field = 4; field < 41; ++field) {
    while (at < after_state.size() && after_state[at] == ' ')
      ++at;
    auto start = at;
    if (at < after_state.size() && after_state[at] == '-')
      ++at;
    while (at < after_state.size() && after_state[at] >= '0' && after_state[at] <= '9')
      ++at;
    if (at == start || after_state[at - 1] == '-' ||
        (at < after_state.size() && after_state[at] != ' ' && after_state[at] != '\n'))
      return -1;
  }
  auto v = leading_numbers(after_state.substr(at), 1);
  return v.size() == 1 && v[0] <= 1000 ? static_cast<int>(v[0]) : -1;
}

double parse_proc_stat_steal_ticks(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find('\n', at);
    auto line = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.substr(0, 4) == "cpu ") {
      auto v = leading_numbers(line.substr(4), 8);
      return v.size() == 8 ? v[7] : -1;
    }
    if (end == std::string_view::npos)
      break;
    at = end + 1;
  }
  return -1;
}

} // namespace frontdesk::caller
