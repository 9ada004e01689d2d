#include "actors/dialog/phrases.hpp"

namespace frontdesk::dialog {

std::vector<std::string> recognizer_phrases(const std::vector<std::string>& business_words) {
  std::vector<std::string> out;
  const std::vector<std::string> days = {"today", "tomorrow", "monday", "tuesday", "wednesday",
                                         "thursday", "friday", "saturday", "next monday",
                                         "next tuesday", "next wednesday", "next thursday",
                                         "next friday", "this friday", "the day after tomorrow"};
  const std::vector<std::string> hours = {"nine", "ten", "eleven", "twelve", "one", "two",
                                          "three", "four", "five", "noon"};
  const std::vector<std::string> minutes = {"", " thirty", " fifteen", " forty five", " o'clock"};
  const std::vector<std::string> ampm = {"", " a m", " p m"};
  for (auto& d : days) {
    out.push_back(d);
    out.push_back(d + " morning");
    out.push_back(d + " afternoon");
    for (auto& h : hours) {
      out.push_back(d + " at " + h);
      for (auto& a : ampm)
        out.push_back(d + " at " + h + a);
    }
  }
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
                  "this is an emergency", "it's an emergency", "i'm in a lot of pain"})
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

} // namespace frontdesk::dialog
