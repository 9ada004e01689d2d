#include "actors/dialog/caller_details.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

#include "protocols/core/names.hpp"
#include "protocols/core/words.hpp"

namespace frontdesk::dialog {
namespace {

using words = std::vector<std::string>;

using lexicon = std::unordered_set<std::string_view>;

// Words that tell a time or a date: never names.
const lexicon& time_words() {
  static const lexicon s = {
      "today", "tomorrow", "tonight", "yesterday", "morning", "mornings", "afternoon",
      "afternoons", "evening", "evenings", "night", "noon", "midday", "midnight", "lunch",
      "lunchtime", "week", "weeks", "weekend", "weekends", "weekday", "weekdays", "month",
      "months", "year", "day", "days", "date", "next", "last", "this", "coming", "following",
      "after", "before", "early", "earlier", "earliest", "late", "later", "latest", "sometime",
      "anytime", "asap", "soon", "soonest", "now", "o'clock", "oclock", "am", "pm", "a", "m", "p",
      "half", "quarter", "past", "till", "til", "until", "minute", "minutes", "hour", "hours",
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mondays",
      "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays", "mon", "tue",
      "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "january", "february",
      "march", "april", "may", "june", "july", "august", "september", "october", "november",
      "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
      "dec", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
      "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
      "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth",
      "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
      "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
      "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
      "double", "triple", "o", "fortnight", "daytime", "dawn"};
  return s;
}

// Words a caller says around a name that are not names: function words, fillers, replies,
// booking and visit vocabulary, common verbs and adjectives heard after "I'm" or "this is".
const lexicon& common_words() {
  static const lexicon s = {
      // function words
      "the", "an", "and", "or", "but", "so", "to", "for", "of", "in", "on", "at", "by", "with",
      "from", "about", "as", "into", "like", "than", "then", "that", "these", "those", "it",
      "its", "it's", "i", "i'm", "i'd", "i'll", "i've", "me", "my", "mine", "we", "us", "our",
      "you", "your", "yours", "he", "she", "they", "them", "his", "her", "their", "there",
      "here", "is", "am", "are", "was", "were", "be", "been", "being", "do", "does", "did",
      "done", "have", "has", "had", "can", "could", "would", "should", "will", "shall", "might",
      "must", "not", "no", "yes", "yeah", "yep", "yup", "nope", "nah", "ok", "okay", "please",
      "thanks", "thank", "hi", "hello", "hey", "well", "um", "uh", "er", "erm", "ah", "hmm",
      "mm", "just", "actually", "really", "maybe", "sure", "fine", "good", "great", "perfect",
      "right", "alright", "all", "any", "some", "something", "anything", "nothing", "what",
      "when", "where", "which", "who", "why", "how", "if", "because", "also", "too", "very",
      "again", "still", "only", "even", "ever", "never", "mind", "forget", "bye", "goodbye",
      "wait", "sorry", "excuse", "pardon", "correct", "wrong", "same", "other", "another",
      "one's", "that's", "what's", "there's", "let's", "don't", "can't", "won't", "isn't",
      "lot", "bit", "much", "many", "more", "most", "less", "few", "get", "got", "go", "going",
      "come", "coming", "want", "need", "like", "love", "know", "think", "see", "say", "said",
      "tell", "make", "take", "put", "let", "give", "keep", "try", "call", "called", "calling",
      "speak", "talk", "ask", "asking", "wondering", "hoping", "looking", "trying", "interested",
      "free", "available", "busy", "open", "closed", "new", "old", "patient", "customer",
      "person", "someone", "somebody", "human", "doctor", "dr", "dentist", "office", "clinic",
      "receptionist", "here", "back", "up", "down", "out", "off", "over", "under", "around",
      "name", "names", "number", "phone", "cell", "mobile", "text", "message", "email",
      "spelled", "spell", "letter", "last", "full",
      // booking vocabulary
      "book", "booking", "booked", "schedule", "scheduling", "scheduled", "appointment",
      "appointments", "appt", "reservation", "visit", "slot", "slots", "spot", "opening",
      "openings", "availability", "time", "times", "cancel", "cancelling", "canceling",
      "cancellation", "reschedule", "rescheduling", "move", "moving", "change", "changing",
      "confirm", "confirming", "question", "questions", "emergency", "urgent", "pain",
      "checkup", "check", "exam", "cleaning", "cleanings", "consultation", "consult",
      "session", "treatment", "filling", "crown", "whitening", "teeth", "tooth", "haircut",
      "cut", "color", "trim", "massage", "physical", "follow", "followup", "routine", "annual",
      "regular", "quick", "insurance", "cost", "price", "hours", "address", "parking",
      "fit", "squeeze", "in",
      // words heard after "I'm", "this is" and "it's" that are no names
      "wanted", "needed", "hoped", "supposed", "probably", "definitely", "likely", "kind",
      "sort", "pretty", "quite", "gonna", "wanna", "gotta", "bad", "hurting", "broken",
      "chipped", "sick", "happy", "glad", "tired", "ready", "worried", "concerned", "scared",
      "nervous", "stuck", "late", "behind", "away", "out", "home", "work", "both", "each",
      "either", "neither", "whoever", "son", "daughter", "wife", "husband", "mom", "mother",
      "dad", "father", "kid", "kids", "child", "children", "family", "friend", "myself",
      "himself", "herself", "possible", "able", "unable", "certain", "positive", "correct",
      "mistake", "problem", "issue", "thing", "things", "stuff", "reason", "regarding",
      "concerning", "re", "due", "overdue", "area", "code", "extension", "ext", "name's",
      "surname", "mr", "mrs", "ms", "miss", "mister"};
  return s;
}

bool all_letters(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
           return std::isalpha(static_cast<unsigned char>(c)) || c == '\'';
         });
}

// Title case, also after an apostrophe or hyphen ("o'brien" -> "O'Brien").
std::string title(std::string w) {
  bool up = true;
  for (std::size_t k = 0; k < w.size(); ++k) {
    auto& c = w[k];
    if (up && std::isalpha(static_cast<unsigned char>(c)))
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // After a hyphen, or an apostrophe that more than one letter follows ("O'Brien", not "Jo'S").
    up = c == '-' || (c == '\'' && k + 2 < w.size());
  }
  return w;
}

bool is_service_word(std::string_view w, const std::vector<std::string>& services) {
  for (auto& s : services)
    for (auto& sw : lower_words(s))
      if (sw == w || sw + "s" == w)
        return true;
  return false;
}

// Fillers a name answer may start with ("um, sure, it's ann").
bool filler(std::string_view w) {
  static const lexicon s = {"um", "uh", "er", "erm", "ah", "oh", "well", "so", "yeah",
                                 "yes", "yep", "sure", "okay", "ok", "hi", "hello", "hey",
                                 "sorry", "hmm", "mm", "right", "alright", "it's", "its", "it",
                                 "is", "that's", "thats", "and"};
  return s.count(w) > 0;
}

// Given names that are also lexicon words ("will", "june", "grace").
// Month names count here too: "my name is march all" (a recogniser's guess at a name) is no
// date, while "june fifth" is.
bool given_name_word(std::string_view w) {
  static const lexicon given_names = {
      "january", "february", "march", "april", "may", "june", "july", "august", "september",
      "october", "november", "december", "dawn", "will", "rich", "sunny", "summer", "autumn",
      "grace", "hope", "faith", "joy", "patience", "chase", "hunter", "bill", "art", "pat",
      "mark", "rose", "drew", "frank", "jack", "sue", "gene", "ray", "dean", "bob"};
  return given_names.count(w) > 0;
}

// Reads up to three name words from position `i`, stopping at the first word that cannot be part
// of a name. `strict` (after a weak lead-in such as "I'm", or an answer alone): no exceptions;
// otherwise (after "my name is") given names that are also common words are kept ("will").
std::optional<std::string> read_name(const words& ws, std::size_t i, bool strict,
                                     const std::vector<std::string>& services) {
  // Who the name belongs to and how they are addressed come before it: "for my son tyler
  // brooks", "this is mrs rodriguez".
  static const lexicon titles = {"mr", "mrs", "ms", "miss", "mister", "dr", "doctor"};
  static const lexicon relations = {"son", "daughter", "wife", "husband", "mom", "mother", "dad",
                                    "father", "kid", "child", "partner", "boyfriend",
                                    "girlfriend", "baby", "grandson", "granddaughter",
                                    "grandmother", "grandfather", "brother", "sister"};
  if (i + 1 < ws.size() && (ws[i] == "my" || ws[i] == "our") && relations.count(ws[i + 1]))
    i += 2;
  if (i < ws.size() && titles.count(ws[i]))
    ++i;
  std::string name;
  std::size_t count = 0;
  for (; i < ws.size() && count < 3; ++i) {
    auto& w = ws[i];
    // Given names that are also lexicon words ("my name is will", "june park"): kept after an
    // explicit lead-in, unless a day follows ("june fifth").
    bool date_follows = i + 1 < ws.size() && (time_words().count(ws[i + 1]) ||
                                              std::isdigit(static_cast<unsigned char>(ws[i + 1][0])));
    bool ok = all_letters(w) && w.size() >= 2 && !(w.size() == 2 && w[1] == '\'') &&
              !is_service_word(w, services) &&
              (!never_a_name(w) || (!strict && given_name_word(w) && !date_follows));
    if (!ok)
      break;
    name += (name.empty() ? "" : " ") + title(w);
    ++count;
  }
  if (name.empty())
    return std::nullopt;
  return name;
}

} // namespace

bool never_a_name(std::string_view w) {
  if (time_words().count(w) || common_words().count(w))
    return true;
  if (!all_letters(w))
    return true;
  // "calling", "hoping", "wondering": verb forms, not names ("Ming" and "King" are short).
  return w.size() > 5 && w.substr(w.size() - 3) == "ing";
}

namespace {

// "my first name is mark and my last name is davis": the last name said apart joins the first.
std::string with_last_name(std::string name, const words& ws,
                           const std::vector<std::string>& services) {
  if (lower_words(name).size() != 1)
    return name;
  for (auto lead : {"last name is", "last name's", "surname is", "last name"})
    for (auto at : phrase_positions(ws, lead))
      if (auto last = read_name(ws, at + lower_words(lead).size(), false, services);
          last && lower_words(*last).size() <= 2 && *last != name)
        return name + " " + *last;
  return name;
}

} // namespace

static std::optional<std::string> name_in(std::string_view text, bool expecting_name,
                                          const std::vector<std::string>& services) {
  auto ws = lower_words(text);
  if (ws.empty())
    return std::nullopt;
  // Lead-ins that say a name follows. Explicit ones ("my name is") may come anywhere and take any
  // word that could be a name. "This is", "it's" and "I'm" introduce a name only as the caller's
  // opening words ("hi, this is ann") or in the answer to the question: elsewhere they introduce
  // everything else ("I'd like it, it's for friday"), and even then the words must look like a
  // name ("it's for friday" at the start gives none).
  enum class where { anywhere, opening, answer };
  struct lead {
    std::string_view phrase;
    where at;
  };
  static const std::array<lead, 27> leads = {{
      {"my name is", where::anywhere}, {"my name's", where::anywhere},
      {"the name is", where::anywhere}, {"the name's", where::anywhere},
      {"first name is", where::anywhere}, {"first name", where::anywhere},
      {"name is", where::anywhere}, {"name's", where::anywhere},
      {"under the name of", where::anywhere}, {"under the name", where::anywhere},
      {"call me", where::anywhere}, {"put it under", where::anywhere},
      {"book it under", where::anywhere}, {"put me down as", where::anywhere},
      {"put it down under", where::anywhere}, {"put down", where::anywhere},
      {"this is", where::opening}, {"i'm", where::opening}, {"i am", where::opening},
      {"it's", where::opening}, {"it is", where::answer}, {"it's under", where::answer},
      {"under", where::answer}, {"it's for", where::answer}, {"it is for", where::answer},
      {"would be for", where::answer}, {"is for", where::answer}}};
  std::size_t opening = 0; // the caller's first words, after greetings and fillers
  while (opening < ws.size() && filler(ws[opening]) && ws[opening] != "it's")
    ++opening;
  for (auto& l : leads) {
    if (l.at == where::answer && !expecting_name)
      continue;
    for (auto at : phrase_positions(ws, l.phrase)) {
      if (l.at == where::opening && at > opening && !expecting_name)
        continue;
      auto start = at + lower_words(l.phrase).size();
      if (auto n = read_name(ws, start, l.at != where::anywhere, services))
        return with_last_name(*n, ws, services);
    }
  }
  if (!expecting_name)
    return std::nullopt;
  // The answer alone: fillers may come first, then the name and nothing but polite words.
  std::size_t i = 0;
  while (i < ws.size() && filler(ws[i]))
    ++i;
  auto n = read_name(ws, i, true, services);
  // A given name that is also a word, then a surname: "Will Turner.", "June Park." (not "will do",
  // "may i", "march fifth": what follows must itself pass as a name).
  if (!n && i + 1 < ws.size() && given_name_word(ws[i]))
    if (auto rest = read_name(ws, i + 1, true, services))
      n = title(ws[i]) + " " + *rest;
  if (!n)
    return std::nullopt;
  // "ann lee please" is a name; "ann wants a checkup" is not an answer we can trust.
  auto after = i + lower_words(*n).size();
  static const lexicon tail_ok = {"please", "thanks", "thank", "you", "here", "speaking",
                                       "that's", "me", "it", "is", "and", "yes", "yeah", "ok",
                                       "okay", "right"};
  for (std::size_t k = after; k < ws.size(); ++k)
    if (!tail_ok.count(ws[k]) && !filler(ws[k]))
      return std::nullopt;
  return n;
}

std::string extract_request(std::string_view text) {
  auto ws = lower_words(text);
  // Words that end the phrase: prepositions, times, politeness.
  auto stop = [](const std::string& w) {
    static const lexicon s = {"for", "on", "at", "with", "in", "by", "please", "and", "or",
                                   "because", "since", "so", "to", "if", "when", "sometime",
                                   "appointment", "appointments", "appt", "visit", "booked",
                                   "next", "this", "that", "asap", "soon", "with", "from",
                                   "thanks", "thank", "but", "is", "are", "would", "could",
                                   "can", "i", "i'd", "i'm", "you", "we"};
    return s.count(w) > 0 || time_words().count(w) > 0;
  };
  static const lexicon generic = {"appointment", "appointments", "appt", "time", "slot",
                                       "spot", "booking", "visit", "opening", "call",
                                       "question", "something", "anything", "one", "day",
                                       "date", "reservation", "session", "new", "bit", "few",
                                       "quick", "chance", "look", "minute", "moment", "way"};
  static const lexicon determiners = {"a", "an", "my", "the", "some", "our"};
  static const lexicon leads = {"book", "schedule", "get", "need", "want", "have", "make",
                                     "set", "for", "arrange", "like", "needs", "wants"};
  for (std::size_t i = 0; i + 1 < ws.size(); ++i) {
    // "come in four a consultation": "for" heard as "four" after "in"
    bool misheard_for = ws[i] == "four" && i >= 1 && ws[i - 1] == "in";
    if ((!leads.count(ws[i]) && !misheard_for) || !determiners.count(ws[i + 1]))
      continue;
    std::string det = ws[i + 1];
    std::vector<std::string> phrase;
    for (std::size_t k = i + 2; k < ws.size() && phrase.size() < 4 && !stop(ws[k]); ++k)
      phrase.push_back(ws[k]);
    // "an appointment", "a time": nothing said about what for.
    while (!phrase.empty() && generic.count(phrase.back()))
      phrase.pop_back();
    if (phrase.empty() || !all_letters(phrase.front()))
      continue;
    std::string out = det == "my" || det == "our" ? "your" : det;
    if (det == "a" || det == "an")
      out = std::string("aeiou").find(phrase.front()[0]) != std::string::npos ? "an" : "a";
    for (auto& w : phrase)
      out += " " + w;
    return out;
  }
  return {};
}

std::optional<std::string> usable_caller_id(std::string_view caller) {
  std::string digits;
  for (char c : caller)
    if (std::isdigit(static_cast<unsigned char>(c)))
      digits += c;
    else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.')
      return std::nullopt; // "anonymous", "restricted", "unknown", "client:alice", "sip:..."
  // The keypad spellings of ANONYMOUS, RESTRICTED, UNKNOWN, BLOCKED and UNAVAILABLE.
  static const std::array<std::string_view, 5> withheld = {"266696687", "7378742833", "8656696",
                                                           "2562533", "86282452253"};
  if (std::find(withheld.begin(), withheld.end(), digits) != withheld.end())
    return std::nullopt;
  if (digits.size() == 10 && caller.find('+') == std::string_view::npos)
    return "+1" + digits; // a North American number written without its country code
  if (digits.size() < 8 || digits.size() > 15)
    return std::nullopt;
  return "+" + digits;
}

bool bye_in_passing(const std::vector<std::string>& ws) {
  std::size_t last = ws.size();
  for (std::size_t k = 0; k < ws.size(); ++k)
    if (ws[k] == "bye" || ws[k] == "goodbye")
      last = k;
  if (last == ws.size())
    return false;
  static const lexicon pleasantries = {
      "bye", "goodbye", "now", "then", "for", "thanks", "thank", "you", "and", "again", "so",
      "much", "have", "a", "good", "great", "nice", "day", "night", "evening", "weekend",
      "your", "help", "everything", "take", "care", "talk", "soon", "later", "see", "ya",
      "cheers", "bye-bye", "all", "that's", "it", "okay", "ok", "alright", "guys", "everyone",
      "sir", "ma'am", "dear", "love", "too", "to", "the", "same", "very", "appreciate", "it's"};
  std::size_t going_on = 0;
  for (std::size_t k = last + 1; k < ws.size(); ++k)
    if (!pleasantries.count(ws[k]))
      ++going_on;
  static const lexicon question_starts = {"what", "what's", "where", "where's", "when", "how",
                                          "is", "are", "do", "does", "can", "could", "will",
                                          "would", "which", "who", "why"};
  // In a question, any word after the bye goes on ("what's your address bye the later", a
  // recogniser's "by the way").
  bool asked = !ws.empty() && last > 0 && question_starts.count(ws.front());
  return going_on >= 2 || (asked && last + 1 < ws.size());
}

bool is_leaving(std::string_view text) {
  auto ws = lower_words(text);
  static const std::array<std::string_view, 24> phrases = {
      "bye", "goodbye", "good bye", "bye bye", "never mind", "nevermind", "forget it",
      "forget about it", "that's all", "that is all", "that's it", "that'll be all",
      "nothing else", "i'm done", "i'll call back", "i will call back", "call you back",
      "call back later", "hang up", "have a good day", "have a nice day", "i have to go",
      "i gotta go", "i've got to go"};
  // A bye said in passing leaves only by the other phrases ("never mind").
  bool passing = bye_in_passing(ws);
  return std::ranges::any_of(phrases, [&](std::string_view p) {
    return !(passing && p.find("bye") != std::string_view::npos) && has_phrase(ws, p);
  });
}

bool means_this_number(std::string_view text) {
  auto ws = lower_words(text);
  static const std::array<std::string_view, 10> phrases = {
      "this number", "this one", "same number", "the number i'm calling from",
      "calling from", "number i called from", "called from", "this phone", "the same one",
      "the one you have"};
  for (auto p : phrases)
    if (has_phrase(ws, p))
      return true;
  return false;
}

// A name is one to three words as the dialog will read them back: text with control
// characters between letters can make the words found differ from the words said (found by
// the fuzzer: "july\bo's ...").
std::optional<std::string> extract_name(std::string_view text, bool expecting_name,
                                        const std::vector<std::string>& services) {
  auto name = name_in(text, expecting_name, services);
  if (name) {
    auto ws = lower_words(*name);
    if (ws.empty() || ws.size() > 3)
      return std::nullopt;
  }
  return name;
}

std::optional<std::string> guess_name(std::string_view text,
                                      const std::vector<std::string>& services) {
  auto ws = lower_words(text);
  // "her name is chloe martin", "amy is chloe martin": what follows the last of these words.
  std::size_t from = 0;
  for (std::size_t k = 0; k + 1 < ws.size(); ++k)
    if (ws[k] == "is" || ws[k] == "name" || ws[k] == "name's" || ws[k] == "it's")
      from = k + 1;
  auto can_be_name = [&](const std::string& w) {
    if (!all_letters(w) || w.size() < 2 || is_service_word(w, services))
      return false;
    // A common name that is also a word ("long", "white", "will") is kept; a day or a time
    // never is ("may", "june" are days here: "march is sean" gives Sean).
    return !never_a_name(w) || (is_common_name(w) && !time_words().count(w));
  };
  std::vector<std::string> picked;
  for (int pass = 0; pass < 2 && picked.empty(); ++pass)
    for (std::size_t k = pass == 0 ? from : 0; k < ws.size(); ++k)
      if (can_be_name(ws[k]))
        picked.push_back(ws[k]);
  if (picked.size() > 3)
    picked.erase(picked.begin(), picked.end() - 3);
  if (std::none_of(picked.begin(), picked.end(), [](auto& w) { return is_common_name(w); }))
    return std::nullopt;
  std::string name;
  for (auto& w : picked)
    name += (name.empty() ? "" : " ") + title(w);
  return name;
}

} // namespace frontdesk::dialog
