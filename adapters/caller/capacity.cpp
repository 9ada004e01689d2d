#include "adapters/caller/capacity.hpp"

#include <algorithm>

namespace frontdesk::caller {

int find_capacity(int start, int max, const std::function<bool(int)>& holds) {
  int held = 0;
  int failed_at = -1; // the smallest load that did not hold, once one has not
  for (int n = start; n >= 1 && n <= max && n > held;) {
    if (holds(n)) {
      held = n;
      if (n == max)
        break;
    } else {
      failed_at = n;
    }
    if (failed_at < 0) {
      // Growing: +50% (rounded to tens past 20 callers), at least one more, never past max.
      n = std::min(max, n < 20 ? std::max(n + 1, n * 3 / 2) : (n * 3 / 2 + 9) / 10 * 10);
      continue;
    }
    if (failed_at - held <= std::max(1, held / 10))
      break;
    n = (held + failed_at) / 2;
  }
  return held;
}

} // namespace frontdesk::caller
