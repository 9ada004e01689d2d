#pragma once

#include <string>
#include <vector>

namespace frontdesk::dialog {

/// What callers say to a receptionist, as sentences for the recogniser's language model:
/// requests, days and times as STT spells them, names, answers, questions, goodbyes, plus the
/// business's own words (its name, services, knowledge).
std::vector<std::string> recognizer_phrases(const std::vector<std::string>& business_words);

} // namespace frontdesk::dialog
