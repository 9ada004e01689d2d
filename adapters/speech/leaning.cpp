#include "adapters/speech/recognizer.hpp"
#include "protocols/core/names.hpp"

namespace frontdesk::speech {
namespace {

std::vector<std::string> yes_no_phrases() {
  return {"yes", "no", "yes please", "no thank you", "no thanks", "yeah", "yep", "nope",
          "yes that's right", "that's right", "that's correct", "correct", "sure", "okay",
          "yes that's fine", "that's fine", "that works", "sounds good", "perfect", "please do",
          "go ahead", "yes go ahead", "no that's wrong", "no that's not right", "not really",
          "no i don't think so", "yes it is", "no it isn't", "absolutely", "of course",
          "yes book it", "no don't book it", "uh huh", "no not that one"};
}

std::vector<std::string> digit_phrases() {
  const char* digit[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                         "nine"};
  std::vector<std::string> out;
  // Ten-digit numbers read out in the usual three-three-four groups; a fixed walk through the
  // digits so that every pair of digits follows every other somewhere.
  unsigned x = 7;
  for (int n = 0; n < 40; ++n) {
    std::string s = n % 3 == 0 ? "my number is" : (n % 3 == 1 ? "it's" : "");
    for (int k = 0; k < 10; ++k) {
      x = (x * 1103515245u + 12345u) & 0x7fffffffu;
      s += (s.empty() ? "" : " ") + std::string(x % 11 == 10 ? "oh" : digit[x % 11 % 10]);
    }
    out.push_back(s);
  }
  for (int a = 0; a < 10; ++a)
    for (int b = 0; b < 10; ++b)
      out.push_back(std::string(digit[a]) + " " + digit[b]);
  return out;
}

std::vector<std::string> spelling_phrases() {
  // Common surnames spelled out, letters alone, and letters with an example word.
  const char* examples[] = {"a as in apple", "b as in boy", "c as in cat", "d as in dog",
                            "e as in edward", "f as in frank", "g as in george", "h as in henry",
                            "i as in ida", "j as in john", "k as in king", "l as in larry",
                            "m as in mary", "n as in nancy", "o as in ocean", "p as in peter",
                            "q as in queen", "r as in robert", "s as in sam", "t as in tom",
                            "u as in uncle", "v as in victor", "w as in william", "x as in x ray",
                            "y as in yellow", "z as in zebra"};
  std::vector<std::string> out;
  for (auto& n : common_surnames()) {
    std::string s;
    for (char c : n)
      s += (s.empty() ? "" : " ") + std::string(1, c);
    out.push_back(s);
    out.push_back("it's " + s);
  }
  for (char c = 'a'; c <= 'z'; ++c)
    out.push_back(std::string(1, c));
  for (auto* e : examples)
    out.push_back(e);
  out.push_back("double l");
  out.push_back("double e");
  out.push_back("double o");
  return out;
}

// A name given when asked for it: common given names (of several generations and origins) with
// common surnames, alone and after "my name is", "it's", "this is". Every name is in a few
// frames and next to a few others; the model's back-off covers the pairs not written.
std::vector<std::string> name_phrases() {
  auto& given = common_given_names();
  auto& last = common_surnames();
  const std::size_t n = given.size(), m = last.size();
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string f = given[i];
    out.push_back("my name is " + f + " " + last[i % m]);
    out.push_back("it's " + f + " " + last[(i * 7 + 3) % m]);
    out.push_back("this is " + f + " " + last[(i * 13 + 5) % m]);
    out.push_back(f + " " + last[(i * 29 + 11) % m]);
    out.push_back("my name is " + f);
    out.push_back(f);
  }
  for (std::size_t j = 0; j < m; ++j) {
    out.push_back("my name is " + given[(j * 5 + 1) % n] + " " + last[j]);
    out.push_back(given[(j * 11 + 2) % n] + " " + last[j]);
    out.push_back("my last name is " + last[j]);
  }
  return out;
}

const char* const hours[] = {"one", "two", "three", "four", "five", "six", "seven", "eight",
                             "nine", "ten", "eleven", "twelve"};
const char* const days[] = {"today", "tomorrow", "monday", "tuesday", "wednesday", "thursday",
                            "friday", "saturday"};

// A day and a time, answering "What day and time would work best for you?": days alone, with
// a part of the day or a time, times in digits and in words ("half past four", "quarter to
// three", "two thirty"), and dates by ordinal. A fixed walk so that every day meets several
// times; the model's back-off covers the rest.
std::vector<std::string> when_phrases() {
  static const char* const ordinals[] = {
      "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
      "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
      "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty first", "twenty second",
      "twenty third", "twenty fourth", "twenty fifth", "twenty sixth", "twenty seventh",
      "twenty eighth", "twenty ninth", "thirtieth", "thirty first"};
  static const char* const parts[] = {"morning", "afternoon", "evening"};
  static const char* const minutes[] = {"fifteen", "thirty", "forty five", "o'clock"};
  std::vector<std::string> out;
  std::size_t k = 0;
  for (auto* d : days) {
    std::string day = d;
    out.push_back(day);
    out.push_back((day == "today" || day == "tomorrow" ? "" : "on ") + day);
    if (day != "today" && day != "tomorrow") {
      out.push_back("next " + day);
      out.push_back("this " + day);
    }
    for (auto* p : parts)
      out.push_back(day + " " + p);
    for (int i = 0; i < 6; ++i, ++k) {
      std::string h = hours[(k * 5 + 2) % 12];
      std::string ampm = (k % 3 == 0) ? " a m" : (k % 3 == 1 ? " p m" : "");
      out.push_back(day + " at " + h + ampm);
      out.push_back(day + " at " + h + " " + minutes[k % 4]);
      out.push_back(day + " around " + h);
    }
  }
  for (std::size_t i = 0; i < 12; ++i) {
    std::string h = hours[i], next = hours[(i + 1) % 12];
    out.push_back("at " + h);
    out.push_back(h + " a m");
    out.push_back(h + " p m");
    out.push_back(h + " o'clock");
    out.push_back(h + " thirty");
    out.push_back("half past " + h);
    out.push_back("quarter past " + h);
    out.push_back("quarter to " + next);
    out.push_back("after " + h);
    out.push_back("before " + h);
    out.push_back("how about " + h);
  }
  for (std::size_t i = 0; i < std::size(ordinals); ++i) {
    out.push_back("the " + std::string(ordinals[i]));
    out.push_back("on the " + std::string(ordinals[i]) + " at " + hours[(i * 7 + 1) % 12]);
  }
  for (auto* p : {"in the morning", "in the afternoon", "noon", "at noon", "first thing",
                  "late morning", "early afternoon", "end of the day", "next week",
                  "any time", "whenever you have", "as soon as possible"})
    out.push_back(p);
  return out;
}

// A choice among the times just offered: by ordinal, by time, "the earlier one", "that one",
// or none of them.
std::vector<std::string> choice_phrases() {
  std::vector<std::string> out = {
      "the first one", "the second one", "the third one", "the last one", "the middle one",
      "the first", "the second", "the last", "the earlier one", "the later one", "the earlier",
      "the later", "that one", "that one please", "the first one please", "i'll take the first one",
      "i'll take the second one", "i'll take the last one", "the second one works",
      "the first one is fine", "yes the first one", "none of those", "none of those work",
      "neither", "anything later", "anything earlier", "do you have anything later",
      "do you have anything earlier", "i'll take it", "that works", "that's fine"};
  for (auto* h : hours) {
    std::string hour = h;
    out.push_back("the " + hour);
    out.push_back("the " + hour + " o'clock");
    out.push_back(hour + " o'clock");
    out.push_back(hour + " please");
    out.push_back("the " + hour + " thirty");
    out.push_back(hour + " works");
    out.push_back("let's do " + hour);
  }
  return out;
}

} // namespace

const std::vector<std::string>& leaning_phrases(listen_for hint) {
  static const std::vector<std::string> none, yes_no = yes_no_phrases(),
                                              digits = digit_phrases(),
                                              spelling = spelling_phrases(),
                                              names = name_phrases(),
                                              when = when_phrases(), choice = choice_phrases();
  switch (hint) {
  case listen_for::yes_no: return yes_no;
  case listen_for::digits: return digits;
  case listen_for::spelling: return spelling;
  case listen_for::name: return names;
  case listen_for::when: return when;
  case listen_for::choice: return choice;
  case listen_for::anything:
  case listen_for::email: break;
  }
  return none;
}

} // namespace frontdesk::speech
