#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace frontdesk {

/// One thing a question is about: the words that say it, and whether it is an aspect (a price,
/// opening hours) that a question asks of a subject ("how much is a whitening") rather than a
/// subject itself.
struct question_concept {
  std::string words; // space separated
  bool aspect = false;
  bool operator==(const question_concept&) const = default;
};

/// What a caller's question is about, as concepts: each concept is the words that say the same
/// thing in a small business's knowledge, space separated ("kids" → "kids kid children child son
/// daughter ..."; "much" in "how much" → "price cost costs ..."). A word of no known group is a
/// concept of its own; fillers ("you guys", "please") are left out; two words of one group make
/// one concept. A knowledge passage answers a question when it says enough of its concepts, in
/// any of their words: "do you see kids" finds "we see patients of all ages, including children",
/// and names a subject the question names when it names one: the price of a cleaning does not
/// answer "how much is a whitening".
std::vector<question_concept> question_concepts(std::string_view question);

} // namespace frontdesk
