#include "protocols/deepgram/live.hpp"

#include <boost/json.hpp>

namespace frontdesk::deepgram {
namespace {

namespace json = boost::json;

// A number field: absent gives `fallback`, a non-number is an error.
bool number(const json::object& o, std::string_view key, double& out) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return true;
  if (v->is_double())
    out = v->get_double();
  else if (v->is_int64())
    out = static_cast<double>(v->get_int64());
  else if (v->is_uint64())
    out = static_cast<double>(v->get_uint64());
  else
    return false;
  return true;
}

bool boolean(const json::object& o, std::string_view key, bool& out) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return true;
  if (!v->is_bool())
    return false;
  out = v->get_bool();
  return true;
}

bool string(const json::object& o, std::string_view key, std::string& out) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return true;
  if (!v->is_string())
    return false;
  out = std::string(v->get_string());
  return true;
}

failure bad(std::string what) { return fail("bad_deepgram_message", std::move(what)); }

expected<live_message> parse_results(const json::object& o) {
  results r;
  if (!boolean(o, "is_final", r.is_final) || !boolean(o, "speech_final", r.speech_final) ||
      !boolean(o, "from_finalize", r.from_finalize) || !number(o, "start", r.start) ||
      !number(o, "duration", r.duration))
    return bad("Results: a field of the wrong kind");
  auto* ch = o.if_contains("channel");
  if (!ch || !ch->is_object())
    return bad("Results without a channel");
  auto* alts = ch->get_object().if_contains("alternatives");
  if (!alts || !alts->is_array())
    return bad("Results without alternatives");
  if (alts->get_array().empty())
    return live_message{std::move(r)};
  auto& first = alts->get_array().front();
  if (!first.is_object())
    return bad("an alternative that is not an object");
  auto& alt = first.get_object();
  if (!string(alt, "transcript", r.transcript) || !number(alt, "confidence", r.confidence))
    return bad("alternative: a field of the wrong kind");
  if (auto* words = alt.if_contains("words")) {
    if (!words->is_array())
      return bad("words that are not an array");
    for (auto& w : words->get_array()) {
      if (!w.is_object())
        return bad("a word that is not an object");
      double end = -1;
      if (!number(w.get_object(), "end", end))
        return bad("a word's end that is not a number");
      r.last_word_end = std::max(r.last_word_end, end);
    }
  }
  return live_message{std::move(r)};
}

} // namespace

expected<live_message> parse_live_message(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec)
    return bad("not JSON: " + ec.message());
  if (!v.is_object())
    return bad("not a JSON object");
  auto& o = v.get_object();
  auto* t = o.if_contains("type");
  if (!t || !t->is_string())
    return bad("no type");
  std::string_view type = t->get_string();
  if (type == "Results")
    return parse_results(o);
  if (type == "UtteranceEnd") {
    utterance_end u;
    if (!number(o, "last_word_end", u.last_word_end))
      return bad("UtteranceEnd: last_word_end is not a number");
    return live_message{u};
  }
  if (type == "SpeechStarted") {
    speech_started s;
    if (!number(o, "timestamp", s.timestamp))
      return bad("SpeechStarted: timestamp is not a number");
    return live_message{s};
  }
  if (type == "Metadata") {
    metadata m;
    if (!number(o, "duration", m.duration) || !string(o, "request_id", m.request_id))
      return bad("Metadata: a field of the wrong kind");
    return live_message{std::move(m)};
  }
  other x;
  x.type = std::string(type);
  // Error messages carry `description` (and `message`); either helps a log line.
  if (!string(o, "description", x.description) || x.description.empty())
    string(o, "message", x.description);
  return live_message{std::move(x)};
}

const char* to_string(turn_text::end e) {
  switch (e) {
  case turn_text::end::speech_final: return "speech_final";
  case turn_text::end::finalize: return "finalize";
  case turn_text::end::utterance_end: return "utterance_end";
  case turn_text::end::forced: return "forced";
  }
  return "?";
}

namespace {
void append_words(std::string& to, const std::string& words) {
  if (words.empty())
    return;
  if (!to.empty())
    to += ' ';
  to += words;
}
} // namespace

std::optional<turn_text> transcript_assembler::on(const live_message& m) {
  if (auto* r = std::get_if<results>(&m)) {
    double end = r->start + r->duration + offset_;
    if (r->is_final)
      final_until_ = std::max(final_until_, end);
    if (taken_until_ > 0 && end <= taken_until_ + 1e-6)
      return std::nullopt; // late, for words a turn already had
    heard_until_ = std::max(heard_until_, end);
    if (r->last_word_end >= 0)
      latest_word_end_ = std::max(latest_word_end_, r->last_word_end + offset_);
    if (!r->is_final) {
      if (!r->transcript.empty())
        interim_ = r->transcript;
      return std::nullopt;
    }
    interim_.clear(); // the final replaces every interim of its span
    if (!r->transcript.empty()) {
      append_words(finals_, r->transcript);
      confidence_sum_ += r->confidence;
      ++final_count_;
    }
    if (r->speech_final)
      return take(turn_text::end::speech_final);
    if (r->from_finalize)
      return take(turn_text::end::finalize);
    return std::nullopt;
  }
  if (auto* u = std::get_if<utterance_end>(&m)) {
    // Stale: words were heard after the gap it reports, so the caller is still talking.
    if (u->last_word_end >= 0 && u->last_word_end + offset_ + 1e-6 < latest_word_end_)
      return std::nullopt;
    return take(turn_text::end::utterance_end);
  }
  return std::nullopt;
}

std::optional<turn_text> transcript_assembler::force() { return take(turn_text::end::forced); }

std::string transcript_assembler::partial() const {
  std::string p = finals_;
  append_words(p, interim_);
  return p;
}

std::optional<turn_text> transcript_assembler::take(turn_text::end why) {
  if (!open())
    return std::nullopt; // already ended (or nothing heard): never a second end
  turn_text t;
  t.why = why;
  t.text = finals_;
  double sum = confidence_sum_;
  int n = final_count_;
  if (!interim_.empty()) { // an interim never finalised: keep it rather than lose the words
    append_words(t.text, interim_);
    sum += 0.5;
    ++n;
  }
  t.confidence = n ? sum / n : 0;
  taken_until_ = heard_until_;
  finals_.clear();
  interim_.clear();
  confidence_sum_ = 0;
  final_count_ = 0;
  return t;
}

} // namespace frontdesk::deepgram
