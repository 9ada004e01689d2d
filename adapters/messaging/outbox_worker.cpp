#include "adapters/messaging/outbox_worker.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <random>

#include <boost/json.hpp>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include "adapters/clock/clock.hpp"
#include "adapters/messaging/sender.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/store/messaging.hpp"
#include "protocols/sms/sms_text.hpp"

namespace frontdesk::messaging {
namespace {

namespace json = boost::json;

std::string str_of(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

double jitter_unit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

} // namespace

void crash_point(const char* point) {
  static const char* wanted = std::getenv("FRONTDESK_CRASH_AT");
  if (wanted && std::strcmp(wanted, point) == 0)
    std::raise(SIGKILL);
}

struct outbox_worker::metric_refs {
  metrics::counter *sent, *failed, *retried, *dead, *dropped, *reconciled;
  metrics::gauge *depth = nullptr, *oldest_due = nullptr, *dead_rows = nullptr;
};

namespace {
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

outbox_worker::outbox_worker(worker_settings s, store::database& db, sms_sender& sender,
                             const clock& clk, metrics::registry* reg)
    : s_(std::move(s)), db_(db), sender_(sender), clk_(clk), created_at_(steady_ms()) {
  if (reg) {
    auto c = [&](const char* result) {
      return &reg->add_counter("frontdesk_sms_total", "Outbox texts by result.",
                               std::string("result=\"") + result + "\"");
    };
    m_ = std::make_unique<metric_refs>(metric_refs{c("sent"), c("failed"), c("retried"), c("dead"),
                                                   c("dropped"), c("reconciled")});
    m_->depth = &reg->add_gauge("frontdesk_outbox_depth", "Outbox rows waiting or in flight (all nodes).");
    m_->oldest_due = &reg->add_gauge("frontdesk_outbox_oldest_due_seconds",
                                     "How long the oldest due outbox row has waited.");
    m_->dead_rows = &reg->add_gauge("frontdesk_outbox_dead", "Outbox rows out of attempts.");
  }
}

outbox_worker::~outbox_worker() { stop(); }

void outbox_worker::start() {
  for (int i = 0; i < std::max(1, s_.threads); ++i)
    threads_.emplace_back([this, i] { loop(i); });
}

void outbox_worker::stop() {
  {
    std::lock_guard lk(mtx_);
    if (stopping_.exchange(true))
      return;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

void outbox_worker::poke() {
  {
    std::lock_guard lk(mtx_);
    poked_ = true;
  }
  cv_.notify_all();
}

void outbox_worker::loop(int index) {
  ::pthread_setname_np(::pthread_self(), ("fd.outbox" + std::to_string(index)).substr(0, 15).c_str());
  if (index == 0) {
    // On the worker's own thread, so a node's start never waits for the database here.
    auto expired = store::outbox_repo(db_).expire_claims(s_.node, clk_.now());
    if (expired && *expired > 0)
      spdlog::warn("outbox: {} texts were in flight when node '{}' last stopped; reconciling them",
                   *expired, s_.node);
    if (!expired)
      spdlog::warn("outbox: the claims node '{}' left when it last stopped were not expired ({}); "
                   "they are reconciled when their lease runs out",
                   s_.node, expired.error().message);
    {
      std::lock_guard lk(mtx_);
      old_claims_expired_ = true;
    }
    cv_.notify_all();
  } else {
    std::unique_lock lk(mtx_);
    cv_.wait(lk, [this] { return stopping_.load() || old_claims_expired_; });
  }
  auto last_figures = std::chrono::steady_clock::now() - std::chrono::hours(1);
  auto last_poll = last_figures;
  auto last_pass = last_figures;
  bool poked = true;
  while (!stopping_) {
    // A cluster's nodes share one outbox: one of them polls it often, the others rarely. Each
    // still wakes every `poll` (no database work), so a node that comes to lead starts at once.
    const bool lead = !s_.leads || s_.leads();
    if (!lead && !poked && std::chrono::steady_clock::now() - last_pass < s_.follower_poll) {
      std::unique_lock lk(mtx_);
      poked = cv_.wait_for(lk, s_.poll, [this] { return stopping_.load() || poked_; });
      poked_ = false;
      continue;
    }
    last_pass = std::chrono::steady_clock::now();
    if (index == 0 && std::chrono::steady_clock::now() - last_figures >
                          (lead ? std::chrono::seconds(2) : std::chrono::seconds(10))) {
      refresh_figures();
      last_figures = std::chrono::steady_clock::now();
    }
    if (index == 0 && lead &&
        std::chrono::steady_clock::now() - last_poll > s_.status_poll_every) {
      try {
        poll_statuses();
      } catch (const std::exception& e) {
        spdlog::error("sms status poll: {}", e.what());
      }
      last_poll = std::chrono::steady_clock::now();
    }
    int n = 0;
    try {
      n = run_once();
    } catch (const std::exception& e) {
      spdlog::error("outbox: {}", e.what());
    }
    if (n > 0)
      continue; // more may be due: no pause while there is work
    std::unique_lock lk(mtx_);
    poked = cv_.wait_for(lk, s_.poll, [this] { return stopping_.load() || poked_; });
    poked_ = false;
  }
}

status_poll_result outbox_worker::poll_statuses() {
  auto now = clk_.now();
  // Twilio retries a webhook for hours at most: a week's receipts are plenty.
  if (auto purged = store::outbox_repo(db_).purge_webhook_receipts(now - std::chrono::hours(24 * 7)); !purged)
    spdlog::warn("outbox: webhook receipts: {}", purged.error().message);
  return poll_sms_statuses(db_, sender_, now, s_.status_poll);
}

void outbox_worker::refresh_figures() {
  auto f = store::outbox_repo(db_).figures(clk_.now());
  if (!f)
    return;
  depth_ = f->depth;
  due_ = f->due;
  dead_rows_ = f->dead;
  oldest_due_ = f->oldest_due_seconds;
  refreshed_at_ = steady_ms();
  if (m_) {
    m_->depth->set(f->depth);
    m_->oldest_due->set(static_cast<std::int64_t>(f->oldest_due_seconds));
    m_->dead_rows->set(f->dead);
  }
}

std::string outbox_worker::stuck_reason(std::chrono::seconds limit) const {
  auto at = refreshed_at_.load();
  // A node that has just started is not stuck before its workers' first report is due.
  if (at == 0 && steady_ms() - created_at_ <= 30000)
    return "";
  if (at == 0 || steady_ms() - at > 30000)
    return "outbox workers not reporting";
  if (oldest_due_.load() > static_cast<double>(limit.count()))
    return "outbox stuck: a due text has waited " +
           std::to_string(static_cast<long long>(oldest_due_.load())) + " s (" +
           std::to_string(due_.load()) + " due)";
  return "";
}

int outbox_worker::run_once() {
  store::outbox_repo repo(db_);
  auto now = clk_.now();
  if (auto moved = repo.enqueue_due_reminders(now, 500); moved && *moved > 0)
    counts_.reminders += static_cast<std::uint64_t>(*moved);
  auto rows = repo.claim(s_.node, s_.batch, now, s_.lease);
  if (!rows) {
    spdlog::error("outbox: claim: {}", rows.error().message);
    return 0;
  }
  for (auto& row : *rows)
    work(row);
  return static_cast<int>(rows->size());
}

void outbox_worker::account(const store::row_result& r) {
  auto bump = [&](std::atomic<std::uint64_t>& c, metrics::counter* m) {
    ++c;
    if (m)
      m->inc();
  };
  if (r.status == "done")
    bump(counts_.sent, m_ ? m_->sent : nullptr);
  else if (r.status == "failed")
    bump(counts_.failed, m_ ? m_->failed : nullptr);
  else if (r.status == "pending" || r.status == "sending")
    bump(counts_.retried, m_ ? m_->retried : nullptr);
  else if (r.status == "dead")
    bump(counts_.dead, m_ ? m_->dead : nullptr);
  else if (r.status == "dropped")
    bump(counts_.dropped, m_ ? m_->dropped : nullptr);
}

void outbox_worker::work(const store::claimed_row& row) {
  store::outbox_repo repo(db_);
  store::row_result r;
  r.attempts = row.attempts;
  auto finish = [&] {
    auto now = clk_.now();
    if (r.next_attempt_at == sys_time{})
      r.next_attempt_at = now;
    auto ok = repo.finish(row, r, now);
    if (!ok)
      spdlog::error("outbox {}: result not saved ({}); the row will be reconciled", row.id,
                    ok.error().message);
    else if (!*ok)
      spdlog::warn("outbox {}: claim lost before the result was saved", row.id);
    else
      account(r);
  };
  auto retry_later = [&](sms::attempt_result what, std::optional<std::chrono::milliseconds> after,
                         const std::string& error, bool ambiguous) {
    auto step = sms::decide(s_.retry, what, r.attempts, after, jitter_unit());
    r.last_error = error;
    if (step.what == sms::next_step::kind::dead) {
      r.status = "dead";
      spdlog::error("outbox {}: dead after {} attempts: {}", row.id, r.attempts, error);
      return finish();
    }
    // An ambiguous send stays 'sending' and is reconciled when its wait is over.
    r.status = ambiguous ? "sending" : "pending";
    r.next_attempt_at = clk_.now() + std::chrono::duration_cast<sys_time::duration>(step.delay);
    finish();
  };

  json::object payload;
  {
    boost::system::error_code ec;
    auto v = json::parse(row.payload, ec);
    if (!ec && v.is_object())
      payload = v.as_object();
  }
  if (auto h = handlers_.find(row.kind); h != handlers_.end()) {
    if (r.attempts > s_.retry.max_attempts) {
      r.status = "dead";
      r.last_error = "out of attempts";
      return finish();
    }
    auto out = h->second(row);
    r.provider_ref = out.provider_ref;
    switch (out.what) {
    case handled::kind::done: r.status = "done"; return finish();
    case handled::kind::failed: r.status = "failed"; r.last_error = out.error; return finish();
    case handled::kind::dropped: r.status = "dropped"; r.last_error = out.error; return finish();
    case handled::kind::retry:
      return retry_later(sms::attempt_result::retry, out.retry_after, out.error, false);
    }
  }
  if (row.kind != "sms" && row.kind != "sms.reminder") {
    // A kind this process has no handler for (a Google Calendar write claimed by `frontdesk
    // outbox run`, or by a node without Google configured) is left for one that has it: put
    // back untouched, its attempt not counted, and not claimed again here for a minute.
    spdlog::warn("outbox {}: no handler for kind '{}' here; left for another node", row.id,
                 row.kind);
    r.status = "pending";
    r.attempts = std::max(0, row.attempts - 1);
    r.last_error = "no handler for kind '" + row.kind + "' on this node";
    r.next_attempt_at = clk_.now() + std::chrono::minutes(1);
    return finish();
  }
  // A reminder is rendered when it goes, from the appointment as it is now.
  if (row.kind == "sms.reminder" && str_of(payload, "body").empty()) {
    auto for_start = parse_rfc3339(str_of(payload, "for_start"));
    auto ctx = repo.reminder(row.business_id, str_of(payload, "appointment_id"),
                             for_start ? *for_start : sys_time{}, clk_.now());
    if (!ctx)
      return retry_later(sms::attempt_result::retry, std::nullopt, ctx.error().message, false);
    if (!ctx->live) {
      r.status = "dropped";
      r.last_error = "appointment moved, cancelled, past, or the customer opted out";
      return finish();
    }
    auto body = sms::render_notice(sms::notice::reminder,
                                   {ctx->business_name, ctx->business_phone, ctx->address, ctx->zone},
                                   ctx->start);
    if (!body) {
      r.status = "failed";
      r.last_error = "cannot render: unknown time zone '" + ctx->zone + "'";
      return finish();
    }
    payload["to"] = ctx->phone;
    payload["from"] = ctx->business_phone;
    payload["body"] = *body;
    // Saved before sending: a reconciliation compares the vendor's messages with these words.
    if (auto saved = repo.set_payload(row, json::serialize(payload)); !saved || !*saved)
      return; // the claim is gone: its new holder carries on
  }
  sms::outgoing m{str_of(payload, "to"), str_of(payload, "from"), str_of(payload, "body"),
                  s_.status_callback_url};
  auto seg = sms::count_segments(m.body);
  auto log_entry = [&](const std::string& sid, const std::string& status, int code) {
    return store::row_result::log_entry{m.to, m.from, m.body, sid, status,
                                        sms::to_string(seg.encoding), seg.segments, code};
  };
  if (m.to.empty() || m.body.empty()) {
    r.status = "failed";
    r.last_error = "payload lacks to or body";
    return finish();
  }
  if (row.opted_out) {
    r.status = "dropped";
    r.last_error = "recipient opted out";
    return finish();
  }

  if (row.reconcile && !sender_.log_only()) {
    auto listing = sender_.recent(m.to, m.from);
    if (!listing)
      return retry_later(sms::attempt_result::retry, std::nullopt,
                         "reconcile: " + listing.error().message, true);
    if (auto found = sms::find_sent(*listing, m, row.sending_since)) {
      ++counts_.reconciled;
      if (m_)
        m_->reconciled->inc();
      spdlog::info("outbox {}: already sent as {} before the last worker stopped", row.id, found->sid);
      r.status = "done";
      r.provider_ref = found->sid;
      r.log = log_entry(found->sid, found->status.empty() ? "queued" : found->status, 0);
      return finish();
    }
    ++r.attempts; // not found: this claim sends it again
  }
  if (r.attempts > s_.retry.max_attempts) {
    r.status = "dead";
    r.last_error = "out of attempts";
    return finish();
  }

  if (row.kind == "sms.reminder") {
    // Held by the vendor no longer than it can still arrive in time; none at all when too late.
    auto for_start = parse_rfc3339(str_of(payload, "for_start"));
    auto validity = for_start ? sms::reminder_validity(*for_start, clk_.now()) : std::nullopt;
    if (!validity) {
      r.status = "dropped";
      r.last_error = "too late: the reminder could not arrive before the appointment";
      return finish();
    }
    m.validity_seconds = *validity;
  }
  if (auto* of = payload.if_contains("resend_of"); of && row.kind == "sms") {
    // A confirmation sent again after a carrier failure: only while it still says what is true.
    auto* rev = payload.if_contains("revision");
    auto appt = str_of(payload, "appointment_id");
    if (!appt.empty() && rev && rev->is_int64()) {
      auto current = repo.notice_current(row.business_id, appt, rev->as_int64());
      if (!current)
        return retry_later(sms::attempt_result::retry, std::nullopt, current.error().message, false);
      if (!*current) {
        r.status = "dropped";
        r.last_error = "superseded: the appointment changed since this text was written";
        return finish();
      }
    }
  }
  crash_point("outbox.before_send");
  auto out = sender_.send(m);
  crash_point("outbox.after_send");
  using k = sms::send_outcome::kind;
  switch (out.what) {
  case k::accepted:
    r.status = "done";
    r.provider_ref = out.sid;
    r.log = log_entry(out.sid, out.status.empty() ? "queued" : out.status, 0);
    return finish();
  case k::final:
    r.status = "failed";
    r.last_error = out.message;
    r.log = log_entry("", "failed", out.error_code);
    if (out.opted_out()) {
      r.opted_out = true;
      r.recipient = m.to;
    }
    spdlog::warn("outbox {}: refused for good: {}", row.id, out.message);
    return finish();
  case k::retry:
    return retry_later(sms::attempt_result::retry, out.retry_after, out.message, false);
  case k::ambiguous:
    spdlog::warn("outbox {}: {}; will look before sending again", row.id, out.message);
    return retry_later(sms::attempt_result::retry, out.retry_after, out.message, true);
  }
}

} // namespace frontdesk::messaging
