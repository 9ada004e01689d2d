#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace frontdesk::audio {

/// 20 ms of 8 kHz audio: the frame every part of the call works in.
constexpr std::size_t frame_samples = 160;

/// G.711 μ-law, bit-exact with the ITU reference: decoding through a 256-entry table,
/// encoding through a 16384-entry table indexed by the top 14 bits.
std::int16_t mulaw_decode(std::uint8_t code);
std::uint8_t mulaw_encode(std::int16_t sample);

void mulaw_decode(std::span<const std::uint8_t> in, std::vector<std::int16_t>& out);
void mulaw_encode(std::span<const std::int16_t> in, std::vector<std::uint8_t>& out);

/// μ-law of silence.
constexpr std::uint8_t mulaw_silence = 0xFF;

} // namespace frontdesk::audio
