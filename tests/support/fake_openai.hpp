#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace frontdesk::fixtures {

using header_pairs = std::vector<std::pair<std::string, std::string>>;

/// A request the fake server received.
struct recorded_request {
  std::string method, target;
  header_pairs headers;
  std::string body;
  /// A header's value by case-insensitive name, or nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

/// How the fake answers one request: a status, headers, and a body written as HTTP/1.1 chunks
/// with real pauses between them.
struct scripted_reply {
  int status = 200;
  std::string content_type = "text/event-stream";
  header_pairs headers;
  std::vector<std::string> chunks;
  std::chrono::milliseconds gap{0};   // before each chunk after the first
  std::chrono::milliseconds stall{0}; // before the status line
  bool cut_off = false;               // close the connection instead of ending the body
  bool reset = false;                 // after the stall, reset the connection (RST), no answer
};

/// An OpenAI-compatible server on 127.0.0.1 (an ephemeral port) for tests: plain sockets, one
/// thread per connection, keep-alive, SSE bodies sent chunk by chunk. The script sees each
/// request and its 1-based number.
class fake_openai {
public:
  using script = std::function<scripted_reply(const recorded_request& req, int n)>;

  explicit fake_openai(script s);
  ~fake_openai();
  fake_openai(const fake_openai&) = delete;
  fake_openai& operator=(const fake_openai&) = delete;

  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:PORT/v1"
  std::string base_url() const;
  std::vector<recorded_request> requests() const;
  int count() const;
  /// Closes every connection and joins the threads (the destructor does it too).
  void stop();

private:
  void accept_loop();
  void serve(int fd);
  bool wait(std::chrono::milliseconds d); // false when stopping

  script script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<recorded_request> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

/// `data: <payload>\n\n`
std::string sse_data(std::string_view payload);

/// A realistic content stream: role delta, the pieces, an empty delta with finish_reason
/// "stop", a usage chunk, [DONE]; one string per event.
std::vector<std::string> text_events(const std::vector<std::string>& pieces);

/// A realistic tool-call stream: optional text first, then one call whose arguments arrive
/// in `fragments`, finish_reason "tool_calls", [DONE].
std::vector<std::string> tool_events(const std::string& id, const std::string& name,
                                     const std::vector<std::string>& fragments,
                                     const std::vector<std::string>& text = {});

/// The OpenAI error envelope: {"error":{"message":…,"type":…,"param":null,"code":…}}.
std::string error_body(const std::string& message, const std::string& type,
                       const std::string& code = "");

} // namespace frontdesk::fixtures
