#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "protocols/core/expected.hpp"

namespace frontdesk::speech {

/// A call's recording: both legs mixed into one Ogg Opus file (8 kHz mono, ~12 kbit/s), with
/// short muxing delays so pages reach the disk often and a crash keeps most of the call.
/// Blocking file I/O: use from a worker, one thread at a time.
class recorder {
public:
  static expected<std::unique_ptr<recorder>> open(const std::string& path,
                                                  const std::string& title);
  ~recorder();
  /// One 20 ms frame of each leg (either may be empty: silence). μ-law in.
  void write(std::span<const std::uint8_t> caller, std::span<const std::uint8_t> agent);
  /// Drains and closes the file (also done by the destructor).
  void close();
  double seconds() const { return double(samples_) / 8000.0; }

private:
  recorder() = default;
  void* enc_ = nullptr;
  std::uint64_t samples_ = 0;
};

} // namespace frontdesk::speech
