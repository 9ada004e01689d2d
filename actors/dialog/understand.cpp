#include "actors/dialog/understand.hpp"

#include "protocols/core/names.hpp"
#include "protocols/core/words.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

namespace frontdesk::dialog {
namespace {

bool has(const std::vector<std::string>& ws, std::string_view w) {
  return std::find(ws.begin(), ws.end(), w) != ws.end();
}

template <class List>
bool any_phrase(const std::vector<std::string>& ws, const List& phrases) {
  for (auto& p : phrases)
    if (has_phrase(ws, p))
      return true;
  return false;
}

constexpr std::array<std::string_view, 10> digit_names = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

int digit_of(std::string_view w) {
  for (std::size_t i = 0; i < digit_names.size(); ++i)
    if (digit_names[i] == w)
      return static_cast<int>(i);
  if (w == "oh" || w == "o")
    return 0;
  return -1;
}

} // namespace

const char* to_string(intent i) {
  switch (i) {
  case intent::book: return "book";
  case intent::reschedule: return "reschedule";
  case intent::cancel: return "cancel";
  case intent::question: return "question";
  case intent::hours: return "hours";
  case intent::location: return "location";
  case intent::price: return "price";
  case intent::human: return "human";
  case intent::emergency: return "emergency";
  case intent::goodbye: return "goodbye";
  case intent::yes: return "yes";
  case intent::no: return "no";
  case intent::repeat: return "repeat";
  case intent::unknown: return "unknown";
  case intent::openings: return "openings";
  case intent::correction: return "correction";
  }
  return "unknown";
}

std::vector<std::string> tokenize(std::string_view text) { return lower_words(text); }

namespace {

// Contractions as recognisers write them, spelled out so that one cue covers both forms.
const std::vector<std::pair<std::string_view, std::string_view>> contractions = {
    {"won't", "will not"},  {"can't", "can not"},   {"cannot", "can not"},
    {"shan't", "shall not"}, {"ain't", "is not"},   {"gonna", "going to"},
    {"wanna", "want to"},   {"gotta", "got to"},    {"lemme", "let me"},
    {"gimme", "give me"},   {"let's", "let us"},    {"y'all", "you all"},
    {"'cause", "because"},  {"cuz", "because"},     {"ok", "okay"}};

// Words that mean "is" after them when followed by 's (not possessives).
const std::vector<std::string_view> is_contracting = {
    "it", "that", "what", "when", "where", "who", "how", "there", "here", "he", "she",
    "name", "whatever", "whichever", "everything", "this"};

const std::vector<std::string_view> hesitations = {"um", "uh", "umm", "uhm", "erm", "er",
                                                   "ah", "hmm", "hm", "mmm", "eh"};

bool ends_with(std::string_view w, std::string_view suffix) {
  return w.size() > suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

} // namespace

std::vector<std::string> normalize(std::string_view text) {
  std::vector<std::string> out;
  auto push_words = [&](std::string_view words) {
    for (auto& w : tokenize(words))
      out.push_back(w);
  };
  auto words = tokenize(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto& w = words[i];
    if (w == "uh" && i + 1 < words.size() && words[i + 1] == "huh") { // a yes, not a "huh?"
      out.push_back("uhhuh");
      ++i;
      continue;
    }
    if (std::find(hesitations.begin(), hesitations.end(), w) != hesitations.end())
      continue;
    auto c = std::find_if(contractions.begin(), contractions.end(),
                          [&](auto& p) { return p.first == w; });
    if (c != contractions.end()) {
      push_words(c->second);
    } else if (ends_with(w, "n't")) {
      auto base = w.substr(0, w.size() - 3); // "doesn't" → "does not"
      out.push_back(base);
      out.push_back("not");
    } else if (ends_with(w, "'d")) {
      out.push_back(w.substr(0, w.size() - 2));
      out.push_back("would");
    } else if (ends_with(w, "'ll")) {
      out.push_back(w.substr(0, w.size() - 3));
      out.push_back("will");
    } else if (ends_with(w, "'m")) {
      out.push_back(w.substr(0, w.size() - 2));
      out.push_back("am");
    } else if (ends_with(w, "'ve")) {
      out.push_back(w.substr(0, w.size() - 3));
      out.push_back("have");
    } else if (ends_with(w, "'re")) {
      out.push_back(w.substr(0, w.size() - 3));
      out.push_back("are");
    } else if (ends_with(w, "'s")) {
      auto base = w.substr(0, w.size() - 2);
      out.push_back(base);
      if (std::find(is_contracting.begin(), is_contracting.end(), base) != is_contracting.end())
        out.push_back("is");
    } else if (ends_with(w, "s'")) {
      out.push_back(w.substr(0, w.size() - 1));
    } else {
      out.push_back(w);
    }
  }
  return out;
}

namespace {

// A cue: words in order; a word ending in '*' matches any word it begins ("clean*" matches
// "cleaned"), "_" matches any one word.
bool word_matches(std::string_view pattern, std::string_view w) {
  if (pattern == "_")
    return true;
  if (!pattern.empty() && pattern.back() == '*')
    return w.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == w;
}

// Where `cue` starts in `ws`, or npos.
std::size_t find_cue(const std::vector<std::string>& ws, std::string_view cue,
                     std::size_t from = 0) {
  std::vector<std::string_view> p;
  for (std::size_t i = 0; i < cue.size();) {
    auto j = cue.find(' ', i);
    if (j == std::string_view::npos)
      j = cue.size();
    p.push_back(cue.substr(i, j - i));
    i = j + 1;
  }
  if (p.empty() || p.size() > ws.size())
    return std::string_view::npos;
  for (std::size_t i = from; i + p.size() <= ws.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < p.size() && ok; ++k)
      ok = word_matches(p[k], ws[i + k]);
    if (ok)
      return i;
  }
  return std::string_view::npos;
}

bool has_cue(const std::vector<std::string>& ws, std::string_view cue) {
  return find_cue(ws, cue) != std::string_view::npos;
}

struct cue {
  std::string_view words;
  double weight;
};

// The sum of the weights of the cues present (each counted once), not counting a cue right
// after a negation ("i do not want to reschedule").
double score(const std::vector<std::string>& ws, const std::vector<cue>& cues,
             bool negatable = false) {
  double total = 0;
  for (auto& c : cues) {
    auto at = find_cue(ws, c.words);
    if (at == std::string_view::npos)
      continue;
    bool negated = false;
    if (negatable)
      for (std::size_t k = at >= 3 ? at - 3 : 0; k < at; ++k)
        negated = negated || ws[k] == "not" || ws[k] == "never";
    if (!negated)
      total += c.weight;
  }
  return total;
}

template <class List>
bool any_cue(const std::vector<std::string>& ws, const List& cues) {
  for (auto& c : cues)
    if (has_cue(ws, c))
      return true;
  return false;
}

const std::vector<std::string_view> hour_words = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve"};

bool is_hour(const std::string& w) {
  if (std::find(hour_words.begin(), hour_words.end(), w) != hour_words.end())
    return true;
  if (w.empty() || w.size() > 5)
    return false;
  // "3", "10", "3pm", "10am", "2:30"
  std::size_t i = 0;
  while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i])))
    ++i;
  if (i == 0 || i > 2)
    return false;
  auto rest = std::string_view(w).substr(i);
  return rest.empty() || rest == "am" || rest == "pm" || rest.front() == ':';
}

} // namespace

namespace {

// True when ws[i] is an hour said as a time: "3pm", "at three", "three thirty", "four p m";
// not "that one" or a bare number.
bool hour_said_at(const std::vector<std::string>& ws, std::size_t i) {
  static const std::vector<std::string_view> time_lead = {
      "at", "around", "about", "by", "after", "before", "till", "until", "like", "say", "do",
      "not", "meant", "it", "that", "half", "quarter", "past", "to", "ish"};
  static const std::vector<std::string_view> minutes_after = {
      "thirty", "fifteen", "forty*", "twenty*", "oh", "o'clock", "oclock", "am", "pm", "ish"};
  auto& w = ws[i];
  // "not that one", "the other one": a choice, not one o'clock
  static const std::vector<std::string_view> pointing = {"that", "the", "this", "which",
                                                         "other", "first", "last"};
  if (w == "one" && i >= 1 &&
      std::find(pointing.begin(), pointing.end(), ws[i - 1]) != pointing.end() &&
      !(i + 1 < ws.size() && any_cue(std::vector<std::string>{ws[i + 1]}, minutes_after)))
    return false;
  if (!is_hour(w))
    return false;
  if (w.size() > 2 && std::isdigit(static_cast<unsigned char>(w[0])) &&
      (ends_with(w, "am") || ends_with(w, "pm")))
    return true;
  if (i >= 1 && std::find(time_lead.begin(), time_lead.end(), ws[i - 1]) != time_lead.end())
    return true;
  if (i + 1 < ws.size() && any_cue(std::vector<std::string>{ws[i + 1]}, minutes_after))
    return true;
  if (i + 2 < ws.size() && (ws[i + 1] == "a" || ws[i + 1] == "p") && ws[i + 2] == "m")
    return true;
  return false;
}

// A time of day on the clock ("noon", "at three", "10:30"), not only a day or a part of it.
bool names_clock_time(const std::vector<std::string>& ws) {
  for (std::size_t i = 0; i < ws.size(); ++i)
    if (ws[i] == "noon" || ws[i] == "midday" || ws[i] == "o'clock" || ws[i] == "oclock" ||
        ws[i].find(':') != std::string::npos || hour_said_at(ws, i))
      return true;
  return false;
}

} // namespace

bool mentions_when(const std::vector<std::string>& ws) {
  static const std::vector<std::string_view> words = {
      "today", "tonight", "tomorrow", "monday*", "tuesday*", "wednesday*", "thursday*",
      "friday*", "saturday*", "sunday*", "january", "february", "march", "april", "june", "july",
      "august", "september", "october", "november", "december", "morning*", "afternoon*",
      "evening*", "noon", "midday", "lunch*", "o'clock", "oclock", "weekend", "pm", "am",
      "week"};
  for (std::size_t i = 0; i < ws.size(); ++i) {
    auto& w = ws[i];
    if (any_cue(std::vector<std::string>{w}, words))
      return true;
    if (w.find('/') != std::string::npos || w.find(':') != std::string::npos)
      return true;
    // "the twelfth", "the 12th"
    if (i >= 1 && ws[i - 1] == "the" &&
        (ends_with(w, "th") || ends_with(w, "st") || ends_with(w, "nd") || ends_with(w, "rd")) &&
        w != "first" && w != "last" && w != "worst" && w != "best" && w != "rest")
      return true;
    if (hour_said_at(ws, i))
      return true;
  }
  return false;
}

bool asks_question(std::string_view text) {
  if (text.find('?') != std::string_view::npos)
    return true;
  auto ws = normalize(text);
  static const std::vector<std::string_view> openers = {
      "oh", "wait", "sorry", "and", "also", "actually", "so", "quick", "question", "okay", "but",
      "hey", "before", "that"};
  std::size_t i = 0;
  while (i < ws.size() && std::find(openers.begin(), openers.end(), ws[i]) != openers.end())
    ++i;
  static const std::vector<std::string_view> starts = {
      "do", "does", "is", "are", "can", "could", "what", "which", "who", "how", "will", "would",
      "where", "when", "why", "should", "did", "have", "has"};
  return i + 2 < ws.size() && std::find(starts.begin(), starts.end(), ws[i]) != starts.end();
}

std::string question_words(std::string_view text) {
  // Several sentences with one asked: the asked one ("do you see kids? my son is four").
  if (auto q = text.find('?'); q != std::string_view::npos) {
    auto start = text.substr(0, q).find_last_of(".!?");
    text = text.substr(start == std::string_view::npos ? 0 : start + 1, q - (start == std::string_view::npos ? 0 : start + 1));
  }
  auto ws = tokenize(text);
  static const std::vector<std::string_view> asides = {
      "oh", "wait", "sorry", "and", "also", "actually", "so", "okay", "ok", "um", "uh", "hey",
      "hmm", "well", "great", "good", "alright", "then", "quick", "question", "just", "now",
      "please", "thanks", "yes", "yeah", "no", "one", "more", "thing", "real", "hold", "on",
      "before", "i", "forget", "by", "the", "way", "first"};
  auto aside = [&](const std::string& w) {
    return std::find(asides.begin(), asides.end(), w) != asides.end();
  };
  std::size_t from = 0, to = ws.size();
  // Leading asides, but not the question's own first words ("is the office open", "do i").
  static const std::vector<std::string_view> keep = {"the", "i", "on", "one", "before", "first",
                                                     "now", "no"};
  while (from < to && aside(ws[from]) &&
         !(std::find(keep.begin(), keep.end(), ws[from]) != keep.end() && from > 0 &&
           !aside(ws[from - 1])))
    ++from;
  // One stray short word or name before the question's own word ("ann how much is a
  // whitening", a recogniser's "ann" for "and"): the question starts at the question word. A
  // longer word may be what the question is about ("parking, where do i leave the car").
  static const std::vector<std::string_view> wh = {"how", "what", "what's", "where", "where's",
                                                   "when", "which", "who", "why"};
  auto is_wh = [&](const std::string& w) { return std::find(wh.begin(), wh.end(), w) != wh.end(); };
  if (from + 2 < to && !is_wh(ws[from]) && is_wh(ws[from + 1]) &&
      (ws[from].size() <= 3 || is_common_name(ws[from])))
    ++from;
  // Trailing "by the way", "please", "then".
  for (bool more = true; more && to > from;) {
    more = false;
    if (to - from >= 3 && ws[to - 3] == "by" && ws[to - 2] == "the" && ws[to - 1] == "way") {
      to -= 3;
      more = true;
    } else if (ws[to - 1] == "please" || ws[to - 1] == "then" || ws[to - 1] == "thanks") {
      --to;
      more = true;
    }
  }
  std::string out;
  for (auto i = from; i < to; ++i)
    out += (out.empty() ? "" : " ") + ws[i];
  return out.empty() ? std::string(text) : out;
}

bool names_new_time(std::string_view text) {
  auto ws = normalize(text);
  static const std::vector<std::string_view> leads = {
      "to", "for", "until", "till", "instead", "rather", "could we do", "can we do", "could i do",
      "can i do", "how about", "what about", "make it", "switch", "change that", "into", "try",
      "later", "earlier", "better", "prefer", "want", "like", "works", "free"};
  for (auto& lead : leads)
    for (auto at = find_cue(ws, lead); at != std::string_view::npos;
         at = find_cue(ws, lead, at + 1)) {
      static const std::vector<std::string_view> verbs = {
          "come", "go", "be", "get", "see", "make", "move", "book", "have", "do", "change",
          "reschedule", "cancel", "push", "switch", "bring", "know", "call", "ask"};
      if (at + 1 < ws.size() && std::find(verbs.begin(), verbs.end(), ws[at + 1]) != verbs.end())
        continue; // "supposed to come in monday": an infinitive, not a new time
      std::vector<std::string> rest(ws.begin() + static_cast<long>(at), ws.end());
      // the words after the lead (the lead itself may carry a cue like "to")
      if (rest.size() > 1 &&
          mentions_when(std::vector<std::string>(rest.begin() + 1, rest.end())))
        return true;
    }
  return false;
}

bool own_appointment_unclear(std::string_view text) {
  auto ws = normalize(text);
  if (ws.empty())
    return false;
  static const std::vector<std::string_view> own = {
      "my appointment", "my cleaning", "my checkup", "my check up", "my filling",
      "my whitening", "my visit", "my booking", "my exam", "the appointment i made",
      "our appointment"};
  if (!any_cue(ws, own))
    return false;
  // "What time is my appointment", "how much is my cleaning": a question about it.
  static const std::vector<std::string_view> asking = {"what", "when", "where", "which", "who",
                                                       "why", "how", "is", "are", "does", "do",
                                                       "did", "was"};
  for (std::size_t i = 0; i < std::min<std::size_t>(ws.size(), 3); ++i)
    if (std::find(asking.begin(), asking.end(), ws[i]) != asking.end())
      return false;
  return text.find('?') == std::string_view::npos;
}

intent classify(std::string_view text) {
  auto ws = normalize(text);
  if (ws.empty())
    return intent::unknown;
  const bool when = mentions_when(ws);
  auto starts = [&](std::string_view w) { return ws.front() == w; };

  // -- Emergencies: strong signs add up; a mild or hypothetical mention does not.
  static const std::vector<cue> emergency = {
      {"emergency", 2},   {"bleeding", 2},     {"blood", 2},          {"knocked _ out", 2},
      {"knocked out", 2}, {"fell out", 2},     {"unbearable", 2},     {"agony", 2},
      {"severe", 2},      {"abscess*", 2},     {"swelling", 2},       {"swollen", 2},
      {"can not breathe", 3}, {"trouble breathing", 3}, {"ambulance", 3}, {"accident", 2},
      {"killing me", 2},  {"urgent*", 2},      {"right away", 2},     {"pain", 1},
      {"hurts", 1},       {"hurting", 1},      {"cracked", 1},        {"broke", 1},
      {"broken", 1},      {"fever", 1},        {"help now", 1},       {"really bad", 1},
      {"terrible", 1},    {"not slept", 1},    {"a bit", -1},         {"a little", -1},
      {"not a big deal", -3}, {"no rush", -3}, {"no hurry", -3}, {"not urgent", -3},
      {"whenever you", -2}, {"when you get a chance", -3}, {"do you do", -3}, {"do you handle", -3}, {"do you offer", -3},
      {"do you take", -3}, {"do you see", -3}};
  if (score(ws, emergency) >= 2)
    return intent::emergency;

  // -- A person, asked for in so many words: a verb of talking next to a person, or the
  // person's role alone.
  static const std::vector<std::string_view> person = {
      "person", "human", "someone", "somebody", "anyone", "anybody", "receptionist*",
      "manager", "staff", "doctor", "dr", "nurse", "hygienist", "representative", "agent",
      "operator", "desk", "billing", "people", "dentist", "machine", "robot", "computer",
      "bot", "man", "woman", "lady", "guy"};
  static const std::vector<std::string_view> talk = {
      "talk", "speak", "transfer", "connect", "through", "call me back", "call back",
      "get me", "let me talk", "reach", "talked", "talking", "speaking", "spoke", "chat"};
  {
    for (std::size_t i = 0; i < ws.size(); ++i) {
      if (!any_cue(std::vector<std::string>{ws[i]}, person))
        continue;
      for (std::size_t j = i >= 5 ? i - 5 : 0; j < std::min(ws.size(), i + 5); ++j)
        for (auto& t : talk)
          if (find_cue(ws, t, j) == j && !(t == "get me" && j + 2 < ws.size() &&
                                            ws[j + 2] != "a" && ws[j + 2] != "the" &&
                                            ws[j + 2] != "someone" && ws[j + 2] != "somebody"))
            return intent::human;
    }
    static const std::vector<std::string_view> alone = {
        "operator", "representative", "agent", "human", "person", "receptionist", "a person",
        "a human", "real person", "live person", "front desk", "transfer me"};
    if (ws.size() <= 4 && any_cue(ws, alone))
      return intent::human;
    if (has_cue(ws, "transfer me") || has_cue(ws, "put me through"))
      return intent::human;
    // "I'd rather talk to an actual ... person", the words between misheard: a verb of talking
    // to someone, and a person later in the same sentence.
    for (auto lead : {"talk to", "speak to", "speak with", "talk with", "talked to", "talking to"})
      if (auto at = find_cue(ws, lead); at != std::string_view::npos)
        for (auto k = at + 2; k < ws.size(); ++k)
          if (ws[k] == "person" || ws[k] == "human" || ws[k] == "someone" || ws[k] == "somebody")
            return intent::human;
    // "I'd rather deal with an actual person", whatever the verb was heard as.
    static const std::vector<std::string_view> in_so_many_words = {
        "actual person", "real person", "live person", "real human", "actual human",
        "to a person", "with a person", "to a human", "with a human", "to a real",
        "to an actual", "with a real", "with an actual"};
    if (any_cue(ws, in_so_many_words))
      return intent::human;
  }

  // -- Everything else is scored; the strongest wins.
  std::map<intent, double> s;
  s[intent::repeat] = score(ws, {{"repeat", 4},       {"say that again", 4}, {"say it again", 4},
                                 {"one more time", 3}, {"come again", 4},    {"pardon", 4},
                                 {"what did you say", 4}, {"what was that", 4},
                                 {"did not catch", 4}, {"did not hear", 4},  {"could not hear", 4},
                                 {"can not hear", 4},  {"missed that", 4},   {"cut out", 4},
                                 {"say again", 4},     {"you say", 1},
                                 // "I didn't quite catch that", "didn't really hear you"
                                 {"did not _ catch", 4}, {"did not _ hear", 4}, {"catch that", 3},
                                 {"did not get that", 4}, {"did not _ get that", 4},
                                 {"did not understand", 4}, {"do not understand", 3},
                                 {"breaking up", 4},   {"broke up", 4},      {"lost you", 4},
                                 {"cutting out", 4},   {"hear you", 2}});
  if (ws.size() <= 2 && (starts("huh") || starts("what") || has_cue(ws, "excuse me") ||
                         (ws.size() == 1 && starts("sorry"))))
    s[intent::repeat] += 4;
  s[intent::goodbye] = score(ws, {{"bye", 4},          {"goodbye", 4},       {"that is all", 4},
                                  {"that will be all", 4}, {"that is it", 4}, {"that is everything", 4},
                                  {"nothing else", 4}, {"all set", 4},       {"i am good", 3},
                                  {"all good", 3},     {"all done", 3},      {"have a good", 3},
                                  {"have a nice", 3},  {"have a great", 3},  {"talk to you later", 4},
                                  {"never mind", 4},   {"wrong number", 4},  {"hang up", 4},
                                  {"have to go", 4},   {"got to go", 4},     {"no thank*", 4},
                                  {"no thanks", 4},    {"see you", 3},       {"cheers", 2},
                                  {"that will do", 4}, {"that should do it", 4}, {"that does it", 4},
                                  {"that is all i need", 4}, {"i think that is it", 4},
                                  // "I'd love to come see you tomorrow" asks for a visit.
                                  {"come see", -3},    {"come and see", -3}, {"to see you", -3}});
  // "What's your address, bye the way": a bye said in passing is not the caller leaving.
  if (bye_in_passing(ws))
    s[intent::goodbye] = std::max(0.0, s[intent::goodbye] - 4);
  s[intent::cancel] = score(ws, {{"cancel*", 4},       {"call off", 4},      {"call _ off", 4},
                                 {"will not be able to make it", 4}, {"will not make it", 4},
                                 {"not going to make it", 4}, {"will not be coming", 4},
                                 {"not coming", 3},    {"take me off", 4},   {"take _ off", 3},
                                 {"off the books", 4}, {"off the schedule", 4}, {"drop my", 4},
                                 {"scratch my", 4},    {"remove my", 4},     {"delete", 4},
                                 {"not need the appointment", 4}, {"forget the appointment", 4},
                                 {"forget my appointment", 4}, {"no longer need", 4},
                                 {"can not make", 2},  {"not be able to come", 4},
                                 {"drop it", 4},       {"drop that", 4},     {"drop the appointment", 4},
                                 {"not be needing", 4}, {"not need it", 3},  {"not need that", 3},
                                 {"get rid of", 3},    {"scrap my", 4},      {"scrap the", 4},
                                 {"scrap it", 4},      {"scrap that", 3},    {"nix my", 4},
                                 {"nix the", 4},       {"nix it", 3},        {"ditch my", 4},
                                 {"ditch the", 4}},
                            true);
  // "I can't make it Thursday, could we do Monday instead?" moves rather than cancels.
  bool cant_make = any_cue(ws, std::vector<std::string_view>{
                                   "can not make", "will not make", "will not be able to make",
                                   "not going to make"});
  bool alternative = any_cue(ws, std::vector<std::string_view>{
                                     "instead", "could we do", "can we do", "how about",
                                     "another", "different", "rather"});
  bool existing = any_cue(ws, std::vector<std::string_view>{
                                  "my appointment", "my cleaning", "my checkup", "my check up",
                                  "my filling", "my whitening", "my visit", "my booking",
                                  "our visit", "our appointment", "i booked", "i made an appointment",
                                  "i have an appointment", "supposed to come in", "i have a thing",
                                  "appointment is on", "tomorrow appointment", "the appointment i made",
                                  "my exam"});
  s[intent::reschedule] =
      score(ws, {{"reschedul*", 4},  {"re schedule", 4}, {"rebook*", 4},     {"re book", 4},
                 {"postpon*", 4},    {"rearrang*", 4},   {"push _ back", 4}, {"push back", 4},
                 {"push my", 4},     {"push it", 4},     {"push that", 4},   {"bump my", 4},
                 {"bump it", 4},     {"move my", 4},     {"move it", 4},     {"move the", 4},
                 {"move _ appointment", 4}, {"switch my", 4}, {"switch to", 4}, {"switch it", 4},
                 {"swap my", 4},     {"shift my", 4},    {"change my", 4},   {"change the time", 4},
                 {"change the day", 4}, {"change it", 3}, {"change _ appointment", 4},
                 {"change _ booking", 4}, {"different day", 3}, {"different time", 3},
                 {"another day", 3}, {"another time", 3}, {"later time", 3}, {"earlier time", 3},
                 {"later in the day", 3}, {"instead of", 4}, {"earlier date", 3},
                 {"later one", 2},   {"move me", 4},     {"switch me", 4},   {"shift me", 4},
                 {"bump me", 4},     {"push me", 4},     {"pick another day", 4},
                 {"pick a different", 4}},
            true);
  if (cant_make && alternative)
    s[intent::reschedule] += 5;
  existing = existing || any_cue(ws, std::vector<std::string_view>{
                                         "have got an appointment", "got an appointment",
                                         "have got a cleaning", "have got a checkup"});
  if (existing && alternative)
    s[intent::reschedule] += 3;
  if (existing && any_cue(ws, std::vector<std::string_view>{"earlier", "later", "change", "move"}))
    s[intent::reschedule] += 3;
  // "Something came up with my appointment": most often a move; a cancel says so and wins.
  if (existing && any_cue(ws, std::vector<std::string_view>{"came up", "come up", "something came"}))
    s[intent::reschedule] = std::max(s[intent::reschedule], 3.0);
  // "Could you do my checkup to friday at ten": the caller's own appointment, taken to a new day
  // or time, whatever the verb was heard as.
  if (existing)
    for (std::size_t k = 0; k + 1 < ws.size(); ++k)
      if (ws[k] == "to" &&
          (mentions_when({ws[k + 1]}) ||
           (k + 2 < ws.size() && (ws[k + 1] == "the" || ws[k + 1] == "next" || ws[k + 1] == "this") &&
            mentions_when({ws[k + 1], ws[k + 2]})))) {
        s[intent::reschedule] += 4;
        break;
      }

  // "Could you [move my] checkup to friday at ten": a visit taken to a day or time is a move,
  // whatever the verb before it was heard as (a booking is "for" or "on" a day).
  static const std::vector<std::string_view> visit_words = {
      "checkup", "up", "cleaning", "filling", "whitening", "appointment", "visit", "exam"};
  for (std::size_t k = 1; k + 1 < ws.size(); ++k)
    if (ws[k] == "to" &&
        std::find(visit_words.begin(), visit_words.end(), ws[k - 1]) != visit_words.end() &&
        (ws[k - 1] != "up" || (k >= 2 && ws[k - 2] == "check")) &&
        (mentions_when({ws[k + 1]}) ||
         (k + 2 < ws.size() && (ws[k + 1] == "the" || ws[k + 1] == "next" || ws[k + 1] == "this") &&
          mentions_when({ws[k + 1], ws[k + 2]})))) {
      s[intent::reschedule] = std::max(s[intent::reschedule], 4.0);
      break;
    }

  // Corrections: a marker of correcting and something corrected (a day or time, a name, a
  // service).
  bool content = when || any_cue(ws, std::vector<std::string_view>{
                                         "my name is", "name is", "last name", "first name",
                                         "put it under", "under", "clean*", "filling",
                                         "whiten*", "checkup", "check up", "exam"});
  if (content) {
    double c = score(ws, {{"i said", 2.5},     {"i meant", 2.5},   {"i mean", 2.5},
                          {"meant", 2},        {"misspoke", 2.5},  {"mixed it up", 2.5},
                          {"make it", 2.5},    {"make that", 2.5}, {"change that", 2.5},
                          {"change it to", 2.5}, {"scratch that", 2.5}, {"should be", 2.5},
                          {"let us say", 2.5}, {"correction", 2.5}, {"wrong day", 2.5},
                          {"wrong time", 2.5}, {"wrong name", 2.5}, {"would be better", 1.5},
                          {"works better", 1.5}, {"is better", 1.5}, {"actually", 1.5},
                          {"instead", 1},      {"oops", 1},        {"no no", 1},
                          {"not", 1.5},        {"wait", 0.5},      {"sorry", 0.5},
                          {"hang on", 1},      {"correct that", 2.5}, {"scrap that", 2.5}});
    if (starts("no") || starts("not") || starts("nope") || starts("wrong"))
      c += 2.5;
    // "It's a cleaning, not a filling": one service said, another taken back.
    static const std::vector<std::string_view> services = {"clean*", "filling", "whiten*",
                                                           "checkup", "exam"};
    for (std::size_t k = 1; k + 1 < ws.size(); ++k)
      if (ws[k] == "not" && any_cue(std::vector<std::string>(ws.begin(), ws.begin() + static_cast<long>(k)), services) &&
          any_cue(std::vector<std::string>(ws.begin() + static_cast<long>(k) + 1,
                                           ws.begin() + static_cast<long>(std::min(ws.size(), k + 4))),
                  services))
        c = std::max(c, 3.0);
    s[intent::correction] = c;
    // "I've got an appointment on thursday ... can we make it friday instead": changing the
    // appointment the caller has is a move, not a correction of what they said a moment ago.
    if (existing && c >= 2.5)
      s[intent::reschedule] = std::max(s[intent::reschedule], c + 0.5);
  }

  // Openings: asking what is free rather than for a time.
  s[intent::openings] =
      score(ws, {{"next available", 4}, {"first available", 4}, {"availab*", 3},
                 {"soonest", 4},        {"earliest", 4},       {"next opening", 4},
                 {"opening*", 3},       {"slots", 3},          {"slot", 2},
                 {"spots", 3},          {"anything open", 3},  {"anything free", 3},
                 {"anything available", 3}, {"what do you have", 3}, {"what have you got", 3},
                 {"what _ you got", 3}, {"what times", 3},     {"what is open", 3},
                 {"when could you see me", 3}, {"when can you see me", 3}, {"how soon", 4},
                 {"what are my options", 3}, {"when do you have", 3}, {"next time you can", 4},
                 {"first thing you have", 4}, {"next free", 4}, {"free slot", 4},
                 {"what days", 2},      {"do you have anything", 3}, {"got anything", 3},
                 {"when is the next", 4}, {"the next time", 3}, {"when can someone", 3},
                 {"when could someone", 3}, {"when can somebody", 3},
                 {"when could somebody", 3}});
  // "As soon as you can", "asap": the earliest opening, when no day or time is named.
  if (!when && any_cue(ws, std::vector<std::string_view>{"as soon as", "asap",
                                                         "earliest possible", "right away"}))
    s[intent::openings] = std::max(s[intent::openings], 3.5);

  // "Is noon on friday available", "do you have anything at three tomorrow": a time on the
  // clock asks for that slot (a booking, whose check offers the nearest if it is taken), unless
  // the caller asks for the next or earliest one, or for what is free around it.
  double slot_asked = 0;
  if (names_clock_time(ws) &&
      !any_cue(ws, std::vector<std::string_view>{"next", "first", "earliest", "soonest",
                                                 "how soon", "after", "before", "between",
                                                 "what times", "what time", "anything else",
                                                 "other", "options"}) &&
      s[intent::openings] >= 3 && !existing) {
    slot_asked = s[intent::openings];
    s[intent::openings] = 2.5;
  }

  // Booking: verbs of coming in and of being seen, or wanting a visit or a time.
  static const std::vector<cue> visit_verbs = {
      {"book*", 2},       {"schedul*", 1.5},  {"make an appointment", 2}, {"set up", 2},
      {"set _ up", 2},    {"come in", 2},     {"get in", 2},       {"get _ in", 2},
      {"fit me", 2},      {"fit _ in", 2},    {"squeeze", 2},      {"get seen", 2},
      {"be seen", 2},     {"see me", 2},      {"see a dentist", 2}, {"see the dentist", 2},
      {"see the doctor", 2}, {"see doctor", 2}, {"come see", 2},   {"come by", 2},
      {"pop in", 2},      {"stop by", 2},     {"put me down", 2},  {"put me in", 2},
      {"sign me up", 2},  {"a spot", 2},      {"room for me", 2},  {"looked at", 2},
      {"look at my", 2},  {"take a look", 2}, {"checked", 2},      {"cleaned", 2},
      {"whitened", 2},    {"filled", 2},      {"bring _ in", 2},   {"bring _ _ in", 2},
      {"on the schedule", 2}, {"on the books", 2}, {"come in for", 1}, {"in for a", 1},
      {"get* a cleaning", 2}, {"get* a checkup", 2}, {"get* a filling", 2}, {"get* a whitening", 2},
      {"get* my teeth", 2}, {"have my teeth", 2}, {"get* _ teeth", 2},
      {"reserve", 2},     {"on the calendar", 2}, {"pencil me", 2}, {"pencil _ in", 2},
      {"slot me", 2},     {"make a booking", 2}, {"first visit", 2}, {"grab a", 1.5},
      {"due for", 2},     {"overdue", 2},     {"come back in", 2}, {"come back for", 2},
      // "I haven't been to a dentist in years": a visit that is due.
      {"have not been to", 2}, {"have not been in", 2}, {"have not had a", 2}};
  static const std::vector<std::string_view> visit_nouns = {
      "appointment*", "visit", "exam", "checkup", "check up", "clean*", "filling", "whiten*",
      "consultation", "a dentist", "the dentist"};
  static const std::vector<std::string_view> wanting = {
      "would like", "i need", "i want", "we need", "we want", "can i", "could i", "could we",
      "can we", "could you", "can you", "i was hoping", "i am hoping", "is it possible",
      "let me", "would love", "i am looking", "i am trying", "i am calling", "i was wondering",
      "any chance", "do you think i could", "i would", "we would", "she would", "he would",
      "i was thinking", "i need to", "for a", "i should", "calling about", "call _ about",
      "call about", "calling to", "call to"};
  double book = std::min(4.0, score(ws, visit_verbs));
  bool noun = any_cue(ws, visit_nouns);
  bool wants = any_cue(ws, wanting);
  if (noun)
    book += 0.5;
  if (wants && (noun || when))
    book += 2;
  if (when && (book > 0 || noun))
    book += 1.5;
  // "Tomorrow at eleven, checkup please": a visit and its time, with no verb at all (and not
  // asked about: "do you have weekend appointments" is a question).
  static const std::vector<std::string_view> asking_starts = {
      "do", "does", "is", "are", "what", "which", "how", "when", "where", "why", "who", "any"};
  if (when && noun && text.find('?') == std::string_view::npos &&
      std::find(asking_starts.begin(), asking_starts.end(), ws.front()) == asking_starts.end())
    book += 1;
  if (existing && !any_cue(ws, std::vector<std::string_view>{"due for", "overdue", "time for my"}))
    book -= 2;
  s[intent::book] = std::max(book, slot_asked);

  s[intent::hours] =
      score(ws, {{"hours", 4},          {"what time do you open", 4}, {"what time do you close", 4},
                 {"what time does _ open", 4}, {"what time _ _ open", 4}, {"when do you close", 4},
                 {"when do you open", 4}, {"when are you open", 4}, {"when do you _ close", 4},
                 {"are you open", 4},   {"you open", 3},      {"you _ open", 3},
                 {"are you closed", 4}, {"you closed", 3},    {"you _ closed", 3},
                 {"how late", 4},       {"what time _ you close", 4}, {"till what time", 4},
                 {"until what time", 4}, {"do you open", 4},  {"office open", 4},
                 {"open on", 2},        {"open right now", 4}, {"open over", 4},
                 {"anybody there on", 4}, {"anyone there on", 4}, {"open early", 4},
                 {"open late", 4},      {"stay open", 4},     {"you close", 3},
                 {"when does _ close", 4}, {"when does _ _ close", 4}, {"when does _ open", 4},
                 {"when does _ _ open", 4}, {"closing time", 4}, {"close today", 3},
                 {"open today", 3},     {"open tomorrow", 3}, {"what time _ close", 4}});
  // "What time do you guys close", "when does the office usually open": a question of time
  // shortly before opening or closing.
  for (std::size_t i = 0; i < ws.size(); ++i) {
    bool asks_time = ws[i] == "when" || ((ws[i] == "what" || ws[i] == "how") && i + 1 < ws.size() &&
                                         (ws[i + 1] == "time" || ws[i + 1] == "late" ||
                                          ws[i + 1] == "later" || ws[i + 1] == "early"));
    if (!asks_time)
      continue;
    for (std::size_t j = i + 1; j < std::min(ws.size(), i + 7); ++j)
      if (ws[j] == "open" || ws[j] == "opens" || ws[j] == "close" || ws[j] == "closes" ||
          ws[j] == "closed")
        s[intent::hours] = std::max(s[intent::hours], 4.0);
  }
  s[intent::location] =
      score(ws, {{"where are you", 4},  {"where is your", 4}, {"where is the office", 4},
                 {"where is the clinic", 4}, {"where exactly", 4}, {"where is it", 4},
                 {"address", 4},        {"located", 4},       {"location", 4},
                 {"directions", 4},     {"find you", 4},      {"find your", 4},
                 {"get to you", 4},     {"get there", 4},     {"what street", 4},
                 {"cross street", 4},   {"which building", 4}, {"whereabouts", 4},
                 {"what city", 4},      {"how far", 4},       {"near the", 3},
                 {"gps", 4},            {"the one on", 3},    {"where is the", 2},
                 {"where you", 3},      {"how do i get to", 4}, {"how to get to", 4},
                 {"get to your", 4},    {"how do i find", 4}});
  // "Which street are you on", "what part of town": a question word shortly before a place.
  {
    static const std::vector<std::string_view> places = {
        "street", "road", "avenue", "boulevard", "highway", "intersection", "corner",
        "neighborhood", "neighbourhood", "area", "town", "building", "floor", "suite",
        "side of", "exit", "zip", "plaza", "mall"};
    for (std::size_t i = 0; i < ws.size(); ++i)
      if (ws[i] == "what" || ws[i] == "which")
        for (std::size_t j = i + 1; j < std::min(ws.size(), i + 4); ++j)
          for (auto place : places)
            if (find_cue(ws, place, j) == j)
              s[intent::location] = std::max(s[intent::location], 4.0);
  }
  s[intent::price] =
      score(ws, {{"cost*", 4},          {"price*", 4},        {"pricey", 4},
                 {"how much", 4},       {"charge", 4},        {"fee", 4},
                 {"fees", 4},           {"rates", 4},         {"expensive", 4},
                 {"run me", 4},         {"set me back", 4},   {"ballpark", 4},
                 {"out of pocket", 4}});
  // "What does a checkup usually run", "what would a whitening go for": a question of what
  // something is, shortly before a verb of costing.
  for (std::size_t i = 0; i + 1 < ws.size(); ++i) {
    if (ws[i] != "what" && !(ws[i] == "how" && ws[i + 1] == "much"))
      continue;
    for (std::size_t j = i + 2; j < std::min(ws.size(), i + 7); ++j) {
      static const std::vector<std::string_view> of_hours = {"time", "hours", "days", "late",
                                                             "till", "until", "through"};
      if (std::find(of_hours.begin(), of_hours.end(), ws[j - 1]) != of_hours.end())
        break; // "what hours do you run", "what days do you run": the office's hours
      if (ws[j] == "run" || ws[j] == "runs" ||
          (ws[j] == "go" && j + 1 < ws.size() && ws[j + 1] == "for"))
        s[intent::price] = std::max(s[intent::price], 4.0);
    }
  }
  // A whole request to come in (a visit, its day or time, the wish) with "cost" or "price" in
  // it but no question about it ("this is dana cost, I'd like a cleaning on tuesday at eleven")
  // is a booking: the price words alone are a misheard name or an aside.
  if (s[intent::book] >= 4 && when &&
      !any_cue(ws, std::vector<std::string_view>{"how much", "what", "does", "do you", "is it",
                                                 "are", "much"}) &&
      text.find('?') == std::string_view::npos)
    s[intent::price] = 0;
  // Questions: the sentence's form, and what callers ask a front desk about.
  static const std::vector<std::string_view> question_starts = {
      "do", "does", "is", "are", "can", "could", "what", "which", "who", "how", "will",
      "would", "should", "any", "tell", "where", "when", "why", "have", "did"};
  double q = 0;
  if (std::find(question_starts.begin(), question_starts.end(), ws.front()) !=
          question_starts.end() ||
      text.find('?') != std::string_view::npos)
    q += 1;
  q += score(ws, {{"do you", 1.5},      {"does the", 1.5},   {"does doctor", 1.5},
                  {"does dr", 1.5},     {"can i bring", 1.5}, {"can i pay", 1.5},
                  {"is there", 1},      {"insurance", 1},    {"park*", 3},
                  {"question", 1.5},    {"forms", 1},        {"bill", 1},
                  {"accept*", 1},       {"new patients", 1}, {"wondering if you", 1},
                  {"kids", 1},          {"children", 1},     {"languages", 1},
                  {"do i need to", 3},  {"do i have to", 3}, {"should i", 2},
                  {"bring anything", 3}, {"what should i bring", 3}, {"is it okay if", 2},
                  {"is it ok if", 2},   {"can kids", 2},     {"can children", 2},
                  {"can my", 1},        {"with me", 2},      {"allowed", 2}});
  s[intent::question] = q;

  // Specific cues (a cancel, a move, a correction, a request for openings...) decide over the
  // general wish to come in, which most turns carry; among equals the earlier in this order.
  double strongest = 0;
  intent best = intent::unknown;
  for (auto i : {intent::repeat, intent::goodbye, intent::cancel, intent::reschedule,
                 intent::correction, intent::openings, intent::price, intent::location,
                 intent::hours})
    if (s[i] > strongest && s[i] >= (i == intent::correction ? 2.5 : 3)) {
      strongest = s[i];
      best = i;
    }
  if (best == intent::unknown)
    for (auto i : {intent::book, intent::question})
      if (s[i] > strongest) {
        strongest = s[i];
        best = i;
      }
  if (auto yn = yes_or_no(text); yn && strongest < 2.5) {
    bool yn_first = starts("yes") || starts("yeah") || starts("no") || starts("nope") ||
                    starts("yep") || starts("sure") || starts("okay") || starts("nah");
    if (ws.size() <= 6 || yn_first)
      return *yn ? intent::yes : intent::no;
  }
  if (strongest >= 1.5)
    return best;
  // "Got a nice watch on Friday afternoon": a day or time, no question, nothing else
  // understood. A caller who names a time wants to come in then.
  if (when && s[intent::question] < 1)
    return intent::book;
  if (s[intent::question] > 0 || ws.size() >= 3)
    return intent::question;
  return intent::unknown;
}

std::optional<bool> yes_or_no(std::string_view text) {
  auto ws = tokenize(text);
  static const std::vector<std::string_view> no = {
      "no", "nope", "nah", "not", "don't", "negative", "wrong", "incorrect", "that's wrong",
      "hold on", "wait", "i don't think so", "won't work", "doesn't work"};
  static const std::vector<std::string_view> yes = {
      "yes", "yeah", "yep", "yup", "sure", "correct", "right", "okay", "ok", "please",
      "absolutely", "definitely", "perfect", "great", "sounds good", "go ahead", "do it",
      "that works", "works for me", "alright", "fine", "uh huh", "mhm", "mm hmm", "go for it",
      "you got it", "of course", "please do", "book it", "ma'am", "sir", "exactly", "yes sir"};
  if (any_phrase(ws, no))
    return false;
  if (any_phrase(ws, yes))
    return true;
  return std::nullopt;
}

std::string extract_digits(std::string_view text) {
  std::string out;
  auto ws = tokenize(text);
  int repeat = 1;
  for (auto& w : ws) {
    if (w == "double") {
      repeat = 2;
      continue;
    }
    if (w == "triple") {
      repeat = 3;
      continue;
    }
    int d = digit_of(w);
    if (d >= 0) {
      out.append(static_cast<std::size_t>(repeat), static_cast<char>('0' + d));
    } else if (std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      for (int r = 0; r < repeat; ++r)
        out += w;
    }
    repeat = 1;
  }
  return out;
}

namespace {

// A word's stem for matching services as callers inflect them: "cleaned", "cleanings" →
// "clean"; "filled" → "fill"; "whitened" → "whiten".
std::string stem(std::string w) {
  for (std::string_view suffix : {"ings", "ing", "ed", "es", "s"})
    if (w.size() > suffix.size() + 3 && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0) {
      w.resize(w.size() - suffix.size());
      break;
    }
  return w;
}

} // namespace

std::optional<std::string> extract_service(std::string_view text,
                                           const std::vector<std::string>& services) {
  auto ws = tokenize(text);
  // Words as stems, and each pair of words run together ("check up" → "checkup").
  std::vector<std::string> stems, joined;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    stems.push_back(stem(ws[i]));
    joined.push_back(i + 1 < ws.size() ? stem(ws[i] + ws[i + 1]) : std::string());
  }
  std::optional<std::string> found;
  std::size_t found_at = ws.size();
  for (auto& s : services) {
    auto words = tokenize(s);
    if (words.empty())
      continue;
    std::vector<std::string> want;
    for (auto& w : words)
      want.push_back(stem(w));
    for (std::size_t i = 0; i < ws.size(); ++i) {
      bool match = i + want.size() <= ws.size() &&
                   std::equal(want.begin(), want.end(), stems.begin() + static_cast<long>(i));
      bool match_joined = want.size() == 1 && joined[i] == want[0];
      if (!match && !match_joined)
        continue;
      // "fill out a form" is no filling; "not a filling" takes it back.
      std::size_t end = i + (match ? want.size() : 2);
      if (end < ws.size() && ws[end] == "out")
        continue;
      bool negated = (i >= 1 && ws[i - 1] == "not") ||
                     (i >= 2 && ws[i - 2] == "not" && (ws[i - 1] == "a" || ws[i - 1] == "the"));
      if (negated)
        continue;
      if (i < found_at) {
        found = s;
        found_at = i;
      }
      break;
    }
  }
  return found;
}

std::optional<std::size_t> extract_choice(std::string_view text, std::size_t options) {
  if (options == 0)
    return std::nullopt;
  auto ws = normalize(text);
  static const std::array<std::string_view, 3> ordinals = {"first", "second", "third"};
  static const std::array<std::string_view, 3> numbers = {"one", "two", "three"};
  for (std::size_t i = 0; i < ordinals.size() && i < options; ++i)
    if (has(ws, ordinals[i]) || has_cue(ws, std::string("number ") + std::string(numbers[i])) ||
        has_cue(ws, std::string("option ") + std::string(numbers[i])))
      return i;
  if (has(ws, "last") || has(ws, "latest") || has_cue(ws, "later one") ||
      has_cue(ws, "later time") || has_cue(ws, "the later"))
    return options - 1;
  if (has(ws, "earliest") || has(ws, "soonest") || has_cue(ws, "earlier one") ||
      has_cue(ws, "earlier time") || has_cue(ws, "the earlier") || has_cue(ws, "any of those") ||
      has_cue(ws, "either") || has_cue(ws, "whichever"))
    return 0;
  if (options == 3 && has_cue(ws, "middle"))
    return 1;
  return std::nullopt;
}

std::optional<std::size_t> choose_offer(std::string_view text,
                                        const std::vector<std::string>& offered,
                                        std::string_view said_date, std::string_view said_time,
                                        std::string_view said_part) {
  if (offered.empty())
    return std::nullopt;
  auto ws = normalize(text);
  if (ws.empty())
    return std::nullopt;
  // "None of those", "neither": no choice, whatever else was said.
  if (has(ws, "none") || has(ws, "neither") || has_cue(ws, "not those") ||
      has_cue(ws, "do not work"))
    return std::nullopt;
  auto day_of = [](const std::string& v) { return std::string_view(v).substr(0, 10); };
  auto time_of = [](const std::string& v) {
    return v.size() >= 16 ? std::string_view(v).substr(11, 5) : std::string_view();
  };
  // A time said: one of those offered, or something else asked for.
  if (!said_time.empty()) {
    std::vector<std::size_t> hits;
    for (std::size_t k = 0; k < offered.size(); ++k)
      if (time_of(offered[k]) == said_time && (said_date.empty() || day_of(offered[k]) == said_date))
        hits.push_back(k);
    if (hits.size() == 1)
      return hits.front();
    // "the three" may be heard as 3 AM or 3 PM: the hour on the clock face decides.
    auto hour12 = [](std::string_view hhmm) {
      int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
      return std::pair{h % 12, hhmm.substr(2)};
    };
    hits.clear();
    if (said_time.size() == 5)
      for (std::size_t k = 0; k < offered.size(); ++k)
        if (time_of(offered[k]).size() == 5 &&
            hour12(time_of(offered[k])) == hour12(said_time) &&
            (said_date.empty() || day_of(offered[k]) == said_date))
          hits.push_back(k);
    if (hits.size() == 1)
      return hits.front();
    return std::nullopt;
  }
  if (auto c = extract_choice(text, offered.size()))
    return c;
  // The hour word at i (1 to 12, on the clock face), or 0: "one" names an hour only before
  // "o'clock" ("the one", "one of those" point at an offer).
  auto hour_at = [&](std::size_t i) {
    auto h = std::find(hour_words.begin(), hour_words.end(), ws[i]);
    if (h == hour_words.end())
      return 0;
    if (ws[i] == "one" && !(i + 1 < ws.size() && (ws[i + 1] == "o'clock" || ws[i + 1] == "oclock")))
      return 0;
    return static_cast<int>(h - hour_words.begin()) + 1;
  };
  // The offers at that hour on the clock face (on the day said, if one was).
  auto offers_at = [&](int hour) {
    std::vector<std::size_t> hits;
    for (std::size_t k = 0; k < offered.size(); ++k) {
      auto t = time_of(offered[k]);
      if (t.size() == 5 && ((t[0] - '0') * 10 + (t[1] - '0')) % 12 == hour % 12 &&
          (said_date.empty() || day_of(offered[k]) == said_date))
        hits.push_back(k);
    }
    return hits;
  };
  // "The nine", "with the eleven": an hour alone that the time parser leaves (no day, no "at"),
  // matched on the clock face against the offers.
  for (std::size_t i = 1; i < ws.size(); ++i) {
    if (ws[i - 1] != "the" && ws[i - 1] != "with")
      continue;
    if (int hour = hour_at(i))
      if (auto hits = offers_at(hour); hits.size() == 1)
        return hits.front();
  }
  // "Nine would be perfect", "eleven please": an hour alone anywhere in an answer that accepts
  // (no "not", no "no"), when it is the clock face of exactly one offer. An hour that is no
  // offer's is ignored ("to" heard as "two"); two offers named choose nothing.
  if (!has(ws, "not") && !has(ws, "no") && !has(ws, "nope") && !has(ws, "but")) {
    std::set<std::size_t> named;
    for (std::size_t i = 0; i < ws.size(); ++i) {
      if (i + 1 < ws.size() && (ws[i + 1] == "of" || ws[i + 1] == "days" || ws[i + 1] == "weeks"))
        continue; // "two of those", "three days"
      if (int hour = hour_at(i))
        for (auto k : offers_at(hour))
          named.insert(k);
    }
    if (named.size() == 1)
      return *named.begin();
  }
  // A day said: the one offer on that day, or another day asked for.
  if (!said_date.empty()) {
    std::vector<std::size_t> hits;
    for (std::size_t k = 0; k < offered.size(); ++k)
      if (day_of(offered[k]) == said_date)
        hits.push_back(k);
    if (hits.size() == 1 && (said_part.empty()))
      return hits.front();
    if (hits.empty())
      return std::nullopt;
  }
  // "The afternoon one": the one offer in that part of the day.
  if (!said_part.empty()) {
    std::vector<std::size_t> hits;
    for (std::size_t k = 0; k < offered.size(); ++k) {
      auto t = time_of(offered[k]);
      if (t.size() != 5)
        continue;
      int h = (t[0] - '0') * 10 + (t[1] - '0');
      std::string_view part = h < 12 ? "morning" : h < 17 ? "afternoon" : "evening";
      if (part == said_part && (said_date.empty() || day_of(offered[k]) == said_date))
        hits.push_back(k);
    }
    return hits.size() == 1 ? std::optional<std::size_t>(hits.front()) : std::nullopt;
  }
  // "That one", "yes", "I'll take it": a choice only when there was one to take.
  if (offered.size() == 1) {
    auto yn = yes_or_no(text);
    if ((yn && *yn) || has_cue(ws, "that one") || has_cue(ws, "take it") ||
        has_cue(ws, "that is fine") || has_cue(ws, "that works") || has_cue(ws, "that is good"))
      return 0;
  }
  return std::nullopt;
}

} // namespace frontdesk::dialog
