#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

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

/// What the dialog waits for next: it lengthens the end-of-turn window for digits and names, and
/// the recogniser leans towards it. (Same order as turn::expectation and speech::listen_for.)
/// What the caller is asked for next; the recogniser and the endpointer lean towards it. The
/// values match speech::listen_for and turn::expectation, which they are cast to.
enum class expecting { anything, digits, name, email, yes_no, spelling, when, choice };

/// The first words of a call taken over after it was cut off (another node, a restart): every
/// engine's resume() starts with them, and the dialog actor says them alone when it answers the
/// caller's last words straight after. The LLM engine recognises its own earlier apologies by
/// them.
inline constexpr std::string_view cut_off_apology = "Sorry, we were cut off.";

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
  /// One sentence of a reply the engine is still writing (see stream_sentences): only `say` is
  /// set, and the rest of the reply follows.
  bool partial = false;
  /// Filled in by whoever runs the engine: the time spent waiting on a remote model while
  /// writing this (µs; 0 for an engine that runs on the node).
  std::int64_t vendor_wait_us = 0;
};

/// Takes each whole sentence of a reply as soon as the engine has written it.
using sentence_sink = std::function<void(std::string sentence)>;

/// How a call went, from the dialog's own record.
struct summary {
  std::string reason;    // what the caller wanted
  std::string outcome;   // booked, cancelled, rescheduled, answered, transferred, no_action
  std::string follow_up; // what staff should do, if anything
  std::string narrative; // a paragraph about the call, when the engine writes one
  std::string text() const;
};

/// Thrown by an engine that depends on a remote service (the LLM engine) from on_caller or
/// on_result when that service cannot answer, its retries spent. The engine is then unusable
/// for the call; fallback_engine catches it and carries on with another engine.
class engine_unavailable : public std::runtime_error {
public:
  explicit engine_unavailable(failure why)
      : std::runtime_error(why.code + ": " + why.message), why_(std::move(why)) {}
  const failure& why() const { return why_; }

private:
  failure why_;
};

/// A conversation engine: the rules engine is the embedded default; an LLM engine is another.
/// Fed text turns, it answers with replies. An engine whose blocking() is false never blocks
/// and never touches the network, so it may run on an actor's thread; a blocking one (the LLM
/// engine) must run on a worker pool.
class dialog_engine {
public:
  virtual ~dialog_engine() = default;
  /// True when on_caller, on_result and summarize may block (network): run them off the
  /// scheduler. Fixed for the engine's life.
  virtual bool blocking() const { return false; }
  /// The first thing said on answering.
  virtual reply start(const business_context& ctx) = 0;
  /// A caller turn (final transcript).
  virtual reply on_caller(std::string_view text) = 0;
  /// A caller turn as the recogniser heard it, with the words it was unsure of (`unsure`, in
  /// order; empty for typed turns and for recognisers that do not say). An engine that reads
  /// nothing into them answers it as on_caller(text).
  virtual reply on_caller_heard(std::string_view text, const std::vector<std::string>& unsure) {
    (void)unsure;
    return on_caller(text);
  }
  /// The result of a tool call the engine asked for.
  virtual reply on_result(const tool_result& result) = 0;
  /// The caller interrupted: only `heard` of the last reply reached them.
  virtual void on_interrupted(std::string_view heard) = 0;
  virtual summary summarize() const = 0;

  /// From now on, hands each sentence of a reply to `sink` as soon as it is written (on the
  /// thread that runs the engine, in order), so that speech can start before the reply is
  /// whole; the reply returned then says only what was not handed out, and never nothing when
  /// something was (the last sentence is kept for it). Engines that have their replies whole
  /// at once ignore it.
  virtual void stream_sentences(sentence_sink sink) { (void)sink; }

  /// What the conversation has reached, as small versioned JSON, saved after each reply so that
  /// another node can take the call over if this one is lost. "" when the engine cannot be
  /// taken over (or nothing is worth saving yet).
  virtual std::string save_state() const { return ""; }
  /// Takes over a call that was cut off, from what save_state() wrote (on another node,
  /// perhaps): the reply is the first thing said, an apology and where the caller was. Nothing
  /// when the state is not this engine's or cannot be read: the call then starts afresh.
  virtual std::optional<reply> resume(const business_context& ctx, std::string_view state) {
    (void)ctx;
    (void)state;
    return std::nullopt;
  }
};

} // namespace frontdesk::dialog
