#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/gcal/secret_box.hpp"
#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"
#include "protocols/google/sync_wire.hpp"

namespace frontdesk {
class clock;
namespace store {
class database;
}
} // namespace frontdesk

namespace frontdesk::gcal {

/// Where Google is and how we talk to it.
struct settings {
  std::string accounts_base_url = "https://accounts.google.com";          // the consent page
  std::string oauth_base_url = "https://oauth2.googleapis.com";           // {base}/token
  std::string api_base_url = "https://www.googleapis.com/calendar/v3";    // Calendar API v3
  google::oauth_client client; // id and secret from GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET
  std::string notify_url;      // our push endpoint (public); empty: no watch channels
  std::string secret_key;      // FRONTDESK_SECRET_KEY
  std::chrono::seconds mirror_max_age{900}; // older than this and Google unreachable: fail closed
  std::chrono::seconds poll{180};           // the backstop sync when no push comes
  std::chrono::seconds channel_ttl{604800};
  std::chrono::seconds renew_before{86400}; // a channel is replaced this long before it expires
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds free_busy_timeout{2500}; // the live check inside a booking
  std::chrono::seconds oauth_state_life{600};
  // A page of a sync that meets a rate limit (403 rateLimitExceeded/userRateLimitExceeded, 429)
  // or a 5xx is asked again, after retry_base, doubled each time, with jitter (Retry-After
  // wins, up to retry_cap), at most page_retries times; then the sync fails and the link
  // waits with its own backoff (up to 10 minutes). The cap is short: the sync thread serves
  // every business of the node.
  int page_retries = 3;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_cap{8000};
  google::list_params list;
};

/// One connected calendar.
struct link {
  std::string id, business_id, calendar_id, status, sync_token, sync_params, channel_id,
      channel_token, resource_id, last_error;
  bool busy_only = false;
  std::optional<sys_time> channel_expires_at, channel_started_at, last_synced_at, sync_wanted_at;
};

/// What a Google request came to.
struct reply {
  int status = 0; // 0: no answer (connect failure, timeout)
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string transport_error;
};

/// The live answer for the calendar actor before it confirms a slot.
struct live_busy {
  enum class kind {
    not_linked,   // no active calendar: the database calendar alone decides
    answered,     // Google answered for every calendar: `busy` is the owner's busy time
    trust_mirror, // Google did not answer but the mirror is fresh: the mirror decides
    unverifiable, // Google did not answer and the mirror is stale: nothing can be vouched for
  } what = kind::not_linked;
  std::vector<std::pair<sys_time, sys_time>> busy;
  std::string why;
};

/// What one write of our event came to (an outbox row).
struct write_result {
  enum class kind { done, retry, failed, dropped } what = kind::done;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string message;
  int requests = 0; // Google requests made (figures)
};

/// Counters for metrics and figures.
struct sync_counts {
  long long syncs = 0, full_syncs = 0, gone_410 = 0, pages = 0, requests = 0, refreshes = 0,
            invalid_grants = 0, pushes = 0, pushes_refused = 0, moved_from_google = 0,
            cancelled_from_google = 0, restored = 0, free_busy = 0, free_busy_failed = 0,
            page_retries = 0, stale_etags = 0;
};

/// The two-way sync with Google Calendar for every business of a node, as a plain class: OAuth
/// (consent, code exchange, single-flight refresh with the token sealed at rest), incremental
/// sync of each calendar into the calendar_busy mirror (sync tokens bound to their query, pages
/// to the end, 410 → wipe and full sync), our appointments' events written from the outbox
/// (deterministic ids, 409/410/404 handled), watch channels and push notifications, and the
/// live freeBusy check. Blocking (HTTP, PostgreSQL): call from worker threads only.
class google_sync {
public:
  google_sync(settings s, store::database& db, const clock& clk);
  ~google_sync();

  const settings& config() const { return s_; }

  /// Starts connecting a calendar: stores a one-time state (business + nonce) with its PKCE
  /// verifier and returns Google's consent URL.
  expected<std::string> begin_connect(const std::string& business_id,
                                      const std::string& calendar_id = "primary",
                                      bool busy_only = false);
  /// The callback: takes the state once, exchanges the code, seals and stores the refresh
  /// token, then (with `sync_now`) runs the first full sync and opens the watch channel; without
  /// it they are left to the next sync_due, so the owner's browser is not kept waiting on a
  /// large calendar. Returns the business id.
  expected<std::string> finish_connect(const std::string& state, const std::string& code,
                                       bool sync_now = true);
  /// Disconnects a business's calendars (channels stopped, mirror wiped, token forgotten).
  expected<int> disconnect(const std::string& business_id);
  /// The business's links.
  expected<std::vector<link>> links(const std::string& business_id);

  /// Syncs one calendar (incremental when it can). Returns the number of events applied.
  expected<int> sync_link(const std::string& business_id, const std::string& link_id);
  /// Syncs every active link that wants it: pushed, or due for the backstop poll. Renews
  /// channels near expiry. Returns the links synced.
  int sync_due(bool everything = false);

  /// Writes the event of an appointment chain to Google from its current state (insert,
  /// patch or delete): an outbox row of kind "gcal.event".
  write_result write_event(const std::string& business_id, const std::string& root_id);

  /// freeBusy over [from, to) for the business's active calendars. With `moving` (the
  /// appointment a caller is moving), the main calendar is read with events.list over the
  /// window instead, leaving out our own events: freeBusy cannot tell the appointment's own
  /// event apart from the owner's busy time, and would refuse a move onto time overlapping it.
  live_busy check_live(const std::string& business_id, sys_time from, sys_time to,
                       const std::string& moving = "");

  /// A push notification's verdict, from its headers. On `sync` the link is marked wanted
  /// (the sync runs later, coalesced). Returns the HTTP status to answer.
  int on_push(const std::vector<std::pair<std::string, std::string>>& headers);

  /// Opens (or renews) the watch channel of a link: new channel first, then the old stopped.
  expected<bool> ensure_channel(const std::string& business_id, const std::string& link_id);

  sync_counts counts() const;

  /// Links by status across every business (metrics): active, broken, disabled.
  std::map<std::string, long long> link_states();

private:
  struct token_slot;
  /// The link's access token; `failed` is one Google refused (401): a new one is fetched
  /// unless another caller already did.
  expected<std::string> access_token(const link& l, const std::string& failed);
  reply call(const std::string& method, const std::string& url, const std::string& body,
             const std::string& content_type, const std::string& bearer,
             std::chrono::milliseconds timeout, const std::string& extra_header = "");
  /// A Calendar API request with the link's token: a 401 refreshes once and tries again.
  /// `extra_header` is one more header line ("If-Match: ...").
  expected<reply> api(const link& l, const std::string& method, const std::string& path,
                      const std::string& body,
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                      const std::string& extra_header = "");
  expected<link> load_link(const std::string& business_id, const std::string& link_id);
  void mark_broken(const link& l, const std::string& why);
  void count(long long sync_counts::*field, long long n = 1);

  settings s_;
  store::database& db_;
  const clock& clk_;
  std::optional<secret_box> box_;
  std::string box_error_;
  mutable std::mutex mtx_;
  std::map<std::string, std::shared_ptr<token_slot>> tokens_; // per link: single-flight refresh
  std::map<std::string, std::shared_ptr<std::mutex>> syncing_; // per link: one sync at a time
  struct backoff {
    int failures = 0;
    sys_time until{};
  };
  std::map<std::string, backoff> backoff_; // per link: failed syncs wait before the next
  sync_counts counts_;
};

} // namespace frontdesk::gcal
