#include "adapters/messaging/sender.hpp"

#include <atomic>
#include <chrono>
#include <cctype>
#include <cstdio>

#include <curl/curl.h>

#include "adapters/http/response_sink.hpp"

namespace frontdesk::messaging {
namespace {

// A reply this big is not the API's: the transfer stops.
constexpr std::size_t max_reply = 1024 * 1024;

// One easy handle per thread: its connection stays open between sends.
struct handle {
  CURL* h = curl_easy_init();
  ~handle() { curl_easy_cleanup(h); }
};

CURL* thread_handle() {
  thread_local handle mine;
  curl_easy_reset(mine.h);
  return mine.h;
}

class twilio_sender final : public sms_sender {
public:
  explicit twilio_sender(twilio_settings s) : s_(std::move(s)) {
    while (!s_.api_base_url.empty() && s_.api_base_url.back() == '/')
      s_.api_base_url.pop_back();
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }

  sms::send_outcome send(const sms::outgoing& m) override {
    auto url = s_.api_base_url + "/2010-04-01/Accounts/" + s_.account_sid + "/Messages.json";
    http::response_sink x(max_reply);
    long status = 0;
    auto rc = perform(url, sms::create_form(m), x, status);
    sms::send_outcome out;
    if (rc == CURLE_OK)
      return sms::parse_create_reply(static_cast<int>(status), x.body, x.headers.wait());
    out.message = std::string("transport: ") + curl_easy_strerror(rc);
    // Not connected at all: nothing reached the vendor, a plain retry. Anything later (a reset
    // after the request went out, a timeout waiting for the reply): it may have been accepted.
    out.what = (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                rc == CURLE_COULDNT_RESOLVE_PROXY)
                   ? sms::send_outcome::kind::retry
                   : sms::send_outcome::kind::ambiguous;
    return out;
  }

  expected<std::vector<sms::listed_message>> recent(const std::string& to,
                                                    const std::string& from) override {
    auto url = s_.api_base_url + "/2010-04-01/Accounts/" + s_.account_sid +
               "/Messages.json?" + sms::list_query(to, from, 100);
    http::response_sink x(max_reply);
    long status = 0;
    auto rc = perform(url, std::nullopt, x, status);
    if (rc != CURLE_OK)
      return fail("transport", curl_easy_strerror(rc));
    if (status != 200)
      return fail("http_" + std::to_string(status), "message list: HTTP " + std::to_string(status));
    return sms::parse_message_list(x.body);
  }

  expected<sms::message_state> fetch_status(const std::string& sid) override {
    auto path = sms::message_path(s_.account_sid, sid);
    if (!path)
      return fail("bad_sid", "not a Twilio message id: '" + sid.substr(0, 40) + "'");
    http::response_sink x(max_reply);
    long status = 0;
    auto rc = perform(s_.api_base_url + *path, std::nullopt, x, status);
    if (rc != CURLE_OK)
      return fail("transport", curl_easy_strerror(rc));
    if (status == 404)
      return fail("not_found", "message " + sid + " is unknown to the vendor");
    if (status != 200)
      return fail("http_" + std::to_string(status), "message fetch: HTTP " + std::to_string(status));
    return sms::parse_message_resource(x.body);
  }

private:
  CURLcode perform(const std::string& url, const std::optional<std::string>& form, http::response_sink& x,
                   long& status) {
    CURL* h = thread_handle();
    if (!h)
      return CURLE_FAILED_INIT;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, s_.account_sid.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, s_.auth_token.c_str());
    if (form) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, form->data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form->size()));
    } else {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "frontdesk/0.1");
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http::response_sink::curl_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http::response_sink::curl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    auto rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return rc;
  }

  twilio_settings s_;
};

class log_sink final : public sms_sender {
public:
  sms::send_outcome send(const sms::outgoing&) override {
    sms::send_outcome out;
    out.what = sms::send_outcome::kind::accepted;
    char sid[40];
    std::snprintf(sid, sizeof sid, "LG%032llx", static_cast<unsigned long long>(++n_) ^ salt_);
    out.sid = sid;
    out.status = "logged";
    return out;
  }
  expected<std::vector<sms::listed_message>> recent(const std::string&, const std::string&) override {
    return std::vector<sms::listed_message>{}; // nothing left the node: nothing to find
  }
  expected<sms::message_state> fetch_status(const std::string& sid) override {
    return fail("log_only", "nothing left the node for " + sid); // 'logged' is final anyway
  }
  bool log_only() const override { return true; }

private:
  std::atomic<unsigned long long> n_{0};
  unsigned long long salt_ = static_cast<unsigned long long>(
      std::chrono::steady_clock::now().time_since_epoch().count()) << 20;
};

} // namespace

std::unique_ptr<sms_sender> make_twilio_sender(twilio_settings s) {
  return std::make_unique<twilio_sender>(std::move(s));
}

std::unique_ptr<sms_sender> make_log_sink() { return std::make_unique<log_sink>(); }

} // namespace frontdesk::messaging
