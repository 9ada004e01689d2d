#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/dialog/caller_details.hpp" // extract_name and the caller's other details

namespace frontdesk::dialog {

/// What a caller turn is about. Rules, not a model: keywords and phrases as STT writes them
/// (lower case, numbers often spelled out).
enum class intent {
  book, reschedule, cancel, question, hours, location, price, human, emergency, goodbye, yes, no,
  repeat, unknown,
  openings,  // asks what is free ("what's your next available?") rather than for a time
  correction // corrects what the caller said before ("no, I said Tuesday")
};

const char* to_string(intent i);

/// Lower-cased words of a transcript, punctuation dropped ("I'd" stays "i'd").
std::vector<std::string> tokenize(std::string_view text);

/// Words of a transcript for understanding: tokenize(), then contractions spelled out ("won't"
/// → "will not", "i'd" → "i would", "what's" → "what is", "gonna" → "going to"), possessives
/// dropped ("tomorrow's" → "tomorrow") and hesitations ("um", "uh") removed.
std::vector<std::string> normalize(std::string_view text);

/// The caller's main intent, by scoring cues of every intent (phrases, verbs with their
/// objects, the form of the sentence, a day or time said) and taking the strongest. An
/// emergency and an explicit request for a person win over everything else; "someone" alone
/// ("could someone see me monday") is not a request for a person.
intent classify(std::string_view text);

/// Whether the turn asks something (a question mark, or the form of a question: "do you take
/// aetna", "where do i park", "how much is a cleaning") rather than answering.
bool asks_question(std::string_view text);

/// The question itself, without the asides around it ("oh wait, do you take aetna by the way"
/// → "do you take aetna"), for searching the business's knowledge.
std::string question_words(std::string_view text);

/// Whether a request to move an appointment names the new time ("move it to friday", "can we do
/// monday instead", "push it to next week") rather than only the appointment's own ("i have an
/// appointment tomorrow, can i move it?"): a day or time after a word that introduces the new one.
bool names_new_time(std::string_view text);

/// The caller's own appointment named with what they want done to it lost ("I need to cost my
/// appointment", a cancel or a move misheard): no question asked about it, no move or cancel
/// understood. The receptionist asks which.
bool own_appointment_unclear(std::string_view text);

/// Whether the words mention a day, date, time or part of day ("tomorrow", "at three",
/// "the twelfth", "morning"), without resolving it.
bool mentions_when(const std::vector<std::string>& normalized_words);

/// Yes, no, or neither (for confirmations).
std::optional<bool> yes_or_no(std::string_view text);

/// Digits read out: "five five five one two three four" → "5551234"; "double five" → "55";
/// "oh" → "0". Digits written as numbers count too. Empty when there are none.
std::string extract_digits(std::string_view text);

/// Which of `services` the caller named, if any: inflected ("teeth cleaned", "cleanings") or
/// run together ("check up" for "checkup"); the first said, not one taken back ("a cleaning,
/// not a filling").
std::optional<std::string> extract_service(std::string_view text,
                                           const std::vector<std::string>& services);

/// A choice among offered options by position: "the first one" → 0, "number two" → 1, "the
/// last" / "the later one" → n-1, "the earliest" / "either" → 0, "the middle one" of three → 1.
std::optional<std::size_t> extract_choice(std::string_view text, std::size_t options);

/// Which of the slots just offered ("2026-03-05T09:00", in order) the caller took, given the
/// day, time and part of day found in the same words (each empty when none): by time ("the
/// three o'clock", "eleven works"; 3 AM and 3 PM alike), by position, by day or part of day
/// when only one offer matches ("the afternoon one"), or by "yes" / "that one" when only one
/// was offered. Nothing when the caller declines all or asks for another day or time.
std::optional<std::size_t> choose_offer(std::string_view text,
                                        const std::vector<std::string>& offered,
                                        std::string_view said_date, std::string_view said_time,
                                        std::string_view said_part);

} // namespace frontdesk::dialog
