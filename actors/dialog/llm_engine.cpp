#include "actors/dialog/llm_engine.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/dialog/caller_details.hpp"
#include "actors/dialog/llm_tools.hpp"
#include "protocols/tts/sentence_stream.hpp"

namespace frontdesk::dialog {
namespace {

namespace json = boost::json;

constexpr const char* outcomes[] = {"booked", "cancelled", "rescheduled", "answered", "transferred",
                                    "no_action"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return std::string(s);
}

// What the reply asks for, so the listener waits longer for digits and names.
expecting guess_expecting(const std::string& text) {
  auto t = lower(text);
  if (t.find('?') == std::string::npos)
    return expecting::anything;
  for (auto k : {"phone number", "number to reach", "best number", "callback number"})
    if (t.find(k) != std::string::npos)
      return expecting::digits;
  for (auto k : {"your name", "name, please", "name please", "spell your"})
    if (t.find(k) != std::string::npos)
      return expecting::name;
  if (t.find("email") != std::string::npos)
    return expecting::email;
  for (auto k : {"shall i", "should i", "is that correct", "is that right", "does that work"})
    if (t.find(k) != std::string::npos)
      return expecting::yes_no;
  return expecting::anything;
}

std::string result_json(const tool_result& r) {
  json::object o{{"ok", r.ok}};
  json::object values;
  for (auto& [k, v] : r.values)
    values[k] = v;
  o["values"] = std::move(values);
  if (!r.options.empty()) {
    o["options"] = json::value_from(r.options);
    o["option_values"] = json::value_from(r.option_values);
  }
  return json::serialize(o);
}

const char* month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};
const char* weekday_names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                               "Saturday"};

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

} // namespace

llm_engine::llm_engine(std::shared_ptr<const llm::client> client, local_clock now,
                       llm_engine_options opts)
    : client_(std::move(client)), now_(std::move(now)), opts_(std::move(opts)) {}

std::string llm_engine::system_prompt(const business_context& ctx) const {
  using namespace std::chrono;
  auto t = now_ ? now_() : local_seconds{};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  weekday wd{day};
  hh_mm_ss hms{t - day};
  unsigned h = static_cast<unsigned>(hms.hours().count()), m = static_cast<unsigned>(hms.minutes().count());
  std::string date_text = std::string(weekday_names[wd.c_encoding()]) + ", " +
                          month_names[static_cast<unsigned>(ymd.month()) - 1] + " " +
                          std::to_string(static_cast<unsigned>(ymd.day())) + ", " +
                          std::to_string(static_cast<int>(ymd.year()));
  std::string iso = std::to_string(static_cast<int>(ymd.year())) + "-" +
                    two(static_cast<unsigned>(ymd.month())) + "-" + two(static_cast<unsigned>(ymd.day()));
  std::string clock = std::to_string(h % 12 == 0 ? 12 : h % 12) + ":" + two(m) + (h < 12 ? " AM" : " PM");

  std::string name = ctx.name.empty() ? std::string("the business") : ctx.name;
  std::string p;
  p += "You are the receptionist answering the phone for " + name + ". Today is " + date_text +
       " (" + iso + ") and it is " + clock + " local time.\n";
  p += "You are speaking on a phone line: answer in one or two short sentences of plain spoken "
       "words (no lists, markdown, emoji or links), ask one question at a time, and say times the "
       "way people say them.\n";
  p += "About the business:\n";
  if (!ctx.hours_text.empty())
    p += "- Opening hours: " + ctx.hours_text + ".\n";
  if (!ctx.address.empty())
    p += "- Address: " + ctx.address + ".\n";
  if (!ctx.services.empty()) {
    std::string list;
    for (auto& s : ctx.services)
      list += (list.empty() ? "" : ", ") + s;
    p += "- Services: " + list + ".\n";
  }
  if (auto number = usable_caller_id(ctx.caller_number))
    p += "- The caller is calling from " + *number +
         ". Use it as their contact number: do not ask for a number.\n";
  else
    p += "- The caller's number is withheld: ask for a contact number before booking.\n";
  p += "How to work:\n";
  p += "- Use the tools for availability, appointments and anything about the business not "
       "written here; never invent times, prices or policies. Dates for tools are YYYY-MM-DD, "
       "times HH:MM (24-hour), starts YYYY-MM-DDTHH:MM.\n";
  p += "- To book: find a time with check_slot, get the caller's name and phone number, read the "
       "booking back, and call book only after the caller says yes.\n";
  p += "- To cancel or move an appointment: find it with find_appointment, confirm which one, "
       "then cancel, or check the new time with check_slot (ignore_appointment set) and "
       "reschedule after the caller's yes.\n";
  if (ctx.can_transfer)
    p += "- If the caller asks for a person, has an emergency, or needs something you cannot do, "
         "call transfer.\n";
  else
    p += "- No one can take a transferred call: offer to have someone call back instead. In an "
         "emergency, tell the caller to hang up and call emergency services.\n";
  p += "- If a tool fails, say so briefly and offer another way.\n";
  p += "- When the caller has nothing else, say a short goodbye and call end_call.\n";
  return p;
}

reply llm_engine::say(std::string text) {
  reply r;
  r.next = guess_expecting(text);
  r.say = std::move(text);
  return r;
}

reply llm_engine::start(const business_context& ctx) {
  ctx_ = ctx;
  messages_.clear();
  pending_.clear();
  messages_.push_back({"system", system_prompt(ctx_), {}, ""});
  auto greeting = ctx_.greeting.empty()
                      ? "Thank you for calling " + ctx_.name + ". How can I help you today?"
                      : ctx_.greeting;
  messages_.push_back({"assistant", greeting, {}, ""});
  return say(greeting);
}

void llm_engine::close_pending(const std::string& why) {
  // Every call the model made needs its answer before the conversation can go on.
  for (auto& p : pending_)
    if (!p.answered)
      messages_.push_back({"tool", why, {}, p.id});
  pending_.clear();
}

reply llm_engine::on_caller(std::string_view text) {
  if (messages_.empty())
    start(ctx_);
  close_pending(R"({"ok":false,"values":{"reason":"the caller spoke before the result came"}})");
  if (reason_.empty())
    reason_ = trim(text).substr(0, 200);
  messages_.push_back({"user", std::string(text), {}, ""});
  return run_model();
}

void llm_engine::note(const tool_result& r) {
  if (!r.ok) {
    if (r.name == "lookup_knowledge")
      follow_up_ = "unanswered question: " + reason_;
    if (r.name == "transfer")
      follow_up_ = "transfer failed; call the customer back";
    return;
  }
  if (r.name == "book")
    outcome_ = "booked";
  else if (r.name == "cancel")
    outcome_ = "cancelled";
  else if (r.name == "reschedule")
    outcome_ = "rescheduled";
  else if (r.name == "transfer")
    outcome_ = "transferred";
  else if (r.name == "lookup_knowledge" && outcome_ == "no_action")
    outcome_ = "answered";
}

reply llm_engine::on_result(const tool_result& result) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const pending_call& p) {
    return !p.answered && p.name == result.name;
  });
  if (it == pending_.end())
    return {}; // a result from a round the caller already moved past
  it->answered = true;
  messages_.push_back({"tool", result_json(result), {}, it->id});
  note(result);
  if (std::any_of(pending_.begin(), pending_.end(), [](const pending_call& p) { return !p.answered; }))
    return {}; // the model hears all of a round's results at once
  pending_.clear();
  if (result.name == "transfer" && result.ok) {
    reply r;
    r.end_call = true; // the line goes to staff: nothing more to say
    return r;
  }
  return run_model();
}

void llm_engine::on_interrupted(std::string_view heard) {
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it)
    if (it->role == "assistant") {
      // The model must not believe the caller heard what was cut off.
      it->content = heard.empty() ? std::string("(interrupted before saying anything)") : std::string(heard);
      return;
    }
}

reply llm_engine::run_model() {
  llm::chat_request req;
  req.tools = receptionist_tools(ctx_.can_transfer);
  for (int corrections = 0;; ++corrections) {
    req.messages = messages_;
    ++model_calls_;
    // With a sink, each sentence is handed out as the stream completes it; the reply says
    // the rest.
    tts::sentence_stream sentences;
    bool handed_out = false;
    std::function<void(std::string_view)> on_text;
    if (sink_)
      on_text = [&](std::string_view piece) {
        for (auto& s : sentences.feed(piece)) {
          handed_out = true;
          sink_(std::move(s));
        }
      };
    auto got = client_->chat(req, on_text);
    if (!got) {
      failed_ = true;
      spdlog::warn("dialog: the language model did not answer ({}: {})", got.error().code,
                   got.error().message);
      throw engine_unavailable(got.error());
    }
    spdlog::debug("dialog: model answered in {} attempt(s), first token after {} ms", got->attempts,
                  got->time_to_first_token.count());
    auto text = trim(got->text);
    // What is left to say of the text (all of it when nothing was handed out).
    auto rest = handed_out ? sentences.finish() : text;
    if (got->tool_calls.empty()) {
      if (text.empty())
        text = rest = opts_.sorry;
      messages_.push_back({"assistant", text, {}, ""});
      auto r = say(text);
      r.say = rest;
      return r;
    }
    messages_.push_back({"assistant", text, got->tool_calls, ""});
    std::vector<std::string> errors(got->tool_calls.size());
    std::vector<tool_call> calls;
    std::vector<pending_call> pending;
    bool any_error = false;
    for (std::size_t i = 0; i < got->tool_calls.size(); ++i) {
      auto& c = got->tool_calls[i];
      auto v = validate_tool_call(c, ctx_.can_transfer);
      if (!v) {
        errors[i] = v.error().message;
        any_error = true;
      } else if (v->name != "end_call") { // end_call is the engine's own, below
        calls.push_back(*v);
        pending.push_back({c.id, v->name, false});
      }
    }
    if (any_error) {
      for (std::size_t i = 0; i < got->tool_calls.size(); ++i) {
        auto& c = got->tool_calls[i];
        std::string msg =
            errors[i].empty()
                ? "Not run: another call in the same turn was invalid. Call it again if still needed."
                : "Error, not run: " + errors[i] +
                      ". Correct the arguments (ask the caller if something is missing) and call again.";
        messages_.push_back({"tool", msg, {}, c.id});
        if (!errors[i].empty())
          spdlog::info("dialog: the model's {} call was invalid: {}", c.name, errors[i]);
      }
      if (corrections >= opts_.max_corrections) {
        messages_.push_back({"assistant", opts_.sorry, {}, ""});
        return say(opts_.sorry);
      }
      continue;
    }
    for (auto& c : got->tool_calls)
      if (c.name == "end_call")
        messages_.push_back({"tool",
                             calls.empty() ? R"({"ok":true})"
                                           : "Not done: call end_call alone, after the other results.",
                             {},
                             c.id});
    if (calls.empty()) { // end_call alone
      if (text.empty()) {
        text = rest = "Thank you for calling " + (ctx_.name.empty() ? std::string("us") : ctx_.name) + ". Goodbye.";
        messages_.push_back({"assistant", text, {}, ""});
      }
      reply r;
      r.say = rest;
      r.end_call = true;
      return r;
    }
    pending_ = std::move(pending);
    bool transfer = std::any_of(calls.begin(), calls.end(), [](const tool_call& t) { return t.name == "transfer"; });
    if (transfer && text.empty())
      text = rest = "Let me connect you with someone who can help.";
    reply r;
    r.say = rest;
    r.tools = std::move(calls);
    return r;
  }
}

summary llm_engine::own_record() const {
  summary s;
  s.reason = reason_;
  s.outcome = outcome_;
  s.follow_up = follow_up_;
  return s;
}

summary llm_engine::summarize() const {
  auto record = own_record();
  bool spoke = std::any_of(messages_.begin(), messages_.end(), [](const llm::message& m) { return m.role == "user"; });
  if (failed_ || !spoke || !client_)
    return record;
  std::string transcript;
  for (auto& m : messages_) {
    if (m.role == "user")
      transcript += "Caller: " + m.content + "\n";
    else if (m.role == "assistant") {
      if (!m.content.empty())
        transcript += "Receptionist: " + m.content + "\n";
      for (auto& c : m.tool_calls)
        transcript += "[tool " + c.name + " " + c.arguments + "]\n";
    } else if (m.role == "tool") {
      transcript += "[result " + m.content + "]\n";
    }
  }
  llm::chat_request req;
  req.json_object = true;
  req.temperature = 0.0;
  req.messages = {
      {"system",
       "You write short notes about phone calls for the staff of " +
           (ctx_.name.empty() ? std::string("a business") : ctx_.name) +
           ". Reply with a JSON object only: {\"summary\": one paragraph of at most three "
           "sentences, \"reason\": what the caller wanted in a few words, \"outcome\": one of "
           "booked, cancelled, rescheduled, answered, transferred, no_action, \"follow_up\": what "
           "staff should do, or \"\"}.",
       {},
       ""},
      {"user", transcript, {}, ""}};
  auto got = client_->chat(req);
  if (!got) {
    spdlog::warn("dialog: no summary from the model ({}); using the call's record", got.error().message);
    return record;
  }
  // Some servers wrap JSON in prose or code fences: take the outermost object.
  auto a = got->text.find('{'), b = got->text.rfind('}');
  json::error_code ec;
  json::value v;
  if (a != std::string::npos && b != std::string::npos && b > a)
    v = json::parse(std::string_view(got->text).substr(a, b - a + 1), ec);
  auto* o = (!ec && a != std::string::npos) ? v.if_object() : nullptr;
  auto field = [&](const char* k) -> std::string {
    auto* f = o ? o->if_contains(k) : nullptr;
    return f && f->is_string() ? std::string(f->as_string().data(), f->as_string().size()) : "";
  };
  auto narrative = field("summary");
  if (!o || narrative.empty())
    return record;
  summary s = record;
  s.narrative = trim(narrative);
  if (auto r = field("reason"); !r.empty())
    s.reason = r;
  // What the tools did is fact; the model's reading only fills in when they did nothing.
  auto outcome = field("outcome");
  if (record.outcome == "no_action" &&
      std::find(std::begin(outcomes), std::end(outcomes), outcome) != std::end(outcomes))
    s.outcome = outcome;
  if (auto f = field("follow_up"); !f.empty())
    s.follow_up = f;
  return s;
}

} // namespace frontdesk::dialog
