#pragma once

#include <string>
#include <vector>

namespace frontdesk::dialog {

/// What callers say to a receptionist, as sentences for the recogniser's language model:
/// requests, days and times as STT spells them, names, answers, questions, goodbyes, plus the
/// business's own words (its name, services, knowledge).
std::vector<std::string> recognizer_phrases(const std::vector<std::string>& business_words);

/// How callers open a call, for the language model: a greeting or filler ("hi", "good
/// morning", "yeah hi", "um"), often a name, and the request in everyday words (coming in,
/// the caller's own appointment, a person, a question, an emergency). Part of
/// recognizer_phrases.
std::vector<std::string> opening_phrases();

/// Dates with month names ("march tenth at four", "on march ninth"), for the months callers can
/// book in (a business's booking window: this month and the next ones). Month names stay out of
/// the general phrases: with all twelve in the model, "no thank you" was heard as "november
/// two".
/// `first_month` is 1 (January) to 12; the months run on past December into January.
std::vector<std::string> date_phrases(unsigned first_month, unsigned count);

/// A business's own sentences for its recogniser vocabulary (added to recognizer_phrases({})):
/// its name, its services in booking requests, its knowledge as written, and questions about
/// the names in it ("do you take cigna", "can i see doctor patel").
std::vector<std::string> business_phrases(const std::string& name,
                                          const std::vector<std::string>& services,
                                          const std::vector<std::string>& knowledge);

} // namespace frontdesk::dialog
