#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/twilio/base64.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/media_stream.hpp"
#include "protocols/twilio/twiml.hpp"

using namespace frontdesk::twilio;

TEST(base64, round_trips_every_length) {
  std::vector<std::uint8_t> bytes;
  for (int n = 0; n < 300; ++n) {
    auto text = base64_encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    auto back = base64_decode(text);
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, bytes);
    bytes.push_back(static_cast<std::uint8_t>(n * 37 + 11));
  }
  EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{'f', 'o', 'o', 'b'}), "Zm9vYg==");
}

TEST(base64, refuses_invalid_input) {
  for (auto bad : {"Zm9vYg=", "Zm9vY", "Zm9v!g==", "Zm9vYh==", "=Zm9", "Zm=v", "Zm9vYg==Zm9v",
                   "Z m9v", "Zg=a"})
    EXPECT_FALSE(base64_decode(bad)) << bad;
  EXPECT_TRUE(base64_decode(""));
}

TEST(base64, encodes_the_rfc_4648_test_vectors_and_appends) {
  auto enc = [](std::string_view s) {
    return base64_encode(std::vector<std::uint8_t>(s.begin(), s.end()));
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg==");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE=");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
  std::string out = "payload:";
  base64_encode_to(std::vector<std::uint8_t>{'f', 'o'}, out);
  EXPECT_EQ(out, "payload:Zm8=");
}

namespace {
// The strict decoder the fast one must agree with: one character at a time.
std::optional<std::vector<std::uint8_t>> reference_decode(std::string_view t) {
  static const std::string_view abc =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (t.size() % 4 != 0)
    return std::nullopt;
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < t.size(); i += 4) {
    bool last = i + 4 == t.size();
    int pad = last && t[i + 3] == '=' ? (t[i + 2] == '=' ? 2 : 1) : 0;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      auto pos = k < 4 - pad ? abc.find(t[i + static_cast<std::size_t>(k)]) : 0;
      if (pos == std::string_view::npos)
        return std::nullopt;
      v = v << 6 | static_cast<std::uint32_t>(pos);
    }
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
      return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (pad < 2)
      out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (pad < 1)
      out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}
} // namespace

// Every byte value at every position of texts ending in each padding, and every truncation:
// the decoder accepts exactly what the reference accepts, with the same bytes.
TEST(base64, decodes_every_single_character_change_as_the_reference_does) {
  for (std::string base : {"Zm9vYmFy", "Zm9vYmE=", "Zm9vYg==", "AAAA////"}) {
    for (std::size_t cut = 0; cut <= base.size(); ++cut) {
      auto text = base.substr(0, cut);
      auto want = reference_decode(text);
      auto got = base64_decode(text);
      ASSERT_EQ(want.has_value(), got.has_value()) << text;
      if (want) {
        EXPECT_EQ(*got, *want) << text;
      }
    }
    for (std::size_t i = 0; i < base.size(); ++i)
      for (int c = 0; c < 256; ++c) {
        auto text = base;
        text[i] = static_cast<char>(c);
        auto want = reference_decode(text);
        auto got = base64_decode(text);
        ASSERT_EQ(want.has_value(), got.has_value()) << text << " at " << i;
        if (want) {
          EXPECT_EQ(*got, *want) << text;
        }
      }
  }
}

namespace {
std::vector<std::uint8_t> frame() {
  std::vector<std::uint8_t> f(160);
  for (std::size_t i = 0; i < f.size(); ++i)
    f[i] = static_cast<std::uint8_t>(i * 7);
  return f;
}
} // namespace

TEST(media_stream, parses_every_twilio_event) {
  auto c = parse_from_twilio(connected_message());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, event::connected);
  EXPECT_EQ(c->protocol, "Call");

  stream_start s{"MZ1", "AC1", "CA1", {"inbound"}, {{"callId", "c-1"}}, "audio/x-mulaw", 8000, 1};
  auto st = parse_from_twilio(start_message(1, s));
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->kind, event::start);
  EXPECT_EQ(st->sequence, 1u);
  EXPECT_EQ(st->start.call_sid, "CA1");
  EXPECT_EQ(st->start.custom_parameters.at("callId"), "c-1");
  EXPECT_EQ(st->start.sample_rate, 8000);
  EXPECT_EQ(st->start.tracks, std::vector<std::string>{"inbound"});

  auto m = parse_from_twilio(inbound_media_message(3, "MZ1", 2, 40, frame()));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->kind, event::media);
  EXPECT_EQ(m->stream_sid, "MZ1");
  EXPECT_EQ(m->chunk, 2u);
  EXPECT_EQ(m->timestamp_ms, 40u);
  EXPECT_EQ(m->payload, frame());

  auto mk = parse_from_twilio(inbound_mark_message(4, "MZ1", "u1.\"2\""));
  ASSERT_TRUE(mk);
  EXPECT_EQ(mk->mark_name, "u1.\"2\"");
  auto d = parse_from_twilio(dtmf_message(5, "MZ1", "#"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->digit, "#");
  auto stop = parse_from_twilio(stop_message(6, "MZ1", "AC1", "CA1"));
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->kind, event::stop);
  EXPECT_EQ(stop->start.call_sid, "CA1");
}

TEST(media_stream, parses_the_reference_examples) {
  auto m = parse_from_twilio(
      R"({"event":"start","sequenceNumber":"1","streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0",)"
      R"("start":{"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0","accountSid":"AC123","callSid":"CA123",)"
      R"("tracks":["inbound"],"customParameters":{"tenantId":"t_123"},)"
      R"("mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->start.custom_parameters.at("tenantId"), "t_123");
}

TEST(media_stream, our_messages_round_trip) {
  auto media = parse_to_twilio(media_message("MZ\"1", frame()));
  ASSERT_TRUE(media) << media.error().message;
  EXPECT_EQ(media->kind, event::media);
  EXPECT_EQ(media->stream_sid, "MZ\"1");
  EXPECT_EQ(media->payload, frame());
  auto mark = parse_to_twilio(mark_message("MZ1", "u3.4"));
  ASSERT_TRUE(mark);
  EXPECT_EQ(mark->mark_name, "u3.4");
  auto clear = parse_to_twilio(clear_message("MZ1"));
  ASSERT_TRUE(clear);
  EXPECT_EQ(clear->kind, event::clear);
  EXPECT_EQ(media_message("MZ1", std::vector<std::uint8_t>{0xff, 0xff, 0xff}),
            R"({"event":"media","streamSid":"MZ1","media":{"payload":"////"}})");
}

TEST(media_stream, malformed_messages_fail_with_a_code) {
  struct c {
    std::string text;
    const char* code;
  };
  for (auto& [text, code] : std::vector<c>{
           {"", "bad_json"},
           {"not json", "bad_json"},
           {"[1,2]", "not_an_object"},
           {R"({"sequenceNumber":"1"})", "missing_field"},
           {R"({"event":"jump","sequenceNumber":"1","streamSid":"MZ"})", "unknown_event"},
           {R"({"event":"media","sequenceNumber":"x1","streamSid":"MZ","media":{"payload":""}})", "bad_field"},
           {R"({"event":"media","sequenceNumber":"1","streamSid":"MZ"})", "missing_field"},
           {R"({"event":"media","sequenceNumber":"1","streamSid":"MZ","media":{"payload":"***"}})", "bad_base64"},
           {R"({"event":"media","sequenceNumber":"1","streamSid":"MZ","media":{"payload":7}})", "bad_field"},
           {R"({"event":"media","sequenceNumber":"1","streamSid":5,"media":{"payload":""}})", "bad_field"},
           {R"({"event":"start","sequenceNumber":"1","streamSid":"MZ","start":{"customParameters":[]}})", "missing_field"},
           {R"({"event":"mark","sequenceNumber":"1","streamSid":"MZ","mark":{}})", "missing_field"},
       }) {
    auto m = parse_from_twilio(text);
    ASSERT_FALSE(m) << text;
    EXPECT_EQ(m.error().code, code) << text << ": " << m.error().message;
  }
  parse_limits small{100, 16};
  auto big = parse_from_twilio(inbound_media_message(1, "MZ", 1, 0, frame()), small);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, "too_large");
}

TEST(media_stream, every_prefix_of_every_message_fails_cleanly) {
  stream_start s{"MZ1", "AC1", "CA1", {"inbound"}, {{"k", "v"}}, "", 0, 0};
  for (auto& full : {connected_message(), start_message(1, s),
                     inbound_media_message(2, "MZ1", 1, 0, frame()), inbound_mark_message(3, "MZ1", "m"),
                     dtmf_message(4, "MZ1", "1"), stop_message(5, "MZ1", "AC1", "CA1")}) {
    ASSERT_TRUE(parse_from_twilio(full)) << full;
    for (std::size_t n = 0; n < full.size(); ++n)
      EXPECT_FALSE(parse_from_twilio(full.substr(0, n))) << full.substr(0, n);
  }
}

TEST(form, parses_percent_and_plus) {
  auto f = parse_form("CallSid=CA123&From=%2B15551234567&Caller+Name=Ann+Lee&Empty=&Flag&Digits=1&Digits=2");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value("From"), "+15551234567");
  EXPECT_EQ(f->value("Caller Name"), "Ann Lee");
  EXPECT_EQ(f->get("Empty"), "");
  EXPECT_EQ(f->get("Flag"), "");
  EXPECT_EQ(f->value("Digits"), "1");
  EXPECT_EQ(f->fields.size(), 7u);
  EXPECT_FALSE(f->get("Missing"));
}

TEST(form, refuses_malformed_escapes_and_floods) {
  for (auto bad : {"a=%", "a=%2", "a=%zz", "%g0=1", "a=b&c=%4"})
    EXPECT_FALSE(parse_form(bad)) << bad;
  std::string flood;
  for (int i = 0; i < 300; ++i)
    flood += "a=1&";
  EXPECT_FALSE(parse_form(flood));
  EXPECT_TRUE(parse_form(""));
}

TEST(form, encode_then_parse_round_trips) {
  form f;
  f.add("To", "+1 555");
  f.add("Body", "Hi & bye = 100%\n\xc3\xa9");
  f.add("Empty", "");
  auto back = parse_form(encode_form(f));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->fields, f.fields);
}

TEST(form, every_split_of_a_body_parses_as_its_parts) {
  std::string body = "CallSid=CA1&From=%2B1555&To=%2B1666";
  auto whole = parse_form(body);
  ASSERT_TRUE(whole);
  for (std::size_t n = 0; n <= body.size(); ++n) {
    auto head = parse_form(body.substr(0, n));
    // A prefix parses unless it cuts an escape; it never crashes or invents fields.
    if (head) {
      EXPECT_LE(head->fields.size(), whole->fields.size());
    }
  }
}

TEST(twiml, builds_connect_stream_with_parameters) {
  auto xml = twiml().connect_stream("wss://fd.example.com/twilio/media",
                                    {{"callId", "c-1"}, {"business", "b&1"}})
                 .str();
  EXPECT_EQ(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect><Stream "
                 "url=\"wss://fd.example.com/twilio/media\"><Parameter name=\"business\" "
                 "value=\"b&amp;1\"/><Parameter name=\"callId\" value=\"c-1\"/></Stream>"
                 "</Connect></Response>");
}

TEST(twiml, escapes_text_and_drops_what_xml_forbids) {
  auto xml = twiml().say("Tom & Jerry's <clinic> \"open\"\x01", "alice").hangup().str();
  EXPECT_NE(xml.find("<Say voice=\"alice\">Tom &amp; Jerry&apos;s &lt;clinic&gt; &quot;open&quot;</Say><Hangup/>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml_escape("caf\xc3\xa9 \xff\xfe"), "caf\xc3\xa9 ");
}

TEST(twiml, dial_pause_redirect) {
  auto xml = twiml()
                 .say("Connecting you.")
                 .dial("+15552223333", {"+15550001111", 20, "/dial-done", true})
                 .pause(1)
                 .redirect("/next?a=1&b=2")
                 .str();
  EXPECT_NE(xml.find("<Dial callerId=\"+15550001111\" timeout=\"20\" action=\"/dial-done\" "
                     "answerOnBridge=\"true\"><Number>+15552223333</Number></Dial>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<Pause length=\"1\"/><Redirect>/next?a=1&amp;b=2</Redirect>"), std::string::npos);
}
