#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::org {

/// An opening range in local wall time, "09:00" to "17:00".
struct time_range {
  std::string opens;
  std::string closes;
};

/// An appointment that exists before the business starts using Frontdesk, in local time.
struct existing_appointment {
  std::string start; // "2026-03-04T14:00", local wall time
  int minutes = 0;
  std::string name;
  std::string phone; // optional
};

/// The business's own cloud speech choices; "" keeps the node's configured default. Names of
/// letters, digits, '.', '_' and '-' (at most 64).
struct speech_choices {
  std::string voice;        // speech.tts: OpenAI's voice ("nova"), or Deepgram Aura's model
  std::string stt_model;    // speech.stt = "deepgram": the model ("nova-3-medical")
  std::string stt_language; // and its language ("es")
};

/// A business file, as `frontdesk org load FILE.json` reads it.
struct org_file {
  std::string name;
  std::string phone_number;
  std::string timezone;
  std::vector<std::vector<time_range>> hours = std::vector<std::vector<time_range>>(7); // Monday = 0
  int appointment_minutes = 30;
  int buffer_minutes = 0;
  int min_notice_minutes = 120;
  int days_ahead = 30;
  std::string greeting;
  std::string address;
  std::string transfer_number;
  std::vector<std::string> services; // names, in the file's order
  /// Services given as {"name": …, "minutes": …}: their own length (5 to 1440 minutes), keyed
  /// by the name as written; a service given as a plain name takes appointment_minutes.
  std::map<std::string, int> service_minutes;
  std::vector<std::string> knowledge;
  std::vector<existing_appointment> existing_appointments;
  speech_choices speech; // "speech": {"voice": …, "stt_model": …, "stt_language": …}
};

/// Parses and checks a business file. Unknown keys, wrong types and bad values are refused with
/// the key's path (`hours.monday[1]`) and what was wrong.
expected<org_file> parse_org_file(std::string_view json);

/// "monday" → 0 ... "sunday" → 6, or -1.
int weekday_index(std::string_view name);

} // namespace frontdesk::org
