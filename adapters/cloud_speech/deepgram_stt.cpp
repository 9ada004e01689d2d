#include <utility> // before Asio (see adapters/http/server.cpp)

#include "adapters/cloud_speech/cloud_speech.hpp"

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <stdexcept>
#include <deque>
#include <map>
#include <set>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include "adapters/cloud_speech/query_escape.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/speech/waiting_session.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/deepgram/live.hpp"
#include "protocols/twilio/signature.hpp"

namespace frontdesk::speech {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

// What a socket reports to its call, on the socket's strand.
class link_listener {
public:
  virtual ~link_listener() = default;
  virtual void on_open() = 0;
  virtual void on_text(std::string_view text) = 0;
  /// Once. `status` is the HTTP status of a refused handshake (0 otherwise); `clean` when the
  /// server closed normally (after CloseStream).
  virtual void on_down(int status, std::string why, bool clean) = 0;
};

// One WebSocket to the vendor, plain or TLS. Thread-safe sends (posted to its strand).
class link {
public:
  virtual ~link() = default;
  virtual void send(std::string data, bool binary) = 0;
  virtual void abort() = 0;
};

struct endpoint {
  bool tls = false;
  std::string host, port, target;
};

template <class Next>
class ws_link final : public link, public std::enable_shared_from_this<ws_link<Next>> {
public:
  template <class... Args>
  ws_link(net::io_context& ioc, endpoint ep, std::string auth, std::chrono::milliseconds timeout,
          std::weak_ptr<link_listener> l, Args&&... args)
      : ws_(net::make_strand(ioc), std::forward<Args>(args)...), resolver_(ws_.get_executor()),
        ep_(std::move(ep)), auth_(std::move(auth)), timeout_(timeout), listener_(std::move(l)) {}

  void start() {
    resolver_.async_resolve(ep_.host, ep_.port, [self = this->shared_from_this()](
                                                    beast::error_code ec, tcp::resolver::results_type r) {
      if (ec)
        return self->down(0, "resolve: " + ec.message(), false);
      beast::get_lowest_layer(self->ws_).expires_after(self->timeout_);
      beast::get_lowest_layer(self->ws_).async_connect(
          r, [self](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2)
              return self->down(0, "connect: " + ec2.message(), false);
            self->after_connect();
          });
    });
  }

  void send(std::string data, bool binary) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), d = std::move(data), binary]() mutable {
      if (self->done_)
        return;
      self->out_.emplace_back(std::move(d), binary);
      if (self->open_ && !self->writing_)
        self->write_next();
    });
  }

  void abort() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ec;
      beast::get_lowest_layer(self->ws_).socket().close(ec);
      self->down(0, "aborted", false);
    });
  }

private:
  void after_connect() {
    if constexpr (std::is_same_v<Next, beast::ssl_stream<beast::tcp_stream>>) {
      if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), ep_.host.c_str()))
        return down(0, "TLS: cannot set the server name", false);
      ws_.next_layer().set_verify_callback(ssl::host_name_verification(ep_.host));
      ws_.next_layer().async_handshake(
          ssl::stream_base::client, [self = this->shared_from_this()](beast::error_code ec) {
            if (ec)
              return self->down(0, "TLS: " + ec.message(), false);
            self->upgrade();
          });
    } else {
      upgrade();
    }
  }

  void upgrade() {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.handshake_timeout = timeout_;
    t.keep_alive_pings = false; // the vendor's own KeepAlive message keeps it open
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator([auth = auth_](websocket::request_type& req) {
      req.set(bhttp::field::authorization, auth);
      req.set(bhttp::field::user_agent, "frontdesk");
    }));
    ws_.async_handshake(res_, ep_.host, ep_.target,
                        [self = this->shared_from_this()](beast::error_code ec) {
                          if (ec) {
                            int status = static_cast<int>(self->res_.result_int());
                            std::string why = "handshake: " + ec.message();
                            if (status && status != 101) {
                              why = "handshake refused with " + std::to_string(status);
                              auto it = self->res_.find("dg-error");
                              if (it != self->res_.end())
                                why += ": " + std::string(it->value());
                            } else {
                              status = 0;
                            }
                            return self->down(status, why, false);
                          }
                          self->open_ = true;
                          if (auto l = self->listener_.lock())
                            l->on_open();
                          self->read();
                          if (!self->out_.empty() && !self->writing_)
                            self->write_next();
                        });
  }

  void read() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        bool clean = ec == websocket::error::closed;
        auto& cr = self->ws_.reason();
        auto why = clean ? "closed " + std::to_string(cr.code) + " " +
                               std::string(cr.reason.data(), cr.reason.size())
                         : "read: " + ec.message();
        // A 1000 close is the answer to CloseStream; a 1011 (NET-0000/1) is a drop.
        return self->down(0, why, clean && self->ws_.reason().code == websocket::close_code::normal);
      }
      if (self->ws_.got_text()) {
        auto data = self->buf_.data();
        std::string_view text(static_cast<const char*>(data.data()), data.size());
        if (auto l = self->listener_.lock())
          l->on_text(text);
      }
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  void write_next() {
    writing_ = true;
    auto& [data, binary] = out_.front();
    ws_.binary(binary);
    ws_.async_write(net::buffer(data), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->done_) { // went down meanwhile: the buffer written from is freed only now
        self->out_.clear();
        return;
      }
      if (ec)
        return self->down(0, "write: " + ec.message(), false);
      self->out_.pop_front();
      if (!self->out_.empty())
        self->write_next();
    });
  }

  void down(int status, std::string why, bool clean) {
    if (done_)
      return;
    done_ = true;
    open_ = false;
    // A write in flight still reads its buffer (until the close below ends it): the front
    // stays until its completion; freeing it here was a use after free, and the completion's
    // pop_front on the emptied queue a double free (a node aborted under load).
    if (writing_)
      out_.erase(std::next(out_.begin()), out_.end());
    else
      out_.clear();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    if (auto l = listener_.lock())
      l->on_down(status, std::move(why), clean);
  }

  websocket::stream<Next> ws_;
  tcp::resolver resolver_;
  endpoint ep_;
  std::string auth_;
  std::chrono::milliseconds timeout_;
  std::weak_ptr<link_listener> listener_;
  websocket::response_type res_;
  beast::flat_buffer buf_;
  std::deque<std::pair<std::string, bool>> out_;
  bool open_ = false;
  bool done_ = false;
  bool writing_ = false; // an async_write is in flight (from out_.front())
};

const std::string keepalive_msg = R"({"type":"KeepAlive"})";
const std::string finalize_msg = R"({"type":"Finalize"})";
const std::string close_msg = R"({"type":"CloseStream"})";

class engine;

// One call's recognition: its socket, the assembler, the audio not yet final.
class call_stream final : public link_listener, public std::enable_shared_from_this<call_stream> {
public:
  call_stream(engine& e, std::string id, std::string target)
      : engine_(e), id_(std::move(id)), target_(std::move(target)) {}

  void connect();
  void on_open() override;
  void on_text(std::string_view text) override;
  void on_down(int status, std::string why, bool clean) override;

  // From the call's worker.
  void send_audio(std::span<const std::uint8_t> mulaw);
  std::string partial() {
    std::lock_guard lk(mtx_);
    return asm_.partial();
  }
  struct outcome {
    bool failed = false; // the vendor is gone: decode on the fallback
    std::string note;    // set once: why (for the transcript)
    std::string text;
    double confidence = 0;
    /// How long the turn's end waited on the vendor: from the turn's last audio and Finalize
    /// going out to the answer (or to giving up on it). Zero when the words were in already.
    std::int64_t vendor_wait_us = 0;
  };
  outcome finish_turn();
  /// Asks for the turn's end (Finalize) without waiting: `ready` runs once the answer is in,
  /// the vendor failed, or finalize_wait passed. False when the turn is complete already.
  bool when_ready(std::function<void()> ready);
  bool failed() {
    std::lock_guard lk(mtx_);
    return failed_;
  }
  std::string take_note() {
    std::lock_guard lk(mtx_);
    return std::exchange(note_, {});
  }
  double end(); // CloseStream
  void tick(steady::time_point now);
  bool gone() {
    std::lock_guard lk(mtx_);
    return gone_;
  }

private:
  void fail_over(std::string why);
  bool turn_done() const { return failed_ || (!turns_.empty() && !asm_.open()); }
  // The waiter of when_ready, once its wait is over (under mtx_); empty otherwise.
  std::function<void()> take_ready();
  void ready_timeout(std::uint64_t round);

  engine& engine_;
  std::string id_;
  std::string target_; // the socket's request target: the business's model and language
  std::mutex mtx_;
  std::condition_variable cv_;
  std::shared_ptr<link> link_;
  bool open_ = false;
  bool failed_ = false;
  bool closing_ = false;
  bool gone_ = false;
  int drops_ = 0;
  std::string note_;
  deepgram::transcript_assembler asm_;
  std::deque<deepgram::turn_text> turns_;
  std::uint64_t finalize_answers_ = 0;
  // when_ready's waiter, the Finalize answers counted when it asked, and which ask it is (a
  // timer of an earlier turn must not end this one's wait).
  std::function<void()> ready_;
  std::uint64_t ready_answers_ = 0;
  std::uint64_t ready_round_ = 0;
  bool ready_asked_ = false; // finish_turn comes after a when_ready: it does not wait again
  // When when_ready sent the turn's end to the vendor, and how long its answer took (under
  // mtx_): the turn's vendor wait (outcome::vendor_wait_us).
  steady::time_point asked_at_{};
  std::int64_t waited_us_ = 0;
  // The wait since asked_at_ is over (under mtx_, as when_ready's waiter is taken).
  void note_answered() {
    if (asked_at_ == steady::time_point{})
      return;
    waited_us_ += std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - asked_at_)
                      .count();
    asked_at_ = {};
  }
  // The audio since the last final: replayed on a reconnect. `unfinal_start_` is its place in
  // the call's audio (bytes = samples at 8 kHz).
  std::vector<std::uint8_t> unfinal_;
  std::uint64_t unfinal_start_ = 0;
  std::uint64_t sent_bytes_ = 0;
  steady::time_point last_sent_ = steady::now();
  steady::time_point closing_since_{};
  steady::time_point first_audio_{}; // of the words awaited: for the first-result latency
  bool awaiting_first_ = false;
  steady::time_point unanswered_since_{}; // the first audio sent since the server last spoke
  steady::time_point last_audio_{};       // the caller's latest audio
  // A drop while the caller spoke: the new socket waits until they pause (their audio is
  // kept for the replay meanwhile), so it starts on a whole utterance rather than half a word.
  bool reconnect_due_ = false;
  bool finalize_on_open_ = false; // the turn's end was asked while no socket was open
  // Audio of the open socket not sent yet (also in unfinal_): it goes once send_every's worth
  // is in, or at the turn's or the call's end.
  std::string pending_;
  // Sends pending_ over `l` (under mtx_; the send only posts to the socket's strand).
  void flush(const std::shared_ptr<link>& l);
  // Connects the socket a drop left waiting for a pause (under mtx_); true when it did.
  bool reconnect_now();
};

class engine final : public deepgram_stt {
public:
  engine(deepgram_stt_settings s, stt_engine* fallback, vendor_metrics m)
      : s_(std::move(s)), fallback_(fallback), m_(m), tls_(ssl::context::tls_client),
        work_(net::make_work_guard(ioc_)), ticker_(ioc_) {
    auto u = twilio::parse_url(s_.base_url);
    if (!u || (u->scheme != "ws" && u->scheme != "wss"))
      throw std::runtime_error("speech.deepgram_url must be a ws:// or wss:// URL: " + s_.base_url);
    ep_.tls = u->scheme == "wss";
    ep_.host = u->host;
    ep_.port = !u->port.empty() ? u->port : ep_.tls ? "443" : "80";
    path_ = (u->path.empty() ? "/v1/listen" : u->path) + "?" + (u->query.empty() ? "" : u->query + "&");
    tls_.set_default_verify_paths();
    tls_.set_verify_mode(ssl::verify_peer);
    schedule_tick();
    for (std::size_t i = 0; i < std::max<std::size_t>(1, s_.io_threads); ++i)
      threads_.emplace_back([this] { ioc_.run(); });
  }

  ~engine() override { stop(); }

  void stop() override {
    if (stopped_.exchange(true))
      return;
    {
      std::lock_guard lk(mtx_);
      calls_.clear();
    }
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
  }

  void start_call(const std::string& call_id, const deepgram_call_options& o) override {
    stream(call_id, o);
  }

  std::unique_ptr<stt_session> open(const std::string& call_id, const std::string& business_id,
                                    std::size_t n, const deepgram_call_options& o) override;

  /// The live request's target with the call's model and language (else the configured ones).
  std::string target(const deepgram_call_options& o) const {
    return path_ + "model=" + query_escape(o.model.empty() ? s_.model : o.model) +
           "&language=" + query_escape(o.language.empty() ? s_.language : o.language) +
           "&encoding=mulaw&sample_rate=8000&channels=1&interim_results=true" +
           "&endpointing=" + std::to_string(s_.endpointing_ms) +
           "&utterance_end_ms=" + std::to_string(s_.utterance_end_ms) +
           "&vad_events=true&punctuate=true&smart_format=true";
  }

  double end_call(const std::string& call_id) override {
    std::shared_ptr<call_stream> st;
    {
      std::lock_guard lk(mtx_);
      auto it = calls_.find(call_id);
      if (it == calls_.end())
        return 0;
      st = it->second;
      closing_.push_back(st); // kept until the server has closed (or close_wait passed)
      calls_.erase(it);
      remember_ended(call_id);
    }
    return st->end();
  }

  std::size_t live_sockets() const override { return sockets_.load(); }

  /// The call's stream, opened at its first use; null once the call has ended (a turn's job
  /// that runs after the end must not open a socket nobody would close).
  std::shared_ptr<call_stream> stream(const std::string& call_id, const deepgram_call_options& o) {
    std::shared_ptr<call_stream> st;
    {
      std::lock_guard lk(mtx_);
      if (ended_.count(call_id))
        return nullptr;
      auto& slot = calls_[call_id];
      if (slot)
        return slot;
      slot = st = std::make_shared<call_stream>(*this, call_id, target(o));
    }
    st->connect();
    return st;
  }

  std::shared_ptr<link> make_link(std::weak_ptr<link_listener> l, const std::string& target) {
    if (m_.requests)
      m_.requests->inc();
    auto auth = "Token " + s_.api_key;
    auto ep = ep_;
    ep.target = target;
    if (ep_.tls) {
      auto k = std::make_shared<ws_link<beast::ssl_stream<beast::tcp_stream>>>(
          ioc_, ep, auth, s_.connect_timeout, std::move(l), tls_);
      k->start();
      return k;
    }
    auto k = std::make_shared<ws_link<beast::tcp_stream>>(ioc_, ep, auth, s_.connect_timeout,
                                                          std::move(l));
    k->start();
    return k;
  }

  const deepgram_stt_settings& settings() const { return s_; }
  net::io_context& io() { return ioc_; }
  stt_engine* fallback() const { return fallback_; }
  const vendor_metrics& metrics() const { return m_; }
  std::atomic<std::size_t> sockets_{0};

private:
  void schedule_tick() {
    ticker_.expires_after(std::chrono::milliseconds(250));
    ticker_.async_wait([this](beast::error_code ec) {
      if (ec || stopped_)
        return;
      std::vector<std::shared_ptr<call_stream>> all;
      {
        std::lock_guard lk(mtx_);
        for (auto& [id, st] : calls_)
          all.push_back(st);
        std::erase_if(closing_, [](auto& st) { return st->gone(); });
        all.insert(all.end(), closing_.begin(), closing_.end());
      }
      auto now = steady::now();
      for (auto& st : all)
        st->tick(now);
      schedule_tick();
    });
  }

  deepgram_stt_settings s_;
  stt_engine* fallback_;
  vendor_metrics m_;
  endpoint ep_;
  std::string path_; // the live request's path and the base URL's own query, then '?' or '&'

  net::io_context ioc_;
  ssl::context tls_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  net::steady_timer ticker_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::mutex mtx_;
  std::map<std::string, std::shared_ptr<call_stream>> calls_;
  std::vector<std::shared_ptr<call_stream>> closing_;
  // Calls that ended lately (the newest 10,000), in the order they ended.
  std::set<std::string> ended_;
  std::deque<std::string> ended_order_;
  void remember_ended(const std::string& call_id) {
    if (!ended_.insert(call_id).second)
      return;
    ended_order_.push_back(call_id);
    if (ended_order_.size() > 10000) {
      ended_.erase(ended_order_.front());
      ended_order_.pop_front();
    }
  }
};

void call_stream::connect() {
  std::lock_guard lk(mtx_);
  link_ = engine_.make_link(weak_from_this(), target_);
}

void call_stream::on_open() {
  std::shared_ptr<link> l;
  std::vector<std::uint8_t> replay;
  {
    std::lock_guard lk(mtx_);
    open_ = true;
    ++engine_.sockets_;
    l = link_;
    // Everything not yet final goes (again) over the new socket; its times start at 0 there.
    asm_.set_offset(double(unfinal_start_) / 8000.0);
    replay = unfinal_;
    pending_.clear(); // in the replay
    unanswered_since_ = replay.empty() ? steady::time_point{} : steady::now();
    last_sent_ = steady::now();
    if (l && !replay.empty())
      l->send(std::string(replay.begin(), replay.end()), true);
    if (l && (ready_ || finalize_on_open_)) // asked on the socket that dropped: ask again
      l->send(finalize_msg, false);
    finalize_on_open_ = false;
    if (l && closing_) // the call ended while this socket was connecting
      l->send(close_msg, false);
  }
}

void call_stream::on_text(std::string_view text) {
  {
    std::lock_guard lk(mtx_);
    unanswered_since_ = {}; // the server is alive
  }
  auto m = deepgram::parse_live_message(text);
  if (!m) {
    spdlog::warn("deepgram: call {}: {}", id_, m.error().message);
    return;
  }
  if (auto* o = std::get_if<deepgram::other>(&*m); o && o->type == "Error")
    spdlog::warn("deepgram: call {}: error message: {}", id_, o->description);
  std::function<void()> ready;
  {
    std::lock_guard lk(mtx_);
    if (auto* r = std::get_if<deepgram::results>(&*m)) {
      if (awaiting_first_ && !r->transcript.empty()) {
        awaiting_first_ = false;
        if (engine_.metrics().first_ms)
          engine_.metrics().first_ms->observe(
              std::chrono::duration<double, std::milli>(steady::now() - first_audio_).count());
      }
      if (r->from_finalize)
        ++finalize_answers_;
    }
    if (auto t = asm_.on(*m))
      turns_.push_back(std::move(*t));
    // Audio before the latest final is transcribed for good: no need to replay it.
    auto until = static_cast<std::uint64_t>(asm_.final_until() * 8000.0);
    if (until > unfinal_start_) {
      auto drop = std::min<std::uint64_t>(until - unfinal_start_, unfinal_.size());
      unfinal_.erase(unfinal_.begin(), unfinal_.begin() + static_cast<long>(drop));
      unfinal_start_ += drop;
    }
    cv_.notify_all();
    ready = take_ready();
  }
  if (ready)
    ready();
}

void call_stream::on_down(int status, std::string why, bool clean) {
  bool reconnect = false, closed = false;
  std::function<void()> ready;
  {
    std::lock_guard lk(mtx_);
    if (open_)
      --engine_.sockets_;
    open_ = false;
    link_.reset();
    pending_.clear(); // kept in unfinal_ for the replay
    if (closing_) {
      gone_ = true;
      if (!clean)
        spdlog::debug("deepgram: call {}: socket ended at close: {}", id_, why);
      cv_.notify_all();
      closed = true;
      if (ready_)
        note_answered();
      ready = std::exchange(ready_, {}); // nothing more will come for the turn
    }
    if (!closed) {
      if (engine_.metrics().failures)
        engine_.metrics().failures->inc();
      if (status) {
        // Refused (bad key, payment, over the concurrency limit): no retry, the embedded engine now.
        spdlog::warn("deepgram: call {}: {}; the call goes on with the embedded recogniser", id_, why);
        failed_ = true;
        note_ = "speech recognition: Deepgram refused the call (" + std::to_string(status) +
                "); continued with the embedded recogniser";
      } else if (++drops_ == 1) {
        auto quiet = engine_.settings().reconnect_quiet;
        if (steady::now() - last_audio_ < quiet) {
          spdlog::warn("deepgram: call {}: socket dropped ({}); reconnecting once the caller "
                       "pauses", id_, why);
          reconnect_due_ = true; // tick() or the turn's end connects
        } else {
          spdlog::warn("deepgram: call {}: socket dropped ({}); reconnecting", id_, why);
          reconnect = true;
        }
      } else {
        spdlog::warn("deepgram: call {}: socket dropped again ({}); the call goes on with the "
                     "embedded recogniser", id_, why);
        failed_ = true;
        note_ = "speech recognition: Deepgram dropped twice; continued with the embedded recogniser";
      }
      cv_.notify_all();
      ready = take_ready();
    }
  }
  if (ready)
    ready();
  if (reconnect)
    connect();
}

bool call_stream::reconnect_now() {
  if (!reconnect_due_ || closing_ || failed_)
    return false;
  reconnect_due_ = false;
  link_ = engine_.make_link(weak_from_this(), target_);
  return true;
}

std::function<void()> call_stream::take_ready() {
  if (ready_ && (turn_done() || (finalize_answers_ > ready_answers_ && !asm_.open()))) {
    note_answered();
    return std::exchange(ready_, {});
  }
  return {};
}

void call_stream::ready_timeout(std::uint64_t round) {
  std::function<void()> ready;
  {
    std::lock_guard lk(mtx_);
    if (round == ready_round_ && ready_) {
      note_answered(); // no answer in time: waited for all the same
      ready = std::exchange(ready_, {});
    }
  }
  if (ready)
    ready(); // finish_turn forces what is open into the turn
}

bool call_stream::when_ready(std::function<void()> ready) {
  std::shared_ptr<link> l;
  std::uint64_t round;
  {
    std::lock_guard lk(mtx_);
    ready_asked_ = true;
    if (turn_done())
      return false;
    ready_ = std::move(ready);
    ready_answers_ = finalize_answers_;
    round = ++ready_round_;
    waited_us_ = 0;
    asked_at_ = steady::now();
    reconnect_now(); // the caller paused: the socket a drop left waiting connects now
    if (open_ && link_) {
      l = link_;
      flush(l); // the turn's last audio before its Finalize
      last_sent_ = steady::now();
    }
  }
  // Words still open (or none yet): ask for them now rather than wait for the endpointing. A
  // socket still connecting asks once it opens (on_open).
  if (l)
    l->send(finalize_msg, false);
  auto timer = std::make_shared<net::steady_timer>(engine_.io(), engine_.settings().finalize_wait);
  timer->async_wait([timer, w = weak_from_this(), round](beast::error_code) {
    if (auto st = w.lock())
      st->ready_timeout(round);
  });
  return true;
}

void call_stream::flush(const std::shared_ptr<link>& l) {
  if (pending_.empty() || !l)
    return;
  auto chunk = std::move(pending_);
  pending_.clear();
  pending_.reserve(chunk.capacity());
  l->send(std::move(chunk), true);
}

void call_stream::send_audio(std::span<const std::uint8_t> mulaw) {
  if (mulaw.empty()) // an empty binary frame would close the stream
    return;
  {
    std::lock_guard lk(mtx_);
    if (failed_)
      return;
    if (!awaiting_first_ && !asm_.open()) {
      awaiting_first_ = true;
      first_audio_ = steady::now();
    }
    sent_bytes_ += mulaw.size();
    last_audio_ = steady::now();
    if (unanswered_since_ == steady::time_point{})
      unanswered_since_ = steady::now();
    unfinal_.insert(unfinal_.end(), mulaw.begin(), mulaw.end());
    auto max = engine_.settings().max_replay_bytes;
    if (unfinal_.size() > max) {
      auto drop = unfinal_.size() - max;
      unfinal_.erase(unfinal_.begin(), unfinal_.begin() + static_cast<long>(drop));
      unfinal_start_ += drop;
    }
    if (!open_ || !link_)
      return; // kept: the socket sends it once open
    pending_.append(reinterpret_cast<const char*>(mulaw.data()), mulaw.size());
    auto every = static_cast<std::size_t>(engine_.settings().send_every.count()) * 8;
    if (pending_.size() >= every) {
      flush(link_);
      last_sent_ = steady::now();
    }
  }
}

call_stream::outcome call_stream::finish_turn() {
  std::unique_lock lk(mtx_);
  auto done = [&] { return turn_done(); };
  ready_ = {};
  asked_at_ = {};
  std::int64_t waited_us = std::exchange(waited_us_, 0); // when_ready's
  if (std::exchange(ready_asked_, false)) {
    // when_ready asked and waited already.
    if (!done() && asm_.open())
      if (auto t = asm_.force())
        turns_.push_back(std::move(*t));
  } else if (!done()) {
    // Words still open (or none yet): ask for them now rather than wait for the endpointing.
    auto answers = finalize_answers_;
    reconnect_now();
    if (open_ && link_) {
      flush(link_);
      link_->send(finalize_msg, false);
      last_sent_ = steady::now();
    } else {
      finalize_on_open_ = true;
    }
    auto asked = steady::now();
    cv_.wait_for(lk, engine_.settings().finalize_wait,
                 [&] { return done() || (finalize_answers_ > answers && !asm_.open()); });
    waited_us = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - asked).count();
    if (!failed_ && asm_.open())
      if (auto t = asm_.force())
        turns_.push_back(std::move(*t));
  }
  outcome o;
  o.vendor_wait_us = waited_us;
  if (failed_) {
    o.failed = true;
    o.note = std::exchange(note_, {});
    turns_.clear();
    return o;
  }
  double sum = 0;
  for (auto& t : turns_) {
    if (!o.text.empty())
      o.text += ' ';
    o.text += t.text;
    sum += t.confidence;
  }
  o.confidence = turns_.empty() ? 0 : sum / double(turns_.size());
  turns_.clear();
  return o;
}

double call_stream::end() {
  std::shared_ptr<link> l;
  double seconds;
  {
    std::lock_guard lk(mtx_);
    closing_ = true;
    closing_since_ = steady::now();
    seconds = double(sent_bytes_) / 8000.0;
    if (!link_) {
      gone_ = true;
      return seconds;
    }
    if (open_) {
      l = link_;
      flush(l); // the last words, before CloseStream
    }
  }
  if (engine_.metrics().units)
    engine_.metrics().units->inc(static_cast<std::uint64_t>(seconds * 1000));
  if (l)
    l->send(close_msg, false); // a socket still connecting sends it on open
  return seconds;
}

void call_stream::tick(steady::time_point now) {
  std::shared_ptr<link> l;
  bool keepalive = false;
  {
    std::lock_guard lk(mtx_);
    if (reconnect_due_ && now - last_audio_ >= engine_.settings().reconnect_quiet)
      reconnect_now();
    if (!link_)
      return;
    if (closing_) {
      if (now - closing_since_ > engine_.settings().close_wait)
        l = link_; // the server never closed: we do
    } else if (open_ && unanswered_since_ != steady::time_point{} &&
               now - unanswered_since_ > engine_.settings().stall_after) {
      spdlog::warn("deepgram: call {}: no message for {} ms of audio; the socket counts as "
                   "dropped", id_, engine_.settings().stall_after.count());
      unanswered_since_ = {};
      l = link_; // aborted below: on_down reconnects (or falls back) as for any drop
    } else if (open_ && now - last_sent_ >= engine_.settings().keepalive_after) {
      l = link_;
      keepalive = true;
      last_sent_ = now;
    }
  }
  if (!l)
    return;
  if (keepalive)
    l->send(keepalive_msg, false); // a text frame: a binary one would be taken for audio
  else
    l->abort();
}

// One utterance: its audio streams to the call's socket and is kept (linear) in case the
// vendor fails before its final, so the embedded engine can decode the same turn.
class deepgram_session final : public stt_session {
public:
  deepgram_session(std::shared_ptr<call_stream> st, stt_engine* fallback, std::string business,
                   vendor_metrics m)
      : st_(std::move(st)), fallback_(fallback), business_(std::move(business)), metrics_(m) {}

  void feed(std::span<const std::int16_t> pcm8k) override {
    pcm_.insert(pcm_.end(), pcm8k.begin(), pcm8k.end());
    mu_.clear(); // reused: no allocation per frame
    audio::mulaw_encode(pcm8k, mu_);
    st_->send_audio(mu_);
  }

  std::string partial() override { return st_->partial(); }

  bool when_ready(std::function<void()> ready) override {
    return st_->when_ready(std::move(ready));
  }

  stt_result finish() override {
    auto o = st_->finish_turn();
    if (!o.failed) {
      stt_result r;
      r.text = o.text;
      r.confidence = o.confidence;
      r.rejected = o.text.empty();
      r.vendor_wait_us = o.vendor_wait_us;
      return r;
    }
    if (metrics_.fallbacks)
      metrics_.fallbacks->inc();
    auto r = decode_on_fallback(fallback_, business_, pcm_);
    r.note = o.note;
    r.vendor_wait_us = o.vendor_wait_us; // waited before the vendor was given up on
    return r;
  }

  static stt_result decode_on_fallback(stt_engine* fb, const std::string& business,
                                       std::span<const std::int16_t> pcm) {
    if (!fb) {
      stt_result r;
      r.rejected = r.unavailable = true;
      return r;
    }
    auto s = make_waiting_session([fb, business] { return fb->start(business); });
    if (!pcm.empty())
      s->feed(pcm);
    return s->finish();
  }

private:
  std::shared_ptr<call_stream> st_;
  stt_engine* fallback_;
  std::string business_;
  vendor_metrics metrics_;
  std::vector<std::int16_t> pcm_;
  std::vector<std::uint8_t> mu_;
};

// After the vendor failed: the embedded engine, with the note for the first turn it decodes.
class noted_session final : public stt_session {
public:
  noted_session(std::unique_ptr<stt_session> inner, std::string note)
      : inner_(std::move(inner)), note_(std::move(note)) {}
  void feed(std::span<const std::int16_t> pcm8k) override { inner_->feed(pcm8k); }
  std::string partial() override { return inner_->partial(); }
  bool when_ready(std::function<void()> ready) override {
    return inner_->when_ready(std::move(ready));
  }
  stt_result finish() override {
    auto r = inner_->finish();
    r.note = note_;
    return r;
  }

private:
  std::unique_ptr<stt_session> inner_;
  std::string note_;
};

std::unique_ptr<stt_session> engine::open(const std::string& call_id,
                                          const std::string& business_id, std::size_t,
                                          const deepgram_call_options& o) {
  auto st = stream(call_id, o);
  if (!st || st->failed()) {
    if (m_.fallbacks)
      m_.fallbacks->inc();
    auto fb = fallback_;
    auto inner = make_waiting_session(
        [fb, business_id]() -> std::unique_ptr<stt_session> { return fb ? fb->start(business_id) : nullptr; });
    return std::make_unique<noted_session>(std::move(inner), st ? st->take_note() : std::string());
  }
  return std::make_unique<deepgram_session>(std::move(st), fallback_, business_id, m_);
}

} // namespace

std::unique_ptr<deepgram_stt> make_deepgram_stt(deepgram_stt_settings s, stt_engine* fallback,
                                                vendor_metrics m) {
  return std::make_unique<engine>(std::move(s), fallback, m);
}

} // namespace frontdesk::speech
