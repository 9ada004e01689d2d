// The fast path for Twilio's media messages (read_twilio_media) against the full parser: what
// the fast path takes, the full parser reads the same; what it leaves, the full parser decides.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocols/twilio/base64.hpp"
#include "protocols/twilio/media_stream.hpp"

using namespace frontdesk::twilio;

namespace {

std::vector<std::uint8_t> frame() {
  std::vector<std::uint8_t> f(160);
  for (std::size_t i = 0; i < f.size(); ++i)
    f[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return f;
}

// The fast path's answer, checked against the full parser's: a message the fast path takes is
// one the full parser reads to the same fields. Returns whether the fast path took it.
bool agrees(std::string_view text, const parse_limits& limits = {}) {
  media_view v;
  std::vector<std::uint8_t> payload{1, 2, 3};
  bool fast = read_twilio_media(text, v, payload, limits);
  auto full = parse_from_twilio(text, limits);
  if (!fast)
    return false;
  EXPECT_TRUE(full) << text << ": " << full.error().message;
  if (!full)
    return true;
  EXPECT_EQ(full->kind, event::media) << text;
  EXPECT_EQ(full->sequence, v.sequence) << text;
  EXPECT_EQ(full->stream_sid, v.stream_sid) << text;
  EXPECT_EQ(full->track, v.track) << text;
  EXPECT_EQ(full->chunk, v.chunk) << text;
  EXPECT_EQ(full->timestamp_ms, v.timestamp_ms) << text;
  EXPECT_EQ(full->payload, payload) << text;
  return true;
}

// Twilio's own example, as its documentation prints it (spaces and new lines included).
const std::string twilio_example = R"({
  "event": "media",
  "sequenceNumber": "3",
  "media": {
    "track": "outbound",
    "chunk": "1",
    "timestamp": "5",
    "payload": "no+JhoaJjpzSHxAKBgYJDhtEopGKh4aIjZm7JhILBwYIDRg1qZSLh4aIjJevLBUMBwYHDBUsr5eMiIaHi5SpNRgNCAYHCxImu5mNiIaHipGiRBsOCQYGChAf0pyOiYaGiY+e/x4PCQYGCQ4cUp+QioaGiY6bxCIRCgcGCA0ZO6aSi4eGiI2YtCkUCwcGCAwXL6yVjIeGh4yVrC8XDAgGBwsUKbSYjYiGh4uSpjsZDQgGBwoRIsSbjomGhoqQn1IcDgkGBgkPHv+ej4mGhomOnNIfEAoGBgkOG0SikYqHhoiNmbsmEgsHBggNGDWplIuHhoiMl68sFQwHBgcMFSyvl4yIhoeLlKk1GA0IBgcLEia7mY2IhoeKkaJEGw4JBgYKEB/SnI6JhoaJj57/Hg8JBgYJDhxSn5CKhoaJjpvEIhEKBwYIDRk7ppKLh4aIjZi0KRQLBwYIDBcvrJWMh4aHjJWsLxcMCAYHCxQptJiNiIaHi5KmOxkNCAYHChEixJuOiYaGipCfUhwOCQYGCQ8e/56PiYaGiY6c0h8QCgYGCQ4bRKKRioeGiA=="
  },
  "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0"
})";

} // namespace

TEST(media_fast, takes_twilio_messages_as_the_full_parser_reads_them) {
  EXPECT_TRUE(agrees(twilio_example));
  EXPECT_TRUE(agrees(inbound_media_message(7, "MZ1", 2, 40, frame())));
  EXPECT_TRUE(agrees(inbound_media_message(0, "MZ1", 0, 0, {}))); // an empty payload
  // Any order of the keys, without the optional ones.
  EXPECT_TRUE(agrees(R"({"streamSid":"MZ2","media":{"payload":"AAEC"},"sequenceNumber":"12",)"
                     R"("event":"media"})"));
  EXPECT_TRUE(agrees("\t{ \"event\" :\"media\" ,\"sequenceNumber\":\"9\",\"streamSid\":\"S\","
                     "\"media\":{ \"timestamp\":\"18446744073709551615\",\"payload\":\"/w==\"}}\r\n"));
  media_view v;
  std::vector<std::uint8_t> payload;
  ASSERT_TRUE(read_twilio_media(twilio_example, v, payload));
  EXPECT_EQ(v.sequence, 3u);
  EXPECT_EQ(v.stream_sid, "MZ18ad3ab5a668481ce02b83e7395059f0");
  EXPECT_EQ(v.track, "outbound");
  EXPECT_EQ(v.chunk, 1u);
  EXPECT_EQ(v.timestamp_ms, 5u);
  EXPECT_EQ(payload.size(), 424u);
}

// The buffer is reused: a second frame of the same size needs no new storage.
TEST(media_fast, decodes_into_the_same_buffer) {
  media_view v;
  std::vector<std::uint8_t> payload;
  auto text = inbound_media_message(1, "MZ1", 1, 20, frame());
  ASSERT_TRUE(read_twilio_media(text, v, payload));
  auto* storage = payload.data();
  ASSERT_TRUE(read_twilio_media(inbound_media_message(2, "MZ1", 2, 40, frame()), v, payload));
  EXPECT_EQ(payload.data(), storage);
  EXPECT_EQ(payload, frame());
}

// Valid messages the fast path leaves to the full parser, which still reads them.
TEST(media_fast, leaves_other_events_and_spellings_to_the_full_parser) {
  stream_start s{"MZ1", "AC1", "CA1", {"inbound"}, {{"k", "v"}}, "", 0, 0};
  for (auto& text : std::vector<std::string>{
           connected_message(), start_message(1, s), inbound_mark_message(3, "MZ1", "m"),
           dtmf_message(4, "MZ1", "1"), stop_message(5, "MZ1", "AC1", "CA1"),
           // numbers as numbers, escapes, non-ASCII, a key Twilio does not send
           R"({"event":"media","sequenceNumber":3,"streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"chunk":1,"payload":"AA=="}})",
           R"({"event":"medi\u0061","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S\/1","media":{"payload":"AA=="}})",
           "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"streamSid\":\"\xc3\xa9\",\"media\":{\"payload\":\"AA==\"}}",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","extra":"x","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA==","x":"y"}})",
       }) {
    EXPECT_FALSE(agrees(text)) << text;
    EXPECT_TRUE(parse_from_twilio(text)) << text;
  }
}

// Malformed or wrong messages: the fast path refuses every one, and the full parser gives the
// error.
TEST(media_fast, refuses_malformed_messages) {
  for (std::string text : {
           "", "{}", "[]", "null", "\"media\"", "{\"event\":\"media\"}",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"A\"AA="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA\u003d="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":"AA=="})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S"})",
           R"({"event":"media","sequenceNumber":"-3","streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"","streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3 ","streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"18446744073709551616","streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"chunk":"x","payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"timestamp":"1e3","payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA=="},})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA=="}}x)",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA=="}}})",
           R"({"event":"media","event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA=="}})",
           R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"AA==","payload":"AA=="}})",
           "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"streamSid\":\"a\tb\",\"media\":{\"payload\":\"AA==\"}}",
       }) {
    media_view v;
    std::vector<std::uint8_t> payload;
    EXPECT_FALSE(read_twilio_media(text, v, payload)) << text;
    agrees(text); // whatever the full parser says, the fast path did not contradict it
  }
  // A NUL inside the payload.
  std::string nul = R"({"event":"media","sequenceNumber":"3","streamSid":"S","media":{"payload":"A?A="}})";
  nul[nul.find('?')] = '\0';
  EXPECT_FALSE(agrees(nul));
  EXPECT_FALSE(parse_from_twilio(nul));
  // The limits hold on the fast path as on the full parser.
  auto text = inbound_media_message(1, "MZ", 1, 0, frame());
  EXPECT_FALSE(agrees(text, parse_limits{100, 16 * 1024}));
  EXPECT_FALSE(agrees(text, parse_limits{64 * 1024, 16}));
  EXPECT_FALSE(parse_from_twilio(text, parse_limits{64 * 1024, 16}));
}

// Every prefix and every split of a message read as two parts joined with something between
// them: never taken unless the full parser reads it the same.
TEST(media_fast, every_prefix_and_every_change_agrees_with_the_full_parser) {
  for (auto& full : {twilio_example, inbound_media_message(2, "MZ1", 1, 20, frame())}) {
    ASSERT_TRUE(agrees(full));
    for (std::size_t n = 0; n < full.size(); ++n) {
      EXPECT_FALSE(agrees(full.substr(0, n))) << n;
      EXPECT_FALSE(parse_from_twilio(full.substr(0, n)));
    }
    // Each byte replaced by each of the characters that matter to the grammar, and removed.
    const std::string changes = std::string("\"\\{}[],: \t\n0A=+/\x7f\x80\xff", 21) + '\0';
    for (std::size_t at = 0; at < full.size(); ++at) {
      for (char c : changes) {
        auto t = full;
        t[at] = c;
        agrees(t);
      }
      agrees(full.substr(0, at) + full.substr(at + 1));
      agrees(full.substr(0, at) + " " + full.substr(at));
    }
  }
}

// One writer per stream writes each frame as a whole message of its own.
TEST(media_writer, one_writer_writes_every_frame_of_its_stream) {
  media_writer w("MZ\"1");
  for (std::size_t n : {0u, 1u, 2u, 3u, 160u, 480u}) {
    std::vector<std::uint8_t> f(n, 0xab);
    auto text = w.media(f);
    EXPECT_LT(text.capacity() - text.size(), 16u) << "sized up front: " << n;
    auto back = parse_to_twilio(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->stream_sid, "MZ\"1");
    EXPECT_EQ(back->payload, f);
  }
  EXPECT_EQ(media_writer("MZ1").media(std::vector<std::uint8_t>{0xff, 0xff, 0xff}),
            R"({"event":"media","streamSid":"MZ1","media":{"payload":"////"}})");
}
