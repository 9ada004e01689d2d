#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace frontdesk::dialog {

/// A word the caller spelled out, title-cased ("Smith"), from letters as people say them and as
/// a recogniser writes them: "s m i t h", "S-M-I-T-H", "ess em eye tee aitch", "double l",
/// "b as in boy" (the example word's first letter wins: it is the better heard of the two),
/// with fillers around them ("um, it's s m i t h"). The longest run of at least two letters is
/// the spelling; nothing when there is none (the caller said the word instead of spelling it).
/// Letter names that are also common words ("you", "are", "why", "see") are not taken at the
/// edges of a run, so "thank you, s m i t h" is "Smith".
std::optional<std::string> spelled_word(std::string_view text);

} // namespace frontdesk::dialog
