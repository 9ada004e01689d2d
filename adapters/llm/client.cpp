#include "adapters/llm/client.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include <boost/json.hpp>
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "adapters/http/response_sink.hpp"
#include "protocols/core/vendor_wait.hpp"

namespace frontdesk::llm {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

constexpr std::size_t max_error_body = 64 * 1024;
constexpr std::size_t max_plain_body = 4 * 1024 * 1024;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool looks_like_sse(std::string_view body) {
  body = trim(body);
  return body.rfind("data:", 0) == 0 || body.rfind(":", 0) == 0 || body.rfind("event:", 0) == 0;
}

// One HTTP exchange's state, filled by curl's callbacks.
struct exchange {
  const std::function<void(std::string_view)>* on_text = nullptr;
  steady::time_point started;
  std::optional<milliseconds> first_token;
  long status = 0;
  std::string content_type;
  http::retry_headers retry; // Retry-After / retry-after-ms of the final reply
  std::string body; // error bodies and non-streamed replies
  stream_decoder decoder;
  std::optional<failure> stream_error;
  bool delivered_text = false;
  std::exception_ptr callback_error;

  bool streaming() const { return content_type.find("text/event-stream") != std::string::npos; }
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto& x = *static_cast<exchange*>(user);
  std::string_view line(data, size * n);
  x.retry.on_line(line); // starts afresh at each status line, as we do below
  if (line.rfind("HTTP/", 0) == 0) { // a new response (after a 1xx): forget the last one's
    x.status = 0;
    x.content_type.clear();
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) {
      long code = 0;
      for (auto i = sp + 1; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i)
        code = code * 10 + (line[i] - '0');
      x.status = code;
    }
    return size * n;
  }
  if (auto h = http::split_header_line(line); h && h->first == "content-type")
    x.content_type.assign(h->second);
  return size * n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& x = *static_cast<exchange*>(user);
  std::string_view bytes(data, size * n);
  try {
    if (x.status != 200 || !x.streaming()) {
      auto limit = x.status == 200 ? max_plain_body : max_error_body;
      x.body.append(bytes.substr(0, limit - std::min(limit, x.body.size())));
      return bytes.size();
    }
    auto pieces = x.decoder.feed(bytes);
    if (!pieces) {
      x.stream_error = pieces.error();
      return 0; // aborts the transfer
    }
    if (!x.first_token && x.decoder.started())
      x.first_token = std::chrono::duration_cast<milliseconds>(steady::now() - x.started);
    for (auto& p : *pieces) {
      x.delivered_text = true;
      if (x.on_text && *x.on_text)
        (*x.on_text)(p);
    }
    return bytes.size();
  } catch (...) { // never through curl's C frames
    x.callback_error = std::current_exception();
    return 0;
  }
}

// What one attempt came to.
struct attempt_outcome {
  std::optional<chat_result> result;
  failure error;
  bool retryable = false;
  std::optional<milliseconds> retry_after;
};

} // namespace

// ---------------------------------------------------------------------------------------------

expected<std::string> request_body(const chat_request& req, const client_options& opts) {
  json::object body;
  body["model"] = req.model.empty() ? opts.model : req.model;
  json::array messages;
  for (auto& m : req.messages) {
    json::object o;
    o["role"] = m.role;
    if (m.role == "assistant" && !m.tool_calls.empty()) {
      if (m.content.empty())
        o["content"] = nullptr;
      else
        o["content"] = m.content;
      json::array calls;
      for (auto& t : m.tool_calls)
        calls.push_back(json::object{{"id", t.id},
                                     {"type", "function"},
                                     {"function", {{"name", t.name}, {"arguments", t.arguments}}}});
      o["tool_calls"] = std::move(calls);
    } else {
      o["content"] = m.content;
    }
    if (m.role == "tool")
      o["tool_call_id"] = m.tool_call_id;
    messages.push_back(std::move(o));
  }
  body["messages"] = std::move(messages);
  body["temperature"] = req.temperature.value_or(opts.temperature);
  if (req.max_completion_tokens)
    body["max_completion_tokens"] = *req.max_completion_tokens;
  if (!req.tools.empty()) {
    json::array tools;
    for (auto& t : req.tools) {
      json::error_code ec;
      auto params = json::parse(t.parameters, ec);
      if (ec || !params.is_object())
        return fail("llm_bad_request", "tool '" + t.name + "' parameters are not a JSON object");
      tools.push_back(json::object{
          {"type", "function"},
          {"function",
           {{"name", t.name}, {"description", t.description}, {"parameters", std::move(params)}}}});
    }
    body["tools"] = std::move(tools);
    body["tool_choice"] = "auto";
  }
  if (req.json_object)
    body["response_format"] = {{"type", "json_object"}};
  body["stream"] = true;
  return json::serialize(body);
}

milliseconds backoff_delay(const client_options& opts, int attempt,
                           std::optional<milliseconds> retry_after, double jitter) {
  if (retry_after && *retry_after >= milliseconds(0) && *retry_after <= opts.max_retry_after)
    return *retry_after;
  double ms = static_cast<double>(opts.backoff_base.count()) * std::pow(2.0, std::max(0, attempt - 1));
  ms = std::min(ms, static_cast<double>(opts.backoff_cap.count()));
  jitter = std::clamp(jitter, 0.0, 1.0);
  return milliseconds(static_cast<long long>(ms * (1.0 - 0.25 * jitter)));
}

// ---------------------------------------------------------------------------------------------

struct client::impl {
  client_options opts;
  std::string url;
  std::mutex mtx; // guards idle and rng
  std::vector<CURL*> idle;
  std::mt19937 rng{std::random_device{}()};

  ~impl() {
    for (auto* h : idle)
      curl_easy_cleanup(h);
  }

  CURL* take() {
    {
      std::lock_guard lk(mtx);
      if (!idle.empty()) {
        auto* h = idle.back();
        idle.pop_back();
        curl_easy_reset(h); // options go; the connection cache stays
        return h;
      }
    }
    return curl_easy_init();
  }

  void give(CURL* h) {
    std::lock_guard lk(mtx);
    idle.push_back(h);
  }

  double jitter() {
    std::lock_guard lk(mtx);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }

  attempt_outcome attempt(const std::string& body, const std::function<void(std::string_view)>& on_text,
                          steady::time_point started) {
    attempt_outcome out;
    CURL* h = take();
    if (!h) {
      out.error = fail("llm_transport", "curl_easy_init failed");
      return out;
    }
    exchange x;
    x.on_text = &on_text;
    x.started = started;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: text/event-stream");
    headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip
    std::string auth;
    if (!opts.api_key.empty()) {
      auth = "Authorization: Bearer " + opts.api_key;
      headers = curl_slist_append(headers, auth.c_str());
    }
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // timeouts without SIGALRM: we are threaded
    curl_easy_setopt(h, CURLOPT_USERAGENT, "frontdesk/0.1");
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    auto rc = curl_easy_perform(h);
    curl_off_t connect_us = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
    curl_slist_free_all(headers);
    give(h);
    if (x.callback_error)
      std::rethrow_exception(x.callback_error);
    out.retry_after = x.retry.wait();

    if (x.stream_error) {
      out.error = *x.stream_error;
      // A server's error event before any text is as good as a 5xx; a broken stream is not.
      out.retryable = x.stream_error->code == "llm_api_error" && !x.delivered_text;
      return out;
    }
    if (rc != CURLE_OK) {
      std::string what = curl_easy_strerror(rc);
      switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        if (connect_us == 0) { // never connected: a connection failure like any other
          out.error = fail("llm_connect", "no connection within " +
                                              std::to_string(opts.connect_timeout.count()) + " ms");
          out.retryable = true;
          return out;
        }
        out.error = fail("llm_timeout", "no complete answer within " +
                                            std::to_string(opts.timeout.count()) + " ms (" + what + ")");
        return out;
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
        out.error = fail("llm_connect", what);
        out.retryable = true;
        return out;
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_SSL_CONNECT_ERROR:
        out.error = fail("llm_transport", what);
        out.retryable = !x.delivered_text;
        return out;
      default:
        out.error = fail("llm_transport", what);
        return out;
      }
    }
    if (x.status != 200) {
      auto msg = error_message(x.body);
      if (msg.empty())
        msg = std::string(x.body.substr(0, 200));
      out.error = fail("llm_http_" + std::to_string(x.status),
                       "HTTP " + std::to_string(x.status) + (msg.empty() ? "" : ": " + msg));
      bool quota = x.body.find("insufficient_quota") != std::string::npos; // will not pass
      out.retryable = (x.status == 429 && !quota) || x.status >= 500;
      return out;
    }
    expected<completion> c = x.streaming() ? x.decoder.finish() : parse_completion(x.body);
    if (!x.streaming() && looks_like_sse(x.body)) {
      // An event stream under another content type (some proxies rewrite it): decode it whole.
      stream_decoder whole;
      auto pieces = whole.feed(x.body);
      c = pieces ? whole.finish() : expected<completion>(pieces.error());
    }
    if (!c) {
      out.error = c.error();
      // A stream cut off before any text: the connection failed, try again.
      out.retryable = c.error().code == "llm_truncated" && !x.delivered_text;
      return out;
    }
    if (!x.streaming() && !c->text.empty() && on_text) {
      x.first_token = std::chrono::duration_cast<milliseconds>(steady::now() - started);
      on_text(c->text);
    }
    if (!x.first_token)
      x.first_token = std::chrono::duration_cast<milliseconds>(steady::now() - started);
    chat_result r;
    r.text = std::move(c->text);
    r.tool_calls = std::move(c->tool_calls);
    r.finish_reason = std::move(c->finish_reason);
    r.time_to_first_token = *x.first_token;
    out.result = std::move(r);
    return out;
  }
};

client::client(client_options opts) : impl_(std::make_unique<impl>()) {
  init_curl_once();
  impl_->opts = std::move(opts);
  auto base = impl_->opts.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  impl_->url = base + "/chat/completions";
  if (!impl_->opts.sleep)
    impl_->opts.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  impl_->opts.max_attempts = std::max(1, impl_->opts.max_attempts);
}

client::~client() = default;

const client_options& client::options() const { return impl_->opts; }

expected<chat_result> client::chat(const chat_request& req,
                                   const std::function<void(std::string_view)>& on_text_delta) const {
  auto body = request_body(req, impl_->opts);
  if (!body)
    return body.error();
  auto started = steady::now();
  auto& opts = impl_->opts;
  // The caller's thread waits on the server from here to the reply's end, retries included
  // (read by whoever times a turn; see vendor_wait).
  vendor_wait::asked();
  struct answered_at_return {
    ~answered_at_return() { vendor_wait::answered(); }
  } answered;
  for (int attempt = 1;; ++attempt) {
    auto out = impl_->attempt(*body, on_text_delta, started);
    if (out.result) {
      out.result->attempts = attempt;
      return std::move(*out.result);
    }
    if (!out.retryable || attempt >= opts.max_attempts) {
      if (attempt > 1)
        out.error.message += " (after " + std::to_string(attempt) + " attempts)";
      return out.error;
    }
    auto wait = backoff_delay(opts, attempt, out.retry_after, impl_->jitter());
    spdlog::warn("llm: attempt {} of {} failed ({}: {}); retrying in {} ms", attempt,
                 opts.max_attempts, out.error.code, out.error.message, wait.count());
    opts.sleep(wait);
  }
}

} // namespace frontdesk::llm
