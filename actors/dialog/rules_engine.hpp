#pragma once

#include <functional>
#include <optional>
#include <string>

#include "actors/dialog/call_record.hpp"
#include "actors/dialog/engine.hpp"
#include "actors/dialog/understand.hpp"

namespace frontdesk::dialog {

/// A time the caller mentioned, in the business's local time, as far as they said it.
struct when {
  std::string date;        // "2026-03-05", or empty
  std::string time;        // "14:00", or empty
  std::string part_of_day; // "morning" | "afternoon" | "evening", or empty
};

/// Finds a time expression in a turn ("tomorrow at two p m"). Injected: the calendar's own
/// parser, bound to the business's zone and the call's "now".
using time_parser = std::function<std::optional<when>(std::string_view)>;

/// The embedded dialog engine: deterministic rules. Understands booking, moving and cancelling
/// appointments, questions (answered from the business's knowledge through a tool), hours,
/// address, transfer and emergencies; fills the booking's slots one question at a time, reads
/// the booking back and books only on a yes.
class rules_engine final : public dialog_engine {
public:
  explicit rules_engine(time_parser parse_time);

  reply start(const business_context& ctx) override;
  reply on_caller(std::string_view text) override;
  /// A name heard with words the recogniser was unsure of is confirmed by asking the caller to
  /// spell the last name before it is read back.
  reply on_caller_heard(std::string_view text, const std::vector<std::string>& unsure) override;
  /// Whether an unsure name is spelled (off by default: the question costs every caller whose
  /// name was heard unsure a turn, and the read-back before booking already lets them correct it).
  void ask_spelling(bool on) { ask_spelling_ = on; }
  reply on_result(const tool_result& result) override;
  void on_interrupted(std::string_view heard) override;
  summary summarize() const override;
  /// {"v":1, flow, step, service, when, slot, offers, name, number, ...}: see rules_state.cpp.
  std::string save_state() const override;
  std::optional<reply> resume(const business_context& ctx, std::string_view state) override;

  /// The flow the engine is in (for logs and tests).
  enum class state {
    listening,         // waiting for what the caller wants
    asking_when,       // booking or moving: needs a day and time
    choosing_option,   // offered alternatives
    asking_name,       // booking: needs a name
    asking_spelling,   // booking: the name was heard unsure; the last name spelled
    asking_number,     // booking: needs a callback number
    confirming_booking,
    confirming_cancel,
    confirming_move_from, // which appointment to move
    confirming_move,
    waiting,           // a tool call is out
    ended
  };
  state current() const { return state_; }

private:
  enum class flow { none, book, cancel, reschedule };

  reply say(std::string text, expecting next = expecting::anything);
  reply ask_when();
  reply check(const when& w);
  reply after_slot_held();
  reply confirm_booking();
  reply handle_intent(intent i, std::string_view text);
  reply ask_move_or_cancel();
  reply misunderstood();
  reply offer_earliest();
  std::optional<reply> mid_flow_question(intent i, std::string_view text);
  std::string pending_question() const;
  expecting pending_expecting() const;
  std::string question_for(state s) const;
  static expecting expecting_for(state s);
  reply leave();
  reply ask_again(std::string question, expecting next);
  // Holds the k-th of the times just offered.
  reply hold_offer(std::size_t k);
  // True when the words name a day or part of the day, or a time said as one ("at two", "two
  // p m", "half past four"); a bare number ("linda twelve") is not.
  bool says_a_time(std::string_view text) const;
  std::optional<reply> correction(std::string_view text);
  void note_request(std::string_view text);
  void take_name(std::string name);
  reply on_spelling(intent i, std::string_view text);
  void note_when(std::string_view text);
  std::string anything_else() const;

  time_parser parse_time_;
  business_context ctx_;
  state state_ = state::listening;
  flow flow_ = flow::none;
  // Booking slots.
  std::optional<when> when_;
  std::string slot_start_;      // machine form of the held slot: "2026-03-05T14:00"
  std::string slot_text_;       // spoken form: "Thursday, March 5th at 2:00 PM"
  std::string name_;
  std::string number_;
  std::vector<std::string> unsure_; // words of the current turn the recogniser was unsure of
  bool name_unsure_ = false;        // the name came from such words: have it spelled
  bool ask_spelling_ = false;       // see ask_spelling()
  bool spelling_asked_ = false;     // asked once; never again in the call
  std::string service_;          // a service the business lists, as the caller named it
  std::string request_;          // otherwise what the caller asked for in their words ("a checkup")
  bool number_waived_ = false;   // the caller has no number to give: book without one
  std::vector<std::string> options_, option_values_;
  // Cancel / reschedule.
  std::string appointment_id_;
  std::string appointment_text_;
  // Record.
  std::string last_said_;
  std::string reason_;
  std::string outcome_ = "no_action";
  std::string follow_up_;
  int misses_ = 0;
  // A question asked in the middle of a flow: answered, then the flow resumes where it was.
  state resume_ = state::listening;
  std::string question_; // the caller's question, for the record
  call_record record_;
  int asked_again_ = 0; // the same question asked again in a row
};

} // namespace frontdesk::dialog
