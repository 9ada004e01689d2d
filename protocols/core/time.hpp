#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocols/core/expected.hpp"

namespace frontdesk {

using sys_time = std::chrono::sys_time<std::chrono::microseconds>;

/// Parses an RFC 3339 instant ("2026-03-04T14:00:00Z", "2026-03-04T09:00:00.250-05:00").
/// A lowercase 't'/'z' and a space for 'T' are accepted, as RFC 3339 allows.
expected<sys_time> parse_rfc3339(std::string_view text);

/// Formats an instant as RFC 3339 in UTC with millisecond precision: "2026-03-04T14:00:00.000Z".
std::string format_rfc3339(sys_time t);

} // namespace frontdesk
