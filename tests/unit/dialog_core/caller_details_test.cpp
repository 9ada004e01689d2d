// The caller's details: names only from name answers or explicit lead-ins, never from dates,
// times, services or common words; what they asked for; the caller ID; leaving.
#include <gtest/gtest.h>

#include "actors/dialog/caller_details.hpp"
#include "protocols/core/words.hpp"

using namespace frontdesk::dialog;

namespace {

const std::vector<std::string> services = {"cleaning", "whitening", "checkup", "filling"};

// Time and date expressions as callers say them, in the places a name lead-in could catch them.
std::vector<std::string> time_expressions() {
  std::vector<std::string> days = {
      "tomorrow", "today", "tonight", "friday", "next week", "noon", "next tuesday",
      "the fifth", "march fifth", "monday morning", "the afternoon", "ten a m", "two p m",
      "half past four", "quarter to three", "this weekend", "the twelfth", "a week from friday",
      "early next month", "first thing monday", "lunchtime", "eleven thirty", "10 am", "3 pm",
      "sometime next week", "the morning", "later today", "thursday at two",
      "june fifth", "may 12"};
  std::vector<std::string> out;
  for (auto& d : days)
    for (auto lead : {"i would like to book a checkup for ", "book me in for ",
                      "can you put me down for ", "it's for ", "this is for ", "i'm free ",
                      "i'm thinking ", "put it under ", "under ", "i am available ",
                      "this is about ", "for "})
      out.push_back(lead + d);
  return out;
}

} // namespace

TEST(caller_names, never_come_from_a_date_or_time) {
  for (auto& t : time_expressions()) {
    EXPECT_EQ(extract_name(t, false, services), std::nullopt) << t;
    EXPECT_EQ(extract_name(t, true, services), std::nullopt) << t << " (answering)";
  }
}

TEST(caller_names, never_come_from_a_service_or_common_words) {
  for (std::string t : {
           "i'd like to book a checkup", "i need a cleaning", "it's a filling",
           "this is about a whitening", "i'm calling to book an appointment",
           "i'm looking for an opening", "i'm a new patient", "this is my first visit",
           "i'm not sure", "it's kind of urgent", "this is urgent", "i'm in a lot of pain",
           "i'm wondering if you take insurance", "yes", "no", "goodbye", "never mind",
           "that's all", "can i talk to a person", "the first one", "five five five one two",
           "yeah", "okay sure", "sorry what", "hello", "it's for my son", "i'm just calling",
           "this is the number", "i'm good thanks", "i'm fine", "it is what it is",
           "checkup please", "cleaning", "i'd like a cleaning please"}) {
    EXPECT_EQ(extract_name(t, false, services), std::nullopt) << t;
    EXPECT_EQ(extract_name(t, true, services), std::nullopt) << t << " (answering)";
  }
}

TEST(caller_names, come_from_explicit_lead_ins_anywhere) {
  EXPECT_EQ(extract_name("my name is ann lee", false), "Ann Lee");
  EXPECT_EQ(extract_name("i'd like to book tomorrow my name is ann lee", false), "Ann Lee");
  EXPECT_EQ(extract_name("the name's bo chen", false), "Bo Chen");
  EXPECT_EQ(extract_name("put it under garcia please", false), "Garcia");
  EXPECT_EQ(extract_name("book it under the name of o'brien", false), "O'Brien");
  // After "my name is" a name may be a word that is also a common word or a month.
  EXPECT_EQ(extract_name("my name is will smith", false), "Will Smith");
  EXPECT_EQ(extract_name("my name is june park", false), "June Park");
  EXPECT_EQ(extract_name("my name is march all", false), "March"); // a misheard name
  EXPECT_EQ(extract_name("my name is june fifth", false), std::nullopt);
  EXPECT_EQ(extract_name("my name is grace and i need a cleaning", false, services), "Grace");
  // "this is" and "I'm" introduce a name as the caller's opening words.
  EXPECT_EQ(extract_name("hi this is maria garcia lopez and i need a cleaning", false, services),
            "Maria Garcia Lopez");
  EXPECT_EQ(extract_name("hello i'm dana and i'd like to book", false), "Dana");
  EXPECT_EQ(extract_name("yeah this is bo chen", false), "Bo Chen");
  // Later in a sentence they introduce other things.
  EXPECT_EQ(extract_name("i'd like to book and this is kevin", false), std::nullopt);
}

TEST(caller_names, come_from_an_answer_to_the_question) {
  EXPECT_EQ(extract_name("ann lee", true), "Ann Lee");
  EXPECT_EQ(extract_name("um john smith", true), "John Smith");
  EXPECT_EQ(extract_name("sure it's priya", true), "Priya");
  EXPECT_EQ(extract_name("it's maria garcia lopez and", true), "Maria Garcia Lopez");
  EXPECT_EQ(extract_name("ann lee please", true), "Ann Lee");
  EXPECT_EQ(extract_name("yes it is tom", true), "Tom");
  // Whose name, titles, a last name said apart, and "put it under" forms.
  EXPECT_EQ(extract_name("it's for my son tyler brooks", true), "Tyler Brooks");
  EXPECT_EQ(extract_name("this is mrs rodriguez", false), "Rodriguez");
  EXPECT_EQ(extract_name("my name is mark and my last name is davis", false), "Mark Davis");
  EXPECT_EQ(extract_name("first name linda last name cho", true), "Linda Cho");
  EXPECT_EQ(extract_name("yeah it's under chris", true), "Chris");
  EXPECT_EQ(extract_name("name's joe", true), "Joe");
  EXPECT_EQ(extract_name("i'm due for a cleaning", false, services), std::nullopt);
  // Not an answer: a name-like word followed by a sentence.
  EXPECT_EQ(extract_name("ann wants a checkup tomorrow", true, services), std::nullopt);
  // A given name that is also a word, answered with the surname after it.
  EXPECT_EQ(extract_name("Will Turner.", true), "Will Turner");
  EXPECT_EQ(extract_name("june park please", true), "June Park");
  EXPECT_EQ(extract_name("will do", true), std::nullopt);
  EXPECT_EQ(extract_name("may i ask something", true), std::nullopt);
  EXPECT_EQ(extract_name("march fifth", true), std::nullopt);
  EXPECT_EQ(extract_name("Will Turner.", false), std::nullopt); // not asked: no lead-in, no name
  EXPECT_EQ(extract_name("", true), std::nullopt);
  EXPECT_EQ(extract_name("   ", true), std::nullopt);
}

// What the recogniser makes of a name it does not know: the name-like words, after the last
// "is" when the caller said one, and only when one of them is a common name.
TEST(caller_names, are_guessed_from_an_answer_with_stray_words) {
  EXPECT_EQ(guess_name("jim all williams", services), "Jim Williams");
  EXPECT_EQ(guess_name("linda twelve", services), "Linda");
  EXPECT_EQ(guess_name("march is sean", services), "Sean");
  EXPECT_EQ(guess_name("turner amy is chloe martin", services), "Chloe Martin");
  EXPECT_EQ(guess_name("so the adams", services), "Adams");
  EXPECT_EQ(guess_name("ruth the carter", services), "Ruth Carter");
  EXPECT_EQ(guess_name("kevin judy whitening", {"whitening"}), "Kevin Judy");
  EXPECT_EQ(guess_name("sarah no m", services), "Sarah");
  EXPECT_EQ(guess_name("amy fourteenth", services), "Amy");
  EXPECT_EQ(guess_name("maria lopez garcia smith", services), "Lopez Garcia Smith");
  // Ordinary words, days and times, yes and no: no name, however the answer goes.
  for (auto t : {"they took him", "hold on a sec", "yes please", "yes", "no thanks",
                 "i'd rather not say", "tuesday at ten", "the first one", "", "   "})
    EXPECT_EQ(guess_name(t, services), std::nullopt) << t;
}

TEST(caller_names, no_word_that_is_never_a_name_ends_up_in_one) {
  for (auto& t : time_expressions())
    for (bool expecting : {false, true}) {
      auto n = extract_name("my name is " + t, expecting, services);
      for (auto& w : frontdesk::lower_words(n.value_or("")))
        EXPECT_FALSE(never_a_name(w) && w != "june" && w != "may" && w != "march")
            << t << " -> " << *n;
    }
}

TEST(caller_request, keeps_the_callers_words_for_what_they_want) {
  EXPECT_EQ(extract_request("i would like to book a checkup for tomorrow at ten a m"),
            "a checkup");
  EXPECT_EQ(extract_request("can i book an appointment for a consultation next week"),
            "a consultation");
  EXPECT_EQ(extract_request("i need to schedule my annual physical"), "your annual physical");
  EXPECT_EQ(extract_request("i'd like to get a teeth cleaning appointment friday"),
            "a teeth cleaning");
  EXPECT_EQ(extract_request("i want an eye exam on monday"), "an eye exam");
  // Nothing said beyond "an appointment" or a time.
  EXPECT_EQ(extract_request("i'd like to book an appointment for tomorrow"), "");
  EXPECT_EQ(extract_request("book me for the afternoon"), "");
  EXPECT_EQ(extract_request("can i get a time on friday"), "");
  EXPECT_EQ(extract_request(""), "");
  // "for" heard as "four" after "come in" (an audio scenario), but not a time.
  EXPECT_EQ(extract_request("friday i'd like to come in four a consultation on friday at ten a m"),
            "a consultation");
  EXPECT_EQ(extract_request("can i come in at four a m"), "");
}

TEST(caller_id, is_used_when_it_is_a_real_number) {
  EXPECT_EQ(usable_caller_id("+15557770100"), "+15557770100");
  EXPECT_EQ(usable_caller_id("+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(usable_caller_id("5557770100"), "+15557770100");
  for (auto withheld : {"", "anonymous", "Anonymous", "restricted", "unknown", "+266696687",
                        "+7378742833", "+8656696", "+2562533", "+86282452253", "client:alice",
                        "sip:ann@example.com", "+123", "+1234567890123456"})
    EXPECT_EQ(usable_caller_id(withheld), std::nullopt) << withheld;
}

TEST(leaving, is_heard_in_many_words) {
  for (auto t : {"goodbye", "okay bye", "never mind", "nevermind then", "forget it",
                 "no that's all", "i'll call back later", "actually i have to go",
                 "that's it thanks", "thank you have a good day"})
    EXPECT_TRUE(is_leaving(t)) << t;
  for (auto t : {"yes", "tomorrow at ten", "my name is ann", "is it bigger", "by friday",
                 "five five five", ""})
    EXPECT_FALSE(is_leaving(t)) << t;
}

// A bye said on the way to something else is not leaving; a parting with pleasantries is.
TEST(leaving, is_not_a_bye_said_in_passing) {
  for (auto t : {"what's your address bye the wei", "goodbye come in on friday at two p m",
                 "is dr patel goodbye kids"})
    EXPECT_FALSE(is_leaving(t)) << t;
  for (auto t : {"bye", "okay bye", "goodbye and thanks again for your help", "bye bye",
                 "bye for now take care", "never mind goodbye come in friday"})
    EXPECT_TRUE(is_leaving(t)) << t;
}

TEST(this_number, is_a_pointer_at_the_caller_id) {
  EXPECT_TRUE(means_this_number("you can use this number"));
  EXPECT_TRUE(means_this_number("the number i'm calling from"));
  EXPECT_TRUE(means_this_number("same number"));
  EXPECT_FALSE(means_this_number("five five five one two three four"));
}

// Every prefix and suffix of a sentence, and malformed bytes, give an answer or nothing; never
// a crash, never a name made of words that cannot be names.
TEST(caller_details, every_split_and_malformed_input) {
  std::string s = "hi this is ann o'brien, I'd like to book a checkup for tomorrow at 10 am!";
  for (std::size_t k = 0; k <= s.size(); ++k)
    for (auto part : {s.substr(0, k), s.substr(k)})
      for (bool expecting : {false, true}) {
        if (auto n = extract_name(part, expecting, services)) {
          EXPECT_FALSE(n->empty());
          EXPECT_LE(frontdesk::lower_words(*n).size(), 3u);
        }
        if (auto g = guess_name(part, services)) {
          EXPECT_FALSE(g->empty());
          EXPECT_LE(frontdesk::lower_words(*g).size(), 3u);
        }
        extract_request(part);
        is_leaving(part);
        usable_caller_id(part);
      }
  std::string bad = "\xff\xfe my name is \x01\x02 \xc3\xa9lodie";
  EXPECT_NO_THROW(extract_name(bad, true));
  EXPECT_NO_THROW(extract_request(bad));
  EXPECT_EQ(usable_caller_id(bad), std::nullopt);
}

// Found by the fuzzer: control characters between letters made a name whose words, read again,
// were not one to three. A name found is always one to three words as it will be read back.
TEST(caller_names, are_one_to_three_words_even_with_control_characters) {
  const std::string text("july\bo'sf\bly\bofK", 16);
  for (bool expecting : {false, true})
    if (auto n = extract_name(text, expecting, {"cleaning", "checkup"})) {
      auto ws = frontdesk::lower_words(*n);
      EXPECT_FALSE(ws.empty()) << *n;
      EXPECT_LE(ws.size(), 3u) << *n;
    }
}
