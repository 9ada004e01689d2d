#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/messaging/status_poller.hpp"
#include "protocols/sms/outbox_policy.hpp"

namespace frontdesk {
class clock;
namespace metrics {
class registry;
class counter;
class gauge;
} // namespace metrics
namespace store {
class database;
struct claimed_row;
struct row_result;
} // namespace store
} // namespace frontdesk

namespace frontdesk::messaging {

class sms_sender;

struct worker_settings {
  std::string node = "node-1"; // claims carry it; a node that starts again reconciles its own
  int threads = 2;             // sender threads (each claims its own batches)
  int batch = 16;
  std::chrono::milliseconds poll{500}; // idle wait between passes
  std::chrono::seconds lease{60};      // longer than a vendor call may take
  sms::retry_policy retry;
  std::string status_callback_url; // given to Twilio with each text; empty: none
  status_poll_settings status_poll;  // texts whose final callback never came are looked up
  std::chrono::seconds status_poll_every{30};
  /// In a cluster: whether this node leads the outbox now (one live node does). The leader
  /// looks every `poll` and does the periodic work (figures, status look-ups); the others ask
  /// `leads` every `poll` but look only every `follower_poll` or when poked, a backstop for
  /// the moments two nodes disagree on who leads. Empty: this node leads (a node alone).
  std::function<bool()> leads;
  std::chrono::milliseconds follower_poll{10000};
};

/// What a handler of another kind of row (a calendar write, ...) made of it.
struct handled {
  enum class kind { done, retry, failed, dropped } what = kind::done;
  std::optional<std::chrono::milliseconds> retry_after; // retry: at least this long
  std::string error;
  std::string provider_ref;
};
/// Carries out one claimed row of its kind. Blocking work is fine: it runs on an outbox thread.
using row_handler = std::function<handled(const store::claimed_row& row)>;

/// Counters of what the workers did (also exported as metrics when a registry is given).
struct worker_counts {
  std::atomic<std::uint64_t> sent{0}, failed{0}, retried{0}, dead{0}, dropped{0},
      reconciled{0}, reminders{0};
};

/// Carries out the outbox on one node: threads of its own (never CAF's scheduler threads)
/// claim due rows with FOR UPDATE SKIP LOCKED, mark them 'sending' before the vendor call,
/// and write each result; rows whose worker died are reconciled (the vendor's recent
/// messages are searched before anything is sent again). Due reminders are moved into the
/// outbox on the way. Stops cleanly: a row in flight is finished first.
class outbox_worker {
public:
  outbox_worker(worker_settings s, store::database& db, sms_sender& sender, const clock& clk,
                metrics::registry* metrics = nullptr);
  ~outbox_worker();
  outbox_worker(const outbox_worker&) = delete;
  outbox_worker& operator=(const outbox_worker&) = delete;

  /// Starts the threads; the first expires this node's old claims (they died with its last
  /// run) before its first pass.
  void start();
  /// Stops the threads after the rows they hold; safe to call twice.
  void stop();
  /// One pass on the calling thread: due reminders, then one claimed batch. Returns the rows
  /// worked (tests, `frontdesk outbox run`).
  int run_once();
  /// Looks up the texts whose final status callback is overdue (thread 0 does it every
  /// `status_poll_every`). Blocking (HTTP, PostgreSQL).
  status_poll_result poll_statuses();
  /// Wakes the threads now (work was just queued).
  void poke();
  /// Rows of `kind` go to `h` (before start()); the retry policy and attempts stay the
  /// worker's.
  void add_handler(std::string kind, row_handler h) { handlers_[std::move(kind)] = std::move(h); }

  const worker_counts& counts() const { return counts_; }

  /// Why /ready should fail ("" when fine): a due row waited longer than `limit`, or the
  /// figures have not been refreshed lately (the workers are not running). Non-blocking.
  std::string stuck_reason(std::chrono::seconds limit) const;
  /// Reads the outbox's figures (depth, oldest due age, dead rows) into the gauges; thread 0
  /// does it every 2 s. Blocking (PostgreSQL).
  void refresh_figures();

private:
  void loop(int index);
  void work(const store::claimed_row& row);
  void account(const store::row_result& r);

  worker_settings s_;
  store::database& db_;
  sms_sender& sender_;
  const clock& clk_;
  worker_counts counts_;
  struct metric_refs;
  std::unique_ptr<metric_refs> m_;
  std::atomic<bool> stopping_{false};
  std::mutex mtx_;
  std::condition_variable cv_;
  bool poked_ = false;
  // Set once thread 0 has expired the claims this node left when it last stopped; the other
  // threads claim nothing before, or the expiry would take back a row one of them is sending.
  bool old_claims_expired_ = false;
  std::vector<std::thread> threads_;
  std::map<std::string, row_handler> handlers_;
  // The outbox as a whole (all nodes), refreshed by thread 0 every few seconds.
  std::atomic<long long> depth_{0}, due_{0}, dead_rows_{0};
  std::atomic<double> oldest_due_{0};
  std::atomic<std::int64_t> refreshed_at_{0}; // steady clock, ms
  std::int64_t created_at_ = 0;                // steady clock, ms: a new worker has 30 s to report
};

/// Crash points for the outbox's kill -9 tests: when FRONTDESK_CRASH_AT names `point`, the
/// process kills itself with SIGKILL there (as a node dying at that instant would).
void crash_point(const char* point);

} // namespace frontdesk::messaging
