#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::twilio {

/// Standard base64 (RFC 4648) with padding.
std::string base64_encode(std::span<const std::uint8_t> bytes);
/// Appends the encoding to `out` (no allocation when `out` has the capacity).
void base64_encode_to(std::span<const std::uint8_t> bytes, std::string& out);
/// Strict decoding: only the standard alphabet, correct padding, length a multiple of four.
expected<std::vector<std::uint8_t>> base64_decode(std::string_view text);
/// Decodes into `out` (cleared first). False on any invalid input.
bool base64_decode_to(std::string_view text, std::vector<std::uint8_t>& out);

} // namespace frontdesk::twilio
