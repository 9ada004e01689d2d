#include "adapters/caller/metrics_text.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace frontdesk::caller {

std::vector<std::pair<double, std::uint64_t>> parse_histogram(std::string_view text,
                                                              std::string_view name,
                                                              std::string_view label) {
  std::vector<std::pair<double, std::uint64_t>> out;
  std::string prefix = std::string(name) + "_bucket{";
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.rfind(prefix, 0) != 0)
      continue;
    auto close = line.find('}');
    auto le = line.find("le=\"");
    if (close == std::string_view::npos || le == std::string_view::npos || le > close)
      continue;
    if (!label.empty()) {
      // One of the series' labels, whole (they are separated by commas).
      auto labels = line.substr(prefix.size(), close - prefix.size());
      bool found = false;
      for (std::size_t from = 0; from <= labels.size() && !found;) {
        auto comma = std::min(labels.find(',', from), labels.size());
        found = labels.substr(from, comma - from) == label;
        from = comma + 1;
      }
      if (!found)
        continue;
    }
    auto le_end = line.find('"', le + 4);
    if (le_end == std::string_view::npos || le_end > close)
      continue;
    std::string bound(line.substr(le + 4, le_end - le - 4));
    std::string count(line.substr(close + 1));
    try {
      std::size_t used = 0;
      double b = bound == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(bound, &used);
      if (bound != "+Inf" && used != bound.size())
        continue;
      auto first = count.find_first_not_of(' ');
      if (first == std::string::npos || count[first] == '-')
        continue;
      auto c = std::stoull(count.substr(first), &used);
      if (first + used != count.size())
        continue;
      out.emplace_back(b, c);
    } catch (const std::exception&) {
      continue;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

double histogram_quantile(const std::vector<std::pair<double, std::uint64_t>>& before,
                          const std::vector<std::pair<double, std::uint64_t>>& after, double q,
                          std::uint64_t* count) {
  // Observations in the window, per bucket (cumulative).
  std::vector<std::pair<double, double>> d;
  for (auto& [le, n] : after) {
    double was = 0;
    for (auto& [le0, n0] : before)
      if (le0 == le)
        was = double(n0);
    d.emplace_back(le, std::max(0.0, double(n) - was));
  }
  if (count)
    *count = d.empty() ? 0 : static_cast<std::uint64_t>(d.back().second);
  if (d.empty() || d.back().second <= 0)
    return 0;
  double rank = q * d.back().second;
  double lower = 0, below = 0;
  for (auto& [le, n] : d) {
    if (n >= rank) {
      if (std::isinf(le))
        return lower; // beyond the last finite bound: report that bound
      return n == below ? le : lower + (le - lower) * (rank - below) / (n - below);
    }
    lower = std::isinf(le) ? lower : le;
    below = n;
  }
  return lower;
}

} // namespace frontdesk::caller
