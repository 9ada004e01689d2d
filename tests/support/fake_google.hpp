#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "protocols/core/time.hpp"
#include "tests/support/fake_openai.hpp"

namespace frontdesk::fixtures {

/// Google's OAuth2 token endpoint and Calendar API v3 on 127.0.0.1 for tests, stateful and in
/// the real wire format: the authorization-code and refresh grants (PKCE verifier checked),
/// bearer tokens checked (401 authError), events list with pages and sync tokens
/// (nextSyncToken only on the last page, cancelled items in minimal form), insert (409 on a
/// taken id, deleted ids kept as tombstones), get, patch (403 on a tombstone), delete (410 when
/// already deleted), freeBusy (per-calendar errors inside a 200), watch and stop, and push
/// notifications POSTed to the watch address as Google sends them (no body, X-Goog-* headers).
/// Recurring events (an RRULE in `recurrence`) are expanded as Google does for
/// singleEvents=true: instances with ids "<series>_<UTC start>", `recurringEventId` and
/// `originalStartTime`, stepped in the series' own time zone (so 10:00 stays 10:00 across a DST
/// change), with moved and cancelled exceptions; without singleEvents the series comes whole.
/// Every change gives a new etag; a patch with a stale If-Match is refused (412).
/// One calendar, "primary", in `zone`. Faults are queued per kind and each meets one request;
/// a queued `none` lets one request through (to aim a fault at a later page).
class fake_google {
public:
  enum class fault {
    none,
    invalid_grant,     // token endpoint: 400 {"error":"invalid_grant"}
    token_500,         // token endpoint: 500
    gone_410,          // events.list with a sync token: 410 fullSyncRequired
    rate_limited,      // any API call: 403 rateLimitExceeded
    user_rate_limited, // any API call: 403 userRateLimitExceeded
    quota_exceeded,    // any API call: 403 quotaExceeded "Calendar usage limits exceeded."
    not_organizer,     // any API call: 403 forbiddenForNonOrganizer
    too_many,          // any API call: 429
    server_error,      // any API call: 500 backendError
    unauthorized,      // any API call: 401 authError (the access token "expired")
    free_busy_not_found, // freeBusy: 200 with errors [notFound] for the calendar
    slow,              // any API call: answers after `slow_for`
  };
  enum class kind { token, list, insert, patch, remove, free_busy, watch, any };

  explicit fake_google(std::string zone = "America/Chicago");
  ~fake_google();
  fake_google(const fake_google&) = delete;
  fake_google& operator=(const fake_google&) = delete;

  /// "http://127.0.0.1:PORT" for oauth_base_url; api_base_url() for the Calendar API.
  std::string base_url() const;
  std::string api_base_url() const { return base_url() + "/calendar/v3"; }

  /// An authorization code the consent page would have given for this verifier (PKCE).
  void expect_code(const std::string& code, const std::string& code_verifier);
  std::string client_id = "test-client.apps.googleusercontent.com";
  std::string client_secret = "test-secret";
  /// The refresh token the next code exchange gives.
  std::string next_refresh_token = "1//refresh-token-0001";

  /// The fake's clock for channel lives (a test's manual clock).
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };

  void push_fault(kind k, fault f);
  void set_slow_for(std::chrono::milliseconds d);
  void set_page_size(int n); // events.list pages (0: the request's maxResults)
  /// Watch channels live this long (Google may give less than asked).
  void set_channel_life(std::chrono::seconds s);
  /// Channels stop notifying (a silent channel).
  void set_silent(bool s);
  /// The whole server stops answering (refused connections) until `down(false)`.
  void down(bool d);

  /// The owner's changes, as if made in Google's own UI (they notify the watch channels).
  /// `event` is an events resource without id (one is given) or with one.
  std::string owner_insert(boost::json::object event);
  bool owner_move(const std::string& id, const std::string& start, const std::string& end);
  bool owner_cancel(const std::string& id);
  /// The instance ids of a recurring series, in order (as singleEvents=true lists them).
  std::vector<std::string> instance_ids(const std::string& series_id) const;
  /// Many events at once, without notifications (benchmarks).
  void owner_bulk(int n, const std::string& first_day_utc);

  /// Events as stored (cancelled ones included).
  std::vector<boost::json::object> events() const;
  std::optional<boost::json::object> event(const std::string& id) const;
  /// Live (not cancelled) events carrying our appointment property.
  std::vector<boost::json::object> our_events() const;
  /// Requests by kind, and notifications sent.
  int count(kind k) const;
  int notifications() const;
  /// The live channels: id → address.
  std::map<std::string, std::string> channels() const;
  int stops() const;
  /// Sends a notification to every live channel now (a duplicate or a late one).
  void notify_all(const std::string& state = "exists");

  void stop();

private:
  struct stored {
    boost::json::object body;
    long long seq = 0;
  };
  struct channel {
    std::string id, address, token, resource_id;
    std::chrono::system_clock::time_point expires;
    long long message = 0;
    bool stopped = false;
  };
  scripted_reply handle(const recorded_request& req);
  scripted_reply token(const recorded_request& req);
  scripted_reply list(const std::string& query);
  scripted_reply insert(const std::string& body);
  scripted_reply patch(const std::string& id, const std::string& body,
                       const std::optional<std::string>& if_match);
  scripted_reply remove(const std::string& id);
  scripted_reply get(const std::string& id);
  scripted_reply free_busy(const std::string& body);
  scripted_reply watch(const std::string& body);
  scripted_reply stop_channel(const std::string& body);
  fault take_fault(kind k); // fault::none when none is queued
  /// Events as a listing shows them: with `single`, series expanded into their instances
  /// (exceptions in place of the instances they replace), without, series and exceptions as
  /// stored. Keyed by id, each with the sequence of its last change. Instances are made into
  /// `made` (stored events are not copied: a listing of thousands is read every page).
  std::map<std::string, const stored*> visible_locked(bool single, std::deque<stored>& made) const;
  /// The instances of one series, generated from its RRULE (exceptions not applied).
  std::vector<std::pair<std::string, stored>> expand_locked(const stored& series) const;
  /// [start, end) of an event as instants (all-day dates at midnight in the calendar's zone).
  std::optional<std::pair<sys_time, sys_time>> span_of(const boost::json::object& e) const;
  /// A change: the next sequence and a new etag.
  void touch_locked(stored& s);
  void changed_locked(); // queues notifications for every live channel
  void notifier();

  std::string zone_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::map<std::string, std::string> codes_; // code -> verifier
  std::set<std::string> refresh_tokens_, access_tokens_;
  std::map<kind, std::deque<fault>> faults_;
  std::chrono::milliseconds slow_for_{3000};
  int page_size_ = 0;
  std::chrono::seconds channel_life_{604800};
  bool silent_ = false;
  bool down_ = false;
  std::map<std::string, stored> events_;
  long long seq_ = 1;
  std::map<std::string, long long> sync_tokens_; // token -> seq it was issued at
  struct page_state {
    std::vector<std::string> ids; // the listing's events, fixed at its first page
    std::size_t offset = 0;
    long long snapshot = 0; // the sequence the listing saw: its sync token's start
  };
  std::map<std::string, page_state> page_tokens_;
  std::map<std::string, channel> channels_;
  std::map<kind, int> counts_;
  int notifications_ = 0, stops_ = 0, next_id_ = 1;
  std::deque<std::pair<channel, std::string>> outgoing_; // notifications to send
  bool stopping_ = false;
  std::thread notifier_;
  std::unique_ptr<fake_openai> server_;
};

} // namespace frontdesk::fixtures
