#pragma once

#include <string>
#include <vector>

namespace frontdesk::dialog {

/// What callers say to a receptionist, as sentences for the recogniser's language model:
/// requests, days and times as STT spells them, names, answers, questions, goodbyes, plus the
/// business's own words (its name, services, knowledge).
std::vector<std::string> recognizer_phrases(const std::vector<std::string>& business_words);

/// A business's own sentences for its recogniser vocabulary (added to recognizer_phrases({})):
/// its name, its services in booking requests, its knowledge as written, and questions about
/// the names in it ("do you take cigna", "can i see doctor patel").
std::vector<std::string> business_phrases(const std::string& name,
                                          const std::vector<std::string>& services,
                                          const std::vector<std::string>& knowledge);

} // namespace frontdesk::dialog
