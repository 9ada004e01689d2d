// Cloud voices against a fake OpenAI / Deepgram speech server on loopback (real HTTP/1.1,
// chunked bodies, real pauses), with Flite as the fallback.
#include <chrono>
#include <cmath>
#include <numbers>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/cloud_speech/cloud_speech.hpp"
#include "adapters/metrics/metrics.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/core/vendor_wait.hpp"
#include "tests/support/fake_openai.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;
using fixtures::fake_openai;
using fixtures::scripted_reply;
using steady = std::chrono::steady_clock;

namespace {

// `ms` of a 440 Hz tone as OpenAI sends pcm: 24 kHz, 16-bit little-endian.
std::string pcm24(int ms) {
  std::string b;
  for (int i = 0; i < ms * 24; ++i) {
    auto s = static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * 440.0 * i / 24000));
    b += static_cast<char>(s & 0xff);
    b += static_cast<char>((static_cast<std::uint16_t>(s) >> 8) & 0xff);
  }
  return b;
}

// Cut into the odd sizes HTTP chunks come in.
std::vector<std::string> odd_chunks(const std::string& body) {
  std::vector<std::string> out;
  const std::size_t sizes[] = {1, 4063, 1697};
  std::size_t off = 0, k = 0;
  while (off < body.size()) {
    auto n = std::min(sizes[k++ % 3], body.size() - off);
    out.push_back(body.substr(off, n));
    off += n;
  }
  return out;
}

struct fixture {
  explicit fixture(fake_openai::script s, speech::tts_vendor v = speech::tts_vendor::openai,
                   std::chrono::milliseconds first_byte = 1200ms)
      : fake(std::move(s)), flite(speech::make_flite_tts("kal16")),
        m(speech::register_vendor_metrics(reg, "openai", "tts")) {
    speech::cloud_tts_settings st;
    st.vendor = v;
    st.base_url = fake.base_url();
    st.api_key = "sk-test";
    if (v == speech::tts_vendor::deepgram)
      st.model = "aura-2-thalia-en";
    st.first_byte_limit = first_byte;
    tts = speech::make_cloud_tts(st, flite.get(), m);
  }
  std::vector<std::uint8_t> say(const std::string& text, bool* finished = nullptr,
                                std::size_t stop_after = 0) {
    std::vector<std::uint8_t> out;
    std::atomic<bool> cancel{false};
    auto r = tts->synthesize(
        text,
        [&](std::span<const std::uint8_t> c) {
          out.insert(out.end(), c.begin(), c.end());
          return stop_after == 0 || out.size() < stop_after;
        },
        cancel);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (finished)
      *finished = r && *r;
    return out;
  }
  fake_openai fake;
  std::unique_ptr<speech::tts_engine> flite;
  metrics::registry reg;
  speech::vendor_metrics m;
  std::unique_ptr<speech::tts_engine> tts;
};

scripted_reply audio_reply(std::vector<std::string> chunks, const char* type = "audio/pcm") {
  scripted_reply r;
  r.content_type = type;
  r.chunks = std::move(chunks);
  return r;
}

} // namespace

TEST(cloud_tts, openai_pcm_in_odd_chunks_is_resampled_without_a_lost_byte) {
  auto body = pcm24(1000);
  fixture f([&](const fixtures::recorded_request&, int) { return audio_reply(odd_chunks(body)); });
  auto got = f.say("Your appointment is booked.");
  // The same bytes through one converter at once: identical, so no byte was lost or doubled.
  speech::pcm_stream_to_8k ref(24000);
  std::vector<std::uint8_t> want;
  ref.feed_mulaw(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), want);
  EXPECT_EQ(got, want);
  EXPECT_NEAR(double(got.size()), 8000, 64);
  auto reqs = f.fake.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/v1/audio/speech");
  EXPECT_EQ(reqs[0].header("authorization").value_or(""), "Bearer sk-test");
  auto j = boost::json::parse(reqs[0].body).as_object();
  EXPECT_EQ(j.at("response_format").as_string(), "pcm");
  EXPECT_EQ(j.at("input").as_string(), "Your appointment is booked.");
  EXPECT_EQ(j.at("voice").as_string(), "alloy");
  EXPECT_EQ(f.m.requests->value(), 1u);
  EXPECT_EQ(f.m.failures->value(), 0u);
  EXPECT_EQ(f.m.units->value(), 27u);
  EXPECT_EQ(f.m.first_ms->count(), 1u);
}

TEST(cloud_tts, deepgram_aura_mulaw_passes_through) {
  std::string body;
  for (int i = 0; i < 4000; ++i)
    body += static_cast<char>(audio::mulaw_encode(static_cast<std::int16_t>((i % 40) * 200)));
  fixture f([&](const fixtures::recorded_request&, int) { return audio_reply(odd_chunks(body), "audio/basic"); },
            speech::tts_vendor::deepgram);
  auto got = f.say("See you then.");
  EXPECT_EQ(std::string(got.begin(), got.end()), body);
  auto reqs = f.fake.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target.rfind("/v1/speak?", 0), 0u) << reqs[0].target;
  EXPECT_NE(reqs[0].target.find("encoding=mulaw"), std::string::npos);
  EXPECT_NE(reqs[0].target.find("sample_rate=8000"), std::string::npos);
  EXPECT_NE(reqs[0].target.find("model=aura-2-thalia-en"), std::string::npos);
  EXPECT_EQ(reqs[0].header("authorization").value_or(""), "Token sk-test");
  EXPECT_EQ(boost::json::parse(reqs[0].body).as_object().at("text").as_string(), "See you then.");
}

TEST(cloud_tts, a_late_first_byte_is_spoken_by_flite_and_the_late_stream_dropped) {
  fixture f(
      [&](const fixtures::recorded_request&, int) {
        auto r = audio_reply(odd_chunks(pcm24(1000)));
        r.stall = 3000ms;
        return r;
      },
      speech::tts_vendor::openai, 300ms);
  auto t0 = steady::now();
  auto got = f.say("Thank you for calling.");
  auto took = steady::now() - t0;
  EXPECT_GT(got.size(), 4000u) << "Flite said nothing";
  EXPECT_LT(took, 2000ms) << "waited for the vendor past the limit";
  EXPECT_EQ(f.m.failures->value(), 1u);
  EXPECT_EQ(f.m.fallbacks->value(), 1u);
}

// The time the vendor had the request is what the thread reads at the first audio (the turn's
// vendor wait); a fallback's own synthesis time is not the vendor's.
TEST(cloud_tts, the_wait_for_the_vendors_first_audio_is_told_to_the_thread_that_asked) {
  auto first_wait_us = [](fixture& f) {
    std::int64_t at_first = -1;
    std::atomic<bool> cancel{false};
    vendor_wait::reset();
    auto r = f.tts->synthesize(
        "Thank you for calling.",
        [&](std::span<const std::uint8_t>) {
          if (at_first < 0)
            at_first = vendor_wait::take_us();
          return true;
        },
        cancel);
    EXPECT_TRUE(r && *r);
    return at_first;
  };
  fixture slow([&](const fixtures::recorded_request&, int) {
    auto r = audio_reply(odd_chunks(pcm24(1000)));
    r.stall = 250ms;
    return r;
  });
  auto waited = first_wait_us(slow);
  EXPECT_GE(waited, 240'000) << "the vendor's 250 ms before its first byte";
  EXPECT_LT(waited, 1'200'000);
  // What follows the first audio (the rest of the stream) counts on from there, not again.
  EXPECT_LT(vendor_wait::take_us(), waited - 200'000);

  fixture late(
      [&](const fixtures::recorded_request&, int) {
        auto r = audio_reply(odd_chunks(pcm24(1000)));
        r.stall = 3000ms;
        return r;
      },
      speech::tts_vendor::openai, 300ms);
  waited = first_wait_us(late); // Flite speaks once the vendor was given up on
  EXPECT_GE(waited, 290'000);
  EXPECT_LT(waited, 1'000'000);

  vendor_wait::reset();
  auto flite = speech::make_flite_tts("kal16");
  std::atomic<bool> cancel{false};
  std::int64_t own = -1;
  ASSERT_TRUE(flite->synthesize("Thank you for calling.", [&](std::span<const std::uint8_t>) {
    if (own < 0)
      own = vendor_wait::take_us();
    return true;
  }, cancel));
  EXPECT_EQ(own, 0) << "an engine on the node waits on no vendor";
}

TEST(cloud_tts, errors_before_the_first_byte_are_spoken_by_flite) {
  // Out of quota (waiting will not help) and a server error: no retry. A rate limit whose wait
  // would pass the first-byte limit: no retry either.
  struct refusal {
    int status;
    const char* code;
    fixtures::header_pairs headers;
  };
  for (const auto& [status, code, headers] :
       {refusal{429, "insufficient_quota", {{"retry-after-ms", "20"}}},
        refusal{500, "server_error", {{"retry-after-ms", "20"}}},
        refusal{429, "rate_limit_exceeded", {{"retry-after-ms", "5000"}}},
        refusal{429, "rate_limit_exceeded", {{"Retry-After", "30"}}},
        refusal{429, "rate_limit_exceeded", {}}}) {
    fixture f([&](const fixtures::recorded_request&, int) {
      scripted_reply r;
      r.status = status;
      r.content_type = "application/json";
      r.headers = headers;
      r.chunks = {fixtures::error_body("Refused", code == std::string("insufficient_quota") ? "insufficient_quota" : "requests", code)};
      return r;
    });
    auto got = f.say("We are open until five.");
    EXPECT_GT(got.size(), 4000u) << status << " " << code;
    EXPECT_EQ(f.fake.count(), 1) << status << " " << code << ": no retry";
    EXPECT_EQ(f.m.failures->value(), 1u);
    EXPECT_EQ(f.m.fallbacks->value(), 1u);
  }
}

TEST(cloud_tts, a_rate_limit_is_asked_again_once_after_the_wait_it_gives) {
  auto body = pcm24(500);
  for (auto header : {fixtures::header_pairs{{"retry-after-ms", "150"}},
                      fixtures::header_pairs{{"Retry-After", "1"}}}) {
    for (bool second_ok : {true, false}) {
      fixture f(
          [&](const fixtures::recorded_request&, int n) {
            if (n == 2 && second_ok)
              return audio_reply(odd_chunks(body));
            scripted_reply r;
            r.status = 429;
            r.content_type = "application/json";
            r.headers = header;
            r.chunks = {fixtures::error_body("Rate limit reached", "requests", "rate_limit_exceeded")};
            return r;
          },
          speech::tts_vendor::openai, 1500ms);
      auto t0 = steady::now();
      auto got = f.say("We are open until five.");
      auto took = steady::now() - t0;
      EXPECT_EQ(f.fake.count(), 2) << header[0].first << " " << second_ok;
      EXPECT_GE(took, header[0].first == "retry-after-ms" ? 150ms : 1000ms) << "asked before the wait";
      if (second_ok) { // the vendor's audio, none of Flite's
        speech::pcm_stream_to_8k ref(24000);
        std::vector<std::uint8_t> want;
        ref.feed_mulaw(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), want);
        EXPECT_EQ(got, want);
        EXPECT_EQ(f.m.fallbacks->value(), 0u);
      } else { // refused twice: Flite, and no third request
        EXPECT_GT(got.size(), 4000u);
        EXPECT_EQ(f.m.fallbacks->value(), 1u);
      }
    }
  }
}

TEST(cloud_tts, input_over_the_vendor_limit_goes_in_pieces_cut_at_sentence_ends) {
  std::string text;
  for (int i = 0; text.size() < 9000; ++i)
    text += "Item " + std::to_string(i) + " on the price list costs forty dollars. ";
  auto body = pcm24(100);
  fixture f([&](const fixtures::recorded_request& req, int) {
    if (boost::json::parse(req.body).as_object().at("input").as_string().size() > 4096) {
      scripted_reply r; // as OpenAI answers
      r.status = 400;
      r.content_type = "application/json";
      r.chunks = {fixtures::error_body("string too long", "invalid_request_error", "string_above_max_length")};
      return r;
    }
    return audio_reply({body});
  });
  auto got = f.say(text);
  auto reqs = f.fake.requests();
  ASSERT_EQ(reqs.size(), 3u);
  std::string sent;
  for (auto& r : reqs) {
    auto input = std::string(boost::json::parse(r.body).as_object().at("input").as_string());
    EXPECT_LE(input.size(), 4096u);
    EXPECT_EQ(input.back(), input.size() == text.size() - sent.size() ? ' ' : '.');
    sent += input;
  }
  EXPECT_EQ(sent, text);
  EXPECT_EQ(f.m.fallbacks->value(), 0u);
  // Each piece's audio whole and in order: three streams of the same 100 ms.
  std::vector<std::uint8_t> want;
  for (int i = 0; i < 3; ++i) {
    speech::pcm_stream_to_8k ref(24000);
    ref.feed_mulaw(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), want);
  }
  EXPECT_EQ(got, want);
}

TEST(cloud_tts, a_reset_mid_stream_keeps_what_played_and_flite_says_the_rest) {
  auto body = pcm24(2000);
  fixture f([&](const fixtures::recorded_request&, int) {
    auto r = audio_reply({body.substr(0, body.size() * 2 / 5)}); // 40%, then the connection goes
    r.cut_off = true;
    return r;
  });
  const std::string text = "Your appointment with Doctor Lee is on Tuesday at three in the afternoon.";
  auto got = f.say(text);
  auto vendor_part = std::size_t(8000 * 2 * 2 / 5);
  EXPECT_GT(got.size(), vendor_part + 1000) << "the rest was not said";
  // Flite said only the rest, not the whole sentence again.
  auto whole = speech::synthesize_all(*f.flite, text);
  ASSERT_TRUE(whole);
  EXPECT_LT(got.size() - vendor_part + 800, whole->size());
  EXPECT_EQ(f.m.fallbacks->value(), 1u);
}

TEST(cloud_tts, barge_in_aborts_the_transfer) {
  fixture f([&](const fixtures::recorded_request&, int) {
    auto r = audio_reply({});
    auto body = pcm24(5000);
    for (std::size_t off = 0; off < body.size(); off += 4800) // 100 ms a chunk, in real time
      r.chunks.push_back(body.substr(off, 4800));
    r.gap = 100ms;
    return r;
  });
  bool finished = true;
  auto t0 = steady::now();
  auto got = f.say("A long answer that the caller interrupts.", &finished, 2000);
  auto took = steady::now() - t0;
  EXPECT_FALSE(finished);
  EXPECT_LT(got.size(), 3000u);
  EXPECT_LT(took, 1500ms) << "the transfer ran on after the barge-in";
  EXPECT_EQ(f.m.fallbacks->value(), 0u);
}
