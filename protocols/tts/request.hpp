#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace frontdesk::tts {

/// The most characters one synthesis request may carry (OpenAI's /v1/audio/speech answers 400
/// above it).
inline constexpr std::size_t max_input = 4096;

/// `text` cut into pieces of at most `max` bytes (max >= 8), joined they give `text` back: at
/// the last sentence end (". ", "? ", "! ", a newline) that fits, else at the last space, else
/// before the UTF-8 character that would not fit. Pieces of blanks only are left out.
std::vector<std::string_view> split_input(std::string_view text, std::size_t max = max_input);

/// An error body saying the account is out of credit (OpenAI's `insufficient_quota`, as
/// `error.code` or `error.type`): waiting will not help, so no retry.
bool out_of_quota(std::string_view body);

} // namespace frontdesk::tts
