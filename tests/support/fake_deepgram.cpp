#include <utility> // before Asio (see adapters/http/server.cpp)

#include "tests/support/fake_deepgram.hpp"

#include <deque>
#include <future>
#include <sstream>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

namespace frontdesk::fixtures {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;

namespace {

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> w;
  std::istringstream in(s);
  for (std::string x; in >> x;)
    w.push_back(x);
  return w;
}

std::string results_json(const std::string& text, double start, double duration, bool is_final,
                         bool speech_final, bool from_finalize) {
  json::array words;
  auto w = split_words(text);
  for (std::size_t i = 0; i < w.size(); ++i) {
    double a = start + duration * double(i) / double(w.size());
    double b = start + duration * double(i + 1) / double(w.size());
    words.push_back(json::object{{"word", w[i]}, {"start", a}, {"end", b}, {"confidence", 0.95},
                                 {"punctuated_word", w[i]}});
  }
  json::object o{{"type", "Results"},
                 {"channel_index", json::array{0, 1}},
                 {"duration", duration},
                 {"start", start},
                 {"is_final", is_final},
                 {"speech_final", speech_final},
                 {"from_finalize", from_finalize},
                 {"channel", json::object{{"alternatives", json::array{json::object{
                                                               {"transcript", text},
                                                               {"confidence", 0.95},
                                                               {"words", words}}}}}},
                 {"metadata", json::object{{"request_id", "fake-request"},
                                           {"model_info", json::object{{"name", "fake"},
                                                                       {"version", "1"},
                                                                       {"arch", "fake"}}},
                                           {"model_uuid", "fake-model"}}}};
  return json::serialize(o);
}

std::string utterance_end_json(double last_word_end) {
  return json::serialize(json::object{{"type", "UtteranceEnd"},
                                      {"channel", json::array{0, 1}},
                                      {"last_word_end", last_word_end}});
}

} // namespace

struct session;

struct fake_deepgram::impl : std::enable_shared_from_this<impl> {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::uint16_t port = 0;
  mutable std::mutex mtx;
  std::vector<std::string> turns;
  std::size_t next_turn = 0;
  turn_style style = turn_style::speech_final;
  planner plan;
  int count = 0;
  std::vector<std::shared_ptr<fake_deepgram_connection>> records;
  std::vector<std::weak_ptr<session>> sessions;
  std::atomic<std::size_t> open{0};
  bool stopped = false;

  void accept();
  // The turn being said; it counts as said once its results went out, so a socket that drops
  // mid-turn hears the same turn again on the next one.
  bool per_connection = false;
  std::string current_text(std::size_t own) {
    std::lock_guard lk(mtx);
    auto n = per_connection ? own : next_turn;
    return n < turns.size() ? turns[n] : std::string();
  }
  void turn_said(std::size_t& own) {
    std::lock_guard lk(mtx);
    ++own;
    ++next_turn;
  }
  turn_style current_style() {
    std::lock_guard lk(mtx);
    return style;
  }
};

struct session : std::enable_shared_from_this<session> {
  session(std::shared_ptr<fake_deepgram::impl> o, tcp::socket s)
      : owner(std::move(o)), ws(std::move(s)), idle(ws.get_executor()), gap(ws.get_executor()) {}

  std::shared_ptr<fake_deepgram::impl> owner;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  bhttp::request<bhttp::string_body> req;
  std::shared_ptr<fake_deepgram_connection> rec = std::make_shared<fake_deepgram_connection>();
  fake_deepgram_plan plan;
  net::steady_timer idle, gap;
  std::deque<std::string> out;
  bool open = false, done = false, closing = false;
  std::size_t total = 0, turn_bytes = 0, since_interim = 0;
  double turn_start = 0;
  std::string turn_text; // what this turn will say, chosen at its first audio
  std::size_t turns_said = 0; // on this connection

  void start() {
    bhttp::async_read(ws.next_layer(), buf, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->on_request();
    });
  }

  void on_request() {
    {
      std::lock_guard lk(owner->mtx);
      int n = ++owner->count;
      plan = owner->plan ? owner->plan(n) : fake_deepgram_plan{};
      rec->target = std::string(req.target());
      rec->authorization = std::string(req[bhttp::field::authorization]);
      owner->records.push_back(rec);
    }
    if (plan.refuse_status || !websocket::is_upgrade(req)) {
      int status = plan.refuse_status ? plan.refuse_status : 400;
      auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
          static_cast<bhttp::status>(status), 11);
      const char* code = status == 401   ? "INVALID_AUTH"
                         : status == 402 ? "ASR_PAYMENT_REQUIRED"
                         : status == 429 ? "TOO_MANY_REQUESTS"
                                         : "Bad Request";
      res->set("dg-request-id", "fake-request");
      res->set("dg-error", code);
      res->set(bhttp::field::content_type, "application/json");
      res->body() = json::serialize(json::object{
          {"err_code", code}, {"err_msg", "refused by the fake"}, {"request_id", "fake-request"}});
      res->prepare_payload();
      bhttp::async_write(ws.next_layer(), *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
        beast::error_code ec;
        self->ws.next_layer().socket().shutdown(tcp::socket::shutdown_both, ec);
        self->ws.next_layer().socket().close(ec);
      });
      return;
    }
    ws.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->open = true;
      ++self->owner->open;
      if (self->plan.deaf) { // nothing read; the timer keeps the session until it is reset
        self->idle.expires_after(std::chrono::hours(1));
        self->idle.async_wait([self](beast::error_code) {});
        return;
      }
      self->arm_idle();
      self->read();
    });
  }

  void arm_idle() {
    idle.expires_after(plan.idle_close);
    idle.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->done)
        return;
      {
        std::lock_guard lk(self->owner->mtx);
        self->rec->closed_by_idle = true;
      }
      self->close(websocket::close_code::internal_error, "NET-0001");
    });
  }

  void read() {
    ws.async_read(buf, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->finish();
      auto d = self->buf.data();
      std::string data(static_cast<const char*>(d.data()), d.size());
      self->buf.consume(self->buf.size());
      if (self->ws.got_text())
        self->on_text(data);
      else
        self->on_binary(data);
      if (!self->done)
        self->read();
    });
  }

  void on_binary(const std::string& data) {
    if (data.empty() || data.find("KeepAlive") != std::string::npos) {
      close(websocket::close_code::policy_error, "DATA-0000"); // not audio
      return;
    }
    arm_idle();
    {
      std::lock_guard lk(owner->mtx);
      rec->audio_bytes += data.size();
      ++rec->binary_frames;
    }
    if (turn_bytes == 0) {
      turn_start = double(total) / 8000.0;
      turn_text = owner->current_text(turns_said);
    }
    total += data.size();
    turn_bytes += data.size();
    since_interim += data.size();
    if (plan.reset_after_bytes && total >= plan.reset_after_bytes) {
      reset();
      return;
    }
    if (plan.close_1011_after_bytes && total >= plan.close_1011_after_bytes) {
      close(websocket::close_code::internal_error, "NET-0000");
      return;
    }
    if (since_interim >= 1600) { // an interim every 200 ms of audio: the words so far
      since_interim = 0;
      auto w = split_words(turn_text);
      auto k = std::min(w.size(), std::size_t(1 + turn_bytes / 4000));
      std::string part;
      for (std::size_t i = 0; i < k; ++i)
        part += (i ? " " : "") + w[i];
      if (!part.empty())
        send(results_json(part, turn_start, double(turn_bytes) / 8000.0, false, false, false));
    }
    gap.expires_after(plan.endpointing);
    gap.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && !self->done)
        self->end_turn(false);
    });
  }

  void on_text(const std::string& text) {
    arm_idle();
    std::string type;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec && v.is_object())
      if (auto* t = v.get_object().if_contains("type"); t && t->is_string())
        type = std::string(t->get_string());
    {
      std::lock_guard lk(owner->mtx);
      rec->texts.push_back(text);
      if (type == "KeepAlive")
        ++rec->keepalives;
      if (type == "Finalize")
        ++rec->finalizes;
      if (type == "CloseStream")
        rec->close_stream = true;
    }
    if (type == "Finalize") {
      end_turn(true);
    } else if (type == "CloseStream") {
      end_turn(true);
      closing = true;
      send(json::serialize(json::object{{"type", "Metadata"},
                                        {"transaction_key", "deprecated"},
                                        {"request_id", "fake-request"},
                                        {"sha256", "fake"},
                                        {"created", "2026-01-01T00:00:00.000Z"},
                                        {"duration", double(total) / 8000.0},
                                        {"channels", 1}}));
    }
  }

  void end_turn(bool finalize) {
    gap.cancel();
    auto style = owner->current_style();
    if (turn_bytes == 0) {
      if (finalize && style != turn_style::silent_server)
        send(results_json("", turn_start, 0, true, false, true)); // nothing was buffered
      return;
    }
    double dur = double(turn_bytes) / 8000.0, end = turn_start + dur;
    auto text = turn_text;
    double start = turn_start;
    turn_bytes = 0;
    since_interim = 0;
    owner->turn_said(turns_said);
    std::vector<std::string> msgs;
    switch (style) {
    case turn_style::speech_final:
      msgs.push_back(results_json(text, start, dur, true, true, finalize));
      break;
    case turn_style::final_then_utterance_end:
      msgs.push_back(results_json(text, start, dur, true, false, false));
      msgs.push_back(utterance_end_json(end));
      break;
    case turn_style::both:
      msgs.push_back(results_json(text, start, dur, true, true, finalize));
      msgs.push_back(utterance_end_json(end));
      break;
    case turn_style::interims_only:
      msgs.push_back(results_json(text, start, dur, false, false, false));
      msgs.push_back(utterance_end_json(end));
      break;
    case turn_style::silent_server:
      msgs.push_back(results_json(text, start, dur, false, false, false));
      break;
    }
    if (plan.final_delay.count() == 0) {
      for (auto& m : msgs)
        send(std::move(m));
      return;
    }
    auto t = std::make_shared<net::steady_timer>(ws.get_executor(), plan.final_delay);
    t->async_wait([self = shared_from_this(), t, msgs](beast::error_code ec) {
      if (!ec)
        for (auto& m : msgs)
          self->send(m);
    });
  }

  void send(std::string text) {
    if (done || plan.mute)
      return;
    {
      std::lock_guard lk(owner->mtx);
      rec->sent.push_back(text);
    }
    out.push_back(std::move(text));
    if (out.size() == 1)
      write_next();
  }

  void write_next() {
    ws.text(true);
    ws.async_write(net::buffer(out.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->finish();
      self->out.pop_front();
      if (!self->out.empty())
        return self->write_next();
      if (self->closing)
        self->close(websocket::close_code::normal, "");
    });
  }

  void close(websocket::close_code code, std::string reason) {
    if (done)
      return;
    websocket::close_reason cr(code, reason);
    out.clear();
    ws.async_close(cr, [self = shared_from_this()](beast::error_code) { self->finish(); });
    done = true;
    idle.cancel();
    gap.cancel();
  }

  // A TCP reset: no close frame at all.
  void reset() {
    beast::error_code ec;
    auto& s = ws.next_layer().socket();
    s.set_option(net::socket_base::linger(true, 0), ec);
    s.close(ec);
    finish();
  }

  void finish() {
    idle.cancel();
    gap.cancel();
    if (open) {
      open = false;
      --owner->open;
    }
    done = true;
  }
};

void fake_deepgram::impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto ss = std::make_shared<session>(self, std::move(s));
    {
      std::lock_guard lk(self->mtx);
      self->sessions.push_back(ss);
    }
    ss->start();
    self->accept();
  });
}

fake_deepgram::fake_deepgram(std::vector<std::string> turns, turn_style style, planner plan)
    : impl_(std::make_shared<impl>()) {
  impl_->turns = std::move(turns);
  impl_->style = style;
  impl_->plan = std::move(plan);
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([i = impl_] { i->ioc.run(); });
}

fake_deepgram::~fake_deepgram() { stop(); }

std::uint16_t fake_deepgram::port() const { return impl_->port; }

std::string fake_deepgram::url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->port) + "/v1/listen";
}

void fake_deepgram::set_style(turn_style s) {
  std::lock_guard lk(impl_->mtx);
  impl_->style = s;
}

void fake_deepgram::set_script_per_connection(bool on) {
  std::lock_guard lk(impl_->mtx);
  impl_->per_connection = on;
}

std::vector<fake_deepgram_connection> fake_deepgram::connections() const {
  std::lock_guard lk(impl_->mtx);
  std::vector<fake_deepgram_connection> out;
  for (auto& r : impl_->records)
    out.push_back(*r);
  return out;
}

std::size_t fake_deepgram::open_sockets() const { return impl_->open.load(); }

void fake_deepgram::kill() {
  std::promise<void> done;
  auto f = done.get_future();
  net::post(impl_->ioc, [i = impl_, &done] {
    beast::error_code ec;
    i->acceptor.close(ec);
    std::vector<std::shared_ptr<session>> live;
    {
      std::lock_guard lk(i->mtx);
      for (auto& w : i->sessions)
        if (auto s = w.lock())
          live.push_back(s);
    }
    for (auto& s : live)
      if (!s->done)
        s->reset();
    done.set_value();
  });
  f.wait();
}

namespace {

// Runs `f` on the fake's io thread with its live sessions, and waits for it.
template <class F>
void with_sessions(const std::shared_ptr<fake_deepgram::impl>& i, F f) {
  std::promise<void> done;
  auto fut = done.get_future();
  net::post(i->ioc, [i, &done, &f] {
    std::vector<std::shared_ptr<session>> live;
    {
      std::lock_guard lk(i->mtx);
      for (auto& w : i->sessions)
        if (auto s = w.lock(); s && !s->done)
          live.push_back(s);
    }
    f(live);
    done.set_value();
  });
  fut.wait();
}

} // namespace

void fake_deepgram::reset_sockets() {
  with_sessions(impl_, [](auto& live) {
    for (auto& s : live)
      s->reset();
  });
}

std::size_t fake_deepgram::unread_bytes() const {
  std::size_t n = 0;
  with_sessions(impl_, [&n](auto& live) {
    for (auto& s : live) {
      beast::error_code ec;
      n += s->ws.next_layer().socket().available(ec);
    }
  });
  return n;
}

void fake_deepgram::stop() {
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  impl_->ioc.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

} // namespace frontdesk::fixtures
