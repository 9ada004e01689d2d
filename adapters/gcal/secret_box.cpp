#include "adapters/gcal/secret_box.hpp"

#include <sodium.h>

namespace frontdesk::gcal {
namespace {

bool ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

} // namespace

expected<secret_box> secret_box::from_key_text(std::string_view text) {
  if (!ready())
    return fail("sodium", "libsodium failed to initialise");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  if (text.empty())
    return fail("no_secret_key", "FRONTDESK_SECRET_KEY is not set: tokens cannot be stored");
  std::vector<std::uint8_t> key(crypto_secretbox_KEYBYTES);
  std::size_t len = 0;
  bool ok = false;
  if (text.size() == 2 * crypto_secretbox_KEYBYTES)
    ok = sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &len,
                        nullptr) == 0 &&
         len == key.size();
  if (!ok) {
    for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_URLSAFE,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
      std::vector<std::uint8_t> buf(text.size());
      if (sodium_base642bin(buf.data(), buf.size(), text.data(), text.size(), nullptr, &len,
                            nullptr, variant) == 0 &&
          len == key.size()) {
        std::copy(buf.begin(), buf.begin() + static_cast<long>(len), key.begin());
        sodium_memzero(buf.data(), buf.size());
        ok = true;
        break;
      }
    }
  }
  if (!ok)
    return fail("bad_secret_key", "FRONTDESK_SECRET_KEY must be 32 bytes (64 hex digits or base64)");
  secret_box b;
  b.key_ = std::move(key);
  return b;
}

std::vector<std::uint8_t> secret_box::seal(std::string_view plain) const {
  std::vector<std::uint8_t> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        out.data(), key_.data());
  return out;
}

expected<std::string> secret_box::open(const std::vector<std::uint8_t>& box) const {
  if (box.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return fail("bad_box", "sealed secret too short");
  std::string plain(box.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 box.data() + crypto_secretbox_NONCEBYTES,
                                 box.size() - crypto_secretbox_NONCEBYTES, box.data(),
                                 key_.data()) != 0)
    return fail("bad_box", "sealed secret does not open with this key");
  return plain;
}

std::vector<std::uint8_t> random_bytes(std::size_t n) {
  ready();
  std::vector<std::uint8_t> out(n);
  randombytes_buf(out.data(), n);
  return out;
}

std::vector<std::uint8_t> sha256(std::string_view text) {
  ready();
  std::vector<std::uint8_t> out(crypto_hash_sha256_BYTES);
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return out;
}

} // namespace frontdesk::gcal
