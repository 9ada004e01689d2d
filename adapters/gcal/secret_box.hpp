#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::gcal {

/// Seals secrets at rest (refresh tokens) with libsodium's secretbox (XSalsa20-Poly1305): a
/// random nonce, then the sealed bytes. The key is 32 bytes given as 64 hex digits or base64
/// (FRONTDESK_SECRET_KEY); without a valid key nothing is sealed and nothing is stored.
class secret_box {
public:
  /// Fails when the key is empty or not 32 bytes.
  static expected<secret_box> from_key_text(std::string_view key_text);

  std::vector<std::uint8_t> seal(std::string_view plain) const;
  /// Fails when the box was sealed under another key or was changed.
  expected<std::string> open(const std::vector<std::uint8_t>& box) const;

private:
  std::vector<std::uint8_t> key_;
};

/// `n` random bytes from libsodium.
std::vector<std::uint8_t> random_bytes(std::size_t n);
/// SHA-256 of `text`.
std::vector<std::uint8_t> sha256(std::string_view text);

} // namespace frontdesk::gcal
