#include "adapters/dashboard/live_feed.hpp"

#include <chrono>

#include <pthread.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "adapters/http/http.hpp"

namespace frontdesk::dashboard {

namespace json = boost::json;

std::string sse_frame(const live_event& e) {
  // `data` is one line of JSON (serialised by PostgreSQL without newlines), so one data: line.
  return "id: " + std::to_string(e.id) + "\nevent: " + e.kind + "\ndata: " + e.data + "\n\n";
}

bool parse_live_notification(const std::string& payload, live_event& out) {
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object())
    return false;
  auto& o = v.as_object();
  auto id = o.if_contains("id");
  auto b = o.if_contains("business_id");
  auto k = o.if_contains("kind");
  auto d = o.if_contains("data");
  if (!id || !id->is_int64() || !b || !b->is_string() || !k || !k->is_string() || !d ||
      !d->is_object())
    return false;
  out.id = id->as_int64();
  out.business_id = std::string(b->as_string());
  out.kind = std::string(k->as_string());
  out.data = json::serialize(*d);
  return true;
}

void live_feed::subscription::deliver(const live_event& e) {
  std::lock_guard lk(mtx_);
  if (!live_) {
    if (held_.size() < 1000)
      held_.push_back(e);
    return;
  }
  if (e.id <= last_id_)
    return;
  last_id_ = e.id;
  sink_->write(sse_frame(e));
}

void live_feed::subscription::go_live(const std::vector<live_event>& replay) {
  std::lock_guard lk(mtx_);
  for (auto& e : replay)
    if (e.id > last_id_) {
      last_id_ = e.id;
      sink_->write(sse_frame(e));
    }
  for (auto& e : held_)
    if (e.id > last_id_) {
      last_id_ = e.id;
      sink_->write(sse_frame(e));
    }
  held_.clear();
  live_ = true;
}

live_feed::live_feed(std::string conninfo, bool on_demand)
    : conninfo_(std::move(conninfo)), on_demand_(on_demand) {}

live_feed::~live_feed() { stop(); }

void live_feed::start() {
  thread_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "fd.events");
    run();
  });
}

void live_feed::stop() {
  {
    std::lock_guard lk(demand_mtx_);
    stop_ = true;
  }
  demand_cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
  std::lock_guard lk(mtx_);
  for (auto& [_, s] : subs_) {
    s->sink_->close();
    unwant();
  }
  subs_.clear();
}

bool live_feed::want(std::chrono::milliseconds wait) {
  {
    std::lock_guard lk(demand_mtx_);
    ++users_;
  }
  demand_cv_.notify_all();
  return wait_listening(wait);
}

bool live_feed::wait_listening(std::chrono::milliseconds wait) {
  std::unique_lock lk(demand_mtx_);
  return demand_cv_.wait_for(lk, wait, [this] { return listening_.load() || stop_.load(); }) &&
         listening_;
}

void live_feed::unwant() {
  std::lock_guard lk(demand_mtx_);
  if (users_ > 0)
    --users_;
}

std::shared_ptr<live_feed::subscription>
live_feed::subscribe(const std::string& business_id, std::shared_ptr<http::stream_sink> sink,
                     std::int64_t last_event_id) {
  auto s = std::make_shared<subscription>();
  s->sink_ = std::move(sink);
  s->business_id_ = business_id;
  s->last_id_ = last_event_id;
  {
    std::lock_guard dl(demand_mtx_);
    ++users_; // released where the stream is found closed
  }
  demand_cv_.notify_all();
  std::lock_guard lk(mtx_);
  subs_.emplace(business_id, s);
  return s;
}

std::size_t live_feed::streams() const {
  std::lock_guard lk(mtx_);
  return subs_.size();
}

void live_feed::publish(const live_event& e) {
  if (tap_)
    tap_(e);
  std::vector<std::shared_ptr<subscription>> to;
  {
    std::lock_guard lk(mtx_);
    auto [a, b] = subs_.equal_range(e.business_id);
    for (auto it = a; it != b;) {
      auto s = it->second;
      if (!s->sink_->open()) {
        it = subs_.erase(it);
        unwant();
        continue;
      }
      to.push_back(std::move(s));
      ++it;
    }
  }
  for (auto& s : to)
    s->deliver(e);
}

void live_feed::heartbeat() {
  std::vector<std::shared_ptr<subscription>> all;
  {
    std::lock_guard lk(mtx_);
    for (auto it = subs_.begin(); it != subs_.end();) {
      auto s = it->second;
      if (!s->sink_->open()) {
        it = subs_.erase(it);
        unwant();
        continue;
      }
      all.push_back(std::move(s));
      ++it;
    }
  }
  for (auto& s : all)
    s->sink_->write(": ping\n\n");
}

namespace {

class receiver final : public pqxx::notification_receiver {
public:
  receiver(pqxx::connection_base& c, live_feed& feed)
      : pqxx::notification_receiver(c, "frontdesk_live"), feed_(feed) {}
  void operator()(const std::string& payload, int) override {
    live_event e;
    if (parse_live_notification(payload, e))
      feed_.publish(e);
    else
      spdlog::warn("live feed: a notification was not understood");
  }

private:
  live_feed& feed_;
};

} // namespace

void live_feed::run() {
  using clock = std::chrono::steady_clock;
  auto next_ping = clock::now() + std::chrono::seconds(15);
  int backoff_ms = 200;
  // Whether to go on listening; when not, LISTEN is marked gone in the same step, so that a
  // user arriving meanwhile waits for the next connection instead of trusting this one.
  auto go_on = [this] {
    std::lock_guard lk(demand_mtx_);
    if (stop_ || (on_demand_ && users_ == 0)) {
      listening_ = false;
      return false;
    }
    return true;
  };
  while (!stop_) {
    if (on_demand_) {
      std::unique_lock lk(demand_mtx_);
      demand_cv_.wait(lk, [this] { return stop_ || users_ > 0; });
      if (stop_)
        break;
    }
    try {
      pqxx::connection conn(conninfo_);
      receiver r(conn, *this);
      conn.get_notifs(); // issues the LISTEN
      {
        std::lock_guard lk(demand_mtx_);
        listening_ = true;
      }
      demand_cv_.notify_all();
      backoff_ms = 200;
      while (go_on()) {
        conn.await_notification(0, 200000); // wakes at least every 0.2 s to see stop_
        if (clock::now() >= next_ping) {
          heartbeat();
          next_ping = clock::now() + std::chrono::seconds(15);
        }
      }
      // No user left: the connection closes here.
    } catch (const std::exception& e) {
      listening_ = false;
      spdlog::warn("live feed: {}; reconnecting in {} ms", e.what(), backoff_ms);
      for (int waited = 0; waited < backoff_ms && !stop_; waited += 50)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff_ms = std::min(backoff_ms * 2, 5000);
    }
  }
  listening_ = false;
}

} // namespace frontdesk::dashboard
