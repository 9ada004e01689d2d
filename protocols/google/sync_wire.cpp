#include "protocols/google/sync_wire.hpp"

#include <cctype>

#include <boost/json.hpp>
#include <date/tz.h>

namespace frontdesk::google {
namespace {

namespace json = boost::json;

// Local midnight of a floating date in `zone`: the first instant of that day there (a day that
// starts in a DST gap starts when the clocks allow).
expected<sys_time> local_midnight(const date::time_zone* z, const std::string& ymd) {
  auto t = parse_rfc3339(ymd + "T00:00:00Z");
  if (!t)
    return t.error();
  date::local_seconds local{std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch()};
  auto info = z->get_info(local);
  if (info.result == date::local_info::nonexistent)
    return sys_time{std::chrono::duration_cast<std::chrono::microseconds>(
        info.first.end.time_since_epoch())};
  return sys_time{std::chrono::duration_cast<std::chrono::microseconds>(
      (local - info.first.offset).time_since_epoch())};
}

} // namespace

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string list_query(const list_params& p, std::string_view sync_token,
                       std::string_view page_token) {
  std::string q = "maxResults=" + std::to_string(p.max_results);
  q += p.single_events ? "&singleEvents=true" : "&singleEvents=false";
  q += "&showDeleted=true";
  if (!sync_token.empty())
    q += "&syncToken=" + url_encode(sync_token);
  if (!page_token.empty())
    q += "&pageToken=" + url_encode(page_token);
  return q;
}

std::string window_query(sys_time from, sys_time to, std::string_view page_token) {
  std::string q = "maxResults=250&singleEvents=true&timeMin=" + url_encode(format_rfc3339(from)) +
                  "&timeMax=" + url_encode(format_rfc3339(to));
  if (!page_token.empty())
    q += "&pageToken=" + url_encode(page_token);
  return q;
}

std::string params_key(const list_params& p) {
  return std::string("v1;singleEvents=") + (p.single_events ? "true" : "false") + ";showDeleted=true";
}

bool is_ours(const event& e) {
  auto it = e.private_properties.find(std::string(appointment_property));
  return it != e.private_properties.end() && !it->second.empty();
}

expected<std::optional<busy_block>> block_of(const event& e, std::string_view business_zone,
                                             bool declined_blocks) {
  if (!e.blocks_time(declined_blocks))
    return std::optional<busy_block>();
  busy_block b;
  b.event_id = e.id;
  auto at = [&](const event_time& t) -> expected<sys_time> {
    if (t.instant)
      return *t.instant;
    if (t.date.empty())
      return fail("google_bad_time", "event " + e.id + ": no start or end");
    const date::time_zone* z = nullptr;
    try {
      z = date::locate_zone(std::string(business_zone));
    } catch (const std::exception&) {
      return fail("bad_zone", "unknown time zone '" + std::string(business_zone) + "'");
    }
    return local_midnight(z, t.date);
  };
  auto s = at(e.start);
  if (!s)
    return s.error();
  auto en = at(e.end);
  if (!en)
    return en.error();
  if (!(*s < *en))
    return fail("google_bad_time", "event " + e.id + ": ends before it starts");
  b.start = *s;
  b.end = *en;
  return std::optional<busy_block>(std::move(b));
}

std::string watch_body(std::string_view channel_id, std::string_view address,
                       std::string_view token, std::chrono::seconds ttl) {
  json::object o;
  o["id"] = channel_id;
  o["type"] = "web_hook";
  o["address"] = address;
  o["token"] = token;
  o["params"] = json::object{{"ttl", std::to_string(ttl.count())}};
  return json::serialize(o);
}

expected<channel> parse_watch_reply(std::string_view body) {
  if (body.size() > 64 * 1024)
    return fail("google_too_large", "watch reply: body over 64 KB");
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return fail("google_bad_json", "watch reply: not a JSON object");
  auto& o = v.as_object();
  channel c;
  auto str = [&](const char* k) -> std::string {
    auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  c.id = str("id");
  c.resource_id = str("resourceId");
  if (c.id.empty() || c.resource_id.empty())
    return fail("google_bad_json", "watch reply: no id or resourceId");
  // expiration is milliseconds since the epoch, sent as a string (int64 in JSON's string form).
  auto* e = o.if_contains("expiration");
  long long ms = 0;
  if (e && e->is_string()) {
    auto s = std::string(e->as_string());
    if (s.empty() || s.size() > 15)
      return fail("google_bad_json", "watch reply: bad expiration");
    for (char ch : s) {
      if (ch < '0' || ch > '9')
        return fail("google_bad_json", "watch reply: bad expiration");
      ms = ms * 10 + (ch - '0');
    }
  } else if (e && e->is_int64() && e->as_int64() > 0 && e->as_int64() < 100000000000000LL) {
    ms = e->as_int64();
  } else {
    return fail("google_bad_json", "watch reply: no expiration");
  }
  c.expiration = sys_time{std::chrono::milliseconds(ms)};
  return c;
}

std::string stop_body(std::string_view channel_id, std::string_view resource_id) {
  return json::serialize(json::object{{"id", channel_id}, {"resourceId", resource_id}});
}

expected<notification> parse_notification(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  auto get = [&](std::string_view name) -> const std::string* {
    for (auto& [k, v] : headers) {
      if (k.size() != name.size())
        continue;
      bool same = true;
      for (std::size_t i = 0; i < k.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(k[i])) ==
               std::tolower(static_cast<unsigned char>(name[i]));
      if (same)
        return &v;
    }
    return nullptr;
  };
  notification n;
  auto* id = get("X-Goog-Channel-ID");
  auto* state = get("X-Goog-Resource-State");
  if (!id || id->empty() || id->size() > 256)
    return fail("push_bad", "no X-Goog-Channel-ID");
  if (!state || (*state != "sync" && *state != "exists" && *state != "not_exists"))
    return fail("push_bad", "no known X-Goog-Resource-State");
  n.channel_id = *id;
  n.resource_state = *state;
  if (auto* t = get("X-Goog-Channel-Token"))
    n.token = *t;
  if (auto* r = get("X-Goog-Resource-ID"))
    n.resource_id = *r;
  if (auto* m = get("X-Goog-Message-Number")) {
    if (m->empty() || m->size() > 18)
      return fail("push_bad", "bad X-Goog-Message-Number");
    for (char c : *m) {
      if (c < '0' || c > '9')
        return fail("push_bad", "bad X-Goog-Message-Number");
      n.message_number = n.message_number * 10 + (c - '0');
    }
  }
  return n;
}

push_verdict judge(const notification& n, const std::string* stored_token,
                   const std::string* stored_resource_id) {
  if (!stored_token)
    return push_verdict::unknown;
  // Both must match: a guessed channel id alone is not enough to make us call Google.
  if (stored_token->empty() || n.token != *stored_token)
    return push_verdict::bad_token;
  if (stored_resource_id && !stored_resource_id->empty() && n.resource_id != *stored_resource_id)
    return push_verdict::bad_token;
  return n.resource_state == "sync" ? push_verdict::hello : push_verdict::sync;
}

std::string consent_url(std::string_view accounts_base_url, const oauth_client& c,
                        std::string_view state, std::string_view code_challenge) {
  std::string base(accounts_base_url);
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base + "/o/oauth2/v2/auth?response_type=code&client_id=" + url_encode(c.client_id) +
         "&redirect_uri=" + url_encode(c.redirect_uri) + "&scope=" + url_encode(calendar_scope) +
         "&access_type=offline&prompt=consent&include_granted_scopes=true&state=" +
         url_encode(state) + "&code_challenge=" + url_encode(code_challenge) +
         "&code_challenge_method=S256";
}

std::string code_exchange_form(const oauth_client& c, std::string_view code,
                               std::string_view code_verifier) {
  return "grant_type=authorization_code&code=" + url_encode(code) + "&client_id=" +
         url_encode(c.client_id) + "&client_secret=" + url_encode(c.client_secret) +
         "&redirect_uri=" + url_encode(c.redirect_uri) + "&code_verifier=" +
         url_encode(code_verifier);
}

std::string refresh_form(const oauth_client& c, std::string_view refresh_token) {
  return "grant_type=refresh_token&refresh_token=" + url_encode(refresh_token) +
         "&client_id=" + url_encode(c.client_id) + "&client_secret=" + url_encode(c.client_secret);
}

std::string base64url(std::span<const std::uint8_t> bytes) {
  static constexpr std::string_view digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (auto b : bytes) {
    buf = (buf << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += digits[(buf >> (bits - 6)) & 63u];
      bits -= 6;
    }
  }
  if (bits > 0)
    out += digits[(buf << (6 - bits)) & 63u];
  return out;
}

} // namespace frontdesk::google
