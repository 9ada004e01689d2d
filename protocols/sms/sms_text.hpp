#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocols/core/time.hpp"

namespace frontdesk::sms {

/// How a text travels: GSM-7 when every character is in the GSM 03.38 alphabet (its extension
/// characters count twice), UCS-2 otherwise (one curly quote or emoji switches the whole text).
enum class encoding { gsm7, ucs2 };

struct segment_info {
  sms::encoding encoding = encoding::gsm7;
  int units = 0;    // septets (GSM-7) or UTF-16 code units (UCS-2)
  int segments = 0; // 160/153 septets or 70/67 units a segment
};

/// Counts a UTF-8 text's segments as the carrier will. Invalid UTF-8 counts each bad byte as
/// one UCS-2 unit (it will not go as GSM-7).
segment_info count_segments(std::string_view utf8);

const char* to_string(encoding e); // "GSM-7" | "UCS-2"

/// The business as a text names it.
struct business_card {
  std::string name;
  std::string phone;   // E.164, for "call us"
  std::string address; // may be empty
  std::string zone;    // IANA zone of its local times
};

/// What a confirmation or reminder is about.
enum class notice { booked, moved, cancelled, reminder };

/// "Thursday, March 5 at 2:00 PM" in the business's zone; nothing for an unknown zone.
std::optional<std::string> local_when(const std::string& zone, sys_time at);

/// The text for a notice about an appointment starting at `start`: the business's name, the
/// local date and time with weekday, the address, and "Reply C to cancel or R to reschedule"
/// (never the carrier keyword CANCEL, which would opt the customer out). Nothing for an
/// unknown zone.
std::optional<std::string> render_notice(notice kind, const business_card& biz, sys_time start);

} // namespace frontdesk::sms
