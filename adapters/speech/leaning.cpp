#include "adapters/speech/recognizer.hpp"

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
  const char* names[] = {"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
                         "davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez",
                         "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
                         "lee", "perez", "thompson", "white", "harris", "sanchez", "clark",
                         "ramirez", "lewis", "robinson", "walker", "young", "allen", "king",
                         "wright", "scott", "torres", "nguyen", "hill", "flores", "green",
                         "adams", "nelson", "baker", "hall", "rivera", "campbell", "mitchell",
                         "carter", "roberts", "kowalski", "quigley", "vaughn", "zimmerman",
                         "fox", "jaworski", "okafor", "xu", "yates"};
  const char* examples[] = {"a as in apple", "b as in boy", "c as in cat", "d as in dog",
                            "e as in edward", "f as in frank", "g as in george", "h as in henry",
                            "i as in ida", "j as in john", "k as in king", "l as in larry",
                            "m as in mary", "n as in nancy", "o as in ocean", "p as in peter",
                            "q as in queen", "r as in robert", "s as in sam", "t as in tom",
                            "u as in uncle", "v as in victor", "w as in william", "x as in x ray",
                            "y as in yellow", "z as in zebra"};
  std::vector<std::string> out;
  for (auto* n : names) {
    std::string s;
    for (const char* c = n; *c; ++c)
      s += (s.empty() ? "" : " ") + std::string(1, *c);
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

} // namespace

const std::vector<std::string>& leaning_phrases(listen_for hint) {
  static const std::vector<std::string> none, yes_no = yes_no_phrases(),
                                              digits = digit_phrases(),
                                              spelling = spelling_phrases();
  switch (hint) {
  case listen_for::yes_no: return yes_no;
  case listen_for::digits: return digits;
  case listen_for::spelling: return spelling;
  case listen_for::anything:
  case listen_for::name:
  case listen_for::email: break;
  }
  return none;
}

} // namespace frontdesk::speech
