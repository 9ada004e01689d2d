#pragma once

#include <string>
#include <vector>

namespace frontdesk::dialog {

/// What happened on a call, as the dialog saw it, for the note a receptionist would leave:
/// why the caller rang, what was booked, moved or cancelled (service, local day and time,
/// name), which questions were answered and which were not, and what staff must follow up.
struct call_record {
  /// An appointment the call booked, moved or cancelled.
  struct change {
    std::string kind;    // "booked" | "moved" | "cancelled"
    std::string what;    // the service or the caller's words for it ("a cleaning"), or empty
    std::string when;    // spoken local day and time: "Thursday, March 5th at 11:00 AM"
    std::string from;    // moved: the old day and time
    std::string name;    // booked: whom for
  };
  std::string reason;                  // "to book a cleaning", "a question about parking"
  std::vector<change> changes;
  std::vector<std::string> answered;   // questions answered, in the caller's words
  std::vector<std::string> unanswered; // questions no one answered yet
  std::vector<std::string> follow_ups; // what staff should do
  bool transferred = false;
  std::string transfer_reason;         // "the caller asked for a person", "an emergency"

  /// Adds a follow-up once.
  void follow_up(std::string what);

  /// The note: "Called to book a cleaning. Booked a cleaning for Maria Garcia on Thursday, March
  /// 5th at 11:00 AM. Answered: how much is a cleaning. Not answered: do you do implants.
  /// Follow-up: answer the caller's question." Sentences for the parts that happened only.
  std::string narrative() const;
};

} // namespace frontdesk::dialog
