#include "adapters/gcal/service.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/clock/clock.hpp"
#include "adapters/config/config.hpp"
#include "adapters/http/http.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/twilio/form.hpp"

namespace frontdesk::gcal {

settings settings_of(const config& cfg) {
  settings s;
  s.accounts_base_url = cfg.google.accounts_base_url;
  s.oauth_base_url = cfg.google.oauth_base_url;
  s.api_base_url = cfg.google.api_base_url;
  auto base = cfg.node.public_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  s.client = {cfg.google.client_id, cfg.google.client_secret, base + "/google/oauth/callback"};
  if (cfg.google.watch)
    s.notify_url = base + "/google/calendar/notify";
  s.secret_key = cfg.google.secret_key;
  s.mirror_max_age = std::chrono::seconds(cfg.google.mirror_max_age_seconds);
  s.poll = std::chrono::seconds(cfg.google.poll_seconds);
  s.channel_ttl = std::chrono::seconds(cfg.google.channel_ttl_seconds);
  s.renew_before = std::chrono::seconds(cfg.google.renew_before_seconds);
  s.timeout = std::chrono::milliseconds(cfg.google.api_timeout_ms);
  s.free_busy_timeout = std::chrono::milliseconds(cfg.google.free_busy_timeout_ms);
  return s;
}

// What the sync did, as gauges refreshed by the sync thread (the counts live in the sync).
struct google_service::metric_refs {
  metrics::gauge *syncs, *full_syncs, *gone, *requests, *refreshes, *invalid_grants, *pushes,
      *pushes_refused, *moved, *cancelled, *restored, *free_busy, *free_busy_failed;
  metrics::gauge *active, *broken;
};

google_service::google_service(const config& cfg, const clock& clk, metrics::registry* reg)
    : db_(std::make_unique<store::database>(cfg.database.url, 3)),
      sync_(std::make_unique<google_sync>(settings_of(cfg), *db_, clk)) {
  if (reg) {
    auto g = [&](const char* what, const char*) {
      return &reg->add_gauge("frontdesk_google_events",
                             "Google Calendar sync events on this node since it started, by kind.",
                             std::string("what=\"") + what + "\"");
    };
    m_ = std::make_unique<metric_refs>(metric_refs{
        g("syncs", "Google Calendar sync events on this node since it started, by kind."),
        g("full_syncs", ""), g("gone_410", ""), g("requests", ""), g("token_refreshes", ""),
        g("invalid_grants", ""), g("pushes", ""), g("pushes_refused", ""),
        g("moved_from_google", ""), g("cancelled_from_google", ""), g("restored", ""),
        g("free_busy", ""), g("free_busy_failed", ""),
        &reg->add_gauge("frontdesk_google_links", "Connected calendars by status (all businesses).",
                        "status=\"active\""),
        &reg->add_gauge("frontdesk_google_links", "Connected calendars by status (all businesses).",
                        "status=\"broken\"")});
  }
}

void google_service::report() {
  if (!m_)
    return;
  auto c = sync_->counts();
  m_->syncs->set(c.syncs);
  m_->full_syncs->set(c.full_syncs);
  m_->gone->set(c.gone_410);
  m_->requests->set(c.requests);
  m_->refreshes->set(c.refreshes);
  m_->invalid_grants->set(c.invalid_grants);
  m_->pushes->set(c.pushes);
  m_->pushes_refused->set(c.pushes_refused);
  m_->moved->set(c.moved_from_google);
  m_->cancelled->set(c.cancelled_from_google);
  m_->restored->set(c.restored);
  m_->free_busy->set(c.free_busy);
  m_->free_busy_failed->set(c.free_busy_failed);
  auto states = sync_->link_states();
  m_->active->set(states["active"]);
  m_->broken->set(states["broken"]);
}

google_service::~google_service() { stop(); }

void google_service::install(http::server& server, worker_pool& blocking) {
  server.on("GET", "/google/oauth/callback", [this, &blocking](http::request req, auto respond) {
    auto q = twilio::parse_form(req.query, 32);
    auto page = [](int status, std::string text) {
      return http::response{status, "text/plain; charset=utf-8", std::move(text), {}};
    };
    if (!q) {
      respond(page(400, "Bad request.\n"));
      return;
    }
    auto state = q->value("state"), code = q->value("code"), error = q->value("error");
    if (!error.empty()) {
      respond(page(400, "Google Calendar was not connected (" + error.substr(0, 64) + ").\n"));
      return;
    }
    if (state.empty() || code.empty() || state.size() > 512 || code.size() > 2048) {
      respond(page(400, "Bad request: state and code are required.\n"));
      return;
    }
    bool queued = blocking.post([this, state, code, respond, page] {
      // The owner's browser gets its answer now; the first full sync (which may read
      // thousands of events) and the watch channel follow on the sync thread, woken here.
      auto done = sync_->finish_connect(state, code, false);
      if (done) {
        poke();
        respond(page(200, "Google Calendar is connected. You can close this page.\n"));
      } else if (done.error().code == "bad_state") {
        respond(page(400, "This link is unknown, used or expired: start again with "
                          "`frontdesk calendar connect`.\n"));
      } else if (done.error().code == "exchange_refused" || done.error().code == "no_refresh_token") {
        respond(page(400, "Google refused the connection: " + done.error().message + "\n"));
      } else {
        spdlog::error("google: connect: {}", done.error().message);
        respond(page(502, "Google Calendar could not be connected now; try again.\n"));
      }
    });
    if (!queued)
      respond(page(503, "Busy; try again.\n"));
  });
  server.on("POST", "/google/calendar/notify", [this, &blocking](http::request req, auto respond) {
    auto headers = req.headers;
    bool queued = blocking.post([this, headers = std::move(headers), respond] {
      // Answered as soon as it is checked and recorded; the sync runs on the sync thread.
      int status = sync_->on_push(headers);
      respond(http::response{status, "text/plain; charset=utf-8", "", {}});
      if (status == 200)
        poke();
    });
    if (!queued)
      respond(http::response{503, "text/plain; charset=utf-8", "", {}});
  });
}

void google_service::start() {
  thread_ = std::thread([this] { loop(); });
}

void google_service::stop() {
  {
    std::lock_guard lk(mtx_);
    if (stopping_.exchange(true))
      return;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void google_service::poke() {
  {
    std::lock_guard lk(mtx_);
    poked_ = true;
  }
  cv_.notify_all();
}

void google_service::loop() {
  auto last_report = std::chrono::steady_clock::now() - std::chrono::hours(1);
  auto last_pass = last_report;
  bool poked = true;
  while (!stopping_) {
    // In a cluster one node syncs every second; the others every ten seconds or on a push
    // (each still wakes every second, without database work, so a new leader starts at once).
    const bool lead = !leads_ || leads_();
    if (!lead && !poked && std::chrono::steady_clock::now() - last_pass < std::chrono::seconds(10)) {
      std::unique_lock lk(mtx_);
      poked = cv_.wait_for(lk, std::chrono::seconds(1), [this] { return stopping_.load() || poked_; });
      poked_ = false;
      continue;
    }
    last_pass = std::chrono::steady_clock::now();
    try {
      sync_->sync_due(false);
      if (std::chrono::steady_clock::now() - last_report > std::chrono::seconds(5)) {
        report();
        last_report = std::chrono::steady_clock::now();
      }
    } catch (const std::exception& e) {
      spdlog::error("google: sync: {}", e.what());
    }
    std::unique_lock lk(mtx_);
    // A push wakes it at once; otherwise it looks every second for what is due.
    poked = cv_.wait_for(lk, std::chrono::seconds(1), [this] { return stopping_.load() || poked_; });
    poked_ = false;
  }
}

messaging::row_handler google_service::outbox_handler() {
  return [this](const store::claimed_row& row) {
    messaging::handled h;
    boost::system::error_code ec;
    auto v = boost::json::parse(row.payload, ec);
    std::string root;
    if (!ec && v.is_object())
      if (auto* r = v.as_object().if_contains("root_id"); r && r->is_string())
        root = std::string(r->as_string());
    if (root.empty()) {
      h.what = messaging::handled::kind::failed;
      h.error = "payload lacks root_id";
      return h;
    }
    auto w = sync_->write_event(row.business_id, root);
    h.error = w.message;
    h.retry_after = w.retry_after;
    switch (w.what) {
    case write_result::kind::done: h.what = messaging::handled::kind::done; break;
    case write_result::kind::retry: h.what = messaging::handled::kind::retry; break;
    case write_result::kind::failed: h.what = messaging::handled::kind::failed; break;
    case write_result::kind::dropped: h.what = messaging::handled::kind::dropped; break;
    }
    return h;
  };
}

booking::live_check google_service::live_check() {
  return [this](const std::string& business_id, sys_time from, sys_time to,
                const std::string& moving) {
    auto a = sync_->check_live(business_id, from, to, moving);
    booking::live_answer out;
    switch (a.what) {
    case live_busy::kind::not_linked: out.what = booking::live_answer::kind::not_linked; break;
    case live_busy::kind::answered: out.what = booking::live_answer::kind::answered; break;
    case live_busy::kind::trust_mirror: out.what = booking::live_answer::kind::trust_mirror; break;
    case live_busy::kind::unverifiable: out.what = booking::live_answer::kind::unverifiable; break;
    }
    for (auto& [s, e] : a.busy)
      out.busy.push_back({std::chrono::floor<std::chrono::seconds>(s),
                          std::chrono::ceil<std::chrono::seconds>(e)});
    if (a.what == live_busy::kind::unverifiable)
      spdlog::warn("google: business {}: slot not vouched for ({})", business_id, a.why);
    return out;
  };
}

} // namespace frontdesk::gcal
