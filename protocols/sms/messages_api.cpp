#include "protocols/sms/messages_api.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include <boost/json.hpp>
#include <date/date.h>

#include "protocols/sms/outbox_policy.hpp"
#include "protocols/twilio/form.hpp"

namespace frontdesk::sms {
namespace {

namespace json = boost::json;

std::string str_of(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string())
    return "";
  return std::string(it->value().as_string());
}

int int_of(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end())
    return 0;
  if (it->value().is_int64())
    return static_cast<int>(it->value().as_int64());
  if (it->value().is_string()) {
    int v = 0;
    auto s = it->value().as_string();
    for (char c : s) {
      if (c < '0' || c > '9' || v > 1'000'000)
        return 0;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  return 0;
}

bool final_code(int code) {
  switch (code) {
  case 21211: // invalid To
  case 21610: // the recipient replied STOP
  case 21612: // To not reachable from this From
  case 21614: // To is not a mobile number
  case 21606: // From cannot send SMS
  case 21603: // From is required
  case 21408: // region not enabled
    return true;
  default:
    return false;
  }
}

} // namespace

std::string create_form(const outgoing& m) {
  twilio::form f;
  f.add("To", m.to);
  f.add("From", m.from);
  f.add("Body", m.body);
  if (!m.status_callback.empty())
    f.add("StatusCallback", m.status_callback);
  if (m.validity_seconds > 0)
    f.add("ValidityPeriod", std::to_string(m.validity_seconds));
  return twilio::encode_form(f);
}

send_outcome parse_create_reply(int http_status, std::string_view body,
                                std::optional<std::chrono::milliseconds> retry_after) {
  send_outcome out;
  out.retry_after = retry_after;
  json::object obj;
  {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (!ec && v.is_object())
      obj = v.as_object();
  }
  if (http_status == 200 || http_status == 201) {
    out.sid = str_of(obj, "sid");
    out.status = str_of(obj, "status");
    if (out.sid.empty()) {
      // Accepted by the status, but no sid to prove it: look before sending again.
      out.what = send_outcome::kind::ambiguous;
      out.message = "accepted without a sid";
      return out;
    }
    out.what = send_outcome::kind::accepted;
    return out;
  }
  out.error_code = int_of(obj, "code");
  out.message = str_of(obj, "message");
  if (out.message.empty())
    out.message = "HTTP " + std::to_string(http_status);
  out.message = std::to_string(http_status) + (out.error_code ? " " + std::to_string(out.error_code) : "") +
                ": " + out.message;
  if (final_code(out.error_code))
    out.what = send_outcome::kind::final;
  else if (http_status == 429 || http_status >= 500 || http_status == 401 ||
           out.error_code == 21611 || out.error_code == 20429)
    // 401: credentials an operator can fix; the row waits rather than being lost.
    out.what = send_outcome::kind::retry;
  else if (http_status >= 400 && http_status < 500)
    out.what = send_outcome::kind::final;
  else
    out.what = send_outcome::kind::ambiguous; // 1xx/3xx: not what the API answers
  return out;
}

expected<std::vector<listed_message>> parse_message_list(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return fail("bad_json", "message list is not a JSON object");
  auto it = v.as_object().find("messages");
  if (it == v.as_object().end() || !it->value().is_array())
    return fail("bad_json", "message list has no messages array");
  std::vector<listed_message> out;
  for (auto& m : it->value().as_array()) {
    if (!m.is_object())
      continue;
    auto& o = m.as_object();
    listed_message lm{str_of(o, "sid"), str_of(o, "to"), str_of(o, "from"), str_of(o, "body"),
                      str_of(o, "status"), parse_rfc2822(str_of(o, "date_created"))};
    out.push_back(std::move(lm));
  }
  return out;
}

expected<message_state> parse_message_resource(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return fail("bad_json", "message resource is not a JSON object");
  auto& o = v.as_object();
  message_state m{str_of(o, "sid"), str_of(o, "status"), int_of(o, "error_code"),
                  str_of(o, "error_message")};
  if (m.sid.empty() || m.status.empty())
    return fail("bad_json", "message resource lacks sid or status");
  if (status_rank(m.status) == 0) // an outbound text's states only
    return fail("bad_status", "message resource has an unknown status '" + m.status + "'");
  return m;
}

namespace {
bool twilio_id(const std::string& id, const char* prefix) {
  if (id.size() != 34 || id.compare(0, 2, prefix) != 0)
    return false;
  for (std::size_t i = 2; i < id.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(id[i])))
      return false;
  return true;
}
} // namespace

std::optional<std::string> message_path(const std::string& account_sid, const std::string& sid) {
  if (!twilio_id(account_sid, "AC") || !(twilio_id(sid, "SM") || twilio_id(sid, "MM")))
    return std::nullopt;
  return "/2010-04-01/Accounts/" + account_sid + "/Messages/" + sid + ".json";
}

std::optional<int> reminder_validity(sys_time start, sys_time now, std::chrono::seconds min_lead) {
  auto left = std::chrono::duration_cast<std::chrono::seconds>(start - now);
  if (left < min_lead)
    return std::nullopt;
  return static_cast<int>(std::min<std::int64_t>(std::max<std::int64_t>(left.count() / 2, 1), 36000));
}

std::string list_query(const std::string& to, const std::string& from, int page_size) {
  twilio::form f;
  f.add("To", to);
  if (!from.empty())
    f.add("From", from);
  f.add("PageSize", std::to_string(page_size));
  return twilio::encode_form(f);
}

std::optional<sys_time> parse_rfc2822(std::string_view s) {
  // "Tue, 27 Nov 2018 16:14:39 +0000"; the weekday is optional.
  if (auto comma = s.find(','); comma != std::string_view::npos)
    s.remove_prefix(comma + 1);
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  if (s.size() > 64)
    return std::nullopt;
  char mon[4] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  char sign = '+';
  int off = 0;
  std::string z(s);
  if (std::sscanf(z.c_str(), "%2d %3s %4d %2d:%2d:%2d %c%4d", &day, mon, &year, &hh, &mm, &ss,
                  &sign, &off) != 8)
    return std::nullopt;
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned m = 0;
  for (unsigned i = 0; i < 12; ++i)
    if (std::strncmp(mon, months[i], 3) == 0)
      m = i + 1;
  if (m == 0 || (sign != '+' && sign != '-') || hh > 23 || mm > 59 || ss > 60 || off > 1400)
    return std::nullopt;
  date::year_month_day ymd{date::year{year}, date::month{m}, date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok())
    return std::nullopt;
  auto offset = std::chrono::hours(off / 100) + std::chrono::minutes(off % 100);
  auto t = date::sys_days{ymd} + std::chrono::hours(hh) + std::chrono::minutes(mm) +
           std::chrono::seconds(ss);
  auto utc = sign == '+' ? t - offset : t + offset;
  return std::chrono::time_point_cast<sys_time::duration>(utc);
}

std::string format_rfc2822(sys_time t) {
  return date::format("%a, %d %b %Y %H:%M:%S +0000", std::chrono::floor<std::chrono::seconds>(t));
}

std::optional<listed_message> find_sent(const std::vector<listed_message>& listing,
                                        const outgoing& m, sys_time since,
                                        std::chrono::seconds slack) {
  for (auto& l : listing)
    if (l.to == m.to && l.body == m.body && (!l.created || *l.created >= since - slack))
      return l;
  return std::nullopt;
}

int status_rank(std::string_view s) {
  if (s == "accepted" || s == "scheduled" || s == "queued")
    return 1;
  if (s == "sending")
    return 2;
  if (s == "sent")
    return 3;
  if (s == "delivered" || s == "undelivered" || s == "failed" || s == "read" || s == "logged" ||
      s == "canceled")
    return 4;
  return 0;
}

bool is_terminal(std::string_view s) { return status_rank(s) == 4; }

bool status_advances(std::string_view current, std::string_view next) {
  int n = status_rank(next);
  if (n == 0)
    return false; // not a status we know: the log keeps what it has
  if (is_terminal(current))
    return false;
  return n > status_rank(current);
}

} // namespace frontdesk::sms
