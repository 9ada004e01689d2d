// The HTTP/WebSocket server over real loopback sockets.
#include <utility>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include "adapters/http/http.hpp"

using namespace frontdesk::http;
using namespace std::chrono_literals;
namespace net = boost::asio;

namespace {

struct echo_handler final : ws_handler {
  std::shared_ptr<ws_connection> conn;
  std::promise<close_info> closed;
  std::atomic<int> texts{0}, binaries{0};
  void on_open(std::shared_ptr<ws_connection> c) override { conn = std::move(c); }
  void on_text(std::string_view t) override {
    ++texts;
    conn->send_text("echo:" + std::string(t));
  }
  void on_binary(std::string_view) override { ++binaries; }
  void on_close(const close_info& i) override {
    closed.set_value(i);
    conn.reset();
  }
};

struct fixture {
  server srv;
  std::uint16_t port = 0;
  std::mutex mtx;
  std::vector<std::shared_ptr<echo_handler>> handlers;

  explicit fixture(server_limits limits = {}) : srv(limits, 2) {
    srv.on("GET", "/hello", [](request r, auto respond) {
      respond(response{200, "text/plain", "hello " + r.query, {}});
    });
    srv.on("POST", "/echo", [](request r, auto respond) {
      // Answer from another thread, as handlers that use the database do.
      std::thread([r = std::move(r), respond] {
        respond(response{201, "text/plain", r.body + "|" + r.header("x-test"), {}});
      }).detach();
    });
    srv.on_websocket("/ws", [this](const request& r) -> std::shared_ptr<ws_handler> {
      if (r.query == "refuse")
        return nullptr;
      auto h = std::make_shared<echo_handler>();
      std::lock_guard lk(mtx);
      handlers.push_back(h);
      return h;
    });
    auto p = srv.listen("127.0.0.1", 0);
    EXPECT_TRUE(p) << p.error().message;
    port = *p;
  }
  std::string url(const std::string& path, const char* scheme = "http") {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + path;
  }
  std::shared_ptr<echo_handler> handler(std::size_t i) {
    for (int k = 0; k < 200; ++k) {
      {
        std::lock_guard lk(mtx);
        if (handlers.size() > i && handlers[i]->conn)
          return handlers[i];
      }
      std::this_thread::sleep_for(5ms);
    }
    return nullptr;
  }
};

// What a WebSocket client received, in order; a test waits for a number of messages.
struct received {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> texts;
  std::function<void(std::string_view)> callback() {
    return [this](std::string_view t) {
      std::lock_guard lk(m);
      texts.emplace_back(t);
      cv.notify_all();
    };
  }
  // The messages once `n` have come (or after 5 s, what came by then).
  std::vector<std::string> wait_for(std::size_t n) {
    std::unique_lock lk(m);
    cv.wait_for(lk, 5s, [&] { return texts.size() >= n; });
    return texts;
  }
};

// A raw TCP client for what well-behaved clients never do.
struct raw_client {
  net::io_context ioc;
  net::ip::tcp::socket s{ioc};
  explicit raw_client(std::uint16_t port) {
    s.connect({net::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& data) { net::write(s, net::buffer(data)); }
  std::string read_some(std::chrono::milliseconds wait = 2000ms) {
    s.non_blocking(false);
    timeval tv{static_cast<long>(wait.count() / 1000), static_cast<long>((wait.count() % 1000) * 1000)};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    boost::system::error_code ec;
    auto n = s.read_some(net::buffer(buf), ec);
    return ec ? std::string("<") + ec.message() + ">" : std::string(buf, n);
  }
};

} // namespace

TEST(http_server, routes_and_answers_404_and_405) {
  fixture f;
  auto r = fetch("GET", f.url("/hello?x=1"), {}, "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello x=1");
  EXPECT_EQ(fetch("GET", f.url("/nope"), {}, "")->status, 404);
  EXPECT_EQ(fetch("DELETE", f.url("/hello"), {}, "")->status, 405);
  auto e = fetch("POST", f.url("/echo"), {{"X-Test", "yes"}}, "body");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 201);
  EXPECT_EQ(e->body, "body|yes");
  EXPECT_GE(f.srv.stats().requests.load(), 4u);
  EXPECT_EQ(f.srv.stats().responses_4xx.load(), 2u);
}

TEST(http_server, the_thread_start_hook_runs_once_on_each_io_thread_before_it_serves) {
  server srv({}, 3);
  std::mutex mtx;
  std::vector<std::pair<std::thread::id, std::string>> started;
  srv.on_thread_start([&] {
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    std::lock_guard lk(mtx);
    started.emplace_back(std::this_thread::get_id(), name);
  });
  srv.on("GET", "/hello", [](request, auto respond) { respond(response{200, "text/plain", "hi", {}}); });
  auto port = srv.listen("127.0.0.1", 0);
  ASSERT_TRUE(port) << port.error().message;
  auto r = fetch("GET", "http://127.0.0.1:" + std::to_string(*port) + "/hello", {}, "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  srv.stop();
  std::lock_guard lk(mtx);
  ASSERT_EQ(started.size(), 3u);
  for (auto& [id, name] : started) {
    EXPECT_NE(id, std::this_thread::get_id());
    EXPECT_EQ(name, "fd.io");
  }
  EXPECT_NE(started[0].first, started[1].first);
  EXPECT_NE(started[1].first, started[2].first);
  EXPECT_NE(started[0].first, started[2].first);
}

TEST(http_server, oversized_body_and_headers_are_refused) {
  server_limits l;
  l.max_body_bytes = 1000;
  l.max_header_bytes = 2000;
  fixture f(l);
  EXPECT_EQ(fetch("POST", f.url("/echo"), {}, std::string(5000, 'x'))->status, 413);
  auto big = fetch("GET", f.url("/hello"), {{"X-Big", std::string(4000, 'y')}}, "");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
  EXPECT_EQ(fetch("GET", f.url("/hello"), {}, "")->status, 200); // still serving
}

TEST(http_server, garbage_gets_400_and_the_server_keeps_serving) {
  fixture f;
  raw_client c(f.port);
  c.send("THIS IS NOT HTTP\r\n\r\n");
  auto reply = c.read_some();
  EXPECT_NE(reply.find("400"), std::string::npos) << reply;
  EXPECT_EQ(fetch("GET", f.url("/hello"), {}, "")->status, 200);
}

TEST(http_server, keep_alive_serves_several_requests_on_one_connection) {
  fixture f;
  raw_client c(f.port);
  for (int i = 0; i < 3; ++i) {
    c.send("GET /hello?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto reply = c.read_some();
    EXPECT_NE(reply.find("hello n=" + std::to_string(i)), std::string::npos) << reply;
  }
}

TEST(http_server, a_slow_client_is_timed_out) {
  server_limits l;
  l.request_timeout = 300ms;
  fixture f(l);
  raw_client c(f.port);
  c.send("GET /hello HTTP/1.1\r\n"); // and never finishes the headers
  auto t0 = std::chrono::steady_clock::now();
  auto reply = c.read_some(3000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
  EXPECT_EQ(reply.find("hello"), std::string::npos) << reply; // closed, not answered
}

TEST(http_server, connections_beyond_the_limit_are_refused) {
  server_limits l;
  l.max_connections = 3;
  fixture f(l);
  std::vector<std::unique_ptr<raw_client>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(std::make_unique<raw_client>(f.port));
  std::this_thread::sleep_for(100ms);
  raw_client extra(f.port);
  auto reply = extra.read_some(1000ms);
  EXPECT_EQ(reply.front(), '<') << reply; // closed at once
  EXPECT_GE(f.srv.stats().connections_refused.load(), 1u);
  held.clear();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(fetch("GET", f.url("/hello"), {}, "")->status, 200);
}

TEST(http_server, websocket_echo_with_text_and_binary) {
  fixture f;
  received got; // outlives the pool, whose io thread calls into it
  ws_client_pool pool;
  auto c = pool.connect(f.url("/ws", "ws"), {}, {got.callback(), {}});
  ASSERT_TRUE(c) << c.error().message;
  (*c)->send_text("one");
  (*c)->send_binary("bin");
  (*c)->send_text("two");
  EXPECT_EQ(got.wait_for(2), (std::vector<std::string>{"echo:one", "echo:two"}));
  auto h = f.handler(0);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->binaries.load(), 1);
  (*c)->close(1000, "bye");
  auto fut = h->closed.get_future();
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  auto info = fut.get();
  EXPECT_EQ(info.why, close_info::how::peer_closed);
  EXPECT_EQ(info.code, 1000);
  EXPECT_EQ(info.reason, "bye");
}

// A load generator's media clock: a connection's tick runs every 20 ms on its io thread, what
// it sends comes after what was handed over before it, and after stop_ticking it is silent.
TEST(ws_client_pool, ticks_every_frame_after_earlier_sends_until_stopped) {
  fixture f;
  received got; // outlives the pool, whose io thread calls into it
  ws_client_pool pool;
  auto c = pool.connect(f.url("/ws", "ws"), {}, {got.callback(), {}});
  ASSERT_TRUE(c) << c.error().message;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    (*c)->send_text("queued " + std::to_string(i));
    expected.push_back("echo:queued " + std::to_string(i));
  }
  std::atomic<int> ticks{0};
  std::atomic<bool> negative_late{false};
  auto started = std::chrono::steady_clock::now();
  (*c)->tick_every_frame([&](double late_ms) {
    if (late_ms < 0)
      negative_late = true;
    (*c)->send_text("tick " + std::to_string(ticks++));
  });
  for (int i = 0; i < 10; ++i)
    expected.push_back("echo:tick " + std::to_string(i));
  auto first = got.wait_for(expected.size());
  (*c)->stop_ticking();
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_GE(first.size(), expected.size());
  first.resize(expected.size());
  EXPECT_EQ(first, expected);
  EXPECT_FALSE(negative_late.load());
  // Ten ticks take at least nine periods (a clock that ran every millisecond would not).
  EXPECT_GE(elapsed, 9 * 20ms - 2ms);
  int stopped_at = ticks.load();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(ticks.load(), stopped_at);
  auto all = got.wait_for(static_cast<std::size_t>(200 + stopped_at));
  EXPECT_EQ(all.size(), static_cast<std::size_t>(200 + stopped_at));
  EXPECT_EQ(all.back(), "echo:tick " + std::to_string(stopped_at - 1));
  // A second ticker on the same loop starts the stopped clock again.
  std::atomic<int> again{0};
  (*c)->tick_every_frame([&](double) { ++again; });
  for (int i = 0; i < 100 && again.load() < 3; ++i)
    std::this_thread::sleep_for(10ms);
  (*c)->stop_ticking();
  EXPECT_GE(again.load(), 3);
  (*c)->close(1000, "done"); // a connection left open holds up the pool's and server's ends
  auto h = f.handler(0);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->closed.get_future().wait_for(5s), std::future_status::ready);
}

// A batch (the media actor's frames of one tick) arrives whole and in order, interleaved
// correctly with single sends around it.
TEST(http_server, a_batch_of_texts_arrives_in_order_between_single_sends) {
  fixture f;
  received got; // outlives the pool, whose io thread calls into it
  ws_client_pool pool;
  auto c = pool.connect(f.url("/ws", "ws"), {}, {got.callback(), {}});
  ASSERT_TRUE(c) << c.error().message;
  auto h = f.handler(0);
  ASSERT_TRUE(h);
  std::vector<std::string> expected{"first"};
  ASSERT_TRUE(h->conn->send_text("first"));
  std::vector<std::string> batch;
  for (int i = 0; i < 50; ++i)
    batch.push_back("frame " + std::to_string(i));
  expected.insert(expected.end(), batch.begin(), batch.end());
  ASSERT_TRUE(h->conn->send_texts(std::move(batch)));
  ASSERT_TRUE(h->conn->send_texts({}));
  ASSERT_TRUE(h->conn->send_text("last"));
  expected.push_back("last");
  EXPECT_EQ(got.wait_for(expected.size()), expected);
}

// A batch larger than the outbound queue's room is refused whole, and the session is closed as
// a peer that stopped reading would be.
TEST(http_server, a_batch_beyond_the_outbound_bound_is_refused) {
  server_limits limits;
  limits.max_ws_outbound_messages = 10;
  fixture f(limits);
  ws_client_pool pool;
  auto c = pool.connect(f.url("/ws", "ws"), {}, {[](std::string_view) {}, {}});
  ASSERT_TRUE(c) << c.error().message;
  auto h = f.handler(0);
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->conn->send_texts(std::vector<std::string>(11, "x")));
  auto fut = h->closed.get_future();
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(fut.get().why, close_info::how::overflow);
}

TEST(http_server, a_refused_upgrade_gets_403) {
  fixture f;
  ws_client_pool pool;
  auto c = pool.connect(f.url("/ws?refuse", "ws"), {}, {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("handshake"), std::string::npos);
}

TEST(http_server, an_oversized_message_closes_that_session_with_1009_only) {
  server_limits l;
  l.max_ws_message_bytes = 1000;
  fixture f(l);
  ws_client_pool pool;
  std::promise<close_info> client_closed;
  auto big = pool.connect(f.url("/ws", "ws"), {}, {{}, [&](const close_info& i) { client_closed.set_value(i); }});
  std::promise<std::string> echoed;
  auto fine = pool.connect(f.url("/ws", "ws"), {}, {[&](std::string_view t) { echoed.set_value(std::string(t)); }, {}});
  ASSERT_TRUE(big && fine);
  (*big)->send_text(std::string(5000, 'x'));
  auto fut = client_closed.get_future();
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(fut.get().code, 1009);
  (*fine)->send_text("still here");
  auto e = echoed.get_future();
  ASSERT_EQ(e.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(e.get(), "echo:still here");
}

TEST(http_server, a_client_that_stops_reading_is_closed_and_counted) {
  server_limits l;
  l.max_ws_outbound_messages = 20;
  fixture f(l);
  raw_client c(f.port);
  c.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  auto reply = c.read_some();
  ASSERT_NE(reply.find("101"), std::string::npos) << reply;
  auto h = f.handler(0);
  ASSERT_TRUE(h);
  // Flood: 64 KiB frames until the server gives up on this peer.
  std::string chunk(64 * 1024, 'z');
  int refused = 0;
  for (int i = 0; i < 2000 && refused == 0; ++i) {
    if (!h->conn || !h->conn->send_text(chunk))
      ++refused;
    else
      std::this_thread::sleep_for(1ms);
  }
  EXPECT_GT(refused, 0);
  auto fut = h->closed.get_future();
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(fut.get().why, close_info::how::overflow);
  EXPECT_GE(f.srv.stats().ws_dropped.load(), 1u);
  // The server still serves.
  EXPECT_EQ(fetch("GET", f.url("/hello"), {}, "")->status, 200);
}

TEST(http_server, shutdown_closes_live_websockets_with_1001) {
  fixture f;
  ws_client_pool pool;
  std::promise<close_info> closed;
  auto c = pool.connect(f.url("/ws", "ws"), {}, {{}, [&](const close_info& i) { closed.set_value(i); }});
  ASSERT_TRUE(c);
  ASSERT_TRUE(f.handler(0));
  f.srv.stop_accepting();
  EXPECT_FALSE(pool.connect(f.url("/ws", "ws"), {}, {}, 1000ms));
  f.srv.close_websockets();
  auto fut = closed.get_future();
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(fut.get().code, 1001);
  f.srv.stop();
}

TEST(http_server, two_hundred_concurrent_websockets_each_echo_fifty_messages) {
  server_limits l;
  fixture f(l);
  ws_client_pool pool(2);
  constexpr int clients = 200, messages = 50;
  std::atomic<int> received{0};
  std::vector<std::shared_ptr<ws_client_pool::connection>> conns;
  for (int i = 0; i < clients; ++i) {
    auto c = pool.connect(f.url("/ws", "ws"), {}, {[&](std::string_view) { ++received; }, {}});
    ASSERT_TRUE(c) << c.error().message;
    conns.push_back(*c);
  }
  for (int m = 0; m < messages; ++m)
    for (auto& c : conns)
      c->send_text("m" + std::to_string(m));
  for (int i = 0; i < 1000 && received.load() < clients * messages; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(received.load(), clients * messages);
  EXPECT_EQ(f.srv.websockets_open(), static_cast<std::size_t>(clients));
  for (auto& c : conns)
    c->close();
  for (int i = 0; i < 500 && f.srv.websockets_open() > 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(f.srv.websockets_open(), 0u);
}
