#include "actors/dialog/phrases.hpp"

#include <cctype>
#include <set>

namespace frontdesk::dialog {

std::vector<std::string> recognizer_phrases(const std::vector<std::string>& business_words) {
  std::vector<std::string> out;
  const std::vector<std::string> days = {
      "today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
      "on monday", "on tuesday", "on wednesday", "on thursday", "on friday", "on saturday",
      "next monday", "next tuesday", "next wednesday", "next thursday", "next friday",
      "this monday", "this tuesday", "this wednesday", "this thursday", "this friday",
      "the day after tomorrow", "a week from today", "a week from tomorrow", "in a week"};
  const std::vector<std::string> hours = {"seven", "eight", "nine", "ten", "eleven", "twelve",
                                          "one", "two", "three", "four", "five", "six", "noon"};
  const std::vector<std::string> minutes = {"", " thirty", " fifteen", " forty five", " o'clock"};
  const std::vector<std::string> ampm = {"", " a m", " p m"};
  for (auto& d : days) {
    out.push_back(d);
    out.push_back(d + " morning");
    out.push_back(d + " afternoon");
    out.push_back(d + " evening");
    for (auto& h : hours) {
      out.push_back(d + " at " + h);
      out.push_back(d + " morning at " + h);
      out.push_back(d + " afternoon at " + h);
      for (auto& a : ampm)
        out.push_back(d + " at " + h + a);
    }
  }
  // Dates as callers say them: "march tenth", "on the twelfth", "thursday the twelfth at two".
  const std::vector<std::string> ordinals = {
      "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
      "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
      "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty first", "twenty second",
      "twenty third", "twenty fourth", "twenty fifth", "twenty sixth", "twenty seventh",
      "twenty eighth", "twenty ninth", "thirtieth", "thirty first"};
  const std::vector<std::string> weekdays = {"monday", "tuesday", "wednesday", "thursday",
                                             "friday", "saturday"};
  for (std::size_t i = 0; i < ordinals.size(); ++i) {
    auto& o = ordinals[i];
    out.push_back("the " + o);
    out.push_back("on the " + o);
    out.push_back("the " + o + " at " + hours[i % hours.size()]);
    out.push_back("the " + o + " at " + hours[(i + 5) % hours.size()] + " p m");
    out.push_back("the " + o + " at " + hours[(i + 3) % hours.size()] + " a m");
    out.push_back(weekdays[i % weekdays.size()] + " the " + o);
    out.push_back(weekdays[(i + 2) % weekdays.size()] + " the " + o + " at " +
                  hours[(i + 7) % hours.size()]);
  }
  for (auto& h : hours)
    for (auto& m : minutes)
      for (auto& a : ampm)
        out.push_back("at " + h + m + a);
  for (auto& h : hours)
    for (auto& m : minutes)
      for (auto& a : ampm)
        out.push_back(h + m + a);
  for (auto& lead : {"i'd like to book an appointment", "i would like to book an appointment",
                     "i want to make an appointment", "can i book an appointment",
                     "i need an appointment", "can i come in", "do you have anything",
                     "is there anything available", "do you have any openings"}) {
    out.push_back(lead);
    for (auto& d : {"tomorrow", "on monday", "on friday", "next week", "tomorrow at two p m",
                    "this friday at ten a m", "next tuesday morning"})
      out.push_back(std::string(lead) + " " + d);
  }
  for (auto& s : {"yes", "yes please", "yeah", "yep", "sure", "that works", "that's right",
                  "correct", "okay", "no", "no thank you", "no thanks", "nope", "not really",
                  "the first one", "the second one", "the third one", "the last one",
                  "the earlier one", "the later one", "that's all", "that's all thank you",
                  "that's it", "goodbye", "bye", "thank you goodbye", "thanks bye",
                  "could you repeat that", "say that again", "what",
                  "i need to cancel my appointment", "i want to cancel",
                  "can i reschedule my appointment", "i need to move my appointment",
                  "can i change my appointment", "what are your hours", "when are you open",
                  "are you open on saturday", "where are you located", "what's your address",
                  "how much does it cost", "how much is a cleaning", "do you take insurance",
                  "do you accept my insurance", "is there parking", "can i talk to a person",
                  "i want to speak to someone", "can i talk to a human",
                  "this is an emergency", "it's an emergency", "i'm in a lot of pain",
                  "where can i park", "where do i park", "is there parking nearby",
                  "do you have parking", "what insurance do you take",
                  "do you see children", "do you see kids", "how much is a checkup",
                  "how long does it take", "do i need to bring anything",
                  "what should i bring", "do you take new patients",
                  "are you accepting new patients"})
    out.push_back(s);
  // The answers heard most often count more (a model of what callers say, not of every
  // sentence equally).
  for (int k = 0; k < 8; ++k)
    for (auto& s : {"yes", "yes please", "no", "no thank you", "no thanks", "that's all",
                    "no that's all", "no that's all goodbye", "that's all thank you", "goodbye"})
      out.push_back(s);
  for (auto& n : {"john smith", "ann lee", "maria garcia", "james brown", "mary johnson",
                  "robert jones", "linda miller", "michael davis", "sarah wilson", "david moore",
                  "jennifer taylor", "bo chen", "priya patel", "carlos gomez", "emily clark"}) {
    out.push_back(std::string("my name is ") + n);
    out.push_back(std::string("this is ") + n);
    out.push_back(std::string("it's ") + n);
    out.push_back(n);
  }
  for (auto& d : {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "zero",
                  "oh"})
    out.push_back(std::string("five five five ") + d + " " + d + " one two");
  out.push_back("my number is five five five one two three four five six seven");
  // Services: the business's own, and what small businesses commonly book.
  std::vector<std::string> services = {"cleaning", "checkup", "check up", "whitening", "filling",
                                       "consultation", "exam", "haircut", "massage", "appointment"};
  services.insert(services.end(), business_words.begin(), business_words.end());
  std::vector<std::string> whens = {"tomorrow", "tomorrow morning", "tomorrow afternoon",
                                    "on friday", "next tuesday morning", "next week"};
  for (auto& d : {"tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday"})
    for (auto& h : {"nine", "ten", "eleven", "noon", "one", "two", "three", "four"})
      for (auto& a : {"", " a m", " p m"})
        whens.push_back(std::string(d) + " at " + h + a);
  for (auto& sv : services) {
    out.push_back(sv);
    out.push_back("do you do " + sv);
    out.push_back("how much is a " + sv);
    for (auto& lead : {"i'd like to book a ", "i would like to book a ", "i need a ",
                       "can i book a ", "i want to schedule a "}) {
      out.push_back(lead + sv);
      for (auto& w : whens)
        out.push_back(lead + sv + " " + w);
    }
  }
  return out;
}

std::vector<std::string> date_phrases(unsigned first_month, unsigned count) {
  static const std::vector<std::string> names = {
      "january", "february", "march", "april", "may", "june", "july", "august", "september",
      "october", "november", "december"};
  std::vector<std::string> months;
  for (unsigned k = 0; k < count && k < 12; ++k)
    months.push_back(names[(first_month + 11 + k) % 12]);
  static const std::vector<std::string> ordinals = {
      "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
      "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
      "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty first", "twenty second",
      "twenty third", "twenty fourth", "twenty fifth", "twenty sixth", "twenty seventh",
      "twenty eighth", "twenty ninth", "thirtieth", "thirty first"};
  static const std::vector<std::string> hours = {"nine", "ten", "eleven", "noon", "one",
                                                 "two", "three", "four", "five"};
  static const std::vector<std::string> weekdays = {"monday", "tuesday", "wednesday",
                                                    "thursday", "friday", "saturday"};
  std::vector<std::string> out;
  for (std::size_t m = 0; m < months.size(); ++m)
    for (std::size_t i = 0; i < ordinals.size(); ++i) {
      auto date = months[m] + " " + ordinals[i];
      out.push_back(date);
      out.push_back((i % 2 ? "on " : "") + date + " at " + hours[(i + m) % hours.size()] +
                    ((i + m) % 3 == 0 ? " p m" : (i + m) % 3 == 1 ? " a m" : ""));
      if (i % 4 == m % 4)
        out.push_back(weekdays[(i + m) % weekdays.size()] + " " + date);
    }
  return out;
}

namespace {

// Lower-case words, punctuation dropped ("Dr. Patel's" -> "dr", "patel's").
std::vector<std::string> plain_words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty())
    out.push_back(cur);
  return out;
}

std::string join(const std::vector<std::string>& w) {
  std::string s;
  for (auto& x : w)
    s += (s.empty() ? "" : " ") + x;
  return s;
}

} // namespace

std::vector<std::string> business_phrases(const std::string& name,
                                          const std::vector<std::string>& services,
                                          const std::vector<std::string>& knowledge) {
  std::vector<std::string> out;
  if (auto n = join(plain_words(name)); !n.empty()) {
    out.push_back(n);
    out.push_back("is this " + n);
  }
  for (auto& sv : services) {
    auto s = join(plain_words(sv));
    if (s.empty())
      continue;
    for (auto& lead : {"", "do you do ", "how much is a ", "i'd like to book a ",
                       "i would like to book a ", "i need a ", "can i book a "})
      out.push_back(lead + s);
    for (auto& w : {"tomorrow", "on friday", "next week", "tomorrow at two p m"})
      out.push_back("i would like to book a " + s + " " + w);
  }
  // Names in the knowledge (capitalised runs that do not start a sentence): what callers ask by.
  std::set<std::string> names;
  for (auto& k : knowledge) {
    auto words = plain_words(k);
    if (words.empty())
      continue;
    out.push_back(join(words));
    std::vector<std::string> run;
    bool sentence_start = true;
    std::string cur;
    auto flush = [&] {
      if (!run.empty())
        names.insert(join(run));
      run.clear();
    };
    for (std::size_t i = 0; i <= k.size(); ++i) {
      char c = i < k.size() ? k[i] : ' ';
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
        cur += c;
        continue;
      }
      bool after_title = false;
      if (!cur.empty()) {
        auto w = plain_words(cur).front();
        bool title = w == "dr" || w == "mr" || w == "mrs" || w == "ms";
        bool capital = std::isupper(static_cast<unsigned char>(cur[0]));
        if (title || (capital && (!sentence_start || !run.empty())))
          run.push_back(w);
        else
          flush();
        after_title = title;
        sentence_start = false;
        cur.clear();
      }
      if (c == '.' && !after_title)
        flush(), sentence_start = true;
      else if (c == ',' || c == ';' || c == ':')
        flush();
    }
    flush();
  }
  for (auto& n : names)
    for (auto& lead : {"", "do you take ", "do you accept ", "can i see ", "is ", "what about "})
      out.push_back(lead + n);
  return out;
}

} // namespace frontdesk::dialog
