#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace frontdesk::caller {

/// A Prometheus histogram's cumulative buckets as exposed in the text format: (le, count),
/// ascending, +Inf last. Lines for other metrics and malformed lines are skipped; a histogram
/// that is not there gives an empty vector. `label` (e.g. `stage="decide"`), when given, keeps
/// only the series with that label among its labels; without it every series of the name is
/// read (one series expected).
std::vector<std::pair<double, std::uint64_t>> parse_histogram(std::string_view text,
                                                              std::string_view name,
                                                              std::string_view label = {});

/// The `q` quantile of the observations between two readings of one histogram (later minus
/// earlier), interpolated linearly within its bucket as Prometheus does. 0 when none.
double histogram_quantile(const std::vector<std::pair<double, std::uint64_t>>& before,
                          const std::vector<std::pair<double, std::uint64_t>>& after, double q,
                          std::uint64_t* count = nullptr);

} // namespace frontdesk::caller
