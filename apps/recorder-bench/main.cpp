// Prints what recording a call costs: CPU per 20 ms of call for speech-like audio on both legs,
// through the same recorder a call uses (mix, encode, Ogg pages, flush every 200 ms block).
//   frontdesk-recorder-bench [--seconds S] [--calls N] [--quiet-line]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "adapters/speech/recorder.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk;

int main(int argc, char** argv) {
  CLI::App app{"Measure the call recorder: CPU per 20 ms of call and bytes per second."};
  int seconds = 60;
  int calls = 20;
  app.add_option("--seconds", seconds, "Length of each recorded call")->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--calls", calls, "Calls recorded one after another")->capture_default_str()
      ->check(CLI::Range(1, 1000));
  bool quiet = false;
  app.add_flag("--quiet-line", quiet,
               "The caller's line is digital silence between words (a muted or noise-suppressed "
               "line, and the load generator's callers): the caller speaks a quarter of the "
               "time, the agent half, and a quarter is silent on both legs");
  CLI11_PARSE(app, argc, argv);

  // Both legs: a voiced tone with noise, the agent's half the time (a conversation's shape).
  std::mt19937 gen(7);
  std::normal_distribution<double> noise(0, 300);
  std::vector<std::uint8_t> caller(8000 * seconds), agent(8000 * seconds);
  for (std::size_t i = 0; i < caller.size(); ++i) {
    double env = std::sin(double(i) * 0.0007);
    double voice = 4000 * std::sin(double(i) * 0.3) * env * env;
    caller[i] = audio::mulaw_encode(static_cast<std::int16_t>(voice + noise(gen)));
    if (quiet && (i / 16000) % 4 != 0)
      caller[i] = audio::mulaw_silence;
    agent[i] = (i / 16000) % 2 ? audio::mulaw_encode(static_cast<std::int16_t>(
                                     3000 * std::sin(double(i) * 0.11) + noise(gen)))
                               : audio::mulaw_silence;
  }
  auto dir = std::filesystem::temp_directory_path() / ("frontdesk-recorder-bench-" +
                                                       std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::size_t block = 1600; // 200 ms, as a call hands it over
  double cpu_s = 0;
  std::uintmax_t bytes = 0;
  for (int c = 0; c < calls; ++c) {
    auto path = (dir / ("call" + std::to_string(c) + ".opus")).string();
    auto t0 = std::clock();
    auto r = speech::recorder::open(path, "bench");
    if (!r) {
      std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
      return 1;
    }
    for (std::size_t i = 0; i < caller.size(); i += block)
      (*r)->write(std::span(caller).subspan(i, block), std::span(agent).subspan(i, block));
    (*r)->close();
    cpu_s += double(std::clock() - t0) / CLOCKS_PER_SEC;
    bytes += std::filesystem::file_size(path);
  }
  std::filesystem::remove_all(dir);
  double frames = double(calls) * seconds * 50;
  std::printf("recorded %d calls of %d s%s: %.2f us CPU per 20 ms of call, %.1f kbit/s on disk\n",
              calls, seconds, quiet ? " (quiet line)" : "", 1e6 * cpu_s / frames, double(bytes) * 8 / (calls * seconds) / 1000);
  std::printf("{\"us_per_frame\":%.3f,\"kbit_per_s\":%.2f}\n", 1e6 * cpu_s / frames,
              double(bytes) * 8 / (calls * seconds) / 1000);
  return 0;
}
