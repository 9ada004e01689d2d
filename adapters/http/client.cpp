#include <utility> // before Asio (see server.cpp)

#include "adapters/http/http.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "protocols/twilio/signature.hpp"

namespace frontdesk::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

namespace {

struct target {
  std::string host, port, path_query;
};

expected<target> split(const std::string& url) {
  auto u = twilio::parse_url(url);
  if (!u)
    return u.error();
  target t;
  t.host = u->host;
  t.port = !u->port.empty() ? u->port : (u->scheme == "https" || u->scheme == "wss") ? "443" : "80";
  if (u->scheme == "https" || u->scheme == "wss")
    return fail("unsupported", "TLS is not supported by this client: " + url);
  t.path_query = u->path + (u->query.empty() ? "" : "?" + u->query);
  return t;
}

} // namespace

expected<client_response> fetch(const std::string& method, const std::string& url,
                                const header_list& headers, const std::string& body,
                                std::chrono::milliseconds timeout) {
  auto t = split(url);
  if (!t)
    return t.error();
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(t->host, t->port));
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), t->path_query, 11);
    req.set(bhttp::field::host, t->host + ":" + t->port);
    req.set(bhttp::field::user_agent, "frontdesk");
    for (auto& [k, v] : headers)
      req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    stream.expires_after(timeout);
    bhttp::write(stream, req);
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(stream, buf, parser);
    auto res = parser.release();
    client_response out;
    out.status = static_cast<int>(res.result_int());
    for (auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
  } catch (const std::exception& e) {
    return fail("http_failed", method + " " + url + ": " + e.what());
  }
}

// ---------------------------------------------------------------------------------------------

namespace {

// One io_context run by one thread, and the 20 ms ticks of its connections. Each millisecond
// the loop serves the connections whose phase it is, so that hundreds of callers spread over
// the 20 ms like independent streams; what a tick sends is written from the loop's own thread.
class loop {
public:
  using tick_fn = std::function<void(double late_ms)>;

  net::io_context ioc{1};

  std::uint64_t add_tick(tick_fn fn) {
    std::lock_guard lk(tick_mtx_);
    auto id = next_id_++;
    phases_[phase_of(id)].emplace(id, std::move(fn));
    ++ticks_;
    if (!timer_running_) {
      timer_running_ = true;
      net::post(ioc, [this] {
        t0_ = std::chrono::steady_clock::now();
        k_ = 0;
        arm();
      });
    }
    return id;
  }

  void remove_tick(std::uint64_t id) {
    std::lock_guard lk(tick_mtx_);
    ticks_ -= phases_[phase_of(id)].erase(id);
  }

private:
  static std::size_t phase_of(std::uint64_t id) { return (id * 7) % 20; }

  void arm() {
    ++k_;
    timer_.expires_at(t0_ + std::chrono::milliseconds(k_));
    timer_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      auto due = t0_ + std::chrono::milliseconds(k_);
      {
        std::lock_guard lk(tick_mtx_); // held while the ticks run: see remove_tick
        if (ticks_ == 0) {
          timer_running_ = false; // the next add_tick starts it again
          return;
        }
        double late =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - due)
                .count();
        for (auto& [id, fn] : phases_[k_ % 20])
          fn(std::max(0.0, late));
      }
      arm(); // a late tick is followed at once by the next: each frame is sent
    });
  }

  std::mutex tick_mtx_;
  std::array<std::map<std::uint64_t, tick_fn>, 20> phases_;
  std::size_t ticks_ = 0;
  std::uint64_t next_id_ = 1;
  bool timer_running_ = false;
  // Only the loop's thread touches these.
  net::steady_timer timer_{ioc};
  std::chrono::steady_clock::time_point t0_;
  std::uint64_t k_ = 0;
};

} // namespace

class client_conn final : public ws_client_pool::connection,
                          public std::enable_shared_from_this<client_conn> {
public:
  // `keep` holds the pool's loops alive as long as this connection exists. The loop's one
  // thread runs all of the connection's handlers: no strand is needed.
  client_conn(loop& l, std::shared_ptr<void> keep, ws_client_pool::callbacks cb)
      : keep_(std::move(keep)), loop_(l), ws_(l.ioc), cb_(std::move(cb)) {}
  ~client_conn() override { stop_ticking(); }

  void run(target t, header_list headers, std::chrono::milliseconds timeout,
           std::promise<expected<bool>>& done) {
    done_ = &done;
    t_ = std::move(t);
    headers_ = std::move(headers);
    timeout_ = timeout;
    net::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->resolve(); });
  }

  bool send_text(std::string text) override { return send(std::move(text), true); }
  bool send_binary(std::string data) override { return send(std::move(data), false); }

  void tick_every_frame(std::function<void(double late_ms)> tick) override {
    stop_ticking();
    tick_id_ = loop_.add_tick(std::move(tick));
  }

  void stop_ticking() override {
    if (auto id = tick_id_.exchange(0))
      loop_.remove_tick(id);
  }

  void close(std::uint16_t code, std::string reason) override {
    ++posted_;
    net::post(ws_.get_executor(), [self = shared_from_this(), code, r = std::move(reason)] {
      --self->posted_;
      if (self->closing_ || self->finished_)
        return;
      self->closing_ = true;
      self->pending_close_ = {code, r};
      // What was queued before the close still goes out first.
      if (!self->writing_ && self->out_.empty())
        self->do_close();
    });
  }

private:
  bool send(std::string data, bool text) {
    if (finished_.load())
      return false;
    // On the loop's own thread (a tick, a receive callback), with nothing handed over before
    // it and still queued, the message goes straight to the socket; else it keeps its order.
    if (posted_.load() == 0 && loop_.ioc.get_executor().running_in_this_thread()) {
      queue_write(std::move(data), text);
      return true;
    }
    ++posted_;
    net::post(ws_.get_executor(), [self = shared_from_this(), d = std::move(data), text]() mutable {
      --self->posted_;
      self->queue_write(std::move(d), text);
    });
    return true;
  }

  void queue_write(std::string data, bool text) {
    if (closing_ || finished_)
      return;
    out_.emplace_back(std::move(data), text);
    if (!writing_)
      do_write();
  }

  void fail_connect(const std::string& what) {
    if (done_) {
      done_->set_value(fail("ws_connect_failed", what));
      done_ = nullptr;
    }
    finished_ = true;
  }

  void resolve() {
    resolver_.emplace(ws_.get_executor());
    resolver_->async_resolve(t_.host, t_.port, [self = shared_from_this()](
                                                   beast::error_code ec, tcp::resolver::results_type r) {
      if (ec)
        return self->fail_connect("resolve: " + ec.message());
      beast::get_lowest_layer(self->ws_).expires_after(self->timeout_);
      beast::get_lowest_layer(self->ws_).async_connect(
          r, [self](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2)
              return self->fail_connect("connect: " + ec2.message());
            beast::get_lowest_layer(self->ws_).expires_never();
            websocket::stream_base::timeout t{};
            t.handshake_timeout = self->timeout_;
            t.idle_timeout = websocket::stream_base::none();
            t.keep_alive_pings = false;
            self->ws_.set_option(t);
            self->ws_.read_message_max(16 * 1024 * 1024);
            self->ws_.set_option(websocket::stream_base::decorator(
                [h = self->headers_](websocket::request_type& req) {
                  for (auto& [k, v] : h)
                    req.set(k, v);
                }));
            self->ws_.async_handshake(self->t_.host + ":" + self->t_.port, self->t_.path_query,
                                      [self](beast::error_code ec3) {
                                        if (ec3)
                                          return self->fail_connect("handshake: " + ec3.message());
                                        self->done_->set_value(true);
                                        self->done_ = nullptr;
                                        self->do_read();
                                      });
          });
    });
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        close_info info;
        // A close frame may have arrived even when the read then failed (the peer tore the
        // connection down while we were still writing): its code is what the peer meant.
        if (ec == websocket::error::closed || self->ws_.reason().code != 0) {
          info.why = self->closing_ ? close_info::how::server_closed : close_info::how::peer_closed;
          info.code = self->ws_.reason().code;
          info.reason = std::string(self->ws_.reason().reason.data(), self->ws_.reason().reason.size());
        } else {
          info.why = close_info::how::error;
          info.code = 1006;
          info.reason = ec.message();
        }
        self->finish(info);
        return;
      }
      auto d = self->buf_.cdata();
      if (self->cb_.on_text && self->ws_.got_text())
        self->cb_.on_text(std::string_view(static_cast<const char*>(d.data()), d.size()));
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  void do_write() {
    writing_ = true;
    ws_.text(out_.front().second);
    ws_.async_write(net::buffer(out_.front().first),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->out_.pop_front();
                      if (ec)
                        return;
                      if (!self->out_.empty())
                        return self->do_write();
                      if (self->closing_)
                        self->do_close();
                    });
  }

  void do_close() {
    websocket::close_reason cr(static_cast<websocket::close_code>(pending_close_.first),
                               pending_close_.second);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(2));
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  void finish(const close_info& info) {
    if (finished_.exchange(true))
      return;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    if (cb_.on_close)
      cb_.on_close(info);
    cb_ = {};
  }

  std::shared_ptr<void> keep_;
  loop& loop_;
  std::atomic<std::uint64_t> tick_id_{0};
  std::atomic<int> posted_{0}; // handed to the loop, not yet run
  websocket::stream<beast::tcp_stream> ws_;
  std::optional<tcp::resolver> resolver_;
  ws_client_pool::callbacks cb_;
  target t_;
  header_list headers_;
  std::chrono::milliseconds timeout_{};
  std::promise<expected<bool>>* done_ = nullptr;
  beast::flat_buffer buf_;
  std::deque<std::pair<std::string, bool>> out_;
  bool writing_ = false;
  bool closing_ = false;
  std::pair<std::uint16_t, std::string> pending_close_{1000, ""};
  std::atomic<bool> finished_{false};
};

// One io_context per thread, run by that thread alone; connections are spread over them in
// turn (as the server does: no thread wakes another to share its work).
struct ws_client_pool::impl {
  std::vector<std::unique_ptr<loop>> loops;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
};

ws_client_pool::ws_client_pool(std::size_t io_threads) : impl_(std::make_shared<impl>()) {
  for (std::size_t i = 0; i < (io_threads == 0 ? 1 : io_threads); ++i) {
    impl_->loops.push_back(std::make_unique<loop>());
    impl_->work.push_back(net::make_work_guard(impl_->loops.back()->ioc));
  }
  for (auto& l : impl_->loops)
    impl_->threads.emplace_back([keep = impl_, ioc = &l->ioc] { ioc->run(); });
}

ws_client_pool::~ws_client_pool() {
  impl_->work.clear();
  // Connections still open are torn down with the loops.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto all_stopped = [&] {
    return std::all_of(impl_->loops.begin(), impl_->loops.end(),
                       [](const auto& l) { return l->ioc.stopped(); });
  };
  while (!all_stopped() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (auto& l : impl_->loops)
    l->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
}

expected<std::shared_ptr<ws_client_pool::connection>>
ws_client_pool::connect(const std::string& url, const header_list& headers, callbacks cb,
                        std::chrono::milliseconds timeout) {
  auto t = split(url);
  if (!t)
    return t.error();
  auto conn = std::make_shared<client_conn>(*impl_->loops[impl_->next++ % impl_->loops.size()],
                                            impl_, std::move(cb));
  std::promise<expected<bool>> done;
  auto fut = done.get_future();
  conn->run(*t, headers, timeout, done);
  if (fut.wait_for(timeout + std::chrono::seconds(1)) != std::future_status::ready)
    return fail("ws_connect_failed", "timed out connecting to " + url);
  auto r = fut.get();
  if (!r)
    return r.error();
  return std::shared_ptr<connection>(conn);
}

} // namespace frontdesk::http
