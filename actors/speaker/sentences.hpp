#pragma once

#include <string>
#include <vector>

namespace frontdesk::speaker {

/// Splits a reply into the sentences synthesised one after the other (the first plays while
/// the next is made). Pieces of bare punctuation are dropped.
std::vector<std::string> sentences(const std::string& text);

} // namespace frontdesk::speaker
