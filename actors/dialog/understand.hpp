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
  repeat, unknown
};

const char* to_string(intent i);

/// Lower-cased words of a transcript, punctuation dropped ("I'd" stays "i'd").
std::vector<std::string> tokenize(std::string_view text);

/// The caller's main intent. Emergency and a request for a person win over everything else.
intent classify(std::string_view text);

/// Yes, no, or neither (for confirmations).
std::optional<bool> yes_or_no(std::string_view text);

/// Digits read out: "five five five one two three four" → "5551234"; "double five" → "55";
/// "oh" → "0". Digits written as numbers count too. Empty when there are none.
std::string extract_digits(std::string_view text);

/// Which of `services` the caller named, if any.
std::optional<std::string> extract_service(std::string_view text,
                                           const std::vector<std::string>& services);

/// A choice among offered options: "the first one" → 0, "second" → 1, "the last" → n-1.
std::optional<std::size_t> extract_choice(std::string_view text, std::size_t options);

} // namespace frontdesk::dialog
