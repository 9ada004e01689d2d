// Every message a call's actors exchange survives CAF's binary serialization, alone and inside
// a caf::message (as it would travel to another node): the type ids and inspect() are whole.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "actors/call/runtime.hpp"
#include "protocols/actor/interfaces.hpp"

using namespace frontdesk;
using namespace frontdesk::proto;

namespace {

struct wire : ::testing::Test {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  wire() {
    call::add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  template <class T>
  std::vector<char> bytes(T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{*sys, buf};
    auto err = sink(x);
    EXPECT_FALSE(err) << caf::to_string(err);
    return buf;
  }

  // Serializes x, reads it back, and checks that the copy serializes to the same bytes; then
  // does the same with x wrapped in a message, which carries its type.
  template <class T>
  T round_trip(T x) {
    auto first = bytes(x);
    T copy;
    caf::binary_deserializer source{*sys, first};
    auto err = source(copy);
    EXPECT_FALSE(err) << caf::to_string(err);
    EXPECT_EQ(bytes(copy), first);

    auto msg = caf::make_message(x);
    auto in_message = bytes(msg);
    caf::message back;
    caf::binary_deserializer msg_source{*sys, in_message};
    err = msg_source(back);
    EXPECT_FALSE(err) << caf::to_string(err);
    EXPECT_TRUE(back.match_elements<T>()) << caf::to_string(back);
    return back.match_elements<T>() ? back.get_as<T>(0) : T{};
  }
};

} // namespace

TEST_F(wire, audio_and_stream_events) {
  auto a = round_trip(audio_in{{0xff, 0x7f, 0x00, 0x12}, 1234567});
  EXPECT_EQ(a.mulaw, (std::vector<std::uint8_t>{0xff, 0x7f, 0x00, 0x12}));
  EXPECT_EQ(a.timestamp_ms, 1234567u);
  EXPECT_EQ(round_trip(mark_played{"u3-1"}).name, "u3-1");
  EXPECT_EQ(round_trip(dtmf_in{"#"}).digit, "#");
  EXPECT_EQ(round_trip(stream_ended{"socket_closed"}).reason, "socket_closed");
  auto t = round_trip(speech_audio{3, {-32124, 0, 7, 32124}, true, true, 640, 11, 22});
  EXPECT_EQ(t.turn, 3u);
  EXPECT_EQ(t.pcm, (std::vector<std::int16_t>{-32124, 0, 7, 32124}));
  EXPECT_TRUE(t.started);
  EXPECT_TRUE(t.ended);
  EXPECT_EQ(t.speech_ms, 640);
  EXPECT_EQ(t.speech_end_us, 11);
  EXPECT_EQ(t.decided_us, 22);
}

TEST_F(wire, speech_and_dialog_messages) {
  heard h{"book me for friday at ten", 0.83, false, false, 1420, 10, 20, 30};
  auto h2 = round_trip(h);
  EXPECT_EQ(h2.text, h.text);
  EXPECT_DOUBLE_EQ(h2.confidence, 0.83);
  EXPECT_EQ(h2.speech_ms, 1420);
  EXPECT_EQ(h2.final_us, 30);
  auto s = round_trip(say{7, "We're open nine to five."});
  EXPECT_EQ(s.utterance, 7u);
  EXPECT_EQ(s.text, "We're open nine to five.");
  std::string mulaw(800, '\x55');
  mulaw[3] = '\0'; // μ-law bytes are binary, zeros included
  auto p = round_trip(play{7, mulaw, true, true});
  EXPECT_EQ(p.mulaw, mulaw);
  EXPECT_TRUE(p.mark_after && p.last);
  auto c = round_trip(cut{7, 1180, 1600, true});
  EXPECT_EQ(c.heard_ms, 1180);
  EXPECT_TRUE(c.was_playing);
  auto m = round_trip(milestone{7, 99, true});
  EXPECT_EQ(m.at_us, 99);
  auto r = round_trip(reply_text{"Goodbye.", true, 3});
  EXPECT_TRUE(r.end_call);
  EXPECT_EQ(r.expecting, 3);
}

TEST_F(wire, calendar_tools) {
  auto q = round_trip(tool_request{"call-1", "book", {{"start", "2026-03-05T14:00"}, {"name", "Ann"}}});
  EXPECT_EQ(q.args.at("start"), "2026-03-05T14:00");
  EXPECT_EQ(q.args.size(), 2u);
  auto a = round_trip(tool_reply{"book", false, {{"reason", "taken"}},
                                 {"2 PM", "2:30 PM", "3 PM"}, {"14:00", "14:30", "15:00"}});
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.values.at("reason"), "taken");
  EXPECT_EQ(a.options.size(), 3u);
  EXPECT_EQ(a.option_values[2], "15:00");
}

// CAF 0.17 reads some truncated messages without an error, as an empty message (a prefix that
// ends inside the last element, for one). What must never happen is a cut message read as the
// message: every prefix is an error or something that is not a tool_reply.
TEST_F(wire, a_truncated_message_is_never_read_as_the_message) {
  auto msg = caf::make_message(tool_reply{"book", true, {{"id", "42"}}, {"x"}, {"y"}});
  std::vector<char> buf;
  caf::binary_serializer sink{*sys, buf};
  ASSERT_FALSE(sink(msg));
  for (std::size_t n = 0; n < buf.size(); ++n) {
    std::vector<char> cut_buf(buf.begin(), buf.begin() + long(n));
    caf::message back;
    caf::binary_deserializer source{*sys, cut_buf};
    auto err = source(back);
    EXPECT_TRUE(err || !back.match_elements<tool_reply>())
        << "a prefix of " << n << " of " << buf.size() << " bytes was read as a tool_reply";
  }
}
