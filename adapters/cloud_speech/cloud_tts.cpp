#include "adapters/cloud_speech/cloud_speech.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>

#include <boost/json.hpp>
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "adapters/http/response_sink.hpp"
#include "adapters/cloud_speech/query_escape.hpp"
#include "adapters/metrics/metrics.hpp"
#include "protocols/core/vendor_wait.hpp"
#include "protocols/tts/request.hpp"

namespace frontdesk::speech {
namespace {

using steady = std::chrono::steady_clock;

// One request's progress, shared with libcurl's callbacks.
struct transfer {
  const tts_engine::sink* out = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::unique_ptr<pcm_stream_to_8k> pcm; // OpenAI: 24 kHz linear; null: μ-law already
  long status = 0;
  CURL* easy = nullptr;
  bool first = false;
  steady::time_point first_at{};
  bool stopped = false;      // the sink or the cancel flag ended it
  std::string error_body;    // a non-2xx answer, for the log
  std::uint64_t played = 0;  // μ-law bytes handed to the sink
  std::vector<std::uint8_t> mu;
  http::retry_headers retry; // what a refused request said about waiting
};

std::size_t on_body(char* data, std::size_t, std::size_t n, void* user) {
  auto& t = *static_cast<transfer*>(user);
  if (!t.first) {
    t.first = true;
    t.first_at = steady::now();
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &t.status);
  }
  if (t.status < 200 || t.status >= 300) {
    if (t.error_body.size() < 2000)
      t.error_body.append(data, std::min<std::size_t>(n, 2000));
    return n;
  }
  if (*t.cancel) {
    t.stopped = true;
    return 0; // aborts the transfer
  }
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(data), n);
  std::span<const std::uint8_t> chunk = bytes;
  if (t.pcm) {
    t.mu.clear();
    t.pcm->feed_mulaw(bytes, t.mu);
    chunk = t.mu;
  }
  if (chunk.empty())
    return n;
  t.played += chunk.size();
  if (!(*t.out)(chunk)) {
    t.stopped = true;
    return 0;
  }
  return n;
}

// Each speech worker keeps one multi handle: its connection cache keeps the vendor's TLS
// connection alive between sentences.
struct curl_handles {
  CURLM* multi = curl_multi_init();
  ~curl_handles() { curl_multi_cleanup(multi); }
};

class cloud_tts final : public tts_engine {
public:
  cloud_tts(cloud_tts_settings s, tts_engine* fallback, vendor_metrics m)
      : s_(std::move(s)), fallback_(fallback), m_(m) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    while (!s_.base_url.empty() && s_.base_url.back() == '/')
      s_.base_url.pop_back();
  }

  expected<bool> synthesize(std::string_view text, const sink& out,
                            const std::atomic<bool>& cancel) override {
    return synthesize_voice(text, {}, out, cancel);
  }

  // `voice`: OpenAI's voice, or the Deepgram Aura model (its voice); "" the configured one.
  expected<bool> synthesize_voice(std::string_view text, std::string_view voice, const sink& out,
                                  const std::atomic<bool>& cancel) override {
    // Over the vendor's input limit: one request per piece, cut at sentence ends.
    if (text.size() > tts::max_input) {
      for (auto piece : tts::split_input(text)) {
        auto r = synthesize_piece(piece, voice, out, cancel);
        if (!r || !*r)
          return r;
      }
      return true;
    }
    return synthesize_piece(text, voice, out, cancel);
  }

  std::string name() const override { return vendor() + " (" + s_.model + ")"; }

private:
  std::string vendor() const { return s_.vendor == tts_vendor::openai ? "OpenAI" : "Deepgram Aura"; }

  expected<bool> synthesize_piece(std::string_view text, std::string_view voice, const sink& out,
                                  const std::atomic<bool>& cancel) {
    if (m_.units)
      m_.units->inc(text.size());
    auto first_byte_by = steady::now() + s_.first_byte_limit;
    std::string why;
    transfer t;
    for (int attempt = 0;; ++attempt) {
      if (m_.requests)
        m_.requests->inc();
      t = transfer{};
      t.out = &out;
      t.cancel = &cancel;
      if (s_.vendor == tts_vendor::openai)
        t.pcm = std::make_unique<pcm_stream_to_8k>(24000);
      why = request(text, voice, t, first_byte_by);
      if (t.stopped || cancel)
        return false; // barge-in: the transfer is aborted, nothing more is played
      if (why.empty())
        return true;
      // Rate limited, with a wait that still lets the first byte come in time: once more.
      // Out of quota, a server error, or a longer wait: the embedded voice, no retry loop.
      if (attempt > 0 || t.played || (t.status != 429 && t.status != 503) ||
          tts::out_of_quota(t.error_body))
        break;
      auto wait = t.retry.wait();
      if (!wait || steady::now() + *wait >= first_byte_by)
        break;
      if (m_.failures)
        m_.failures->inc();
      spdlog::info("{} speech: {}; asking again in {} ms", vendor(), why, wait->count());
      for (auto until = steady::now() + *wait; steady::now() < until;) {
        if (cancel)
          return false;
        std::this_thread::sleep_for(
            std::min<steady::duration>(until - steady::now(), std::chrono::milliseconds(20)));
      }
    }
    if (m_.failures)
      m_.failures->inc();
    // What was played stays played: the fallback says the rest (an estimate of the words
    // left, at ~65 ms of speech a character), never the sentence again from its start.
    std::string_view rest = text;
    if (t.played) {
      auto said = static_cast<std::size_t>(double(t.played) / 8.0 / 65.0);
      while (said < rest.size() && rest[said] != ' ')
        ++said;
      rest = said < rest.size() ? rest.substr(said) : std::string_view{};
    }
    spdlog::warn("{} speech: {}; {}", vendor(), why,
                 rest.empty() ? "nothing left to say" : "the embedded voice says it");
    if (rest.find_first_not_of(" .,?!") == std::string_view::npos)
      return true;
    if (!fallback_)
      return fail("tts_failed", why);
    if (m_.fallbacks)
      m_.fallbacks->inc();
    return fallback_->synthesize(rest, out, cancel);
  }

  // Runs the request; returns why it failed ("" when the whole audio came).
  std::string request(std::string_view text, std::string_view voice, transfer& t,
                      steady::time_point first_byte_by) {
    thread_local curl_handles handles;
    std::string url, body;
    curl_slist* headers = nullptr;
    if (s_.vendor == tts_vendor::openai) {
      url = s_.base_url + "/audio/speech";
      body = boost::json::serialize(boost::json::object{
          {"model", s_.model},
          {"input", std::string(text)},
          {"voice", voice.empty() ? s_.voice : std::string(voice)},
          {"response_format", "pcm"}});
      headers = curl_slist_append(headers, ("Authorization: Bearer " + s_.api_key).c_str());
    } else {
      // Aura's voice is its model. A business's name is plain (checked when it is loaded);
      // encoded anyway, it goes into the URL.
      url = s_.base_url + "/speak?model=" + (voice.empty() ? s_.model : query_escape(voice)) +
            "&encoding=mulaw&sample_rate=8000&container=none";
      body = boost::json::serialize(boost::json::object{{"text", std::string(text)}});
      headers = curl_slist_append(headers, ("Authorization: Token " + s_.api_key).c_str());
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    CURL* e = curl_easy_init();
    t.easy = e;
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http::retry_headers::curl_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t.retry);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.first_byte_limit.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.total_limit.count()));
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    auto* multi = handles.multi;
    curl_multi_add_handle(multi, e);
    auto start = steady::now();
    vendor_wait::asked(); // the request goes out in the first curl_multi_perform below
    std::string why;
    for (;;) {
      int running = 0;
      curl_multi_perform(multi, &running);
      if (!running)
        break;
      if (*t.cancel || t.stopped) {
        t.stopped = true;
        break;
      }
      if (!t.first && steady::now() > first_byte_by) {
        why = "no first byte within " + std::to_string(s_.first_byte_limit.count()) + " ms";
        break;
      }
      // Short waits: a barge-in is noticed within 20 ms even while the vendor is silent.
      curl_multi_poll(multi, nullptr, 0, 20, nullptr);
    }
    if (why.empty() && !t.stopped) {
      int left = 0;
      while (auto* msg = curl_multi_info_read(multi, &left))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == e && msg->data.result != CURLE_OK &&
            msg->data.result != CURLE_WRITE_ERROR)
          why = std::string("request failed: ") + curl_easy_strerror(msg->data.result);
      if (why.empty()) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t.status);
        if (t.status < 200 || t.status >= 300)
          why = "HTTP " + std::to_string(t.status) + ": " + t.error_body.substr(0, 300);
      }
    }
    vendor_wait::answered();
    if (t.first && m_.first_ms)
      m_.first_ms->observe(std::chrono::duration<double, std::milli>(t.first_at - start).count());
    curl_multi_remove_handle(multi, e); // aborts a transfer still running
    curl_easy_cleanup(e);
    curl_slist_free_all(headers);
    return why;
  }

  cloud_tts_settings s_;
  tts_engine* fallback_;
  vendor_metrics m_;
};

} // namespace

std::unique_ptr<tts_engine> make_cloud_tts(cloud_tts_settings s, tts_engine* fallback,
                                           vendor_metrics m) {
  return std::make_unique<cloud_tts>(std::move(s), fallback, m);
}

} // namespace frontdesk::speech
