#include "actors/dialog/understand.hpp"

#include "protocols/core/words.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace frontdesk::dialog {
namespace {

bool has(const std::vector<std::string>& ws, std::string_view w) {
  return std::find(ws.begin(), ws.end(), w) != ws.end();
}

// True when the words contain `phrase` (space separated) as consecutive words.
bool has_phrase(const std::vector<std::string>& ws, std::string_view phrase) {
  auto p = tokenize(phrase);
  if (p.empty() || p.size() > ws.size())
    return false;
  for (std::size_t i = 0; i + p.size() <= ws.size(); ++i)
    if (std::equal(p.begin(), p.end(), ws.begin() + static_cast<long>(i)))
      return true;
  return false;
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
  }
  return "unknown";
}

std::vector<std::string> tokenize(std::string_view text) { return lower_words(text); }

intent classify(std::string_view text) {
  auto ws = tokenize(text);
  if (ws.empty())
    return intent::unknown;
  static const std::vector<std::string_view> emergency = {
      "emergency", "bleeding", "severe pain", "can't breathe", "cannot breathe", "accident",
      "unbearable", "knocked out", "swollen", "swelling", "urgent", "ambulance"};
  static const std::vector<std::string_view> human = {
      "human", "a person", "real person", "someone", "somebody", "representative", "operator",
      "speak to", "talk to", "speak with", "talk with", "transfer me", "front desk", "staff"};
  static const std::vector<std::string_view> repeat = {
      "repeat", "say that again", "say again", "come again", "pardon", "what did you say",
      "didn't catch", "didn't hear"};
  static const std::vector<std::string_view> goodbye = {
      "bye", "goodbye", "that's all", "that is all", "nothing else", "that's it", "hang up",
      "have a good", "no thanks", "no thank you"};
  static const std::vector<std::string_view> reschedule = {
      "reschedule", "move my", "change my appointment", "change the appointment",
      "different time", "different day", "push my", "move it", "move the appointment"};
  static const std::vector<std::string_view> book = {
      "book", "appointment", "schedule", "come in", "available", "availability", "opening",
      "openings", "slot", "make an", "set up", "see the doctor", "get in"};
  static const std::vector<std::string_view> hours = {
      "hours", "open", "close", "closed", "what time do you", "when are you", "opening hours"};
  // "Where are you?" asks for the address; "where can I park?" is a question for knowledge.
  static const std::vector<std::string_view> location = {
      "where are you", "where is your", "where's your", "where is the office",
      "where is the clinic", "where is it", "address", "located", "location", "directions",
      "find you", "get there"};
  static const std::vector<std::string_view> price = {
      "cost", "costs", "price", "prices", "how much", "charge", "fee", "fees", "expensive"};
  if (any_phrase(ws, emergency))
    return intent::emergency;
  if (any_phrase(ws, human))
    return intent::human;
  if (any_phrase(ws, repeat))
    return intent::repeat;
  if (has(ws, "cancel") || has_phrase(ws, "call off"))
    return intent::cancel;
  if (any_phrase(ws, reschedule))
    return intent::reschedule;
  if (any_phrase(ws, goodbye))
    return intent::goodbye;
  if (auto yn = yes_or_no(text); yn && ws.size() <= 4)
    return *yn ? intent::yes : intent::no;
  if (any_phrase(ws, price))
    return intent::price;
  if (any_phrase(ws, location))
    return intent::location;
  if (any_phrase(ws, book))
    return intent::book;
  if (any_phrase(ws, hours))
    return intent::hours;
  static const std::vector<std::string_view> question_starts = {
      "do", "does", "is", "are", "can", "could", "what", "which", "who", "how", "will", "would",
      "should", "any", "tell", "where", "when", "why"};
  if (std::find(question_starts.begin(), question_starts.end(), ws.front()) !=
          question_starts.end() ||
      text.find('?') != std::string_view::npos || ws.size() >= 3)
    return intent::question;
  return intent::unknown;
}

std::optional<bool> yes_or_no(std::string_view text) {
  auto ws = tokenize(text);
  static const std::vector<std::string_view> no = {
      "no", "nope", "nah", "not", "don't", "negative", "wrong", "incorrect", "that's wrong"};
  static const std::vector<std::string_view> yes = {
      "yes", "yeah", "yep", "yup", "sure", "correct", "right", "okay", "ok", "please",
      "absolutely", "definitely", "perfect", "great", "sounds good", "go ahead", "do it",
      "that works", "works for me", "alright", "fine"};
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

std::optional<std::string> extract_service(std::string_view text,
                                           const std::vector<std::string>& services) {
  auto ws = tokenize(text);
  for (auto& s : services) {
    if (has_phrase(ws, s))
      return s;
    // "cleanings" for "cleaning"
    if (has_phrase(ws, s + "s"))
      return s;
    // "check up" for "checkup", as recognisers often split a compound.
    for (std::size_t i = 0; i + 1 < ws.size(); ++i)
      if (ws[i] + ws[i + 1] == s)
        return s;
  }
  return std::nullopt;
}

std::optional<std::size_t> extract_choice(std::string_view text, std::size_t options) {
  if (options == 0)
    return std::nullopt;
  auto ws = tokenize(text);
  static const std::array<std::string_view, 3> ordinals = {"first", "second", "third"};
  for (std::size_t i = 0; i < ordinals.size() && i < options; ++i)
    if (has(ws, ordinals[i]))
      return i;
  if (has(ws, "last") || has_phrase(ws, "latest one"))
    return options - 1;
  if (has_phrase(ws, "earliest") || has_phrase(ws, "earlier one"))
    return 0;
  return std::nullopt;
}

} // namespace frontdesk::dialog
