#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/caller/simulator.hpp"
#include "protocols/core/expected.hpp"

namespace frontdesk::caller {

/// What a scenario expects the call to have done (the optional "expect" object of a scenario
/// file; `frontdesk call --check` compares the call's record against it).
struct expectation {
  std::optional<std::string> booked;    // "2026-03-05T14:00" (local), or "" for "nothing booked"
  std::optional<std::string> cancelled; // the cancelled appointment's local start
  std::optional<bool> transferred;
  std::vector<std::string> said;        // phrases the receptionist said (case-insensitive)
  std::vector<std::string> not_said;    // phrases the receptionist never said
  std::optional<std::string> name;      // the booked appointment's customer name
  std::optional<std::string> phone;     // the booked appointment's contact number
  std::optional<std::string> asked_for; // in the booked appointment's service or notes
  bool empty() const {
    return !booked && !cancelled && !transferred && said.empty() && not_said.empty() && !name &&
           !phone && !asked_for;
  }
};

/// A caller's script: {"caller": "+1...", "turns": ["words", {"audio": "file.wav"}, ...],
/// "expect": {...}}. Audio turns are mono WAV (16-bit PCM or μ-law) at 8 or 16 kHz, or raw
/// 8 kHz μ-law; a relative path is read next to the scenario file.
struct scenario {
  std::string caller;
  std::string to; // the number called, when the scenario names one
  std::vector<std::string> texts;                 // per turn; empty for an audio turn
  std::vector<std::vector<std::uint8_t>> audio;   // per turn, 8 kHz μ-law
  expectation expect;
};

/// Reads a scenario file and voices its word turns with Flite `voice`.
expected<scenario> load_scenario(const std::string& path, const std::string& voice = "rms");

/// Puts a scenario into a simulated call. In text mode the turns also go to the node as the
/// call's declared script, which a node with speech.accept_scripts hears instead of recognising
/// the audio (the audio is still sent: it makes the turns). Fails for audio turns in text mode.
std::optional<failure> apply_scenario(const scenario& s, sim_options& o, bool text_mode);

/// Caller audio as 8 kHz μ-law from a file: WAV (PCM 16-bit or μ-law; 8 or 16 kHz, 16 kHz is
/// resampled) or raw μ-law.
expected<std::vector<std::uint8_t>> load_caller_audio(const std::string& path);

/// Compares what the call did (the simulator's report and the call's record as
/// calls_repo::call_report_json gives it) with the expectation: one line per mismatch.
std::vector<std::string> check_expectation(const expectation& e, const sim_report& r,
                                           const std::string& call_json);

} // namespace frontdesk::caller
