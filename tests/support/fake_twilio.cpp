#include "tests/support/fake_twilio.hpp"

#include <cstdio>
#include <random>

#include <boost/json.hpp>

#include "adapters/http/http.hpp"
#include "protocols/twilio/base64.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/signature.hpp"

namespace frontdesk::fixtures {
namespace {

namespace json = boost::json;

std::string rfc2822(std::chrono::system_clock::time_point t) {
  auto tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

scripted_reply json_reply(int status, const json::value& v, header_pairs headers = {}) {
  scripted_reply r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.headers = std::move(headers);
  r.chunks = {json::serialize(v)};
  return r;
}

scripted_reply error(int status, int code, const std::string& message, header_pairs headers = {}) {
  return json_reply(status,
                    json::object{{"code", code},
                                 {"message", message},
                                 {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                                 {"status", status}},
                    std::move(headers));
}

bool e164(const std::string& n) {
  if (n.size() < 8 || n.size() > 16 || n[0] != '+' || n[1] == '0')
    return false;
  for (std::size_t i = 1; i < n.size(); ++i)
    if (n[i] < '0' || n[i] > '9')
      return false;
  return true;
}

std::string new_sid() {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex m;
  std::lock_guard lk(m);
  char buf[40];
  std::snprintf(buf, sizeof buf, "SM%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

} // namespace

fake_twilio::fake_twilio(std::string account_sid, std::string auth_token)
    : sid_(std::move(account_sid)), token_(std::move(auth_token)) {
  server_ = std::make_unique<fake_openai>(
      [this](const recorded_request& req, int) { return handle(req); });
}

std::string fake_twilio::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

void fake_twilio::push_faults(std::vector<fault> f) {
  std::lock_guard lk(mtx_);
  for (auto x : f)
    faults_.push_back(x);
}
void fake_twilio::set_retry_after(int s) {
  std::lock_guard lk(mtx_);
  retry_after_ = s;
}
void fake_twilio::set_hang_for(std::chrono::milliseconds d) {
  std::lock_guard lk(mtx_);
  hang_for_ = d;
}
void fake_twilio::unsubscribe(const std::string& to) {
  std::lock_guard lk(mtx_);
  unsubscribed_.insert(to);
}
std::vector<fake_twilio::message> fake_twilio::messages() const {
  std::lock_guard lk(mtx_);
  return messages_;
}
std::size_t fake_twilio::count_to(const std::string& to) const {
  std::lock_guard lk(mtx_);
  std::size_t n = 0;
  for (auto& m : messages_)
    n += m.to == to;
  return n;
}
int fake_twilio::creates() const {
  std::lock_guard lk(mtx_);
  return creates_;
}
int fake_twilio::unauthorized() const {
  std::lock_guard lk(mtx_);
  return unauthorized_;
}
int fake_twilio::lists() const {
  std::lock_guard lk(mtx_);
  return lists_;
}
int fake_twilio::fetches() const {
  std::lock_guard lk(mtx_);
  return fetches_;
}
bool fake_twilio::set_status(const std::string& sid, const std::string& status, int error_code) {
  std::lock_guard lk(mtx_);
  for (auto& m : messages_)
    if (m.sid == sid) {
      m.status = status;
      m.error_code = error_code;
      return true;
    }
  return false;
}
int fake_twilio::deliver_status(const std::string& sid, const std::string& status, int error_code,
                                const std::string& token) {
  std::string url, to, from;
  {
    std::lock_guard lk(mtx_);
    for (auto& m : messages_)
      if (m.sid == sid) {
        m.status = status;
        m.error_code = error_code;
        url = m.status_callback;
        to = m.to;
        from = m.from;
      }
  }
  if (url.empty())
    return 0;
  std::vector<std::pair<std::string, std::string>> fields{
      {"AccountSid", sid_}, {"From", from},       {"To", to},          {"MessageSid", sid},
      {"SmsSid", sid},      {"MessageStatus", status}, {"SmsStatus", status},
      {"ApiVersion", "2010-04-01"}};
  if (error_code)
    fields.emplace_back("ErrorCode", std::to_string(error_code));
  twilio::form f;
  for (auto& [k, v] : fields)
    f.add(k, v);
  http::header_list h{{"Content-Type", "application/x-www-form-urlencoded"},
                      {"X-Twilio-Signature", twilio_signature(token_, url, fields)},
                      {"I-Twilio-Idempotency-Token", token}};
  auto r = http::fetch("POST", url, h, twilio::encode_form(f));
  return r ? r->status : 0;
}
void fake_twilio::on_create(std::function<void(const std::string&)> f) {
  std::lock_guard lk(mtx_);
  on_create_ = std::move(f);
}
void fake_twilio::stop() { server_->stop(); }

scripted_reply fake_twilio::handle(const recorded_request& req) {
  auto auth = req.header("Authorization").value_or("");
  std::string cred = sid_ + ":" + token_;
  auto expected_auth = "Basic " + twilio::base64_encode(std::span<const std::uint8_t>(
                                      reinterpret_cast<const std::uint8_t*>(cred.data()), cred.size()));
  if (auth != expected_auth) {
    std::lock_guard lk(mtx_);
    ++unauthorized_;
    return error(401, 20003, "Authenticate");
  }
  auto path = req.target.substr(0, req.target.find('?'));
  auto query = req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  const std::string one = "/2010-04-01/Accounts/" + sid_ + "/Messages/";
  if (req.method == "GET" && path.rfind(one, 0) == 0 && path.size() > one.size() + 5 &&
      path.compare(path.size() - 5, 5, ".json") == 0)
    return fetch(path.substr(one.size(), path.size() - one.size() - 5));
  if (path != "/2010-04-01/Accounts/" + sid_ + "/Messages.json")
    return error(404, 20404, "The requested resource " + path + " was not found");
  if (req.method == "POST")
    return create(req.body);
  if (req.method == "GET")
    return list(query);
  return error(405, 20004, "Method not allowed");
}

scripted_reply fake_twilio::create(const std::string& body) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lk(mtx_);
    hook = on_create_;
  }
  if (hook)
    hook(body);
  auto f = twilio::parse_form(body);
  std::lock_guard lk(mtx_);
  ++creates_;
  if (!f)
    return error(400, 21601, "The request body could not be parsed");
  fault now = fault::none;
  if (!faults_.empty()) {
    now = faults_.front();
    faults_.pop_front();
  }
  message m{"", f->value("To"), f->value("From"), f->value("Body"), f->value("StatusCallback"),
            std::chrono::system_clock::now()};
  if (m.from.empty())
    return error(400, 21603, "A 'From' phone number is required.");
  if (m.body.empty())
    return error(400, 21602, "Message body is required.");
  if (!e164(m.to) || now == fault::invalid_number)
    return error(400, 21211, "The 'To' number " + m.to + " is not a valid phone number.");
  if (auto v = f->get("ValidityPeriod")) {
    int secs = 0;
    bool number = !v->empty() && v->size() < 7;
    for (char c : *v)
      number = number && c >= '0' && c <= '9';
    if (number)
      secs = std::stoi(*v);
    if (!number || secs < 1 || secs > 36000)
      return error(400, 21624, "Validity period can only be set to integers between 1 and 36,000 seconds");
    m.validity_period = secs;
  }
  if (unsubscribed_.count(m.to) || now == fault::unsubscribed)
    return error(400, 21610, "Attempt to send to unsubscribed recipient");
  switch (now) {
  case fault::rate_limited:
    return error(429, 20429, "Too Many Requests", {{"Retry-After", std::to_string(retry_after_)}});
  case fault::rate_limited_no_header:
    return error(429, 20429, "Too Many Requests");
  case fault::server_error:
    return error(500, 20500, "Internal Server Error");
  case fault::unavailable:
    return error(503, 20503, "Service Unavailable");
  case fault::queue_full:
    return error(400, 21611, "This 'From' number has exceeded the maximum number of queued messages");
  case fault::hang: {
    scripted_reply r = error(500, 20500, "late");
    r.stall = hang_for_;
    r.reset = true;
    return r;
  }
  default:
    break;
  }
  m.sid = new_sid();
  messages_.push_back(m);
  json::object res{{"sid", m.sid},
                   {"date_created", rfc2822(m.created)},
                   {"date_updated", rfc2822(m.created)},
                   {"date_sent", nullptr},
                   {"account_sid", sid_},
                   {"to", m.to},
                   {"from", m.from},
                   {"messaging_service_sid", nullptr},
                   {"body", m.body},
                   {"status", "queued"},
                   {"num_segments", "1"},
                   {"num_media", "0"},
                   {"direction", "outbound-api"},
                   {"api_version", "2010-04-01"},
                   {"price", nullptr},
                   {"price_unit", "USD"},
                   {"error_code", nullptr},
                   {"error_message", nullptr},
                   {"uri", "/2010-04-01/Accounts/" + sid_ + "/Messages/" + m.sid + ".json"}};
  auto r = json_reply(201, res);
  if (now == fault::accept_then_reset) {
    r.reset = true;
  } else if (now == fault::accept_then_hang) {
    r.stall = hang_for_;
    r.reset = true;
  }
  return r;
}

scripted_reply fake_twilio::list(const std::string& query) {
  auto q = twilio::parse_form(query);
  if (!q)
    return error(400, 20001, "Bad query");
  std::lock_guard lk(mtx_);
  ++lists_;
  auto to = q->value("To"), from = q->value("From");
  int page = 50;
  if (auto p = q->get("PageSize"); p && !p->empty() && p->size() < 5)
    page = std::max(1, std::min(1000, std::stoi(*p)));
  json::array out;
  for (auto it = messages_.rbegin(); it != messages_.rend() && static_cast<int>(out.size()) < page; ++it) {
    if ((!to.empty() && it->to != to) || (!from.empty() && it->from != from))
      continue;
    out.push_back(json::object{{"sid", it->sid},
                               {"to", it->to},
                               {"from", it->from},
                               {"body", it->body},
                               {"status", it->status},
                               {"date_created", rfc2822(it->created)},
                               {"direction", "outbound-api"}});
  }
  return json_reply(200, json::object{{"messages", out},
                                      {"page", 0},
                                      {"page_size", page},
                                      {"next_page_uri", nullptr}});
}

scripted_reply fake_twilio::fetch(const std::string& sid) {
  std::lock_guard lk(mtx_);
  ++fetches_;
  for (auto& m : messages_) {
    if (m.sid != sid)
      continue;
    json::value code = nullptr, text = nullptr;
    if (m.error_code) {
      code = m.error_code;
      text = "Error " + std::to_string(m.error_code);
    }
    return json_reply(200, json::object{{"sid", m.sid},
                                        {"date_created", rfc2822(m.created)},
                                        {"date_updated", rfc2822(m.created)},
                                        {"account_sid", sid_},
                                        {"to", m.to},
                                        {"from", m.from},
                                        {"body", m.body},
                                        {"status", m.status},
                                        {"num_segments", "1"},
                                        {"direction", "outbound-api"},
                                        {"api_version", "2010-04-01"},
                                        {"error_code", code},
                                        {"error_message", text},
                                        {"uri", "/2010-04-01/Accounts/" + sid_ + "/Messages/" +
                                                    m.sid + ".json"}});
  }
  return error(404, 20404, "The requested resource /2010-04-01/Accounts/" + sid_ + "/Messages/" +
                               sid + ".json was not found");
}

std::string twilio_signature(const std::string& token, const std::string& url,
                             const std::vector<std::pair<std::string, std::string>>& fields) {
  twilio::form f;
  for (auto& [k, v] : fields)
    f.add(k, v);
  return twilio::compute_signature(token, url, f);
}

} // namespace frontdesk::fixtures
