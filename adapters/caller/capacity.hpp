#pragma once

#include <functional>

namespace frontdesk::caller {

/// The capacity search of `frontdesk bench --find-capacity`, apart from the runs themselves.
/// Tries `start` callers, then grows by about half a step (at least one more caller) until a
/// step does not hold or `max` holds; then halves the gap between the largest load that held
/// and the smallest that did not, until the gap is at most a tenth of the answer (or one call).
/// `holds(n)` runs one step of n callers and says whether it held. Returns the largest n that
/// held, 0 if none did. Pure: every load is `holds`' business.
int find_capacity(int start, int max, const std::function<bool(int)>& holds);

} // namespace frontdesk::caller
