#include "adapters/caller/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include <boost/json.hpp>

#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/core/words.hpp"
#include "protocols/wav/wav.hpp"

namespace frontdesk::caller {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

expected<expectation> parse_expectation(const boost::json::value& v, const std::string& where) {
  expectation e;
  if (!v.is_object())
    return fail("bad_scenario", where + ": 'expect' must be an object");
  for (auto& [key, value] : v.as_object()) {
    if (key == "booked" || key == "cancelled") {
      std::string s;
      if (value.is_string())
        s = std::string(value.as_string());
      else if (!value.is_null())
        return fail("bad_scenario", where + ": expect." + std::string(key) +
                                        " must be a local time (\"2026-03-05T14:00\") or null");
      (key == "booked" ? e.booked : e.cancelled) = s;
    } else if (key == "transferred") {
      if (!value.is_bool())
        return fail("bad_scenario", where + ": expect.transferred must be true or false");
      e.transferred = value.as_bool();
    } else if (key == "said" || key == "not_said") {
      auto& list = key == "said" ? e.said : e.not_said;
      auto bad = where + ": expect." + std::string(key) + " must be a list of phrases";
      if (!value.is_array())
        return fail("bad_scenario", bad);
      for (auto& p : value.as_array()) {
        if (!p.is_string())
          return fail("bad_scenario", bad);
        list.emplace_back(p.as_string());
      }
    } else if (key == "name" || key == "phone" || key == "asked_for") {
      if (!value.is_string())
        return fail("bad_scenario", where + ": expect." + std::string(key) + " must be text");
      (key == "name" ? e.name : key == "phone" ? e.phone : e.asked_for) =
          std::string(value.as_string());
    } else {
      return fail("bad_scenario",
                  where + ": unknown expect." + std::string(key) +
                      " (booked, cancelled, transferred, said, not_said, name, phone, asked_for)");
    }
  }
  return e;
}

} // namespace

expected<std::vector<std::uint8_t>> load_caller_audio(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("bad_audio", "cannot read audio file '" + path + "'");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "RIFF")) {
    auto w = wav::parse(bytes);
    if (!w)
      return fail("bad_audio", path + ": " + w.error().message);
    if (w->mulaw) {
      if (w->sample_rate != 8000)
        return fail("bad_audio", path + ": μ-law audio must be 8 kHz");
      return w->mulaw_bytes;
    }
    std::vector<std::int16_t> pcm = w->samples;
    if (w->sample_rate == 16000) {
      speech::resampler down(16000, 8000);
      std::vector<std::int16_t> out;
      down.process(pcm, out);
      pcm = std::move(out);
    } else if (w->sample_rate != 8000) {
      return fail("bad_audio", path + ": caller audio must be 8 or 16 kHz (this file is " +
                                   std::to_string(w->sample_rate) + " Hz)");
    }
    std::vector<std::uint8_t> out;
    audio::mulaw_encode(pcm, out);
    return out;
  }
  return bytes; // raw μ-law
}

expected<scenario> load_scenario(const std::string& path, const std::string& voice) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("bad_scenario", "cannot read scenario file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_object())
    return fail("bad_scenario", path + ": not a JSON object");
  auto& obj = doc.as_object();
  scenario s;
  if (auto* c = obj.if_contains("caller")) {
    if (!c->is_string())
      return fail("bad_scenario", path + ": 'caller' must be a phone number string");
    s.caller = std::string(c->as_string());
  }
  if (auto* t = obj.if_contains("to")) {
    if (!t->is_string())
      return fail("bad_scenario", path + ": 'to' must be a phone number string");
    s.to = std::string(t->as_string());
  }
  if (auto* e = obj.if_contains("expect")) {
    auto parsed = parse_expectation(*e, path);
    if (!parsed)
      return parsed.error();
    s.expect = std::move(*parsed);
  }
  auto* turns = obj.if_contains("turns");
  if (!turns || !turns->is_array() || turns->as_array().empty())
    return fail("bad_scenario", path + ": 'turns' must be a non-empty list");
  auto tts = speech::make_flite_tts(voice);
  if (!tts)
    return fail("bad_scenario", "no Flite voice '" + voice + "'");
  auto dir = std::filesystem::path(path).parent_path();
  for (std::size_t i = 0; i < turns->as_array().size(); ++i) {
    auto& t = turns->as_array()[i];
    if (t.is_string() && !t.as_string().empty()) {
      std::string words(t.as_string());
      // A load generator reads many scenarios that repeat turns ("Yes, please."): each
      // sentence is voiced once per process.
      static std::mutex voiced_mtx;
      static std::map<std::pair<std::string, std::string>, std::vector<std::uint8_t>> voiced;
      std::unique_lock lk(voiced_mtx);
      auto it = voiced.find({voice, words});
      if (it == voiced.end()) {
        auto a = speech::synthesize_all(*tts, words);
        if (!a)
          return a.error();
        it = voiced.emplace(std::make_pair(voice, words), std::move(*a)).first;
      }
      s.texts.push_back(words);
      s.audio.push_back(it->second);
    } else if (t.is_object() && t.as_object().if_contains("audio") &&
               t.as_object().at("audio").is_string()) {
      std::filesystem::path file(std::string(t.as_object().at("audio").as_string()));
      if (file.is_relative() && !std::filesystem::exists(file))
        file = dir / file;
      auto a = load_caller_audio(file.string());
      if (!a)
        return a.error();
      s.texts.emplace_back();
      s.audio.push_back(std::move(*a));
    } else {
      return fail("bad_scenario", path + ": turns[" + std::to_string(i) +
                                      "] must be words or {\"audio\": \"file.wav\"}");
    }
  }
  return s;
}

std::optional<failure> apply_scenario(const scenario& s, sim_options& o, bool text_mode) {
  if (!s.caller.empty())
    o.from = s.caller;
  if (!s.to.empty())
    o.to = s.to;
  o.audio.clear();
  o.turns.clear();
  std::string script;
  for (std::size_t i = 0; i < s.audio.size(); ++i) {
    if (text_mode && s.texts[i].empty())
      return fail("bad_scenario", "turn " + std::to_string(i + 1) +
                                      " is recorded audio: it cannot be sent as text");
    if (text_mode && s.texts[i].find('|') != std::string::npos)
      return fail("bad_scenario", "turn " + std::to_string(i + 1) + " contains '|'");
    script += (i ? "|" : "") + s.texts[i];
    if (i == 0)
      o.audio = s.audio[i];
    else
      o.turns.push_back({s.audio[i], std::chrono::milliseconds(0)});
  }
  if (text_mode)
    o.extra_parameters["script"] = script;
  return std::nullopt;
}

std::vector<std::string> check_expectation(const expectation& e, const sim_report& r,
                                           const std::string& call_json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto doc = boost::json::parse(call_json, ec);
  if (ec || !doc.is_object()) {
    if (!e.empty())
      out.push_back("the call's record is not available (is DATABASE_URL the node's database?)");
    return out;
  }
  auto& call = doc.as_object();
  auto starts = [&](const char* key, bool booked_only) {
    std::vector<std::string> v;
    if (auto* a = call.if_contains(key); a && a->is_array())
      for (auto& x : a->as_array())
        if (x.is_object() && x.as_object().if_contains("start") &&
            x.as_object().at("start").is_string() &&
            (!booked_only || !x.as_object().if_contains("status") ||
             x.as_object().at("status") == "booked"))
          v.emplace_back(x.as_object().at("start").as_string());
    return v;
  };
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v)
      s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("nothing") : s;
  };
  if (e.booked) {
    auto b = starts("appointments_created", true);
    bool ok = e.booked->empty() ? b.empty() : (b.size() == 1 && b[0] == *e.booked);
    if (!ok)
      out.push_back("booked " + list(b) + ", expected " +
                    (e.booked->empty() ? std::string("nothing") : *e.booked));
  }
  if (e.cancelled) {
    auto c = starts("appointments_cancelled", false);
    bool ok = e.cancelled->empty() ? c.empty() : (c.size() == 1 && c[0] == *e.cancelled);
    if (!ok)
      out.push_back("cancelled " + list(c) + ", expected " +
                    (e.cancelled->empty() ? std::string("nothing") : *e.cancelled));
  }
  if (e.transferred && *e.transferred != !r.transferred_to.empty())
    out.push_back(r.transferred_to.empty() ? "not transferred, expected a transfer"
                                           : "transferred to " + r.transferred_to +
                                                 ", expected no transfer");
  // The booked appointment's details: the one appointment the call made.
  auto booked_field = [&](const char* field) -> std::optional<std::string> {
    if (auto* a = call.if_contains("appointments_created"); a && a->is_array())
      for (auto& x : a->as_array())
        if (x.is_object() && x.as_object().if_contains("status") &&
            x.as_object().at("status") == "booked" && x.as_object().if_contains(field))
          return x.as_object().at(field).is_string()
                     ? std::string(x.as_object().at(field).as_string())
                     : std::string();
    return std::nullopt;
  };
  auto field_is = [&](const char* field, const std::optional<std::string>& want) {
    if (!want)
      return;
    auto got = booked_field(field);
    if (!got || *got != *want)
      out.push_back(std::string("booked ") + field + " \"" + got.value_or("(no booking)") +
                    "\", expected \"" + *want + "\"");
  };
  field_is("name", e.name);
  field_is("phone", e.phone);
  if (e.asked_for) {
    auto what = lower(booked_field("service").value_or("") + " " + booked_field("notes").value_or(""));
    if (what.find(lower(*e.asked_for)) == std::string::npos)
      out.push_back("the booking does not keep what the caller asked for (\"" + *e.asked_for +
                    "\"): service and notes are \"" + what + "\"");
  }
  // A call never leaves a slot held once it has ended.
  if (auto* h = call.if_contains("holds_left"); h && h->is_int64() && h->as_int64() != 0)
    out.push_back(std::to_string(h->as_int64()) + " slot(s) still held after the call ended");
  if (!e.said.empty() || !e.not_said.empty()) {
    std::string agent;
    if (auto* t = call.if_contains("transcript"); t && t->is_array())
      for (auto& turn : t->as_array())
        if (turn.is_object() && turn.as_object().if_contains("role") &&
            turn.as_object().at("role") == "agent" && turn.as_object().if_contains("text") &&
            turn.as_object().at("text").is_string())
          agent += lower(std::string(turn.as_object().at("text").as_string())) + " ";
    for (auto& p : e.said)
      if (agent.find(lower(p)) == std::string::npos)
        out.push_back("the receptionist never said \"" + p + "\"");
    for (auto& p : e.not_said)
      if (agent.find(lower(p)) != std::string::npos)
        out.push_back("the receptionist said \"" + p + "\"");
  }
  return out;
}

} // namespace frontdesk::caller
