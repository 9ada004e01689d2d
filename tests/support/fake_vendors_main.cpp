// The speech vendors' fakes as a process, for load runs of a node on cloud engines
// (scripts/bench.sh --engines cloud): a Deepgram live server whose every connection
// "recognises" the given turns in order, and an OpenAI speech server answering each sentence
// with 24 kHz pcm (a tone, 60 ms a character) in odd-sized chunks. Prints one line with both
// URLs, then serves on 127.0.0.1 until SIGINT or SIGTERM.
//   frontdesk-fake-vendors --turns "I would like to book a cleaning|yes please"
#include <csignal>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/support/fake_deepgram.hpp"
#include "tests/support/fake_openai.hpp"

using namespace frontdesk::fixtures;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= s.size()) {
    auto bar = std::min(s.find('|', from), s.size());
    out.push_back(s.substr(from, bar - from));
    from = bar + 1;
  }
  return out;
}

std::string tone_pcm(std::size_t ms) {
  std::string b;
  b.reserve(ms * 48);
  for (std::size_t i = 0; i < ms * 24; ++i) {
    auto s = static_cast<std::int16_t>(6000 * std::sin(2 * std::numbers::pi * 300.0 * double(i) / 24000));
    b += static_cast<char>(s & 0xff);
    b += static_cast<char>((static_cast<std::uint16_t>(s) >> 8) & 0xff);
  }
  return b;
}

} // namespace

int main(int argc, char** argv) {
  std::string turns;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--turns") == 0)
      turns = argv[i + 1];
  if (turns.empty()) {
    std::cerr << "usage: frontdesk-fake-vendors --turns \"first turn|second turn\"\n";
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr); // before any thread starts: only sigwait takes them
  fake_deepgram stt(split(turns));
  stt.set_script_per_connection(true);
  const auto second = tone_pcm(1000);
  fake_openai tts([&](const recorded_request& req, int) {
    scripted_reply r;
    r.content_type = "application/octet-stream";
    std::size_t chars = 20;
    boost::system::error_code ec;
    auto j = boost::json::parse(req.body, ec);
    if (!ec && j.is_object())
      if (auto* in = j.get_object().if_contains("input"); in && in->is_string())
        chars = in->get_string().size();
    auto ms = std::min<std::size_t>(60 * chars, 20000);
    std::string body;
    while (body.size() < ms * 48)
      body += second.substr(0, std::min(second.size(), ms * 48 - body.size()));
    for (std::size_t off = 0; off < body.size(); off += 4801) // split mid-sample
      r.chunks.push_back(body.substr(off, 4801));
    return r;
  });
  std::cout << "deepgram " << stt.url() << " openai " << tts.base_url() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  auto conns = stt.connections();
  std::size_t closed = 0;
  for (auto& c : conns)
    closed += c.close_stream;
  std::cerr << "fake vendors: " << conns.size() << " recogniser sockets (" << closed
            << " closed with CloseStream), " << tts.count() << " speech requests\n";
  tts.stop();
  stt.stop();
  return 0;
}
