#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "protocols/core/expected.hpp"

namespace frontdesk::speech {

/// A call's recording: both legs mixed into one Ogg Opus file (8 kHz mono, 16 kbit/s). Each
/// write() ends with its pages on disk, so a crash loses at most the last block.
///
/// Opus encodes the telephone's 8 kHz directly (libopus in its CELT mode at complexity 0, 20 ms
/// packets) and libogg frames it as RFC 7845 says. Measured per 20 ms of call with
/// `frontdesk-recorder-bench`: libopusenc (always 48 kHz, after resampling) 56 µs, narrowband
/// SILK at its cheapest 29 µs, CELT 13.5 µs. The recording is still the largest per-frame cost of
/// a loaded node.
/// Blocking file I/O: use from a worker, one thread at a time.
class recorder {
public:
  static expected<std::unique_ptr<recorder>> open(const std::string& path,
                                                  const std::string& title);
  ~recorder();
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;
  /// A block of each leg, sample by sample (either may be shorter or empty: silence). μ-law in.
  void write(std::span<const std::uint8_t> caller, std::span<const std::uint8_t> agent);
  /// Encodes what is left, writes the last page and closes the file (also done by the
  /// destructor).
  void close();
  double seconds() const { return double(samples_) / 8000.0; }

  struct impl;

private:
  recorder() = default;
  std::unique_ptr<impl> impl_;
  std::uint64_t samples_ = 0;
};

} // namespace frontdesk::speech
