// Whole calls on embedded engines: the caller simulator speaks (Flite, a different voice) to a
// node that listens (VAD, endpointing, PocketSphinx), answers (dialog) and speaks (Flite).
#include <cmath>
#include <filesystem>
#include <mutex>
#include <numbers>
#include <optional>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "adapters/caller/simulator.hpp"
#include "adapters/http/http.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "protocols/org/org_file.hpp"
#include "tests/support/fake_deepgram.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/run.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

namespace {

const std::string token = "e2e-token";

class receptionist : public ::testing::Test {
protected:
  virtual std::string dialog_engine() const { return "echo"; }
  virtual std::optional<frontdesk::sys_time> start_clock() const { return std::nullopt; }
  virtual void configure(config& cfg) { (void)cfg; } // engines other than the embedded ones
  void SetUp() override {
    {
      pqxx::connection c(db_.owner_dsn());
      pqxx::work tx(c);
      tx.exec("INSERT INTO businesses (id, name, phone_number, timezone, greeting) VALUES "
              "('00000000-0000-0000-0000-0000000000a1', 'Bright Smile Dental', '+15550100001', "
              "'America/Chicago', 'Thank you for calling Bright Smile Dental. How can I help?')");
      tx.commit();
    }
    recordings_ = ::testing::TempDir() + "rec-" + std::to_string(::getpid());
    {
      pqxx::connection c(db_.owner_dsn());
      pqxx::work tx(c);
      for (int d = 0; d < 5; ++d) // Monday to Friday, 9 to 5
        tx.exec("INSERT INTO business_hours VALUES ('00000000-0000-0000-0000-0000000000a1', " +
                std::to_string(d) + ", '09:00', '17:00')");
      tx.exec("UPDATE businesses SET appointment_minutes = 60, min_notice_minutes = 60, "
              "address = '1200 Main Street', transfer_number = '+15550109999' WHERE true");
      tx.exec("INSERT INTO knowledge (business_id, title, body) VALUES "
              "('00000000-0000-0000-0000-0000000000a1', 'service', 'We offer cleaning.'), "
              "('00000000-0000-0000-0000-0000000000a1', '', 'We accept Delta Dental insurance.')");
      tx.commit();
    }
    config cfg;
    cfg.database.url = db_.app_dsn();
    cfg.twilio.auth_token = token;
    cfg.speech.recordings_dir = recordings_;
    cfg.speech.dialog = dialog_engine();
    configure(cfg);
    for (int attempt = 0; attempt < 5 && !node_; ++attempt) {
      auto port = 20000 + (::getpid() * 13 + attempt * 173) % 30000;
      cfg.node.listen = "127.0.0.1:" + std::to_string(port);
      cfg.node.public_url = "http://127.0.0.1:" + std::to_string(port);
      auto n = std::make_unique<node>(cfg, make_clock(start_clock()));
      if (n->start())
        node_ = std::move(n);
    }
    ASSERT_TRUE(node_);
    base_ = "http://127.0.0.1:" + std::to_string(node_->port());
    caller_voice_ = speech::make_flite_tts("rms");
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  std::vector<std::uint8_t> words(const std::string& text) {
    return *speech::synthesize_all(*caller_voice_, text);
  }
  caller::sim_options sim() {
    caller::sim_options o;
    o.base_url = base_;
    o.auth_token = token;
    o.to = "+15550100001";
    o.quiet_to_hang_up = 2s;
    o.max_call = 60s;
    return o;
  }
  // A call whose test checks what was said and done, not how fast: the caller's words go out
  // four times faster than real time (the silence between them and the node's replies do not).
  caller::sim_options untimed_sim() {
    auto o = sim();
    o.words_speed = 4;
    return o;
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  bool eventually(const std::string& sql, const std::string& want) {
    return db_.eventually(sql, want, std::chrono::milliseconds(5000));
  }

  // The caller talks over a long reply (an echo of a long request): the reply stops within
  // 1 s and the transcript shows the cut.
  void interrupt_a_long_reply() {
    auto o = sim();
    // A long request makes a long echo; the caller talks over it.
    o.audio = words("I would like to book an appointment, and I need a cleaning, and I want to "
                    "come in next tuesday morning or thursday at eleven or friday at four p m.");
    o.turns.push_back({words("No, wait. Friday at ten a m."), 1500ms});
    auto rep = caller::simulate_call(o);
    ASSERT_TRUE(rep) << rep.error().message;
    std::cout << rep->to_json() << "\n";
    ASSERT_EQ(rep->barge_in_ms.size(), 1u);
    EXPECT_GE(rep->clears, 1u);
    EXPECT_LT(rep->barge_in_ms[0], 1000);
    ASSERT_TRUE(eventually(
        "SELECT count(*) FROM calls, jsonb_array_elements(transcript) t "
        "WHERE (t->>'interrupted')::boolean",
        "1"));
    // The cut turn holds less than the whole reply.
    auto cut = row("SELECT t->>'text' FROM calls, jsonb_array_elements(transcript) t "
                   "WHERE (t->>'interrupted')::boolean");
    EXPECT_LT(cut.size(), std::string("You said: i would like to book an appointment and i need a "
                                      "cleaning and i want to come in next tuesday morning or "
                                      "thursday at eleven or friday at four p m.")
                              .size());
  }

  fixtures::scratch_database db_;
  std::unique_ptr<node> node_;
  std::string base_, recordings_;
  std::unique_ptr<speech::tts_engine> caller_voice_;
};

} // namespace

TEST_F(receptionist, greets_hears_echoes_and_ends_on_goodbye) {
  auto o = sim();
  o.audio = words("I would like to book an appointment tomorrow at two p m.");
  o.turns.push_back({words("That's all, thank you, goodbye."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  std::cout << rep->to_json() << "\n";
  EXPECT_GE(rep->first_audio_ms, 0);
  EXPECT_LT(rep->first_audio_ms, 1000); // the greeting comes at once
  ASSERT_EQ(rep->turn_latency_ms.size(), 2u);
  EXPECT_EQ(rep->ended, "server_closed:1000:call ended"); // the receptionist hung up
  ASSERT_TRUE(eventually("SELECT end_reason FROM calls", "socket_peer_closed") ||
              row("SELECT ended_at IS NOT NULL FROM calls") == "t");
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("Thank you for calling Bright Smile Dental"), std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("\"i would like to book an appointment tomorrow at two p m\""),
            std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("You said: i would like to book an appointment tomorrow at two p m."),
            std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("Goodbye!"), std::string::npos) << transcript;
  EXPECT_EQ(row("SELECT jsonb_array_length(latencies) FROM calls"), "2");
  auto metrics = http::fetch("GET", base_ + "/metrics", {}, "");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("frontdesk_turn_latency_ms_count{part=\"first_frame_sent\"} 2"),
            std::string::npos);
  EXPECT_EQ(row("SELECT outcome FROM calls"), "caller_said_goodbye");
  auto path = row("SELECT recording_path FROM calls");
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  auto info = fixtures::run("opusinfo " + path);
  if (info.exit_code != 127) {
    EXPECT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("Playback length"), std::string::npos);
  }
}

TEST_F(receptionist, an_interruption_stops_the_reply_and_the_transcript_shows_the_cut) {
  interrupt_a_long_reply();
}

namespace {

// The receptionist itself: rules dialog, calendar, knowledge; the node's clock starts on
// Wednesday, March 4th 2026 at 3 PM in Chicago.
class booking_call : public receptionist {
protected:
  std::string dialog_engine() const override { return "rules"; }
  std::optional<frontdesk::sys_time> start_clock() const override {
    return *parse_rfc3339("2026-03-04T21:00:00Z");
  }
};

} // namespace

TEST_F(booking_call, books_by_voice_after_a_read_back_and_a_yes) {
  auto o = untimed_sim();
  o.audio = words("I would like to book a cleaning tomorrow at eleven a m.");
  o.turns.push_back({words("My name is John Smith."), 0ms});
  o.turns.push_back({words("Yes please."), 0ms});
  o.turns.push_back({words("No thank you."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  std::cout << transcript << "\n";
  EXPECT_NE(transcript.find("Thursday, March 5th at 11:00 AM is available"), std::string::npos);
  EXPECT_NE(transcript.find("for John Smith on Thursday, March 5th at 11:00 AM"), std::string::npos);
  EXPECT_NE(transcript.find("You're all set"), std::string::npos);
  EXPECT_EQ(rep->ended, "server_closed:1000:call ended"); // "no thank you" ends the call
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1");
  EXPECT_EQ(row("SELECT customer_name FROM appointments"), "John Smith");
  EXPECT_EQ(row("SELECT customer_phone FROM appointments"), "+15557770000");
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD HH24:MI') "
                "FROM appointments"),
            "2026-03-05 11:00");
  EXPECT_EQ(row("SELECT count(*) FROM outbox WHERE kind = 'sms'"), "1");
  EXPECT_TRUE(eventually("SELECT outcome FROM calls", "booked"));
  EXPECT_TRUE(eventually("SELECT appointment_booked::text FROM calls", "true"));
}

TEST_F(booking_call, answers_a_question_from_the_business_knowledge) {
  auto o = untimed_sim();
  // In the recogniser's general vocabulary (business words join it with per-business models).
  o.audio = words("Do you accept my insurance?");
  o.turns.push_back({words("That's all, thank you, goodbye."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("We accept Delta Dental insurance."), std::string::npos) << transcript;
}

TEST_F(booking_call, hands_the_caller_to_a_person_when_asked) {
  auto o = untimed_sim();
  o.audio = words("Can I talk to a person?");
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_EQ(rep->ended, "server_closed:1000:call ended");
  EXPECT_EQ(rep->transferred_to, "+15550109999") << rep->after_stream_twiml;
  EXPECT_NE(rep->after_stream_twiml.find("<Dial"), std::string::npos);
  EXPECT_TRUE(eventually("SELECT outcome FROM calls", "transferred"));
}

namespace {

// The caller already has Thursday, March 5th at 10:00 (Chicago) booked.
class returning_caller : public booking_call {
protected:
  void SetUp() override {
    booking_call::SetUp();
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO appointments (business_id, during, customer_name, customer_phone) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', "
            "'[2026-03-05 16:00Z, 2026-03-05 17:00Z)', 'John Smith', '+15557770000')");
    tx.commit();
  }
};

} // namespace

TEST_F(returning_caller, cancels_the_callers_appointment_after_a_yes) {
  auto o = untimed_sim();
  o.audio = words("I need to cancel my appointment.");
  o.turns.push_back({words("Yes."), 0ms});
  o.turns.push_back({words("No thank you."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("I see your appointment on Thursday, March 5th at 10:00 AM"),
            std::string::npos)
      << transcript;
  EXPECT_EQ(row("SELECT status::text FROM appointments"), "cancelled") << transcript;
  EXPECT_TRUE(eventually("SELECT outcome FROM calls", "cancelled"));
}

TEST_F(returning_caller, moves_the_callers_appointment_to_a_new_time) {
  auto o = untimed_sim();
  o.audio = words("Can I reschedule my appointment?");
  o.turns.push_back({words("Friday at ten a m."), 0ms});
  o.turns.push_back({words("Yes please."), 0ms});
  o.turns.push_back({words("No thank you."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("Friday, March 6th at 10:00 AM"), std::string::npos) << transcript;
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1") << transcript;
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD HH24:MI') "
                "FROM appointments WHERE status = 'booked'"),
            "2026-03-06 10:00");
  EXPECT_EQ(row("SELECT customer_name FROM appointments WHERE status = 'booked'"), "John Smith");
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'cancelled'"), "1");
  EXPECT_TRUE(eventually("SELECT outcome FROM calls", "rescheduled"));
}

namespace {

// Cloud engines against fakes on loopback speaking the vendors' wire formats: Deepgram live
// recognition hears the caller's turns (what the fake "recognises" is its script, turn by
// turn), OpenAI speech says the replies (a tone as long as the text, 24 kHz pcm in odd chunks
// at twice real time). PocketSphinx and Flite stay the fallbacks.
std::string openai_pcm(const std::string& text) {
  auto ms = std::min<std::size_t>(60 * text.size(), 20000);
  std::string b;
  for (std::size_t i = 0; i < ms * 24; ++i) {
    auto s = static_cast<std::int16_t>(6000 * std::sin(2 * std::numbers::pi * 300.0 * double(i) / 24000));
    b += static_cast<char>(s & 0xff);
    b += static_cast<char>((static_cast<std::uint16_t>(s) >> 8) & 0xff);
  }
  return b;
}

fixtures::scripted_reply speech_reply(const fixtures::recorded_request& req, int) {
  fixtures::scripted_reply r;
  r.content_type = "application/octet-stream";
  std::string text;
  boost::system::error_code ec;
  auto j = boost::json::parse(req.body, ec);
  if (!ec && j.is_object())
    if (auto* in = j.get_object().if_contains("input"); in && in->is_string())
      text = std::string(in->get_string());
  auto body = openai_pcm(text);
  for (std::size_t off = 0; off < body.size(); off += 4801) // 100 ms, split mid-sample
    r.chunks.push_back(body.substr(off, 4801));
  r.gap = 50ms;
  return r;
}

class cloud_booking_call : public booking_call {
protected:
  void configure(config& cfg) override {
    cfg.speech.stt = "deepgram";
    cfg.speech.deepgram_url = stt_.url();
    cfg.speech.deepgram_api_key = "dg-e2e";
    cfg.speech.tts = "openai";
    cfg.speech.openai_tts_url = tts_.base_url();
    cfg.llm.api_key = "sk-e2e";
  }
  fixtures::fake_deepgram stt_{{"I would like to book a cleaning tomorrow at eleven a m.",
                                "My name is John Smith.", "Yes, please.", "No, thank you."}};
  fixtures::fake_openai tts_{speech_reply};
};

// What the caller says; the fake recogniser's script says the same.
caller::sim_options booking_turns(caller::sim_options o,
                                  const std::function<std::vector<std::uint8_t>(const std::string&)>& w) {
  o.audio = w("I would like to book a cleaning tomorrow at eleven a m.");
  o.turns.push_back({w("My name is John Smith."), 0ms});
  o.turns.push_back({w("Yes please."), 0ms});
  o.turns.push_back({w("No thank you."), 0ms});
  return o;
}

} // namespace

TEST_F(cloud_booking_call, books_on_deepgram_and_openai_speech) {
  auto rep = caller::simulate_call(booking_turns(sim(), [&](auto& t) { return words(t); }));
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  std::cout << transcript << "\n";
  EXPECT_NE(transcript.find("for John Smith on Thursday, March 5th at 11:00 AM"), std::string::npos);
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1") << transcript;
  EXPECT_EQ(row("SELECT customer_name FROM appointments"), "John Smith");
  EXPECT_EQ(transcript.find("embedded recogniser"), std::string::npos);
  // One socket for the call, closed with CloseStream; every reply spoken by the cloud voice.
  for (int i = 0; i < 200 && !(stt_.connections().size() == 1 && stt_.connections()[0].close_stream); ++i)
    std::this_thread::sleep_for(10ms); // the call's end closes it, just after the caller hangs up
  auto conns = stt_.connections();
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns[0].authorization, "Token dg-e2e");
  EXPECT_TRUE(conns[0].close_stream);
  EXPECT_GT(conns[0].audio_bytes, 8000u);
  EXPECT_GE(tts_.count(), 4); // the greeting and the replies, a request per sentence
  for (auto& r : tts_.requests())
    EXPECT_EQ(r.header("authorization").value_or(""), "Bearer sk-e2e");
  // The call row says what the vendors were used for: the audio streamed, the text spoken.
  std::size_t characters = 0;
  for (auto& r : tts_.requests())
    characters += boost::json::parse(r.body).as_object().at("input").as_string().size();
  EXPECT_TRUE(eventually("SELECT tts_vendor_characters::text FROM calls", std::to_string(characters)));
  EXPECT_TRUE(eventually("SELECT round(stt_vendor_seconds * 8000)::text FROM calls",
                         std::to_string(conns[0].audio_bytes)));
}

TEST_F(cloud_booking_call, a_recogniser_that_dies_mid_call_leaves_the_call_on_pocketsphinx) {
  // The vendor dies once the reply to the first turn is being synthesised (the greeting is
  // two requests, a sentence each).
  std::atomic<bool> done{false};
  std::thread killer([&] {
    while (!done && tts_.count() < 3)
      std::this_thread::sleep_for(10ms);
    if (!done)
      stt_.kill();
  });
  auto rep = caller::simulate_call(booking_turns(sim(), [&](auto& t) { return words(t); }));
  done = true;
  killer.join();
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  std::cout << transcript << "\n";
  EXPECT_NE(transcript.find("continued with the embedded recogniser"), std::string::npos);
  EXPECT_NE(transcript.find("for John Smith on Thursday, March 5th at 11:00 AM"), std::string::npos);
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "1") << transcript;
}

namespace {

class cloud_echo_call : public receptionist {
protected:
  void configure(config& cfg) override {
    cfg.speech.tts = "openai";
    cfg.speech.openai_tts_url = tts_.base_url();
    cfg.llm.api_key = "sk-e2e";
  }
  fixtures::fake_openai tts_{speech_reply};
};

} // namespace

TEST_F(cloud_echo_call, barge_in_cuts_a_cloud_reply_as_it_cuts_flite) {
  interrupt_a_long_reply(); // the same bound as with Flite
  EXPECT_GE(tts_.count(), 3); // the greeting's two sentences and the echo came from the cloud voice
}

namespace {

std::string input_of(const fixtures::recorded_request& req) {
  boost::system::error_code ec;
  auto j = boost::json::parse(req.body, ec);
  if (!ec && j.is_object())
    if (auto* in = j.get_object().if_contains("input"); in && in->is_string())
      return std::string(in->get_string());
  return "";
}

// The language model and the voice on one fake OpenAI server: the model streams a
// three-sentence answer slowly (700 ms between events), the voice answers each sentence.
class cloud_llm_call : public receptionist {
protected:
  using clock = std::chrono::steady_clock;
  static constexpr auto gap = 700ms;
  const std::vector<std::string> answer{"We are open until five today.",
                                        " We open again at nine tomorrow.",
                                        " Is there anything else I can help you with?"};
  std::string dialog_engine() const override { return "llm"; }
  void configure(config& cfg) override {
    cfg.speech.tts = "openai";
    cfg.speech.openai_tts_url = openai_.base_url();
    cfg.llm.base_url = openai_.base_url();
    cfg.llm.api_key = "sk-e2e";
    cfg.llm.max_attempts = 1;
    cfg.llm.timeout_ms = 15000;
  }
  // When the voice was asked for `input` (nullopt: never).
  std::optional<clock::time_point> asked(const std::string& input) {
    std::lock_guard lk(mtx_);
    for (auto& [text, at] : speech_)
      if (text == input)
        return at;
    return std::nullopt;
  }
  std::mutex mtx_;
  std::vector<std::pair<std::string, clock::time_point>> speech_; // each request to the voice
  std::vector<clock::time_point> chats_;                          // each caller turn's request
  fixtures::fake_openai openai_{[this](const fixtures::recorded_request& req, int n) {
    if (req.target.find("/audio/speech") != std::string::npos) {
      std::lock_guard lk(mtx_);
      speech_.emplace_back(input_of(req), clock::now());
      return speech_reply(req, n);
    }
    fixtures::scripted_reply r;
    if (req.body.find("You write short notes") != std::string::npos) { // the call's summary
      r.chunks = fixtures::text_events({"{\"summary\": \"Asked about the hours.\", \"reason\": "
                                        "\"hours\", \"outcome\": \"answered\", \"follow_up\": \"\"}"});
      return r;
    }
    std::lock_guard lk(mtx_);
    chats_.push_back(clock::now());
    bool first = chats_.size() == 1; // the slow answer; later ones come at once
    r.chunks = fixtures::text_events(first ? answer : std::vector<std::string>{"Tomorrow we open at nine."});
    r.gap = first ? gap : 20ms;
    return r;
  }};
};

} // namespace

TEST_F(cloud_llm_call, the_voice_starts_on_the_first_sentence_while_the_model_still_writes) {
  auto o = sim();
  o.audio = words("What are your hours today?");
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  clock::time_point stream_end;
  {
    std::lock_guard lk(mtx_);
    ASSERT_GE(chats_.size(), 1u);
    // Seven events (role, three pieces, finish, usage, [DONE]): the last cannot go earlier.
    stream_end = chats_[0] + 6 * gap;
  }
  auto first = asked("We are open until five today.");
  ASSERT_TRUE(first);
  // Asked for once the second sentence began (two gaps in), seconds before the stream's end.
  EXPECT_LT(*first + 2 * gap, stream_end);
  auto second = asked("We open again at nine tomorrow.");
  auto third = asked("Is there anything else I can help you with?");
  ASSERT_TRUE(second && third);
  EXPECT_LT(*second, stream_end);
  EXPECT_LE(*first, *second);
  EXPECT_LE(*second, *third);
  // The transcript has the reply whole, once.
  EXPECT_TRUE(eventually(
      "SELECT count(*) FROM calls, jsonb_array_elements(transcript) t WHERE t->>'text' = "
      "'We are open until five today. We open again at nine tomorrow. Is there anything else I "
      "can help you with?' AND t->>'role' = 'agent'",
      "1"))
      << row("SELECT transcript::text FROM calls");
}

TEST_F(cloud_llm_call, barge_in_cuts_a_streamed_reply_and_its_later_sentences_are_not_said) {
  auto o = sim();
  o.audio = words("What are your hours today?");
  o.turns.push_back({words("No, wait. Friday at ten a m."), 800ms});
  o.quiet_to_hang_up = 6s; // the model finishes its first answer before it hears the second turn
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  std::cout << rep->to_json() << "\n";
  ASSERT_EQ(rep->barge_in_ms.size(), 1u);
  EXPECT_GE(rep->clears, 1u);
  EXPECT_LT(rep->barge_in_ms[0], 1000); // the bound of a whole reply (Flite or cloud)
  ASSERT_TRUE(eventually("SELECT count(*) FROM calls, jsonb_array_elements(transcript) t "
                         "WHERE (t->>'interrupted')::boolean",
                         "1"))
      << row("SELECT transcript::text FROM calls");
  // The last sentence came after the cut: never sent to the voice. The call went on with the
  // words that interrupted (the model's answer, or a request to say them again when the
  // recogniser did not catch them).
  std::string said;
  {
    std::lock_guard lk(mtx_);
    for (auto& [text, at] : speech_)
      said += "[" + text + "] ";
  }
  EXPECT_FALSE(asked("Is there anything else I can help you with?")) << said;
  EXPECT_TRUE(asked("Tomorrow we open at nine.") || asked("Sorry, I didn't catch that."))
      << said << row("SELECT transcript::text FROM calls");
}

namespace {

// Two businesses on one node, each with its own voice and recognition model.
class cloud_voice_per_business : public receptionist {
protected:
  void configure(config& cfg) override {
    cfg.speech.stt = "deepgram";
    cfg.speech.deepgram_url = stt_.url();
    cfg.speech.deepgram_api_key = "dg-e2e";
    cfg.speech.tts = "openai";
    cfg.speech.openai_tts_url = tts_.base_url();
    cfg.llm.api_key = "sk-e2e";
  }
  fixtures::fake_deepgram stt_{{"Hello there."}};
  fixtures::fake_openai tts_{speech_reply};
};

} // namespace

TEST_F(cloud_voice_per_business, each_business_calls_speak_and_listen_with_its_own_choices) {
  stt_.set_script_per_connection(true);
  {
    // The first business chose in the database; the second comes from a business file.
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec("UPDATE businesses SET tts_voice = 'nova', stt_model = 'nova-3-medical' "
            "WHERE id = '00000000-0000-0000-0000-0000000000a1'");
    tx.commit();
  }
  auto org = org::parse_org_file(R"({"name": "Casa Dental", "phone_number": "+15550100002",
    "timezone": "America/Chicago", "greeting": "Gracias por llamar a Casa Dental.",
    "speech": {"voice": "onyx", "stt_model": "nova-2-phonecall", "stt_language": "es"}})");
  ASSERT_TRUE(org) << org.error().message;
  {
    store::database db(db_.app_dsn(), 1);
    ASSERT_TRUE(store::businesses_repo(db).load(*org));
  }
  auto voices_for = [&](const std::string& greeting_start) {
    std::set<std::string> v;
    for (auto& r : tts_.requests())
      if (input_of(r).rfind(greeting_start, 0) == 0 || greeting_start.empty())
        v.insert(std::string(boost::json::parse(r.body).as_object().at("voice").as_string()));
    return v;
  };
  for (auto to : {"+15550100001", "+15550100002"}) {
    auto o = sim();
    o.to = to;
    o.audio = words("Hello there.");
    auto rep = caller::simulate_call(o);
    ASSERT_TRUE(rep) << rep.error().message;
  }
  // Each greeting in its business's voice.
  EXPECT_EQ(voices_for("Thank you for calling Bright Smile"), std::set<std::string>{"nova"});
  EXPECT_EQ(voices_for("Gracias por llamar"), std::set<std::string>{"onyx"});
  // Each call's socket asked for its business's model (and language, or the default).
  for (int i = 0; i < 200 && stt_.connections().size() < 2; ++i)
    std::this_thread::sleep_for(10ms);
  auto conns = stt_.connections();
  ASSERT_EQ(conns.size(), 2u);
  EXPECT_NE(conns[0].target.find("model=nova-3-medical&language=en-US&"), std::string::npos)
      << conns[0].target;
  EXPECT_NE(conns[1].target.find("model=nova-2-phonecall&language=es&"), std::string::npos)
      << conns[1].target;
}
