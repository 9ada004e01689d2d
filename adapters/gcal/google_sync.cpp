#include "adapters/gcal/google_sync.hpp"

#include <cctype>
#include <set>
#include <thread>

#include <curl/curl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "adapters/clock/clock.hpp"
#include "adapters/http/response_sink.hpp"
#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "protocols/google/calendar_json.hpp"

namespace frontdesk::gcal {
namespace {

using namespace std::chrono_literals;

std::string ts(sys_time t) { return format_rfc3339(t); }

std::optional<sys_time> ts_of(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  auto t = parse_rfc3339(f.as<std::string>());
  if (!t)
    return std::nullopt;
  return *t;
}

// Timestamps leave PostgreSQL as RFC 3339 in UTC.
std::string utc(const std::string& col) {
  return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

std::string hex_of(const std::vector<std::uint8_t>& b) {
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
  out.pop_back();
  return out;
}

std::vector<std::uint8_t> bin_of(const std::string& hex) {
  std::vector<std::uint8_t> out(hex.size() / 2);
  std::size_t len = 0;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0)
    return {};
  out.resize(len);
  return out;
}

// Larger than any page Google sends: the transfer stops.
constexpr std::size_t max_reply = 32 * 1024 * 1024;

// One easy handle per thread: its connection stays open between requests.
struct curl_handle {
  CURL* h = curl_easy_init();
  ~curl_handle() { curl_easy_cleanup(h); }
};

CURL* thread_handle() {
  thread_local curl_handle mine;
  curl_easy_reset(mine.h);
  return mine.h;
}

link link_of(const pqxx::row& r) {
  link l;
  l.id = r["id"].as<std::string>();
  l.business_id = r["business_id"].as<std::string>();
  l.calendar_id = r["calendar_id"].as<std::string>();
  l.status = r["status"].as<std::string>();
  l.sync_token = r["sync_token"].is_null() ? "" : r["sync_token"].as<std::string>();
  l.sync_params = r["sync_params"].is_null() ? "" : r["sync_params"].as<std::string>();
  l.channel_id = r["channel_id"].is_null() ? "" : r["channel_id"].as<std::string>();
  l.channel_token = r["channel_token"].is_null() ? "" : r["channel_token"].as<std::string>();
  l.resource_id = r["channel_resource_id"].is_null() ? "" : r["channel_resource_id"].as<std::string>();
  l.last_error = r["last_error"].is_null() ? "" : r["last_error"].as<std::string>();
  l.busy_only = r["busy_only"].as<bool>();
  l.channel_expires_at = ts_of(r["channel_expires"]);
  l.channel_started_at = ts_of(r["channel_started"]);
  l.last_synced_at = ts_of(r["synced"]);
  l.sync_wanted_at = ts_of(r["wanted"]);
  return l;
}

std::string link_columns() {
  return "id, business_id, calendar_id, status, sync_token, sync_params, channel_id, channel_token, "
         "channel_resource_id, last_error, busy_only, " +
         utc("channel_expires_at") + " AS channel_expires, " + utc("channel_started_at") +
         " AS channel_started, " + utc("last_synced_at") +
         " AS synced, " + utc("sync_wanted_at") + " AS wanted";
}

// The state of an appointment chain as the event should show it.
struct chain_state {
  std::string root_id, event_id_saved, etag, live_id, summary, description, location, zone;
  int revision = 0;
  store::interval during{};
  bool operator==(const chain_state& o) const {
    return live_id == o.live_id && during.start == o.during.start && during.end == o.during.end &&
           revision == o.revision;
  }
};

} // namespace

struct google_sync::token_slot {
  std::mutex m;
  std::string token;
  sys_time expires{};
};

google_sync::google_sync(settings s, store::database& db, const clock& clk)
    : s_(std::move(s)), db_(db), clk_(clk) {
  for (auto* u : {&s_.accounts_base_url, &s_.oauth_base_url, &s_.api_base_url})
    while (!u->empty() && u->back() == '/')
      u->pop_back();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto b = secret_box::from_key_text(s_.secret_key);
  if (b)
    box_ = std::move(*b);
  else
    box_error_ = b.error().message;
}

google_sync::~google_sync() = default;

void google_sync::count(long long sync_counts::*field, long long n) {
  std::lock_guard lk(mtx_);
  counts_.*field += n;
}

sync_counts google_sync::counts() const {
  std::lock_guard lk(mtx_);
  return counts_;
}

reply google_sync::call(const std::string& method, const std::string& url,
                        const std::string& body, const std::string& content_type,
                        const std::string& bearer, std::chrono::milliseconds timeout,
                        const std::string& extra_header) {
  count(&sync_counts::requests);
  CURL* h = thread_handle();
  http::response_sink x(max_reply);
  curl_slist* headers = nullptr;
  if (!bearer.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
  if (!content_type.empty())
    headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!extra_header.empty())
    headers = curl_slist_append(headers, extra_header.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "GET")
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http::response_sink::curl_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http::response_sink::curl_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(3000L, static_cast<long>(timeout.count())));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  reply r;
  auto rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    r.transport_error = curl_easy_strerror(rc);
    return r;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  r.body = std::move(x.body);
  r.retry_after = x.headers.wait();
  return r;
}

expected<std::string> google_sync::access_token(const link& l, const std::string& failed) {
  std::shared_ptr<token_slot> slot;
  {
    std::lock_guard lk(mtx_);
    auto& s = tokens_[l.id];
    if (!s)
      s = std::make_shared<token_slot>();
    slot = s;
  }
  // One refresh per link at a time: callers that saw the same 401 share the new token.
  std::lock_guard lk(slot->m);
  auto now = clk_.now();
  if (!slot->token.empty() && slot->token != failed && now + 60s < slot->expires)
    return slot->token;
  if (!box_)
    return fail("no_secret_key", box_error_);
  std::string hex;
  try {
    hex = db_.as_business(l.business_id, [&](pqxx::work& tx) {
      auto r = tx.exec_params("SELECT encode(refresh_token_box, 'hex') FROM calendar_links "
                              "WHERE id = $1 AND status = 'active'",
                              l.id);
      return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("refresh token: ") + e.what());
  }
  if (hex.empty())
    return fail("not_linked", "no active calendar link " + l.id);
  auto refresh = box_->open(bin_of(hex));
  if (!refresh)
    return refresh.error();
  count(&sync_counts::refreshes);
  auto r = call("POST", s_.oauth_base_url + "/token", google::refresh_form(s_.client, *refresh),
                "application/x-www-form-urlencoded", "", s_.timeout);
  if (r.status == 0)
    return fail("google_unreachable", "token endpoint: " + r.transport_error);
  auto t = google::parse_token_reply(r.body);
  // Only a 400 invalid_grant means the grant is gone; 5xx, timeouts, other errors do not.
  if (r.status == 400 && t && t->error == "invalid_grant") {
    count(&sync_counts::invalid_grants);
    mark_broken(l, "invalid_grant: " + t->error_description);
    return fail("invalid_grant", "Google refused the refresh token (invalid_grant)");
  }
  if (r.status != 200 || !t || t->access_token.empty())
    return fail("google_unreachable", "token endpoint answered " + std::to_string(r.status));
  slot->token = t->access_token;
  slot->expires = now + std::chrono::seconds(t->expires_in > 0 ? t->expires_in : 3600);
  if (!t->refresh_token.empty() && t->refresh_token != *refresh) {
    // A new refresh token replaces the old; one absent keeps the old.
    try {
      db_.as_business(l.business_id, [&](pqxx::work& tx) {
        tx.exec_params("UPDATE calendar_links SET refresh_token_box = decode($2, 'hex') WHERE id = $1",
                       l.id, hex_of(box_->seal(t->refresh_token)));
      });
    } catch (const std::exception& e) {
      spdlog::error("google: new refresh token not saved: {}", e.what());
    }
  }
  return slot->token;
}

expected<reply> google_sync::api(const link& l, const std::string& method,
                                 const std::string& path, const std::string& body,
                                 std::optional<std::chrono::milliseconds> timeout,
                                 const std::string& extra_header) {
  auto tok = access_token(l, "");
  if (!tok)
    return tok.error();
  auto t = timeout.value_or(s_.timeout);
  auto type = body.empty() ? "" : "application/json";
  auto r = call(method, s_.api_base_url + path, body, type, *tok, t, extra_header);
  if (r.status == 401) {
    // An expired or revoked access token: one refresh (shared), one more try.
    auto again = access_token(l, *tok);
    if (!again)
      return again.error();
    r = call(method, s_.api_base_url + path, body, type, *again, t, extra_header);
  }
  return r;
}

expected<link> google_sync::load_link(const std::string& business_id, const std::string& link_id) {
  try {
    return db_.as_business(business_id, [&](pqxx::work& tx) -> expected<link> {
      auto r = tx.exec_params("SELECT " + link_columns() + " FROM calendar_links WHERE id = $1", link_id);
      if (r.empty())
        return fail("not_linked", "no calendar link " + link_id);
      return link_of(r[0]);
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("calendar link: ") + e.what());
  }
}

expected<std::vector<link>> google_sync::links(const std::string& business_id) {
  try {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      std::vector<link> out;
      for (auto r : tx.exec("SELECT " + link_columns() + " FROM calendar_links ORDER BY busy_only, created_at"))
        out.push_back(link_of(r));
      return out;
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("calendar links: ") + e.what());
  }
}

void google_sync::mark_broken(const link& l, const std::string& why) {
  spdlog::error("google: calendar {} of business {} is disconnected ({}); booking goes on from "
                "the database alone until the owner connects it again",
                l.calendar_id, l.business_id, why);
  {
    std::lock_guard lk(mtx_);
    tokens_.erase(l.id);
  }
  try {
    db_.as_business(l.business_id, [&](pqxx::work& tx) {
      tx.exec_params("UPDATE calendar_links SET status = 'broken', broken_at = $2::timestamptz, "
                     "last_error = $3, channel_id = NULL, channel_token = NULL, "
                     "channel_resource_id = NULL, channel_expires_at = NULL WHERE id = $1",
                     l.id, ts(clk_.now()), why);
      tx.exec_params("INSERT INTO staff_tasks (business_id, kind, note) VALUES ($1, "
                     "'calendar_reconnect', $2)",
                     l.business_id,
                     "Google Calendar " + l.calendar_id +
                         " is disconnected: run `frontdesk calendar connect` again (" + why + ")");
    });
  } catch (const std::exception& e) {
    spdlog::error("google: link {} not marked broken: {}", l.id, e.what());
  }
}

expected<std::string> google_sync::begin_connect(const std::string& business_id,
                                                 const std::string& calendar_id, bool busy_only) {
  if (!box_)
    return fail("no_secret_key", box_error_);
  if (s_.client.client_id.empty() || s_.client.client_secret.empty())
    return fail("no_client", "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set");
  auto nonce = google::base64url(random_bytes(24));
  auto state = business_id + "." + nonce;
  auto verifier = google::base64url(random_bytes(32));
  auto challenge = google::base64url(sha256(verifier));
  try {
    db_.as_business(business_id, [&](pqxx::work& tx) {
      tx.exec_params("DELETE FROM google_oauth_states WHERE expires_at < $1::timestamptz",
                     ts(clk_.now()));
      tx.exec_params("INSERT INTO google_oauth_states (state, business_id, code_verifier, "
                     "calendar_id, busy_only, expires_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)",
                     state, business_id, verifier, calendar_id, busy_only,
                     ts(clk_.now() + s_.oauth_state_life));
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("oauth state: ") + e.what());
  }
  return google::consent_url(s_.accounts_base_url, s_.client, state, challenge);
}

expected<std::string> google_sync::finish_connect(const std::string& state, const std::string& code,
                                                  bool sync_now) {
  if (!box_)
    return fail("no_secret_key", box_error_);
  struct taken {
    std::string business_id, verifier, calendar_id;
    bool busy_only = false;
  };
  std::optional<taken> t;
  try {
    t = db_.unscoped([&](pqxx::work& tx) -> std::optional<taken> {
      auto r = tx.exec_params("SELECT business_id, code_verifier, calendar_id, busy_only "
                              "FROM google_take_oauth_state($1, $2::timestamptz)",
                              state, ts(clk_.now()));
      if (r.empty())
        return std::nullopt;
      return taken{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                   r[0][3].as<bool>()};
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("oauth state: ") + e.what());
  }
  if (!t)
    return fail("bad_state", "unknown, used or expired state");
  auto r = call("POST", s_.oauth_base_url + "/token",
                google::code_exchange_form(s_.client, code, t->verifier),
                "application/x-www-form-urlencoded", "", s_.timeout);
  if (r.status == 0)
    return fail("google_unreachable", "token endpoint: " + r.transport_error);
  auto tok = google::parse_token_reply(r.body);
  if (r.status != 200 || !tok || tok->access_token.empty())
    return fail("exchange_refused", "token endpoint answered " + std::to_string(r.status) +
                                        (tok && !tok->error.empty() ? " " + tok->error : ""));
  if (tok->refresh_token.empty())
    return fail("no_refresh_token", "Google gave no refresh token (offline access refused)");
  std::string link_id;
  try {
    link_id = db_.as_business(t->business_id, [&](pqxx::work& tx) {
      if (!t->busy_only)
        tx.exec_params("UPDATE calendar_links SET status = 'disabled' WHERE NOT busy_only AND "
                       "calendar_id <> $1",
                       t->calendar_id);
      auto row = tx.exec_params1(
          "INSERT INTO calendar_links (business_id, provider, calendar_id, refresh_token_box, "
          "busy_only, status) VALUES ($1, 'google', $2, decode($3, 'hex'), $4, 'active') "
          "ON CONFLICT (business_id, provider, calendar_id) DO UPDATE SET "
          "refresh_token_box = excluded.refresh_token_box, busy_only = excluded.busy_only, "
          "status = 'active', sync_token = NULL, sync_params = NULL, last_error = NULL, "
          "broken_at = NULL RETURNING id",
          t->business_id, t->calendar_id, hex_of(box_->seal(tok->refresh_token)), t->busy_only);
      auto id = row[0].as<std::string>();
      if (!t->busy_only) {
        // Upcoming bookings go to the newly connected calendar (again, after a broken link).
        auto stamp = std::to_string(clk_.now().time_since_epoch().count());
        tx.exec_params("SELECT queue_calendar_event(id, $1::timestamptz, 'connect' || $2) "
                       "FROM appointments WHERE status = 'booked' AND upper(during) > $1::timestamptz",
                       ts(clk_.now()), stamp);
      }
      return id;
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("calendar link: ") + e.what());
  }
  {
    std::lock_guard lk(mtx_);
    auto& slot = tokens_[link_id];
    slot = std::make_shared<token_slot>();
    slot->token = tok->access_token;
    slot->expires = clk_.now() + std::chrono::seconds(tok->expires_in > 0 ? tok->expires_in : 3600);
  }
  spdlog::info("google: business {} connected calendar {}{}", t->business_id, t->calendar_id,
               t->busy_only ? " (busy time only)" : "");
  if (!sync_now)
    return t->business_id; // never synced: the next sync_due syncs it and opens its channel
  if (auto n = sync_link(t->business_id, link_id); !n)
    spdlog::warn("google: first sync of {}: {}", t->calendar_id, n.error().message);
  if (!s_.notify_url.empty())
    if (auto c = ensure_channel(t->business_id, link_id); !c)
      spdlog::warn("google: watch channel for {}: {}", t->calendar_id, c.error().message);
  return t->business_id;
}

expected<int> google_sync::disconnect(const std::string& business_id) {
  auto all = links(business_id);
  if (!all)
    return all.error();
  int n = 0;
  for (auto& l : *all) {
    if (l.status == "active" && !l.channel_id.empty())
      (void)api(l, "POST", "/channels/stop", google::stop_body(l.channel_id, l.resource_id));
    {
      std::lock_guard lk(mtx_);
      tokens_.erase(l.id);
    }
    ++n;
  }
  try {
    db_.as_business(business_id, [&](pqxx::work& tx) {
      tx.exec("DELETE FROM calendar_busy");
      tx.exec("UPDATE calendar_links SET status = 'disabled', refresh_token_box = NULL, "
              "sync_token = NULL, sync_params = NULL, channel_id = NULL, channel_token = NULL, "
              "channel_resource_id = NULL, channel_expires_at = NULL");
      // Writes still queued for this calendar have nowhere to go.
      tx.exec("UPDATE outbox SET status = 'dropped', last_error = 'calendar disconnected' "
              "WHERE kind = 'gcal.event' AND status = 'pending'");
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("disconnect: ") + e.what());
  }
  return n;
}

expected<int> google_sync::sync_link(const std::string& business_id, const std::string& link_id) {
  std::shared_ptr<std::mutex> gate;
  {
    std::lock_guard lk(mtx_);
    auto& g = syncing_[link_id];
    if (!g)
      g = std::make_shared<std::mutex>();
    gate = g;
  }
  std::lock_guard one_at_a_time(*gate);
  auto started = clk_.now();
  auto l = load_link(business_id, link_id);
  if (!l)
    return l.error();
  if (l->status != "active")
    return 0;
  count(&sync_counts::syncs);
  auto key = google::params_key(s_.list);
  // A token obtained under another query means nothing for this one: start over.
  std::string token = l->sync_params == key ? l->sync_token : "";
  std::vector<google::event> events;
  std::string next_sync;
  bool full = token.empty();
  for (int round = 0;; ++round) {
    events.clear();
    full = token.empty();
    if (full)
      count(&sync_counts::full_syncs);
    std::string page;
    bool restart = false;
    int tries = 0; // of the current page
    for (int pages = 0;; ++pages) {
      if (pages > 10000)
        return fail("google_bad_paging", "more than 10,000 pages");
      auto r = api(*l, "GET",
                   "/calendars/" + google::url_encode(l->calendar_id) + "/events?" +
                       google::list_query(s_.list, token, page),
                   "");
      if (!r)
        return r.error();
      if (r->status == 200) {
        auto p = google::parse_events_page(r->body);
        if (!p)
          return p.error();
        count(&sync_counts::pages);
        tries = 0;
        for (auto& e : p->items)
          events.push_back(std::move(e));
        if (!p->next_page_token.empty()) {
          page = p->next_page_token;
          continue;
        }
        next_sync = p->next_sync_token;
        break;
      }
      auto err = google::classify_error(r->status, r->body);
      if (r->status == 0)
        err.message = r->transport_error;
      if ((err.action == google::error_action::back_off || r->status == 0) &&
          tries < s_.page_retries) {
        // A rate limit or a passing failure in the middle of the pages: the same page is asked
        // again after a wait (the page token stays good), so the pages read so far are kept
        // and nothing is read twice. Nothing is applied before the last page either way.
        auto wait = std::min<std::chrono::milliseconds>(s_.retry_base * (1 << tries), s_.retry_cap);
        wait = std::chrono::milliseconds(static_cast<long long>(
            static_cast<double>(wait.count()) * (0.5 + randombytes_uniform(1000) / 2000.0)));
        if (r->retry_after)
          wait = std::min<std::chrono::milliseconds>(std::max(wait, *r->retry_after), s_.retry_cap);
        ++tries;
        count(&sync_counts::page_retries);
        spdlog::info("google: page {} of {} answered {} {}: asked again in {} ms", pages + 1,
                     l->calendar_id, r->status, err.reason, wait.count());
        std::this_thread::sleep_for(wait);
        continue;
      }
      if (err.action == google::error_action::full_sync && !full && round == 0) {
        // 410: the token is gone. Wipe the mirror and read everything again.
        count(&sync_counts::gone_410);
        spdlog::info("google: sync token of {} expired (410): full sync", l->calendar_id);
        token.clear();
        restart = true;
        break;
      }
      try {
        db_.as_business(business_id, [&](pqxx::work& tx) {
          tx.exec_params("UPDATE calendar_links SET last_error = $2 WHERE id = $1", link_id,
                         std::to_string(r->status) + " " + err.reason + " " + err.message);
        });
      } catch (const std::exception&) {
      }
      return fail("google_error", "events.list answered " + std::to_string(r->status) + " " +
                                      err.reason);
    }
    if (!restart)
      break;
  }

  // Apply every page in one transaction: an interrupted sync leaves the mirror and token as
  // they were.
  struct ours_event {
    google::event e;
  };
  std::vector<ours_event> ours;
  try {
    db_.as_business(business_id, [&](pqxx::work& tx) {
      auto b = tx.exec1("SELECT timezone, google_declined_blocks FROM businesses");
      auto zone = b[0].as<std::string>();
      bool declined_blocks = b[1].as<bool>();
      std::set<std::string> our_ids;
      for (auto r : tx.exec("SELECT calendar_event_id FROM appointments WHERE calendar_event_id IS NOT NULL"))
        our_ids.insert(r[0].as<std::string>());
      if (full)
        tx.exec_params("DELETE FROM calendar_busy WHERE link_id = $1", link_id);
      for (auto& e : events) {
        bool mine = google::is_ours(e) || our_ids.count(e.id) > 0;
        if (mine) {
          // Our own appointment's event: never busy time of its own (the appointment is).
          tx.exec_params("DELETE FROM calendar_busy WHERE link_id = $1 AND event_id = $2", link_id, e.id);
          if (!l->busy_only)
            ours.push_back({e});
          continue;
        }
        auto blk = google::block_of(e, zone, declined_blocks);
        if (!blk) {
          spdlog::warn("google: event {} skipped: {}", e.id, blk.error().message);
          continue;
        }
        if (*blk)
          tx.exec_params("INSERT INTO calendar_busy (business_id, link_id, event_id, during) "
                         "VALUES ($1, $2, $3, tstzrange($4::timestamptz, $5::timestamptz)) "
                         "ON CONFLICT (link_id, event_id) DO UPDATE SET during = excluded.during",
                         business_id, link_id, e.id, ts((*blk)->start), ts((*blk)->end));
        else if (!full)
          tx.exec_params("DELETE FROM calendar_busy WHERE link_id = $1 AND event_id = $2", link_id, e.id);
      }
      tx.exec_params("UPDATE calendar_links SET sync_token = nullif($2, ''), sync_params = $3, "
                     "last_synced_at = $4::timestamptz, last_error = NULL, "
                     "sync_wanted_at = CASE WHEN sync_wanted_at <= $5::timestamptz THEN NULL "
                     "ELSE sync_wanted_at END WHERE id = $1",
                     link_id, next_sync, key, ts(clk_.now()), ts(started));
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("mirror: ") + e.what());
  }

  // The owner moved or deleted one of our events: the appointment follows (or is restored).
  for (auto& o : ours) {
    auto& e = o.e;
    try {
      struct found {
        std::string root, live, policy;
        store::interval during{};
      };
      auto f = db_.as_business(business_id, [&](pqxx::work& tx) -> std::optional<found> {
        auto r = tx.exec_params("SELECT id FROM appointments WHERE calendar_event_id = $1", e.id);
        if (r.empty())
          return std::nullopt; // not written yet (the outbox reconciles it), or ours deleted
        found x;
        x.root = r[0][0].as<std::string>();
        x.policy = tx.exec1("SELECT google_policy FROM businesses")[0].as<std::string>();
        auto live = tx.exec_params("SELECT a.id, " + utc("lower(a.during)") + ", " +
                                       utc("upper(a.during)") +
                                       " FROM appointments a WHERE a.id = appointment_chain_live($1)",
                                   x.root);
        if (live.empty())
          return x;
        x.live = live[0][0].as<std::string>();
        x.during = {*parse_rfc3339(live[0][1].as<std::string>()),
                    *parse_rfc3339(live[0][2].as<std::string>())};
        return x;
      });
      if (!f || f->live.empty())
        continue; // our own delete coming back, or a write still queued
      auto restore = [&](const std::string& why) {
        count(&sync_counts::restored);
        db_.as_business(business_id, [&](pqxx::work& tx) {
          if (e.cancelled())
            tx.exec_params("UPDATE appointments SET calendar_revision = calendar_revision + 1, "
                           "calendar_event_id = NULL WHERE id = $1",
                           f->root);
          tx.exec_params("SELECT queue_calendar_event($1, $2::timestamptz, $3)", f->live,
                         ts(clk_.now()),
                         "restore" + std::to_string(clk_.now().time_since_epoch().count()));
          tx.exec_params("INSERT INTO staff_tasks (business_id, kind, appointment_id, note) "
                         "VALUES ($1, 'calendar_conflict', $2, $3)",
                         business_id, f->live, why);
        });
      };
      store::appointments_repo appts(db_);
      if (e.cancelled()) {
        if (f->policy == "follow") {
          auto done = appts.cancel(business_id, f->live, clk_.now(), true);
          if (done && *done) {
            count(&sync_counts::cancelled_from_google);
            spdlog::info("google: appointment {} cancelled in Google; cancelled here", f->live);
          }
        } else {
          restore("The appointment was deleted in Google Calendar; it was put back there.");
        }
        continue;
      }
      auto prop = e.private_properties.find(std::string(google::appointment_property));
      if (prop != e.private_properties.end() && prop->second != f->live)
        continue; // an older echo: the write for the live appointment is on its way
      if (!e.start.instant || !e.end.instant)
        continue;
      if (*e.start.instant == f->during.start && *e.end.instant == f->during.end)
        continue; // our own write coming back
      if (f->policy == "follow") {
        auto moved = appts.reschedule(business_id, f->live, {*e.start.instant, *e.end.instant},
                                      clk_.now(), "", true);
        if (moved) {
          count(&sync_counts::moved_from_google);
          spdlog::info("google: appointment {} moved in Google; moved here as {}", f->live, moved->id);
          continue;
        }
        restore("The appointment was moved in Google Calendar to a time that is taken; it was "
                "put back (" + moved.error().message + ").");
      } else {
        restore("The appointment was moved in Google Calendar; it was put back.");
      }
    } catch (const std::exception& ex) {
      spdlog::error("google: our event {}: {}", e.id, ex.what());
    }
  }
  return static_cast<int>(events.size());
}

int google_sync::sync_due(bool everything) {
  std::vector<std::pair<std::string, std::string>> all;
  try {
    all = db_.unscoped([&](pqxx::work& tx) {
      std::vector<std::pair<std::string, std::string>> out;
      for (auto r : tx.exec("SELECT business_id, link_id FROM google_active_links()"))
        out.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
      return out;
    });
  } catch (const std::exception& e) {
    spdlog::error("google: links: {}", e.what());
    return 0;
  }
  int n = 0;
  auto now = clk_.now();
  for (auto& [biz, id] : all) {
    auto l = load_link(biz, id);
    if (!l || l->status != "active")
      continue;
    bool due = everything || l->sync_wanted_at || !l->last_synced_at ||
               now - *l->last_synced_at >= s_.poll;
    {
      // After failures (rate limits, 5xx, Google down) a link waits, exponentially and with
      // jitter, so a push or the poll never hammers a struggling Google.
      std::lock_guard lk(mtx_);
      if (auto b = backoff_.find(id); !everything && b != backoff_.end() && now < b->second.until)
        due = false;
    }
    if (due) {
      auto r = sync_link(biz, id);
      std::lock_guard lk(mtx_);
      if (!r) {
        auto& b = backoff_[id];
        b.failures = std::min(b.failures + 1, 12);
        auto base = std::chrono::milliseconds(1000) * (1 << std::min(b.failures - 1, 9));
        auto capped = std::min<std::chrono::milliseconds>(base, std::chrono::minutes(10));
        auto jitter = 0.5 + 0.5 * static_cast<double>(randombytes_uniform(1000)) / 1000.0;
        b.until = now + std::chrono::duration_cast<sys_time::duration>(capped * jitter);
        spdlog::warn("google: sync of {} failed ({} in a row): {}", l->calendar_id, b.failures,
                     r.error().message);
      } else {
        backoff_.erase(id);
        ++n;
      }
    }
    // Renewed ahead of expiry: renew_before, or half the life Google gave when it gave less.
    auto ahead = s_.renew_before;
    if (l->channel_expires_at && l->channel_started_at)
      ahead = std::min<std::chrono::seconds>(
          ahead, std::chrono::duration_cast<std::chrono::seconds>(
                     (*l->channel_expires_at - *l->channel_started_at) / 2));
    if (!s_.notify_url.empty() &&
        (l->channel_id.empty() || !l->channel_expires_at || *l->channel_expires_at - now < ahead))
      if (auto c = ensure_channel(biz, id); !c)
        spdlog::warn("google: watch channel of {}: {}", l->calendar_id, c.error().message);
  }
  return n;
}

std::map<std::string, long long> google_sync::link_states() {
  std::map<std::string, long long> out{{"active", 0}, {"broken", 0}, {"disabled", 0}};
  try {
    db_.unscoped([&](pqxx::work& tx) {
      for (auto r : tx.exec("SELECT status, count(*) FROM google_link_states() GROUP BY status"))
        out[r[0].as<std::string>()] = r[1].as<long long>();
    });
  } catch (const std::exception& e) {
    spdlog::warn("google: link states: {}", e.what());
  }
  return out;
}

expected<bool> google_sync::ensure_channel(const std::string& business_id, const std::string& link_id) {
  auto l = load_link(business_id, link_id);
  if (!l)
    return l.error();
  if (l->status != "active" || s_.notify_url.empty())
    return false;
  auto id = "fd" + hex_of(random_bytes(16));
  auto token = google::base64url(random_bytes(24));
  auto r = api(*l, "POST", "/calendars/" + google::url_encode(l->calendar_id) + "/events/watch",
               google::watch_body(id, s_.notify_url, token, s_.channel_ttl));
  if (!r)
    return r.error();
  if (r->status != 200)
    return fail("google_error", "events.watch answered " + std::to_string(r->status));
  auto c = google::parse_watch_reply(r->body);
  if (!c)
    return c.error();
  try {
    db_.as_business(business_id, [&](pqxx::work& tx) {
      tx.exec_params("UPDATE calendar_links SET channel_id = $2, channel_token = $3, "
                     "channel_resource_id = $4, channel_expires_at = $5::timestamptz, "
                     "channel_started_at = $6::timestamptz WHERE id = $1",
                     link_id, c->id, token, c->resource_id, ts(c->expiration), ts(clk_.now()));
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("channel: ") + e.what());
  }
  // The new channel is in place: only now is the old one stopped.
  if (!l->channel_id.empty())
    (void)api(*l, "POST", "/channels/stop", google::stop_body(l->channel_id, l->resource_id));
  return true;
}

int google_sync::on_push(const std::vector<std::pair<std::string, std::string>>& headers) {
  count(&sync_counts::pushes);
  auto n = google::parse_notification(headers);
  if (!n) {
    count(&sync_counts::pushes_refused);
    return 400;
  }
  struct stored {
    std::string business_id, link_id, token, resource_id;
  };
  std::optional<stored> s;
  try {
    s = db_.unscoped([&](pqxx::work& tx) -> std::optional<stored> {
      auto r = tx.exec_params("SELECT business_id, link_id, channel_token, resource_id "
                              "FROM google_link_for_channel($1)",
                              n->channel_id);
      if (r.empty())
        return std::nullopt;
      return stored{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                    r[0][2].is_null() ? "" : r[0][2].as<std::string>(),
                    r[0][3].is_null() ? "" : r[0][3].as<std::string>()};
    });
  } catch (const std::exception& e) {
    spdlog::error("google: push: {}", e.what());
    return 503;
  }
  auto verdict = google::judge(*n, s ? &s->token : nullptr, s ? &s->resource_id : nullptr);
  switch (verdict) {
  case google::push_verdict::unknown:
    count(&sync_counts::pushes_refused);
    return 404;
  case google::push_verdict::bad_token:
    count(&sync_counts::pushes_refused);
    spdlog::warn("google: push for channel {} with a wrong token refused", n->channel_id);
    return 403;
  case google::push_verdict::hello:
    return 200;
  case google::push_verdict::sync:
    break;
  }
  try {
    db_.as_business(s->business_id, [&](pqxx::work& tx) {
      // Coalesced: many notifications before the next sync make one sync.
      tx.exec_params("UPDATE calendar_links SET sync_wanted_at = coalesce(sync_wanted_at, "
                     "$2::timestamptz) WHERE id = $1",
                     s->link_id, ts(clk_.now()));
    });
  } catch (const std::exception& e) {
    spdlog::error("google: push: {}", e.what());
    return 503;
  }
  return 200;
}

live_busy google_sync::check_live(const std::string& business_id, sys_time from, sys_time to,
                                  const std::string& moving) {
  live_busy out;
  auto all = links(business_id);
  if (!all) {
    out.what = live_busy::kind::unverifiable;
    out.why = all.error().message;
    return out;
  }
  std::vector<link> active;
  for (auto& l : *all)
    if (l.status == "active")
      active.push_back(l);
  if (active.empty())
    return out; // not linked, or broken: the database calendar alone
  bool unanswered = false;
  // The owner's events in the window, read one by one, ours left out (our appointments are in
  // the database already, the one being moved among them). "" when every page came.
  auto window = [&](const link& l, std::vector<std::pair<sys_time, sys_time>>& busy) -> std::string {
    std::string zone;
    bool declined_blocks = false;
    try {
      db_.as_business(business_id, [&](pqxx::work& tx) {
        auto b = tx.exec1("SELECT timezone, google_declined_blocks FROM businesses");
        zone = b[0].as<std::string>();
        declined_blocks = b[1].as<bool>();
      });
    } catch (const std::exception& e) {
      return std::string("business: ") + e.what();
    }
    std::string page;
    for (int pages = 0; pages < 40; ++pages) {
      auto r = api(l, "GET", "/calendars/" + google::url_encode(l.calendar_id) + "/events?" +
                                 google::window_query(from, to, page),
                   "", s_.free_busy_timeout);
      if (!r)
        return r.error().message;
      if (r->status != 200)
        return r->status == 0 ? r->transport_error : "events.list answered " + std::to_string(r->status);
      auto p = google::parse_events_page(r->body);
      if (!p)
        return p.error().message;
      for (auto& e : p->items) {
        if (google::is_ours(e))
          continue;
        auto blk = google::block_of(e, zone, declined_blocks);
        if (!blk)
          return blk.error().message; // an event we cannot read may be busy time
        if (*blk)
          busy.emplace_back((*blk)->start, (*blk)->end);
      }
      if (p->next_page_token.empty())
        return "";
      page = p->next_page_token;
    }
    return "events.list: too many pages for the window";
  };
  for (auto& l : active) {
    if (!moving.empty() && !l.busy_only) {
      // Our calendar while a caller moves an appointment: its own event there is not busy time.
      count(&sync_counts::free_busy);
      std::vector<std::pair<sys_time, sys_time>> busy;
      auto why = window(l, busy);
      if (why.empty()) {
        out.busy.insert(out.busy.end(), busy.begin(), busy.end());
      } else {
        count(&sync_counts::free_busy_failed);
        unanswered = true;
        out.why += (out.why.empty() ? "" : "; ") + why;
      }
      continue;
    }
    count(&sync_counts::free_busy);
    auto r = api(l, "POST", "/freeBusy", google::free_busy_request(from, to, {l.calendar_id}),
                 s_.free_busy_timeout);
    std::string why;
    if (!r)
      why = r.error().message;
    else if (r->status != 200)
      why = r->status == 0 ? r->transport_error : "freeBusy answered " + std::to_string(r->status);
    else if (auto fb = google::parse_free_busy(r->body); !fb)
      why = fb.error().message;
    else {
      auto it = fb->calendars.find(l.calendar_id);
      if (it == fb->calendars.end())
        why = "freeBusy left out calendar " + l.calendar_id;
      else if (!it->second.errors.empty())
        why = "freeBusy: " + it->second.errors.front(); // a calendar with errors tells nothing
      else
        for (auto& b : it->second.busy)
          out.busy.push_back(b);
    }
    if (!why.empty()) {
      count(&sync_counts::free_busy_failed);
      unanswered = true;
      out.why += (out.why.empty() ? "" : "; ") + why;
    }
  }
  if (!unanswered) {
    out.what = live_busy::kind::answered;
    return out;
  }
  auto now = clk_.now();
  bool fresh = true;
  for (auto& l : active)
    fresh = fresh && l.last_synced_at && now - *l.last_synced_at <= s_.mirror_max_age;
  out.what = fresh ? live_busy::kind::trust_mirror : live_busy::kind::unverifiable;
  return out;
}

write_result google_sync::write_event(const std::string& business_id, const std::string& root_id) {
  write_result res;
  std::optional<link> main;
  auto all = links(business_id);
  if (!all) {
    res.what = write_result::kind::retry;
    res.message = all.error().message;
    return res;
  }
  for (auto& l : *all)
    if (!l.busy_only && l.status != "disabled")
      main = l;
  if (!main) {
    res.what = write_result::kind::dropped;
    res.message = "no calendar connected";
    return res;
  }
  if (main->status != "active") {
    // Written again from the bookings when the owner connects the calendar again.
    res.what = write_result::kind::dropped;
    res.message = "calendar link " + main->status;
    return res;
  }
  auto read_state = [&]() {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      chain_state s;
      s.root_id = root_id;
      auto root = tx.exec_params1("SELECT coalesce(calendar_event_id, ''), calendar_revision, "
                                  "coalesce(calendar_etag, '') FROM appointments WHERE id = $1",
                                  root_id);
      s.event_id_saved = root[0].as<std::string>();
      s.revision = root[1].as<int>();
      s.etag = root[2].as<std::string>();
      auto biz = tx.exec1("SELECT name, timezone, address FROM businesses");
      s.zone = biz[1].as<std::string>();
      s.location = biz[2].as<std::string>();
      auto live = tx.exec_params("SELECT id, " + utc("lower(during)") + ", " + utc("upper(during)") +
                                     ", customer_name, service, coalesce(customer_phone, ''), notes "
                                     "FROM appointments WHERE id = appointment_chain_live($1)",
                                 root_id);
      if (!live.empty()) {
        s.live_id = live[0][0].as<std::string>();
        s.during = {*parse_rfc3339(live[0][1].as<std::string>()),
                    *parse_rfc3339(live[0][2].as<std::string>())};
        auto name = live[0][3].as<std::string>();
        auto service = live[0][4].as<std::string>();
        s.summary = (service.empty() ? std::string("Appointment") : service) +
                    (name.empty() ? "" : " - " + name);
        auto phone = live[0][5].as<std::string>();
        auto notes = live[0][6].as<std::string>();
        s.description = "Booked by " + biz[0].as<std::string>() + "'s receptionist." +
                        (phone.empty() ? "" : "\nPhone: " + phone) +
                        (notes.empty() ? "" : "\nNotes: " + notes);
      }
      return s;
    });
  };
  auto save = [&](const std::string& event_id, std::optional<int> revision,
                  const std::string& etag = "") {
    db_.as_business(business_id, [&](pqxx::work& tx) {
      tx.exec_params("UPDATE appointments SET calendar_event_id = nullif($2, ''), "
                     "calendar_revision = coalesce($3, calendar_revision), "
                     "calendar_etag = nullif($4, '') WHERE id = $1",
                     root_id, event_id, revision, etag);
    });
  };
  auto events_path = "/calendars/" + google::url_encode(main->calendar_id) + "/events";
  auto failed = [&](const expected<reply>& r, const char* what) {
    if (!r) {
      res.what = r.error().code == "invalid_grant" ? write_result::kind::dropped
                                                   : write_result::kind::retry;
      res.message = r.error().message;
      return res;
    }
    auto err = google::classify_error(r->status, r->body);
    res.message = std::string(what) + " answered " + std::to_string(r->status) + " " + err.reason +
                  (r->status == 0 ? r->transport_error : "");
    res.retry_after = r->retry_after;
    res.what = (r->status == 0 || err.action == google::error_action::back_off ||
                err.action == google::error_action::refresh_token)
                   ? write_result::kind::retry
                   : write_result::kind::failed;
    return res;
  };
  auto etag_of = [](const reply& r) {
    auto e = google::parse_event(r.body);
    return e ? e->etag : std::string();
  };
  // The event as Google has it now: its etag when it is live, "" when it is deleted (a
  // tombstone or gone), nullopt when Google could not say.
  auto current = [&](const std::string& id) -> std::optional<std::string> {
    ++res.requests;
    auto g = api(*main, "GET", events_path + "/" + id, "");
    if (!g || (g->status != 200 && g->status != 404 && g->status != 410)) {
      failed(g, "events.get");
      return std::nullopt;
    }
    if (g->status != 200)
      return std::string();
    auto ev = google::parse_event(g->body);
    if (!ev) {
      // Unreadable is not deleted: a new id now could put the event there twice.
      res.what = write_result::kind::retry;
      res.message = "events.get: " + ev.error().message;
      return std::nullopt;
    }
    if (ev->cancelled())
      return std::string();
    return ev->etag.empty() ? std::string("*") : ev->etag;
  };
  // Takes Google's version of our event: a live one keeps its id with its etag, a deleted one
  // (a tombstone) gives way to the next revision's id. False when Google could not say.
  auto take_current = [&](const std::string& id, int revision) {
    auto now = current(id);
    if (!now)
      return false;
    if (now->empty())
      save("", revision + 1);
    else
      save(id, std::nullopt, *now);
    return true;
  };
  try {
    for (int round = 0; round < 6; ++round) {
      auto s = read_state();
      auto id = google::event_id(root_id, s.revision);
      if (s.live_id.empty()) {
        // Nothing booked in the chain: no event. Deleting one never written is a 404: done.
        auto gone = s.event_id_saved.empty() ? id : s.event_id_saved;
        ++res.requests;
        auto r = api(*main, "DELETE", events_path + "/" + gone, "");
        if (!r || (r->status != 200 && r->status != 204 && r->status != 404 && r->status != 410))
          return failed(r, "events.delete");
        save("", std::nullopt);
      } else {
        google::appointment_event a{s.live_id, s.revision, s.summary, s.description,
                                    s.location, s.during.start, s.during.end, s.zone, root_id};
        auto body = google::event_body(a);
        if (s.event_id_saved == id) {
          ++res.requests;
          // Conditional on the version we last wrote: a change made in Google since is not
          // written over unseen.
          auto r = api(*main, "PATCH", events_path + "/" + id, body, std::nullopt,
                       s.etag.empty() ? "" : "If-Match: " + s.etag);
          if (r && (r->status == 404 || r->status == 410)) {
            // Deleted in Google (its id is kept as a tombstone): a new revision, a new id.
            save("", s.revision + 1);
            continue;
          }
          if (r && r->status == 412) {
            // Changed in Google since our last write (the owner, or our own write whose answer
            // was lost): read it again and write ours over that version. The appointment here
            // is what the caller was told; an owner's move that sync already saw has been
            // applied to it (or refused) by the business's policy.
            count(&sync_counts::stale_etags);
            if (!take_current(id, s.revision))
              return res;
            continue;
          }
          if (r && r->status == 403 && google::classify_error(r->status, r->body).action ==
                                           google::error_action::give_up) {
            // A 403 that is no rate limit: a tombstone (deleted in Google) takes a new id; a
            // live event we may not change (forbiddenForNonOrganizer, requiredAccessLevel) is
            // left to staff, since writing it again would not help.
            auto err = google::classify_error(r->status, r->body);
            auto now = current(id);
            if (!now)
              return res;
            if (now->empty()) {
              save("", s.revision + 1);
              continue;
            }
            db_.as_business(business_id, [&](pqxx::work& tx) {
              tx.exec_params("INSERT INTO staff_tasks (business_id, kind, appointment_id, note) "
                             "VALUES ($1, 'calendar_conflict', $2, $3)",
                             business_id, s.live_id,
                             "Google Calendar refuses changes to this appointment's event (" +
                                 err.reason + "); update it there by hand.");
            });
            return failed(r, "events.patch");
          }
          if (!r || r->status != 200)
            return failed(r, "events.patch");
          save(id, std::nullopt, etag_of(*r));
        } else {
          ++res.requests;
          auto r = api(*main, "POST", events_path, body);
          if (r && r->status == 409) {
            // Our id exists: our own earlier insert whose answer was lost (live: ours, patched
            // to the current state next round), or a tombstone of an event deleted in Google
            // (the next revision's id).
            if (!take_current(id, s.revision))
              return res;
            continue;
          }
          if (!r || r->status != 200)
            return failed(r, "events.insert");
          save(id, std::nullopt, etag_of(*r));
        }
      }
      // Written: done, unless the appointment changed while we wrote.
      auto after = read_state();
      if (after.live_id == s.live_id && after.during.start == s.during.start &&
          after.during.end == s.during.end &&
          (s.live_id.empty() || after.event_id_saved == id)) {
        res.what = write_result::kind::done;
        return res;
      }
    }
  } catch (const std::exception& e) {
    res.what = write_result::kind::retry;
    res.message = std::string("database: ") + e.what();
    return res;
  }
  res.what = write_result::kind::retry;
  res.message = "the appointment kept changing while its event was written";
  return res;
}

} // namespace frontdesk::gcal
