#include "actors/dialog/phrases.hpp"

#include <cctype>
#include <set>

namespace frontdesk::dialog {

std::vector<std::string> opening_phrases() {
  static const std::vector<std::string> openers = {
      "", "hi", "hello", "hey", "hi there", "hello there", "hey there", "good morning",
      "good afternoon", "yeah hi", "yes hi", "um hi", "oh hi", "hi yes", "yeah", "um", "so",
      "okay", "uh", "hi um"};
  static const std::vector<std::string> requests = {
      // visits, asked for without "book"
      "i'd like to come in", "i'd like to come in for a cleaning", "i was hoping to come in",
      "i was hoping to get in this week", "i was wondering if you have anything",
      "i was wondering if i could come in", "could you fit me in", "can you squeeze me in",
      "is there any way i could come in", "is there any way you could see me",
      "can i get in this week", "i need to get in", "i need to be seen",
      "i'm calling to make an appointment", "i'm calling to schedule a checkup",
      "i'm calling to set up a cleaning", "i'd like to set up an appointment",
      "i need to get my teeth cleaned", "i'd like to get my teeth checked",
      "it's been a while since my last cleaning", "i'm due for a checkup",
      "put me down for friday", "put me in for monday morning", "do you have time on thursday",
      "i'd like to make an appointment for my son", "i'd like to make an appointment for my daughter",
      "it's for my husband", "it's for my wife", "it's for my kid",
      // the caller's own appointment
      "i'm calling about my appointment", "i'm calling to cancel", "i'm calling to reschedule",
      "i need to call off my appointment", "i need to push my appointment back",
      "can you move my appointment", "i can't make my appointment", "something came up",
      "i have an appointment on friday", "i need to change my appointment",
      // a person
      "i'd rather talk to a person", "i'd rather speak to someone", "can i talk to a real person",
      "is there an actual person i can talk to", "can i speak to the front desk",
      "can i speak with the receptionist", "can you put me through to someone",
      "i'd like to speak with the office manager",
      // questions
      "i have a question", "i have a quick question", "i have a question about my bill",
      "what time do you close", "what time do you open", "what time do you close today",
      "do you guys take insurance", "do you take delta dental", "do you take aetna",
      "do you take cigna", "do you take blue cross", "do you take metlife",
      "do you see kids", "are you taking new patients", "where are you guys located",
      "how much would a cleaning cost", "is there parking there",
      // emergencies
      "my tooth is killing me", "my tooth got knocked out", "my son knocked out a tooth",
      "my daughter chipped her tooth", "i broke my tooth", "my gums are bleeding",
      "my face is swollen", "i'm in a lot of pain", "i think i need to see someone today",
      "i think i have an infection"};
  static const std::vector<std::string> names = {"ann lee", "maria garcia", "james brown",
                                                 "dana scott", "kevin wong", "sara patel"};
  // What the visit is for, who it is for, when it would suit, and what callers ask about,
  // in everyday words.
  static const std::vector<std::string> needs = {
      "i think i have a cavity", "i lost a filling", "my filling fell out", "my crown came off",
      "i need a root canal", "i need a crown", "i need to get my wisdom teeth looked at",
      "my wisdom tooth hurts", "i have a toothache", "my teeth are really sensitive",
      "i need a deep cleaning", "i need x rays", "i'm interested in invisalign",
      "i'm interested in braces", "i'd like to talk about implants", "my dentures are loose",
      "my gums hurt when i brush", "i cracked a tooth", "i chipped my front tooth",
      "my son needs a checkup", "my daughter needs a cleaning", "my kids need their cleanings",
      "my husband needs a filling", "my mom needs an appointment", "my little boy needs a checkup",
      "i'm a new patient", "i've never been there before", "i haven't been to the dentist in years",
      "my last cleaning was a year ago", "my dentist retired"};
  static const std::vector<std::string> suits = {
      "sometime next week", "early next week", "later this week", "at the end of the week",
      "after school", "after work", "before work", "first thing in the morning",
      "around lunchtime", "in the late afternoon", "whenever you have something",
      "any day but monday", "as soon as possible", "the sooner the better"};
  static const std::vector<std::string> insurers = {
      "delta dental", "aetna", "cigna", "blue cross", "blue shield", "metlife", "guardian",
      "humana", "united healthcare", "medicaid", "medicare"};
  static const std::vector<std::string> asks = {
      "do you take my insurance", "are you in network", "what's the copay",
      "do you offer payment plans", "can i pay with a credit card", "do you take cash",
      "where do i park", "is there a parking lot", "how do i get there", "what street are you on",
      "are you near downtown", "which floor are you on", "is the office wheelchair accessible",
      "are you open on saturdays", "are you open late", "what are your hours on friday",
      "how long does a cleaning take", "do you do root canals", "do you do braces",
      "do you do implants", "do you see children", "how much is a root canal",
      "how much is a crown", "do i need to fill out any forms", "should i bring my insurance card"};
  std::vector<std::string> out;
  for (auto& o : openers)
    for (auto& r : requests)
      out.push_back(o.empty() ? r : o + " " + r);
  for (std::size_t i = 0; i < needs.size(); ++i) {
    out.push_back(needs[i]);
    out.push_back(openers[(i * 3 + 1) % openers.size()] + " " + needs[i]);
    out.push_back(needs[i] + " " + suits[i % suits.size()]);
    out.push_back(needs[i] + " could you fit me in " + suits[(i + 5) % suits.size()]);
  }
  for (std::size_t i = 0; i < suits.size(); ++i)
    out.push_back("i'd like to come in " + suits[i]);
  for (auto& ins : insurers) {
    out.push_back("do you take " + ins);
    out.push_back("do you accept " + ins);
    out.push_back("are you in network with " + ins);
    out.push_back("hi do you guys take " + ins);
    out.push_back("i have " + ins);
  }
  for (std::size_t i = 0; i < asks.size(); ++i) {
    out.push_back(asks[i]);
    out.push_back(openers[(i * 7 + 2) % openers.size()] + " " + asks[i]);
  }
  for (auto& o : {"hi", "hello", "hi there", "good morning", "yeah hi"})
    for (auto& n : names) {
      out.push_back(std::string(o) + " this is " + n);
      out.push_back(std::string(o) + " my name is " + n);
      out.push_back(std::string(o) + " this is " + n + " i'd like to come in");
      out.push_back(std::string(o) + " my name is " + n + " and i need a cleaning");
    }
  return out;
}

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
  // Times in words, alone and after a day: "half past four", "quarter to three", "twenty
  // past nine", "a week from friday at two".
  const std::vector<std::string> clock_hours = {"one", "two", "three", "four", "five", "six",
                                                "seven", "eight", "nine", "ten", "eleven",
                                                "twelve"};
  const std::vector<std::string> in_words = {"half past ", "quarter past ", "quarter to ",
                                             "quarter after ", "twenty past ", "ten past ",
                                             "twenty to ", "ten to ", "five past "};
  for (std::size_t i = 0; i < clock_hours.size(); ++i)
    for (std::size_t k = 0; k < in_words.size(); ++k) {
      auto t = in_words[k] + clock_hours[i];
      out.push_back(t);
      out.push_back("at " + t);
      out.push_back(days[(i * in_words.size() + k) % days.size()] + " at " + t);
    }
  for (auto& d : {"today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday"})
    for (auto& h : {"at nine", "at noon", "at two", "at half past ten"}) {
      out.push_back(std::string("a week from ") + d + " " + h);
      out.push_back(std::string("two weeks from ") + d);
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
  // How callers open a call: a greeting or a filler, often their name, then the request in
  // everyday words. Without these the recogniser, which knows only the domain's words, hears
  // "hi" as "five" and "hello" as "the located".
  for (auto& s : opening_phrases())
    out.push_back(s);
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
