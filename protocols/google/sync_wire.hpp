#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"
#include "protocols/google/calendar_json.hpp"

/// The sync's own pieces of Google's wire: the events.list query a sync token is bound to, what
/// an event means for the busy mirror, watch channels and their push notifications, and the
/// OAuth consent URL and token forms. Values in, values out; no sockets.
namespace frontdesk::google {

/// The events.list query every sync of ours uses. A sync token is valid only with the query
/// that produced it, so the key of this query is stored beside the token.
struct list_params {
  bool single_events = true; // recurring events come expanded into instances
  int max_results = 250;
};

/// The query string for one page: a full sync has no sync token; a page after the first has
/// the page token. Never timeMin with a sync token (Google refuses it).
std::string list_query(const list_params& p, std::string_view sync_token,
                       std::string_view page_token);

/// The query for one page of the events in [from, to) (singleEvents, no sync token: a look, not
/// a sync): events that end after `from` and start before `to`.
std::string window_query(sys_time from, sys_time to, std::string_view page_token);

/// What a stored sync token was obtained with ("singleEvents=true;showDeleted=true").
/// A token stored under another key is not used: the sync starts over.
std::string params_key(const list_params& p);

/// A busy block of the mirror: [start, end) of one event that takes the owner's time.
struct busy_block {
  std::string event_id;
  sys_time start, end;
};

/// What an event means for the mirror, in the business's zone: a block when it takes time
/// (all-day dates become the business's local midnights, never UTC's), nothing when it is
/// free, cancelled, declined (unless `declined_blocks`) or a working-location marker.
/// Fails for an unknown zone or an end not after its start.
expected<std::optional<busy_block>> block_of(const event& e, std::string_view business_zone,
                                             bool declined_blocks);

/// True when the event is one of ours (its private property names an appointment).
bool is_ours(const event& e);

/// The events.watch body: a web_hook channel to `address` with our token, asking for `ttl`.
std::string watch_body(std::string_view channel_id, std::string_view address,
                       std::string_view token, std::chrono::seconds ttl);

/// A watch channel as Google answered it. Google may shorten the life it was asked for: renew
/// from `expiration`, not from what was asked.
struct channel {
  std::string id, resource_id;
  sys_time expiration{};
};
expected<channel> parse_watch_reply(std::string_view json);

/// The channels.stop body.
std::string stop_body(std::string_view channel_id, std::string_view resource_id);

/// A push notification's headers (it has no body).
struct notification {
  std::string channel_id, token, resource_id, resource_state; // sync | exists | not_exists
  long long message_number = 0;
};
/// Reads the X-Goog-* headers. Fails when the channel id or state is missing, the state is
/// unknown, or the message number is not a number.
expected<notification> parse_notification(
    const std::vector<std::pair<std::string, std::string>>& headers);

/// What a push notification asks of us.
enum class push_verdict {
  sync,          // a change: sync that calendar (coalesced)
  hello,         // the channel's first "sync" message: nothing changed yet
  unknown,       // no such channel of ours (stopped, or never ours): ignore, answer 404
  bad_token,     // the token or resource id does not match: refuse, 403
};
/// Judges a notification against the channel we stored (nullptr: none with that id).
push_verdict judge(const notification& n, const std::string* stored_token,
                   const std::string* stored_resource_id);

/// An OAuth client as configured.
struct oauth_client {
  std::string client_id, client_secret, redirect_uri;
};

/// The calendar scope we ask for.
inline constexpr std::string_view calendar_scope = "https://www.googleapis.com/auth/calendar";

/// Google's consent URL: offline access (a refresh token), consent prompted, our state and
/// the PKCE S256 challenge.
std::string consent_url(std::string_view accounts_base_url, const oauth_client& c,
                        std::string_view state, std::string_view code_challenge);

/// The token endpoint's form for exchanging an authorization code (with the PKCE verifier).
std::string code_exchange_form(const oauth_client& c, std::string_view code,
                               std::string_view code_verifier);
/// The token endpoint's form for a refresh.
std::string refresh_form(const oauth_client& c, std::string_view refresh_token);

/// Base64url without padding (PKCE verifiers and challenges, channel tokens).
std::string base64url(std::span<const std::uint8_t> bytes);

/// Percent-encodes one URL component (unreserved characters kept).
std::string url_encode(std::string_view s);

} // namespace frontdesk::google
