#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::wav {

/// Decoded audio from a WAV file: mono 16-bit samples, or μ-law bytes as stored.
struct audio {
  int sample_rate = 0;
  bool mulaw = false;                // format 7 (G.711 μ-law): bytes in `mulaw_bytes`
  std::vector<std::int16_t> samples; // PCM 16-bit (format 1), channels mixed down to mono
  std::vector<std::uint8_t> mulaw_bytes;
};

/// Parses a RIFF/WAVE file: PCM 16-bit or μ-law, any channel count (mixed to mono), any rate.
/// Unknown chunks are skipped; truncated or inconsistent files are refused.
expected<audio> parse(std::span<const std::uint8_t> bytes);

/// Writes mono 16-bit PCM as a WAV file's bytes.
std::vector<std::uint8_t> write_pcm16(std::span<const std::int16_t> samples, int sample_rate);

/// Writes μ-law bytes as a WAV file (format 7), which players open directly.
std::vector<std::uint8_t> write_mulaw(std::span<const std::uint8_t> mulaw, int sample_rate);

} // namespace frontdesk::wav
