#pragma once

#include <string>
#include <string_view>

namespace frontdesk::sms {

/// What an inbound text asks for.
enum class intent {
  opt_out,     // STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT, or clear phrasing
  opt_in,      // START, UNSTOP, YES
  help,        // HELP, INFO
  cancel,      // "C", or a sentence asking to cancel the appointment
  reschedule,  // "R", or a sentence asking to move it
  choose,      // "1", "2" or "3": one of the slots offered after "R"
  other,       // anything else: answered with a short help line
};

struct inbound_intent {
  sms::intent kind = intent::other;
  int choice = 0;           // 1-3 for choose
  bool bare_cancel = false; // the carrier keyword CANCEL: opts out, and staff are told
};

/// Reads an inbound text. Carrier keywords trigger only as the whole message (one word, any
/// case, surrounding spaces and trailing punctuation ignored), as carriers match them;
/// Twilio's `OptOutType` (STOP, START, HELP), when present, decides. Pure; never fails.
inbound_intent parse_inbound(std::string_view body, std::string_view opt_out_type = "");

const char* to_string(intent k);

} // namespace frontdesk::sms
