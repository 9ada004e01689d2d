#include "protocols/core/concepts.hpp"

#include <algorithm>
#include <array>

#include "protocols/core/words.hpp"

namespace frontdesk {
namespace {

// Groups of words a caller and a business's written knowledge use for the same thing. Only
// words that mean the thing itself: verbs that go with many things ("take", "do", "have") stay
// out, or "do you take walk-ins" would find the insurance passage. An aspect (price, hours) is
// asked of a subject; see question_concept.
struct group {
  std::string_view words;
  bool aspect;
};
constexpr std::array<group, 12> groups = {{
    {"kid kids child children son sons daughter daughters toddler toddlers baby babies infant "
     "infants teen teens teenager teenagers pediatric paediatric", false},
    {"price prices cost costs much charge charges fee fees expensive cheap pricing rate rates", true},
    {"insurance insurer insured coverage", false},
    {"park parking lot garage", false},
    {"address located location directions", false},
    {"hour hours open opening opens close closes closing", true},
    {"card cards credit debit cash payment payments pay paying", false},
    {"weekend weekends saturday saturdays sunday sundays", false},
    {"doctor doctors dentist dentists dr physician physicians hygienist", false},
    {"wheelchair accessible accessibility ramp elevator stairs", false},
    {"cancel cancellation cancellations cancelling canceling", false},
    {"late lateness early arrive arrival", false},
}};

// Words that carry nothing about the subject of a question (beyond what a text search's own
// stop words drop): forms of address and politeness. Groups hold single words only: a hyphen
// would split "walk-in" into "walk" and "in", and "in" would then stand for walking in.
constexpr std::array<std::string_view, 12> fillers = {
    "guys", "folks", "please", "thanks", "thank", "hi", "hello", "hey", "um", "uh", "just", "actually"};

} // namespace

std::vector<question_concept> question_concepts(std::string_view question) {
  std::vector<question_concept> out;
  auto add = [&](question_concept c) {
    if (std::find(out.begin(), out.end(), c) == out.end())
      out.push_back(std::move(c));
  };
  for (auto& w : lower_words(question)) {
    if (std::find(fillers.begin(), fillers.end(), w) != fillers.end())
      continue;
    bool grouped = false;
    for (std::size_t i = 0; i < groups.size() && !grouped; ++i) {
      auto members = lower_words(groups[i].words);
      if (std::find(members.begin(), members.end(), w) != members.end()) {
        add({std::string(groups[i].words), groups[i].aspect});
        grouped = true;
      }
    }
    if (!grouped)
      add({w, false});
  }
  return out;
}

} // namespace frontdesk
