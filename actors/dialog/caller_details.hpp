#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::dialog {

/// How sure a name is: said after "my name is" (explicit), or given alone as the answer to
/// "may I have your name" (answer).
enum class name_source { explicit_lead_in, answer };

/// A name the caller gave, title-cased, at most three words. It comes only from an explicit
/// lead-in ("my name is ann lee", "this is bo", "put it under garcia") or, when
/// `expecting_name`, from the answer itself ("ann lee", "um, it's ann"). Never from a date or
/// time expression, a number, a service, booking words or other common words: "for tomorrow",
/// "i'm calling to book a checkup" and "it's for friday" give no name. `services` are the
/// business's service names, which are never names either.
std::optional<std::string> extract_name(std::string_view text, bool expecting_name,
                                        const std::vector<std::string>& services = {});

/// A name pieced together from an answer to "may I have your name" that `extract_name` cannot
/// read: the recogniser's reading of a name with stray words around it ("jim all williams",
/// "linda twelve", "so the adams", "amy is chloe martin"). The words that can be names, in order,
/// after the last "is" or "name" when there are any there, at most the last three. At least one
/// of them must be a common given name or surname, so that an answer of ordinary words ("they
/// took him", "hold on a sec") gives none. The dialog takes the result as unsure: it is read back
/// before anything is booked.
std::optional<std::string> guess_name(std::string_view text,
                                      const std::vector<std::string>& services = {});

/// True when `word` (lower case) can never be part of a name: time and date words, numbers,
/// function words, booking and service vocabulary, fillers.
bool never_a_name(std::string_view word);

/// What the caller asked to come in for, in their own words and second person ("a checkup",
/// "your annual physical", "a consultation"): the noun phrase after a booking verb or "for".
/// Empty when they named nothing more than "an appointment" or a time.
std::string extract_request(std::string_view text);

/// The caller ID as a number we can call or text back (E.164), or nothing when the network
/// withheld it: empty, "anonymous", "restricted", "unknown", Twilio's keypad spellings of those
/// (+266696687, +7378742833, +8656696, +2562533, +86282452253) or too short to be a number.
std::optional<std::string> usable_caller_id(std::string_view caller);

/// True when "bye" or "goodbye" is said in passing, with the caller going on to something else:
/// two or more words that are not parting pleasantries follow the last one ("what's your
/// address, bye the way", a recogniser's "goodbye" for "could I" before "come in on friday"),
/// or any word does in a sentence that began as a question ("is dr patel goodbye kids", "what's
/// your address bye the later"). "Bye for now, thanks again for your help" is no such case.
/// `ws` are lower-case words.
bool bye_in_passing(const std::vector<std::string>& ws);

/// True when the caller wants to leave the conversation where it is: "goodbye", "never mind",
/// "forget it", "that's all", "I'll call back". Heard in every state of the dialog. A bye said
/// in passing (`bye_in_passing`) is not leaving.
bool is_leaving(std::string_view text);

/// True when the caller points at the number they are calling from ("this number", "the one
/// I'm calling from", "same number") instead of reading one out.
bool means_this_number(std::string_view text);

} // namespace frontdesk::dialog
