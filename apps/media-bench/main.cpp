// Prints what one Twilio media message costs the node: thread CPU per inbound message read by
// the full parser and by the fast path, and per outbound message written per call (media_message)
// and by a stream's writer (media_writer).
//   frontdesk-media-bench [--messages N]
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "protocols/twilio/media_stream.hpp"

using namespace frontdesk::twilio;

namespace {

double thread_cpu_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// Runs `body` n times; thread CPU ns per run.
template <class F>
double per_run(int n, F&& body) {
  auto start = thread_cpu_ns();
  for (int i = 0; i < n; ++i)
    body(i);
  return (thread_cpu_ns() - start) / n;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measure reading and writing Twilio media messages: CPU per 20 ms frame."};
  int n = 200000;
  app.add_option("--messages", n, "Messages read and written in each way")->capture_default_str()
      ->check(CLI::Range(1000, 100000000));
  CLI11_PARSE(app, argc, argv);

  // Frames as a call sends them: 160 bytes of μ-law, each message its own sequence numbers.
  std::vector<std::string> in;
  std::vector<std::uint8_t> frame(160);
  for (int i = 0; i < 64; ++i) {
    for (std::size_t j = 0; j < frame.size(); ++j)
      frame[j] = static_cast<std::uint8_t>(j * 31 + static_cast<std::size_t>(i) * 7);
    in.push_back(inbound_media_message(static_cast<std::uint64_t>(i) + 2, "MZ18ad3ab5a668481ce02b83e7395059f0",
                                       static_cast<std::uint64_t>(i) + 1,
                                       static_cast<std::uint64_t>(i) * 20, frame));
  }
  std::size_t sink = 0;
  auto full = per_run(n, [&](int i) {
    auto m = parse_from_twilio(in[static_cast<std::size_t>(i) % in.size()]);
    sink += m ? m->payload.size() : 0;
  });
  std::vector<std::uint8_t> payload;
  auto fast = per_run(n, [&](int i) {
    media_view v;
    if (read_twilio_media(in[static_cast<std::size_t>(i) % in.size()], v, payload))
      sink += payload.size() + v.timestamp_ms;
  });
  auto each = per_run(n, [&](int) {
    sink += media_message("MZ18ad3ab5a668481ce02b83e7395059f0", frame).size();
  });
  media_writer writer("MZ18ad3ab5a668481ce02b83e7395059f0");
  auto reused = per_run(n, [&](int) { sink += writer.media(frame).size(); });
  std::printf("inbound media message (%zu bytes), read:  full parser %.0f ns, fast path %.0f ns\n",
              in.front().size(), full, fast);
  std::printf("outbound media message, written:         media_message %.0f ns, media_writer %.0f ns\n",
              each, reused);
  std::printf("(%d messages each; checksum %zu)\n", n, sink);
  return 0;
}
