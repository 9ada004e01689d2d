// The LLM engine's state as small versioned JSON (saved with the transcript after each reply),
// and taking a call over from it after its node was lost or its dialog restarted.
#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "actors/dialog/llm_engine.hpp"
#include "actors/dialog/saved_state.hpp"

namespace frontdesk::dialog {
namespace {

namespace json = boost::json;

constexpr std::int64_t state_version = 1;

const json::string* string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

std::string str(const json::object& o, std::string_view key) {
  auto* s = string_at(o, key);
  return s ? std::string(*s) : std::string();
}

// One saved message, or nothing when it is not one this engine writes.
std::optional<llm::message> message_of(const json::value& v) {
  auto* o = v.if_object();
  if (!o)
    return std::nullopt;
  auto* role = string_at(*o, "role");
  auto* content = string_at(*o, "content");
  if (!role || !content || (*role != "user" && *role != "assistant" && *role != "tool"))
    return std::nullopt;
  llm::message m{std::string(*role), std::string(*content), {}, ""};
  if (m.role == "tool") {
    auto* id = string_at(*o, "tool_call_id");
    if (!id || id->empty())
      return std::nullopt;
    m.tool_call_id = std::string(*id);
  }
  if (auto* calls = o->if_contains("tool_calls")) {
    auto* a = calls->if_array();
    if (!a || m.role != "assistant")
      return std::nullopt;
    for (auto& c : *a) {
      auto* co = c.if_object();
      auto* id = co ? string_at(*co, "id") : nullptr;
      auto* name = co ? string_at(*co, "name") : nullptr;
      auto* args = co ? string_at(*co, "arguments") : nullptr;
      if (!id || id->empty() || !name || name->empty() || !args)
        return std::nullopt;
      m.tool_calls.push_back({std::string(*id), std::string(*name), std::string(*args)});
    }
  }
  return m;
}

} // namespace

std::string llm_engine::save_state() const {
  // A tool round in flight is not a point to come back to (its results would be lost): the
  // state before it stands.
  if (!pending_.empty() || messages_.empty())
    return "";
  json::array msgs;
  for (auto& m : messages_) {
    if (m.role == "system")
      continue;
    json::object o{{"role", m.role}, {"content", m.content}};
    if (!m.tool_calls.empty()) {
      json::array calls;
      for (auto& c : m.tool_calls)
        calls.push_back(json::object{{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
      o["tool_calls"] = std::move(calls);
    }
    if (!m.tool_call_id.empty())
      o["tool_call_id"] = m.tool_call_id;
    msgs.push_back(std::move(o));
  }
  json::object o{{"v", state_version},      {"engine", "llm"},
                 {"messages", std::move(msgs)}, {"reason", reason_},
                 {"outcome", outcome_},     {"follow_up", follow_up_}};
  return json::serialize(o);
}

std::optional<reply> llm_engine::resume(const business_context& ctx, std::string_view saved) {
  auto parsed = versioned_state(saved, state_version);
  if (!parsed)
    return std::nullopt;
  auto& o = *parsed;
  auto* engine = string_at(o, "engine");
  auto* msgs = o.if_contains("messages");
  if (!engine || *engine != "llm" || !msgs || !msgs->is_array())
    return std::nullopt;
  std::vector<llm::message> conversation;
  // Every tool message answers a call made before it, once; a call left unanswered can only be
  // the last round's (closed below).
  std::set<std::string> open_calls, answered;
  for (auto& e : msgs->get_array()) {
    auto m = message_of(e);
    if (!m)
      return std::nullopt;
    if (m->role == "tool") {
      if (!open_calls.erase(m->tool_call_id))
        return std::nullopt;
      answered.insert(m->tool_call_id);
    } else if (!open_calls.empty()) {
      return std::nullopt; // a round left unanswered mid-conversation
    }
    for (auto& c : m->tool_calls)
      if (answered.count(c.id) || !open_calls.insert(c.id).second)
        return std::nullopt;
    conversation.push_back(std::move(*m));
  }
  ctx_ = ctx;
  messages_.clear();
  pending_.clear();
  failed_ = false;
  messages_.push_back({"system", system_prompt(ctx_), {}, ""});
  for (auto& m : conversation)
    messages_.push_back(std::move(m));
  for (auto& id : open_calls) // the model must hear that its last calls came to nothing
    messages_.push_back(
        {"tool", R"({"ok":false,"values":{"reason":"the call was cut off before the result came"}})",
         {}, id});
  reason_ = str(o, "reason");
  outcome_ = str(o, "outcome");
  if (outcome_.empty())
    outcome_ = "no_action";
  follow_up_ = str(o, "follow_up");

  // The apology, then what the caller last heard (most often the question they were
  // answering); before the caller said anything, an offer of help.
  bool spoke = std::any_of(messages_.begin(), messages_.end(),
                           [](const llm::message& m) { return m.role == "user"; });
  std::string last;
  if (spoke)
    for (auto it = messages_.rbegin(); it != messages_.rend() && last.empty(); ++it)
      if (it->role == "assistant" && it->content.rfind(cut_off_apology, 0) != 0)
        last = it->content;
  if (last.empty())
    last = "How can I help you today?";
  auto text = std::string(cut_off_apology) + " " + last;
  // The model reads what the caller heard, as for any of its own replies.
  messages_.push_back({"assistant", text, {}, ""});
  return say(text);
}

} // namespace frontdesk::dialog
