#include "protocols/core/names.hpp"

#include <unordered_set>

namespace frontdesk {

const std::vector<std::string>& common_given_names() {
  static const std::vector<std::string> s = {
      "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
      "charles", "christopher", "daniel", "matthew", "anthony", "mark", "donald", "steven", "paul",
      "andrew", "joshua", "kenneth", "kevin", "brian", "george", "timothy", "ronald", "edward",
      "jason", "jeffrey", "ryan", "jacob", "gary", "nicholas", "eric", "jonathan", "stephen",
      "larry", "justin", "scott", "brandon", "benjamin", "samuel", "frank", "gregory", "raymond",
      "alexander", "patrick", "jack", "dennis", "jerry", "tyler", "aaron", "jose", "henry", "adam",
      "douglas", "nathan", "peter", "zachary", "kyle", "noah", "ethan", "jeremy", "walter",
      "christian", "keith", "roger", "terry", "austin", "sean", "gerald", "carl", "harold", "dylan",
      "arthur", "lawrence", "jordan", "jesse", "bryan", "billy", "bruce", "gabriel", "joe", "logan",
      "albert", "willie", "alan", "eugene", "russell", "vincent", "philip", "bobby", "johnny",
      "bradley", "liam", "lucas", "mason", "oliver", "elijah", "aiden", "carlos", "luis", "juan",
      "miguel", "ben", "tom", "mike", "dave", "jim", "bob", "bill", "dan", "matt", "chris", "tony",
      "steve", "wei", "raj", "omar", "ahmed", "ali", "hiroshi", "mary", "patricia", "jennifer",
      "linda", "elizabeth", "barbara", "susan", "jessica", "sarah", "karen", "lisa", "nancy",
      "betty", "margaret", "sandra", "ashley", "kimberly", "emily", "donna", "michelle", "carol",
      "amanda", "dorothy", "melissa", "deborah", "stephanie", "rebecca", "sharon", "laura",
      "cynthia", "kathleen", "amy", "angela", "shirley", "anna", "brenda", "pamela", "emma",
      "nicole", "helen", "samantha", "katherine", "christine", "debra", "rachel", "carolyn",
      "janet", "catherine", "maria", "heather", "diane", "ruth", "julie", "olivia", "joyce",
      "virginia", "victoria", "kelly", "lauren", "christina", "joan", "evelyn", "judith", "megan",
      "andrea", "cheryl", "hannah", "jacqueline", "martha", "gloria", "teresa", "ann", "sara",
      "madison", "frances", "kathryn", "janice", "jean", "abigail", "alice", "julia", "judy",
      "sophia", "grace", "denise", "amber", "doris", "marilyn", "danielle", "beverly", "isabella",
      "theresa", "diana", "natalie", "brittany", "charlotte", "marie", "kayla", "alexis", "lori",
      "ava", "mia", "chloe", "zoe", "lily", "ella", "rosa", "ana", "carmen", "lucia", "priya",
      "mei", "fatima", "aisha", "june", "kate", "jane", "sue", "liz", "jenny"};
  return s;
}

const std::vector<std::string>& common_surnames() {
  static const std::vector<std::string> s = {
      "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
      "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
      "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
      "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright",
      "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall",
      "rivera", "campbell", "mitchell", "carter", "roberts", "gomez", "phillips", "evans",
      "turner", "diaz", "parker", "cruz", "edwards", "collins", "reyes", "stewart", "morris",
      "morales", "murphy", "cook", "rogers", "gutierrez", "ortiz", "morgan", "cooper", "peterson",
      "bailey", "reed", "kelly", "howard", "ramos", "kim", "cox", "ward", "richardson", "watson",
      "brooks", "chavez", "wood", "james", "bennett", "gray", "mendoza", "ruiz", "hughes", "price",
      "alvarez", "castillo", "sanders", "patel", "myers", "long", "ross", "foster", "jimenez",
      "powell", "jenkins", "perry", "russell", "sullivan", "bell", "coleman", "butler", "henderson",
      "barnes", "fisher", "vasquez", "simmons", "graham", "stone", "shah", "chen", "wang",
      "kowalski", "quigley", "vaughn", "zimmerman", "fox", "jaworski", "okafor", "xu", "yates"};
  return s;
}

bool is_common_name(std::string_view word) {
  static const std::unordered_set<std::string_view> all = [] {
    std::unordered_set<std::string_view> out;
    for (auto* list : {&common_given_names(), &common_surnames()})
      for (auto& w : *list)
        out.insert(w);
    return out;
  }();
  return all.count(word) > 0;
}

} // namespace frontdesk
