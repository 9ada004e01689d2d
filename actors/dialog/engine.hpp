#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::dialog {

/// What the receptionist knows about the business it answers for.
struct business_context {
  std::string name;
  std::string greeting;
  std::string timezone;
  std::string address;
  std::string hours_text; // "Monday to Friday, 9 AM to 5 PM"
  std::vector<std::string> services;
  bool can_transfer = false;
  std::string caller_number; // caller id, offered as the contact number
};

/// What the dialog waits for next: it lengthens the end-of-turn window for digits and names.
enum class expecting { anything, digits, name, email, yes_no };

/// An action the dialog asks its actor to carry out (against the calendar, knowledge or the
/// call). Results come back through dialog_engine::on_result.
struct tool_call {
  std::string name;                        // check_slot, book, find_appointment, cancel,
                                           // reschedule, lookup_knowledge, transfer, end_call
  std::map<std::string, std::string> args; // e.g. {"when": "2026-03-05T14:00", "name": "Ann"}
};

/// The outcome of a tool call.
struct tool_result {
  std::string name;
  bool ok = false;
  std::map<std::string, std::string> values;  // e.g. {"when_text": "Thursday at 2 PM"}
  std::vector<std::string> options;           // alternatives, spoken form
  std::vector<std::string> option_values;     // alternatives, machine form (same order)
};

/// One step of the conversation: what to say, what to do, and what comes next.
struct reply {
  std::string say;
  std::vector<tool_call> tools;
  expecting next = expecting::anything;
  bool end_call = false;
};

/// How a call went, from the dialog's own record.
struct summary {
  std::string reason;    // what the caller wanted
  std::string outcome;   // booked, cancelled, rescheduled, answered, transferred, no_action
  std::string follow_up; // what staff should do, if anything
  std::string text() const;
};

/// A conversation engine: the rules engine is the embedded default; an LLM engine is another.
/// Fed text turns, it answers with replies; it never blocks and never touches the network.
class dialog_engine {
public:
  virtual ~dialog_engine() = default;
  /// The first thing said on answering.
  virtual reply start(const business_context& ctx) = 0;
  /// A caller turn (final transcript).
  virtual reply on_caller(std::string_view text) = 0;
  /// The result of a tool call the engine asked for.
  virtual reply on_result(const tool_result& result) = 0;
  /// The caller interrupted: only `heard` of the last reply reached them.
  virtual void on_interrupted(std::string_view heard) = 0;
  virtual summary summarize() const = 0;
};

} // namespace frontdesk::dialog
