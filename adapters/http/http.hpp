#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// An HTTP request as handlers see it (no Beast types).
struct request {
  std::string method; // "GET", "POST"
  std::string target; // "/twilio/voice?x=1"
  std::string path;   // "/twilio/voice"
  std::string query;  // "x=1"
  header_list headers;
  std::string body;
  std::string remote; // "127.0.0.1:53422"
  /// A header's value by case-insensitive name, or "".
  std::string header(std::string_view name) const;
};

/// The open end of a streamed response (Server-Sent Events): what a handler writes after the
/// headers. Thread-safe: call from any thread.
class stream_sink {
public:
  virtual ~stream_sink() = default;
  /// Queues bytes for the peer. False when the stream has ended or the peer stopped reading
  /// (its queue passed the bound; the stream is then closed).
  virtual bool write(std::string data) = 0;
  /// Ends the stream (the connection closes once what is queued is written).
  virtual void close() = 0;
  /// False once the peer went away or the stream was closed.
  virtual bool open() const = 0;
};

struct response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  header_list headers;
  /// When set, the body is streamed: the headers go out (no Content-Length; the connection
  /// closes at the end) and this is called once with the sink to write to.
  std::function<void(std::shared_ptr<stream_sink>)> stream = {};
};

/// Answers a request. May answer later and from any thread through `respond` (called once),
/// so a handler that needs the database hands the work to a worker pool and returns at once:
/// the io thread never blocks.
using handler = std::function<void(request req, std::function<void(response)> respond)>;

/// One live WebSocket, as handlers hold it. Thread-safe: call from any thread.
class ws_connection {
public:
  virtual ~ws_connection() = default;
  /// Queues a text frame. False when the connection is closed or its outbound queue is full;
  /// a full queue means the peer stopped reading, and the connection is then closed (1008).
  virtual bool send_text(std::string text) = 0;
  /// Queues several text frames, in order, with one hand-over to the io thread. False when
  /// any was not taken (as send_text).
  virtual bool send_texts(std::vector<std::string> texts) {
    bool all = true;
    for (auto& t : texts)
      all = send_text(std::move(t)) && all;
    return all;
  }
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual const std::string& remote() const = 0;
};

/// How a WebSocket ended.
struct close_info {
  enum class how { peer_closed, server_closed, error, overflow, too_big, timeout, shutdown };
  how why = how::peer_closed;
  std::uint16_t code = 1000;
  std::string reason;
};

const char* to_string(close_info::how h);

/// What the server calls for one WebSocket: all on that connection's io strand, in order,
/// on_close exactly once. Keep them quick (no blocking).
class ws_handler {
public:
  virtual ~ws_handler() = default;
  virtual void on_open(std::shared_ptr<ws_connection> conn) = 0;
  virtual void on_text(std::string_view text) = 0;
  virtual void on_binary(std::string_view data) = 0;
  virtual void on_close(const close_info& info) = 0;
};

/// Accepts or refuses a WebSocket upgrade (nullptr → 403).
using ws_factory = std::function<std::shared_ptr<ws_handler>(const request& req)>;

/// Every bound the server keeps, so no peer can make it grow without limit.
struct server_limits {
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_ws_message_bytes = 64 * 1024;
  std::size_t max_ws_outbound_messages = 1000; // 20 s of 20 ms frames
  std::size_t max_connections = 2000;
  std::chrono::milliseconds request_timeout{10000}; // reading one request (slow clients)
  std::chrono::milliseconds idle_timeout{30000};    // keep-alive between requests
  std::chrono::milliseconds ws_idle_timeout{60000}; // a WebSocket with no frames in
};

/// Counters, for /metrics.
struct server_stats {
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> responses_2xx{0}, responses_4xx{0}, responses_5xx{0};
  std::atomic<std::int64_t> websockets_open{0};
  std::atomic<std::uint64_t> ws_messages_in{0}, ws_messages_out{0};
  std::atomic<std::uint64_t> ws_dropped{0}; // outbound frames refused (queue full or closed)
  std::atomic<std::uint64_t> ws_errors{0};
  std::atomic<std::int64_t> streams_open{0}; // streamed responses (event streams)
};

/// HTTP/1.1 and WebSocket server on Boost.Beast, on its own io threads.
class server {
public:
  server(server_limits limits, std::size_t io_threads);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  void on(std::string method, std::string path, handler h);
  /// Answers every path that starts with `prefix` (e.g. "/api/v1/calls/") and has no exact
  /// route; the longest matching prefix wins.
  void on_prefix(std::string method, std::string prefix, handler h);
  void on_websocket(std::string path, ws_factory f);

  /// Runs `f` first on each io thread as it starts (its scheduling policy, say). Call it
  /// before listen().
  void on_thread_start(std::function<void()> f);

  /// Binds and starts serving. Port 0 picks a free port; returns the bound port.
  expected<std::uint16_t> listen(const std::string& host, std::uint16_t port);

  /// Stops accepting new connections; live ones go on.
  void stop_accepting();
  /// Closes every live WebSocket (1001 "going away" by default).
  void close_websockets(std::uint16_t code = 1001, std::string reason = "server shutting down");
  /// Stops everything and joins the io threads.
  void stop();

  const server_stats& stats() const;
  std::size_t websockets_open() const;

  struct impl; // the sessions in server.cpp share it

private:
  std::shared_ptr<impl> impl_;
};

/// A minimal blocking HTTP/1.1 client over plain TCP (tests, the caller simulator).
struct client_response {
  int status = 0;
  header_list headers;
  std::string body;
  std::string header(std::string_view name) const;
};
expected<client_response> fetch(const std::string& method, const std::string& url,
                                 const header_list& headers, const std::string& body,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// WebSocket clients sharing io threads, cheap enough for hundreds of concurrent connections
/// (the caller simulator, the load generator, tests).
class ws_client_pool {
public:
  explicit ws_client_pool(std::size_t io_threads = 1);
  ~ws_client_pool();

  struct callbacks {
    std::function<void(std::string_view text)> on_text;
    std::function<void(const close_info& info)> on_close; // once
  };

  /// A connection's handle: thread-safe sends and close.
  class connection {
  public:
    virtual ~connection() = default;
    virtual bool send_text(std::string text) = 0;
    virtual bool send_binary(std::string data) = 0;
    virtual void close(std::uint16_t code = 1000, std::string reason = "") = 0;
    /// Calls `tick` every 20 ms on this connection's own io thread, with how late the tick is
    /// (ms). What it sends goes straight to the socket: no hand-over to the io thread per
    /// frame (a load generator's media clock). The loop spreads its connections over the 20 ms.
    virtual void tick_every_frame(std::function<void(double late_ms)> tick) = 0;
    /// After it returns the tick is not running and will not run again. Not from a tick.
    virtual void stop_ticking() = 0;
  };

  /// Connects to ws://host:port/path (blocking until the handshake is done or fails).
  expected<std::shared_ptr<connection>> connect(const std::string& url, const header_list& headers,
                                                callbacks cb,
                                                std::chrono::milliseconds timeout =
                                                    std::chrono::seconds(10));

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace frontdesk::http
