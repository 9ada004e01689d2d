#pragma once

// The operator console's verbs as typed text: parsing a command line ("say CALL TEXT
// --interrupt"), who may run which verb, the typed results, and splitting a byte stream into
// lines. Pure: no actors, no sockets.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::console {

/// What a console can ask of the cluster.
enum class verb {
  calls,        // the live calls of the user's businesses, then their changes
  watch,        // a call's transcript so far, then every change ("watch --all": every live
                // call of the user's businesses, and each that starts, until "unwatch --all")
  unwatch,      // stop watching a call (or every call)
  listen,       // a call's audio, both sides (read-only)
  say,          // the receptionist's voice speaks TEXT
  hold_ai,      // the AI stops answering
  resume_ai,    // the AI answers again
  transfer,     // the caller goes to NUMBER
  hangup,       // the call ends (operator_hangup)
  appointments, // a day's appointments
  cancel,       // an appointment is cancelled
};

/// The verb's name as typed ("hold-ai").
const char* to_string(verb v);
std::optional<verb> verb_from(std::string_view name);

/// How a verb ended (each reply says exactly one).
enum class result { done, not_applicable, refused, failed };
const char* to_string(result r);
/// The result named by to_string(); "failed" for anything else.
result result_from(std::string_view name);

/// A staff member's role at one business.
enum class role { viewer, admin, owner };
std::optional<role> role_from(std::string_view name);

/// True for the verbs that change a call or an appointment.
bool steers(verb v);
/// Whether a role may run a verb: every role watches; listening to audio and steering need
/// admin or owner.
bool allowed(role r, verb v);

/// One parsed command.
struct command {
  verb v = verb::calls;
  std::string call;        // watch, unwatch, listen, say, hold-ai, resume-ai, transfer, hangup
  bool all = false;        // watch --all, unwatch --all (no call)
  std::string text;        // say
  bool interrupt = false;  // say --interrupt: now, not after the current sentence
  std::string number;      // transfer: E.164
  std::string day;         // appointments: YYYY-MM-DD, "today" or "tomorrow" (empty: today)
  std::string appointment; // cancel: its id
  bool operator==(const command&) const = default;
};

inline constexpr std::size_t max_line = 4096;
inline constexpr std::size_t max_say = 1000;

/// Splits a line into words: whitespace separates, double quotes group (a backslash escapes
/// a quote or a backslash inside them). Fails on an unterminated quote, a control character
/// or a line longer than max_line.
expected<std::vector<std::string>> split_words(std::string_view line);

/// Parses "VERB ARGS" (see the verbs above). Failures say what is wrong in a line a person can
/// act on ("bad_command").
expected<command> parse_command(std::string_view line);

/// The command back as a line parse_command reads to the same command.
std::string format_command(const command& c);

/// A call id as the console shows it: a UUID. Accepts upper or lower case.
bool valid_call_id(std::string_view s);
/// E.164: '+' and 8 to 15 digits, the first not 0.
bool valid_number(std::string_view s);
/// YYYY-MM-DD with a real month and day.
bool valid_day(std::string_view s);

/// Cuts a byte stream into '\n'-terminated lines (a '\r' before the '\n' is dropped), whatever
/// way the bytes are split. A line longer than max_line is an error: it and the rest up to its
/// end are skipped, and `overlong()` counts it.
class line_splitter {
public:
  /// The complete lines in `bytes` together with what came before.
  std::vector<std::string> feed(std::string_view bytes);
  /// Lines skipped for their length.
  std::size_t overlong() const { return overlong_; }
  /// Bytes of an unfinished line held.
  std::size_t pending() const { return buf_.size(); }

private:
  std::string buf_;
  bool skipping_ = false;
  std::size_t overlong_ = 0;
};

} // namespace frontdesk::console
