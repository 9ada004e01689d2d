// The rules engine's state as small versioned JSON (saved with the transcript after each reply),
// and taking a call over from it on another node after the first one was lost.
#include <algorithm>

#include <boost/json.hpp>

#include "actors/dialog/rules_engine.hpp"
#include "actors/dialog/saved_state.hpp"

namespace frontdesk::dialog {
namespace {

namespace json = boost::json;

constexpr std::int64_t state_version = 1;

struct step_name {
  rules_engine::state step;
  const char* name;
};
constexpr step_name step_names[] = {
    {rules_engine::state::listening, "listening"},
    {rules_engine::state::asking_when, "asking_when"},
    {rules_engine::state::choosing_option, "choosing_option"},
    {rules_engine::state::asking_name, "asking_name"},
    {rules_engine::state::asking_spelling, "asking_spelling"},
    {rules_engine::state::asking_number, "asking_number"},
    {rules_engine::state::confirming_booking, "confirming_booking"},
    {rules_engine::state::confirming_cancel, "confirming_cancel"},
    {rules_engine::state::confirming_move_from, "confirming_move_from"},
    {rules_engine::state::confirming_move, "confirming_move"},
    {rules_engine::state::waiting, "waiting"},
    {rules_engine::state::ended, "ended"},
};

const char* name_of(rules_engine::state s) {
  for (auto& n : step_names)
    if (n.step == s)
      return n.name;
  return "listening";
}

std::optional<rules_engine::state> step_of(std::string_view name) {
  for (auto& n : step_names)
    if (name == n.name)
      return n.step;
  return std::nullopt;
}

// A string member, or "" when absent or not a string.
std::string str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key); v && v->is_array())
    for (auto& e : v->get_array())
      if (e.is_string())
        out.emplace_back(e.get_string());
  return out;
}

json::array array_of(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v)
    a.emplace_back(s);
  return a;
}

} // namespace

std::string rules_engine::save_state() const {
  // A tool call in flight is not a step to come back to: the state before it was saved, and
  // the caller is asked again from there.
  if (state_ == state::waiting)
    return "";
  json::object o;
  o["v"] = state_version;
  o["flow"] = flow_ == flow::book ? "book"
              : flow_ == flow::cancel ? "cancel"
              : flow_ == flow::reschedule ? "reschedule" : "none";
  o["step"] = name_of(state_);
  o["service"] = service_;
  o["request"] = request_;
  if (when_)
    o["when"] = json::object{{"date", when_->date}, {"time", when_->time},
                             {"part_of_day", when_->part_of_day}};
  o["slot"] = json::object{{"start", slot_start_}, {"text", slot_text_}};
  o["offers"] = array_of(options_);
  o["offer_values"] = array_of(option_values_);
  o["name"] = name_;
  o["number"] = number_;
  o["number_waived"] = number_waived_;
  o["appointment"] = json::object{{"id", appointment_id_}, {"text", appointment_text_}};
  o["reason"] = reason_;
  o["outcome"] = outcome_;
  o["follow_up"] = follow_up_;
  o["misses"] = misses_;
  json::array changes;
  for (auto& c : record_.changes)
    changes.push_back(json::object{{"kind", c.kind}, {"what", c.what}, {"when", c.when},
                                   {"from", c.from}, {"name", c.name}});
  o["record"] = json::object{{"reason", record_.reason},
                             {"changes", std::move(changes)},
                             {"answered", array_of(record_.answered)},
                             {"unanswered", array_of(record_.unanswered)},
                             {"follow_ups", array_of(record_.follow_ups)},
                             {"transferred", record_.transferred},
                             {"transfer_reason", record_.transfer_reason}};
  return json::serialize(o);
}

std::optional<reply> rules_engine::resume(const business_context& ctx, std::string_view saved) {
  auto parsed = versioned_state(saved, state_version);
  if (!parsed)
    return std::nullopt;
  auto& o = *parsed;
  auto step = step_of(str(o, "step"));
  auto flow_name = str(o, "flow");
  if (!step || (flow_name != "none" && flow_name != "book" && flow_name != "cancel" &&
                flow_name != "reschedule"))
    return std::nullopt;
  ctx_ = ctx;
  flow_ = flow_name == "book" ? flow::book
          : flow_name == "cancel" ? flow::cancel
          : flow_name == "reschedule" ? flow::reschedule : flow::none;
  state_ = *step;
  service_ = str(o, "service");
  request_ = str(o, "request");
  when_.reset();
  if (auto* w = o.if_contains("when"); w && w->is_object())
    when_ = when{str(w->get_object(), "date"), str(w->get_object(), "time"),
                 str(w->get_object(), "part_of_day")};
  if (auto* s = o.if_contains("slot"); s && s->is_object()) {
    slot_start_ = str(s->get_object(), "start");
    slot_text_ = str(s->get_object(), "text");
  }
  options_ = strings(o, "offers");
  option_values_ = strings(o, "offer_values");
  if (options_.size() != option_values_.size())
    options_.clear(), option_values_.clear();
  name_ = str(o, "name");
  number_ = str(o, "number");
  if (auto* w = o.if_contains("number_waived"); w && w->is_bool())
    number_waived_ = w->get_bool();
  if (auto* a = o.if_contains("appointment"); a && a->is_object()) {
    appointment_id_ = str(a->get_object(), "id");
    appointment_text_ = str(a->get_object(), "text");
  }
  reason_ = str(o, "reason");
  outcome_ = str(o, "outcome");
  if (outcome_.empty())
    outcome_ = "no_action";
  follow_up_ = str(o, "follow_up");
  if (auto* m = o.if_contains("misses"); m && m->is_int64())
    misses_ = static_cast<int>(std::clamp<std::int64_t>(m->get_int64(), 0, 3));
  if (auto* r = o.if_contains("record"); r && r->is_object()) {
    auto& ro = r->get_object();
    record_.reason = str(ro, "reason");
    record_.changes.clear();
    if (auto* cs = ro.if_contains("changes"); cs && cs->is_array())
      for (auto& c : cs->get_array())
        if (c.is_object())
          record_.changes.push_back({str(c.get_object(), "kind"), str(c.get_object(), "what"),
                                     str(c.get_object(), "when"), str(c.get_object(), "from"),
                                     str(c.get_object(), "name")});
    record_.answered = strings(ro, "answered");
    record_.unanswered = strings(ro, "unanswered");
    record_.follow_ups = strings(ro, "follow_ups");
    if (auto* t = ro.if_contains("transferred"); t && t->is_bool())
      record_.transferred = t->get_bool();
    record_.transfer_reason = str(ro, "transfer_reason");
  }
  // A step that needs what was not saved goes back to the question before it.
  if (state_ == state::choosing_option && options_.empty())
    state_ = state::asking_when;
  if ((state_ == state::confirming_booking || state_ == state::confirming_move) &&
      slot_text_.empty())
    state_ = state::asking_when;
  if ((state_ == state::confirming_cancel) && appointment_text_.empty())
    state_ = state::listening, flow_ = flow::none;
  if (state_ == state::waiting || state_ == state::ended)
    state_ = flow_ == flow::none ? state::listening : state::asking_when;
  resume_ = state::listening;

  // "Sorry, we were cut off. You were booking a cleaning for Thursday at 11:00 AM." and the
  // question the flow was waiting on.
  std::string text(cut_off_apology);
  if (flow_ == flow::book) {
    std::string what = !service_.empty() ? "a " + service_
                       : !request_.empty() ? request_ : std::string("an appointment");
    text += " You were booking " + what;
    if (!slot_text_.empty() && state_ != state::asking_when && state_ != state::choosing_option)
      text += " for " + slot_text_;
    text += ".";
  } else if (flow_ == flow::cancel && !appointment_text_.empty()) {
    text += " You were cancelling your appointment on " + appointment_text_ + ".";
  } else if (flow_ == flow::reschedule) {
    text += appointment_text_.empty()
                ? std::string(" You were moving an appointment.")
                : " You were moving your appointment on " + appointment_text_ + ".";
  }
  auto question = question_for(state_);
  if (question.empty())
    question = outcome_ == "no_action" ? "How can I help you?"
                                       : "Is there anything else I can help with?";
  return say(text + " " + question, expecting_for(state_));
}

} // namespace frontdesk::dialog
