#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace frontdesk {

/// Common given names (of several generations and origins), lower case: what the recogniser
/// leans towards when the dialog asks for a name, and what the dialog trusts as a name in an
/// answer it otherwise cannot read.
const std::vector<std::string>& common_given_names();

/// Common surnames, lower case, for names said and for names spelled.
const std::vector<std::string>& common_surnames();

/// True when `word` (lower case) is one of the common given names or surnames.
bool is_common_name(std::string_view word);

} // namespace frontdesk
