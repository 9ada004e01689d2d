#include <utility> // before Asio: g++ 12 in C++20 mode needs std::exchange declared first

#include "adapters/http/http.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <mutex>
#include <pthread.h>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

namespace frontdesk::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string endpoint_text(const tcp::socket& s) {
  beast::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec)
    return "?";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

} // namespace

std::string request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return "";
}

std::string client_response::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return "";
}

const char* to_string(close_info::how h) {
  switch (h) {
  case close_info::how::peer_closed: return "peer_closed";
  case close_info::how::server_closed: return "server_closed";
  case close_info::how::error: return "error";
  case close_info::how::overflow: return "overflow";
  case close_info::how::too_big: return "too_big";
  case close_info::how::timeout: return "timeout";
  case close_info::how::shutdown: return "shutdown";
  }
  return "?";
}

class ws_session;
class stream_session;

struct server::impl : std::enable_shared_from_this<server::impl> {
  server_limits limits;
  // One io_context per io thread, each run by that thread alone: a connection lives on one of
  // them (taken in turn), so its handlers never need a strand and a thread never wakes another
  // to share its work (about 3% less node CPU at 300 calls than one context shared by all).
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::atomic<std::size_t> next_ioc{0};
  std::vector<std::thread> threads;
  std::function<void()> on_thread_start;
  std::map<std::pair<std::string, std::string>, handler> routes;
  std::map<std::pair<std::string, std::string>, handler> prefix_routes;
  std::map<std::string, ws_factory> ws_routes;
  std::map<stream_session*, std::weak_ptr<stream_session>> live_streams; // under ws_mtx
  server_stats stats;
  std::mutex ws_mtx;
  std::map<ws_session*, std::weak_ptr<ws_session>> live_ws;
  std::atomic<bool> accepting{false};

  void do_accept();
};

// ---------------------------------------------------------------------------------------------
// WebSocket session

class ws_session final : public std::enable_shared_from_this<ws_session>, public ws_connection {
public:
  ws_session(std::shared_ptr<server::impl> srv, beast::tcp_stream&& stream,
             std::shared_ptr<ws_handler> h, std::string remote)
      : srv_(std::move(srv)), ws_(std::move(stream)), handler_(std::move(h)),
        remote_(std::move(remote)), close_timer_(ws_.get_executor()) {}

  ~ws_session() override { srv_->stats.websockets_open--; }

  void start(bhttp::request<bhttp::string_body> req) {
    srv_->stats.websockets_open++;
    {
      std::lock_guard lk(srv_->ws_mtx);
      srv_->live_ws[this] = weak_from_this();
    }
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = srv_->limits.ws_idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(srv_->limits.max_ws_message_bytes);
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  bool send_text(std::string text) override {
    if (!admit(1))
      return false;
    net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
      self->enqueue(std::move(t));
    });
    return true;
  }

  bool send_texts(std::vector<std::string> texts) override {
    if (texts.empty())
      return true;
    if (!admit(texts.size()))
      return false;
    net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(texts)]() mutable {
      for (auto& one : t)
        self->enqueue(std::move(one));
    });
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, r = std::move(reason)] {
      self->close_now(close_info::how::server_closed, code, r);
    });
  }

  void shutdown(std::uint16_t code, std::string reason) {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, r = std::move(reason)] {
      self->close_now(close_info::how::shutdown, code, r);
    });
  }

  const std::string& remote() const override { return remote_; }

private:
  // Takes `n` frames into the outbound queue's count, or refuses them all: the connection is
  // closed, or the queue would pass its bound (checked here too, approximately, so producers
  // learn at once; a full queue means the peer stopped reading, and the session is closed).
  bool admit(std::size_t n) {
    if (closed_.load()) {
      srv_->stats.ws_dropped += n;
      return false;
    }
    if (queued_.load() + n > srv_->limits.max_ws_outbound_messages) {
      srv_->stats.ws_dropped += n;
      net::post(ws_.get_executor(), [self = shared_from_this()] { self->overflow(); });
      return false;
    }
    queued_ += n;
    return true;
  }

  void on_accept(beast::error_code ec) {
    if (ec) {
      srv_->stats.ws_errors++;
      finish(close_info::how::error, 1006, ec.message());
      return;
    }
    handler_->on_open(shared_from_this());
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::closed) {
        auto r = ws_.reason();
        finish(closing_how_.value_or(close_info::how::peer_closed), r.code,
               std::string(r.reason.data(), r.reason.size()));
      } else if (ec == websocket::error::message_too_big) {
        srv_->stats.ws_errors++;
        finish(close_info::how::too_big, 1009, "message too big");
      } else if (ec == beast::error::timeout) {
        finish(close_info::how::timeout, 1006, "idle timeout");
      } else {
        if (!closing_how_)
          srv_->stats.ws_errors++;
        finish(closing_how_.value_or(close_info::how::error), 1006, ec.message());
      }
      return;
    }
    srv_->stats.ws_messages_in++;
    auto data = buffer_.cdata();
    std::string_view view(static_cast<const char*>(data.data()), data.size());
    if (!finished_) {
      if (ws_.got_text())
        handler_->on_text(view);
      else
        handler_->on_binary(view);
    }
    buffer_.consume(buffer_.size());
    if (!finished_)
      do_read();
  }

  void enqueue(std::string text) {
    if (finished_ || closing_how_) {
      queued_--;
      srv_->stats.ws_dropped++;
      return;
    }
    out_.push_back(std::move(text));
    if (!writing_)
      do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(out_.front()),
                    beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    out_.pop_front();
    queued_--;
    if (ec) {
      srv_->stats.ws_errors++;
      return; // the read side sees the failure and finishes
    }
    srv_->stats.ws_messages_out++;
    if (!out_.empty() && !closing_how_)
      do_write();
    else if (closing_how_ && pending_close_)
      send_close();
  }

  void overflow() {
    if (closing_how_ || finished_)
      return;
    spdlog::warn("websocket {}: peer stopped reading ({} frames queued); closing", remote_,
                 queued_.load());
    close_now(close_info::how::overflow, 1008, "outbound queue full");
  }

  void close_now(close_info::how how, std::uint16_t code, std::string reason) {
    if (closing_how_ || finished_)
      return;
    closing_how_ = how;
    closed_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    // Drop what is queued (a peer that stops reading would never take it), then close.
    while (out_.size() > (writing_ ? 1u : 0u)) {
      out_.pop_back();
      queued_--;
      srv_->stats.ws_dropped++;
    }
    if (how == close_info::how::overflow) {
      // The peer does not read: a close handshake would never complete. Drop the connection;
      // the pending read and write fail and the read side finishes.
      hard_close();
      return;
    }
    arm_close_timer(); // whatever happens, the session ends within two seconds
    if (writing_) {
      pending_close_ = true;
      return;
    }
    send_close();
  }

  void arm_close_timer() {
    close_timer_.expires_after(std::chrono::seconds(2));
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && !self->finished_)
        self->hard_close();
    });
  }

  void hard_close() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  void send_close() {
    pending_close_ = false;
    websocket::close_reason cr(static_cast<websocket::close_code>(close_code_), close_reason_);
    // The read loop then completes with `closed` when the peer answers.
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  void finish(close_info::how how, std::uint16_t code, std::string reason) {
    if (finished_)
      return;
    finished_ = true;
    closed_ = true;
    if (closing_how_) { // we started the close: report our code and reason
      how = *closing_how_;
      code = close_code_;
      reason = close_reason_;
    }
    {
      std::lock_guard lk(srv_->ws_mtx);
      srv_->live_ws.erase(this);
    }
    close_timer_.cancel();
    if (how == close_info::how::too_big) {
      // Beast sends the 1009 close frame and tears the connection down itself, reading until the
      // peer closes; cutting it short would reset the connection and lose that frame. The
      // timer only catches a peer that never closes.
      close_timer_.expires_after(std::chrono::seconds(5));
      close_timer_.async_wait([self = shared_from_this()](beast::error_code) { self->hard_close(); });
    } else {
      hard_close();
    }
    handler_->on_close(close_info{how, code, std::move(reason)});
    handler_.reset(); // break the handler → connection → session cycle
  }

  std::shared_ptr<server::impl> srv_;
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<ws_handler> handler_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::deque<std::string> out_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> closed_{false};
  bool writing_ = false;
  bool pending_close_ = false;
  bool finished_ = false;
  std::optional<close_info::how> closing_how_;
  net::steady_timer close_timer_;
  std::uint16_t close_code_ = 1000;
  std::string close_reason_;
};

// ---------------------------------------------------------------------------------------------
// Streamed response (Server-Sent Events): headers, then whatever the handler writes, until it
// closes or the peer goes away. Reads only to notice that the peer closed.

class stream_session final : public std::enable_shared_from_this<stream_session>,
                             public stream_sink {
public:
  static constexpr std::size_t max_queued = 256; // then the peer is not reading: closed

  stream_session(std::shared_ptr<server::impl> srv, beast::tcp_stream&& stream)
      : srv_(std::move(srv)), stream_(std::move(stream)) {
    srv_->stats.streams_open++;
  }
  ~stream_session() override { srv_->stats.streams_open--; }

  void start(std::string head) {
    {
      std::lock_guard lk(srv_->ws_mtx);
      srv_->live_streams[this] = weak_from_this();
    }
    stream_.expires_never();
    out_.push_back(std::move(head));
    queued_++;
    do_write();
    do_read();
  }

  bool write(std::string data) override {
    if (closed_.load())
      return false;
    if (queued_.load() >= max_queued) {
      close();
      return false;
    }
    queued_++;
    net::post(stream_.get_executor(), [self = shared_from_this(), d = std::move(data)]() mutable {
      if (self->finished_) {
        self->queued_--;
        return;
      }
      self->out_.push_back(std::move(d));
      if (!self->writing_)
        self->do_write();
    });
    return true;
  }

  void close() override {
    if (closed_.exchange(true))
      return;
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->writing_)
        self->finish();
    });
  }

  bool open() const override { return !closed_.load(); }

private:
  void do_write() {
    writing_ = true;
    net::async_write(stream_, net::buffer(out_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       self->out_.pop_front();
                       self->queued_--;
                       if (ec)
                         return self->finish();
                       if (!self->out_.empty())
                         self->do_write();
                       else if (self->closed_)
                         self->finish();
                     });
  }

  void do_read() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec)
                                return self->finish();
                              self->do_read(); // a client sends nothing more; ignore it
                            });
  }

  void finish() {
    if (finished_)
      return;
    finished_ = true;
    closed_ = true;
    {
      std::lock_guard lk(srv_->ws_mtx);
      srv_->live_streams.erase(this);
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    out_.clear();
  }

  std::shared_ptr<server::impl> srv_;
  beast::tcp_stream stream_;
  std::deque<std::string> out_;
  std::array<char, 512> scratch_{};
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> closed_{false};
  bool writing_ = false;
  bool finished_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP session

namespace {
// A client that sends a JSON body or accepts JSON (an API client, the dashboard's pages).
bool speaks_json(const bhttp::request<bhttp::string_body>& req) {
  auto has = [](beast::string_view v) { return v.find("json") != beast::string_view::npos; };
  return has(req[bhttp::field::content_type]) || has(req[bhttp::field::accept]);
}
} // namespace

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(std::shared_ptr<server::impl> srv, tcp::socket&& s)
      : srv_(std::move(srv)), stream_(std::move(s)), remote_(endpoint_text(stream_.socket())) {
    srv_->stats.connections_open++;
    srv_->stats.connections_total++;
  }
  ~http_session() { srv_->stats.connections_open--; }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_session::do_read, shared_from_this()));
  }

private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(srv_->limits.max_header_bytes));
    parser_->body_limit(srv_->limits.max_body_bytes);
    stream_.expires_after(first_ ? srv_->limits.request_timeout : srv_->limits.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    // Whether the client speaks JSON, read even from a request refused part way: the server's
    // own errors then answer in JSON too.
    wants_json_ = speaks_json(parser_->get());
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::connection_reset) {
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      srv_->stats.requests++;
      return send_error(413, "request body too large", false);
    }
    if (ec == bhttp::error::header_limit) {
      srv_->stats.requests++;
      return send_error(431, "request header fields too large", false);
    }
    if (ec) {
      srv_->stats.requests++;
      return send_error(400, "bad request", false);
    }
    first_ = false;
    srv_->stats.requests++;
    auto req = parser_->release();
    request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos)
      r.query = r.target.substr(q + 1);
    for (auto& f : req)
      r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = req.body();
    r.remote = remote_;

    if (websocket::is_upgrade(req)) {
      auto it = srv_->ws_routes.find(r.path);
      if (it == srv_->ws_routes.end())
        return send_error(404, "not found", false);
      auto h = it->second(r);
      if (!h)
        return send_error(403, "forbidden", false);
      stream_.expires_never();
      auto s = std::make_shared<ws_session>(srv_, std::move(stream_), std::move(h), remote_);
      s->start(std::move(req));
      return;
    }
    keep_alive_ = req.keep_alive();
    auto route = srv_->routes.find({r.method, r.path});
    if (route == srv_->routes.end()) {
      // The longest prefix route for this method, if any.
      auto best = srv_->prefix_routes.end();
      bool path_known = false;
      for (auto& [k, _] : srv_->routes)
        path_known |= k.second == r.path;
      for (auto it = srv_->prefix_routes.begin(); it != srv_->prefix_routes.end(); ++it) {
        if (r.path.compare(0, it->first.second.size(), it->first.second) != 0)
          continue;
        path_known = true;
        if (it->first.first == r.method &&
            (best == srv_->prefix_routes.end() ||
             it->first.second.size() > best->first.second.size()))
          best = it;
      }
      if (best == srv_->prefix_routes.end())
        return send_error(path_known ? 405 : 404,
                          path_known ? "method not allowed" : "not found", keep_alive_);
      route = best;
    }
    // The handler may answer from any thread: the answer comes back to this session's strand.
    auto self = shared_from_this();
    auto once = std::make_shared<std::atomic<bool>>(false);
    try {
      route->second(std::move(r), [self, once](response resp) {
        if (once->exchange(true))
          return;
        net::post(self->stream_.get_executor(),
                  [self, resp = std::move(resp)]() mutable { self->write(std::move(resp)); });
      });
    } catch (const std::exception& e) {
      spdlog::error("http handler for {} failed: {}", route->first.second, e.what());
      if (!once->exchange(true))
        send_error(500, "internal error", false);
    }
  }

  void send_error(int status, const char* text, bool keep) {
    keep_alive_ = keep;
    if (wants_json_) // RFC 9457 problem details; the texts are constants with nothing to escape
      return write(response{status, "application/problem+json",
                            std::string("{\"type\":\"about:blank\",\"title\":\"") + text +
                                "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" +
                                text + "\"}",
                            {{"Cache-Control", "no-store"}}});
    write(response{status, "text/plain; charset=utf-8", std::string(text) + "\n", {}});
  }

  void write(response resp) {
    if (resp.stream)
      return start_stream(std::move(resp));
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(resp.status), 11);
    res->set(bhttp::field::server, "frontdesk");
    res->set(bhttp::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers)
      res->set(k, v);
    res->body() = std::move(resp.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    if (resp.status >= 500)
      srv_->stats.responses_5xx++;
    else if (resp.status >= 400)
      srv_->stats.responses_4xx++;
    else
      srv_->stats.responses_2xx++;
    stream_.expires_after(srv_->limits.request_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         if (ec || !res->keep_alive())
                           return self->close();
                         self->do_read();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // Hands the connection to a stream session: the headers, then the handler's writes.
  void start_stream(response resp) {
    std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                       std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(resp.status))) +
                       "\r\nServer: frontdesk\r\nContent-Type: " + resp.content_type +
                       "\r\nConnection: close\r\n";
    for (auto& [k, v] : resp.headers)
      head += k + ": " + v + "\r\n";
    head += "\r\n";
    srv_->stats.responses_2xx++;
    auto s = std::make_shared<stream_session>(srv_, std::move(stream_));
    s->start(std::move(head));
    resp.stream(s);
  }

  std::shared_ptr<server::impl> srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = false;
  bool first_ = true;
  bool wants_json_ = false; // the request sent JSON or asked for it
};

void server::impl::do_accept() {
  auto& ioc = *iocs[next_ioc++ % iocs.size()];
  acceptor->async_accept(ioc, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    if (!self->accepting)
      return;
    if (!ec) {
      if (static_cast<std::size_t>(self->stats.connections_open.load()) +
              static_cast<std::size_t>(self->stats.websockets_open.load()) >=
          self->limits.max_connections) {
        self->stats.connections_refused++;
        beast::error_code ignored;
        s.close(ignored);
      } else {
        std::make_shared<http_session>(self, std::move(s))->start();
      }
    }
    self->do_accept();
  });
}

server::server(server_limits limits, std::size_t io_threads) : impl_(std::make_shared<impl>()) {
  impl_->limits = limits;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, io_threads); ++i)
    impl_->iocs.push_back(std::make_unique<net::io_context>(1)); // run by one thread
  impl_->acceptor.emplace(*impl_->iocs.front());
}

server::~server() { stop(); }

void server::on(std::string method, std::string path, handler h) {
  impl_->routes[{std::move(method), std::move(path)}] = std::move(h);
}

void server::on_prefix(std::string method, std::string prefix, handler h) {
  impl_->prefix_routes[{std::move(method), std::move(prefix)}] = std::move(h);
}

void server::on_websocket(std::string path, ws_factory f) {
  impl_->ws_routes[std::move(path)] = std::move(f);
}

expected<std::uint16_t> server::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec)
    return fail("bad_address", "cannot listen on '" + host + "': " + ec.message());
  tcp::endpoint ep(addr, port);
  auto& a = *impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec)
    a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    a.bind(ep, ec);
  if (!ec)
    a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("listen_failed",
                "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  auto bound = a.local_endpoint().port();
  impl_->accepting = true;
  for (auto& ioc : impl_->iocs)
    impl_->work.push_back(net::make_work_guard(*ioc));
  impl_->do_accept();
  for (auto& ioc : impl_->iocs)
    impl_->threads.emplace_back([self = impl_, ioc = ioc.get()] {
      ::pthread_setname_np(::pthread_self(), "fd.io"); // for top and perf
      if (self->on_thread_start)
        self->on_thread_start();
      ioc->run();
    });
  return bound;
}

void server::on_thread_start(std::function<void()> f) { impl_->on_thread_start = std::move(f); }

void server::stop_accepting() {
  if (!impl_->accepting.exchange(false))
    return;
  net::post(*impl_->iocs.front(), [self = impl_] {
    beast::error_code ec;
    self->acceptor->close(ec);
  });
}

void server::close_websockets(std::uint16_t code, std::string reason) {
  std::vector<std::shared_ptr<ws_session>> live;
  {
    std::lock_guard lk(impl_->ws_mtx);
    for (auto& [_, w] : impl_->live_ws)
      if (auto s = w.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->shutdown(code, reason);
}

void server::stop() {
  if (impl_->threads.empty())
    return;
  stop_accepting();
  close_websockets();
  {
    std::vector<std::shared_ptr<stream_session>> live;
    {
      std::lock_guard lk(impl_->ws_mtx);
      for (auto& [_, w] : impl_->live_streams)
        if (auto s = w.lock())
          live.push_back(std::move(s));
    }
    for (auto& s : live)
      s->close();
  }
  impl_->work.clear();
  // Give sessions a moment to close cleanly, then stop the loop.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (websockets_open() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (auto& ioc : impl_->iocs)
    ioc->stop();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
  impl_->threads.clear();
}

const server_stats& server::stats() const { return impl_->stats; }

std::size_t server::websockets_open() const {
  std::lock_guard lk(impl_->ws_mtx);
  return impl_->live_ws.size();
}

} // namespace frontdesk::http
