#include "adapters/llm/stream.hpp"

#include <boost/json.hpp>

namespace frontdesk::llm {
namespace {

namespace json = boost::json;

// Tool calls beyond this index are refused: an index is a vector position, not a free number.
constexpr std::int64_t max_tool_calls = 64;

failure bad_chunk(std::string what) { return fail("llm_bad_chunk", std::move(what)); }

std::string to_std(const json::string& s) { return std::string(s.data(), s.size()); }

// The server's error object: `{"error":{"message":…}}` or `{"error":"…"}`.
std::string message_of(const json::value& err) {
  if (err.is_string())
    return to_std(err.as_string());
  if (auto* o = err.if_object()) {
    if (auto* m = o->if_contains("message"); m && m->is_string() && !m->as_string().empty())
      return to_std(m->as_string());
    if (auto* c = o->if_contains("code"); c && c->is_string())
      return to_std(c->as_string());
  }
  return "the server reported an error";
}

std::optional<json::value> parse_json(std::string_view text, std::string& why) {
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) {
    why = ec.message();
    return std::nullopt;
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A small integer field (an index); nullopt when absent, failure text when ill-typed.
std::optional<std::int64_t> small_int(const json::value& v) {
  if (v.is_int64())
    return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(max_tool_calls))
    return static_cast<std::int64_t>(v.as_uint64());
  return std::nullopt;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// sse_parser

void sse_parser::line_done(std::vector<sse_event>& out) {
  std::string_view line = line_;
  if (line.empty()) {
    if (has_data_) {
      if (!data_.empty() && data_.back() == '\n')
        data_.pop_back();
      out.push_back({std::move(event_), std::move(data_)});
    }
    data_.clear();
    event_.clear();
    has_data_ = false;
  } else if (line.front() != ':') { // ':' starts a comment
    auto colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
    }
    if (field == "data") {
      data_.append(value);
      data_.push_back('\n');
      has_data_ = true;
    } else if (field == "event") {
      event_.assign(value);
    } // id, retry and unknown fields mean nothing to a one-shot stream
  }
  line_.clear();
}

expected<std::vector<sse_event>> sse_parser::feed(std::string_view bytes) {
  if (failed_)
    return fail("llm_stream_too_large", "an earlier line was over the limit");
  std::vector<sse_event> out;
  std::string head; // bytes that looked like a BOM but were not
  if (!started_) {
    static constexpr std::string_view bom = "\xEF\xBB\xBF";
    while (!bytes.empty() && bom_.size() < bom.size() && bytes.front() == bom[bom_.size()]) {
      bom_.push_back(bytes.front());
      bytes.remove_prefix(1);
    }
    if (bom_.size() == bom.size()) {
      started_ = true;
      bom_.clear();
    } else if (bytes.empty()) {
      return out; // still could be a BOM
    } else {
      started_ = true;
      head = std::exchange(bom_, {});
    }
  }
  for (std::string_view part : {std::string_view(head), bytes}) {
    for (char ch : part) {
      if (after_cr_) {
        after_cr_ = false;
        if (ch == '\n')
          continue; // the LF of a CRLF
      }
      if (ch == '\r' || ch == '\n') {
        line_done(out);
        after_cr_ = ch == '\r';
        if (data_.size() > max_line_) {
          failed_ = true;
          return fail("llm_stream_too_large",
                      "an event is over " + std::to_string(max_line_) + " bytes");
        }
        continue;
      }
      if (line_.size() >= max_line_) {
        failed_ = true;
        return fail("llm_stream_too_large", "a line is over " + std::to_string(max_line_) + " bytes");
      }
      line_.push_back(ch);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// chunk_assembler

expected<std::string> chunk_assembler::add(std::string_view data) {
  if (failed_)
    return *failed_;
  if (done_)
    return std::string();
  auto latch = [this](failure f) -> failure {
    failed_ = f;
    return f;
  };
  if (trim(data) == "[DONE]") {
    done_ = true;
    return std::string();
  }
  std::string why;
  auto v = parse_json(data, why);
  if (!v)
    return latch(fail("llm_bad_json", "a stream event is not JSON (" + why + ")"));
  auto* chunk = v->if_object();
  if (!chunk)
    return latch(bad_chunk("a stream event is not a JSON object"));
  if (auto* err = chunk->if_contains("error"); err && !err->is_null())
    return latch(fail("llm_api_error", message_of(*err)));
  if (auto* u = chunk->if_contains("usage"); u && u->is_object()) {
    usage t;
    if (auto* p = u->as_object().if_contains("prompt_tokens"); p && p->is_int64())
      t.prompt_tokens = p->as_int64();
    if (auto* p = u->as_object().if_contains("completion_tokens"); p && p->is_int64())
      t.completion_tokens = p->as_int64();
    c_.tokens = t;
  }
  auto* choices_v = chunk->if_contains("choices");
  if (!choices_v || !choices_v->is_array())
    return latch(bad_chunk("a chunk has no 'choices' array"));
  std::string piece;
  for (auto& choice_v : choices_v->as_array()) {
    auto* choice = choice_v.if_object();
    if (!choice)
      return latch(bad_chunk("a choice is not an object"));
    if (auto* i = choice->if_contains("index")) {
      auto n = small_int(*i);
      if (!n)
        return latch(bad_chunk("a choice's 'index' is not an integer"));
      if (*n != 0)
        continue; // one completion was asked for; others are not ours
    }
    if (auto* delta_v = choice->if_contains("delta"); delta_v && !delta_v->is_null()) {
      auto* delta = delta_v->if_object();
      if (!delta)
        return latch(bad_chunk("a 'delta' is not an object"));
      if (auto* content = delta->if_contains("content"); content && !content->is_null()) {
        if (!content->is_string())
          return latch(bad_chunk("'content' is not a string"));
        piece.append(content->as_string().data(), content->as_string().size());
      }
      if (auto* calls = delta->if_contains("tool_calls"); calls && !calls->is_null()) {
        if (!calls->is_array())
          return latch(bad_chunk("'tool_calls' is not an array"));
        for (auto& call_v : calls->as_array()) {
          auto* call = call_v.if_object();
          if (!call)
            return latch(bad_chunk("a tool call delta is not an object"));
          auto* index_v = call->if_contains("index");
          if (!index_v)
            return latch(bad_chunk("a tool call delta has no 'index'"));
          auto index = small_int(*index_v);
          if (!index || *index < 0 || *index >= max_tool_calls)
            return latch(bad_chunk("a tool call's 'index' is not a small non-negative integer"));
          auto at = static_cast<std::size_t>(*index);
          if (at >= c_.tool_calls.size())
            c_.tool_calls.resize(at + 1);
          auto& out = c_.tool_calls[at];
          if (auto* id = call->if_contains("id"); id && !id->is_null()) {
            if (!id->is_string())
              return latch(bad_chunk("a tool call's 'id' is not a string"));
            if (out.id.empty())
              out.id = to_std(id->as_string());
          }
          if (auto* fn_v = call->if_contains("function"); fn_v && !fn_v->is_null()) {
            auto* fn = fn_v->if_object();
            if (!fn)
              return latch(bad_chunk("a tool call's 'function' is not an object"));
            if (auto* name = fn->if_contains("name"); name && !name->is_null()) {
              if (!name->is_string())
                return latch(bad_chunk("a function 'name' is not a string"));
              if (out.name.empty())
                out.name = to_std(name->as_string());
            }
            if (auto* args = fn->if_contains("arguments"); args && !args->is_null()) {
              if (!args->is_string())
                return latch(bad_chunk("function 'arguments' is not a string"));
              out.arguments.append(args->as_string().data(), args->as_string().size());
            }
          }
          any_delta_ = true;
        }
      }
    }
    if (auto* reason = choice->if_contains("finish_reason"); reason && !reason->is_null()) {
      if (!reason->is_string())
        return latch(bad_chunk("'finish_reason' is not a string"));
      c_.finish_reason = to_std(reason->as_string());
    }
  }
  if (!piece.empty())
    any_delta_ = true;
  c_.text += piece;
  return piece;
}

expected<completion> chunk_assembler::finish() const {
  if (failed_)
    return *failed_;
  if (!done_ && c_.finish_reason.empty())
    return fail("llm_truncated", "the stream ended before its finish_reason and [DONE]");
  for (std::size_t i = 0; i < c_.tool_calls.size(); ++i) {
    auto& t = c_.tool_calls[i];
    if (t.name.empty())
      return bad_chunk("tool call " + std::to_string(i) + " has no function name");
    if (t.id.empty())
      return bad_chunk("tool call " + std::to_string(i) + " has no id");
  }
  return c_;
}

// ---------------------------------------------------------------------------------------------
// stream_decoder

expected<std::vector<std::string>> stream_decoder::feed(std::string_view bytes) {
  if (failed_)
    return *failed_;
  std::vector<std::string> pieces;
  auto events = parser_.feed(bytes);
  if (!events) {
    failed_ = events.error();
    return *failed_;
  }
  for (auto& e : *events) {
    auto piece = assembler_.add(e.data);
    if (!piece) {
      failed_ = piece.error();
      return *failed_;
    }
    if (!piece->empty())
      pieces.push_back(std::move(*piece));
  }
  return pieces;
}

bool stream_decoder::started() const {
  return !assembler_.partial().text.empty() || !assembler_.partial().tool_calls.empty();
}

expected<completion> stream_decoder::finish() const {
  if (failed_)
    return *failed_;
  return assembler_.finish();
}

// ---------------------------------------------------------------------------------------------
// whole bodies

expected<completion> parse_completion(std::string_view body) {
  std::string why;
  auto v = parse_json(body, why);
  if (!v)
    return fail("llm_bad_json", "the response is not JSON (" + why + ")");
  auto* root = v->if_object();
  if (!root)
    return bad_chunk("the response is not a JSON object");
  if (auto* err = root->if_contains("error"); err && !err->is_null())
    return fail("llm_api_error", message_of(*err));
  auto* choices = root->if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array()[0].is_object())
    return bad_chunk("the response has no choices");
  auto& choice = choices->as_array()[0].as_object();
  completion c;
  if (auto* r = choice.if_contains("finish_reason"); r && r->is_string())
    c.finish_reason = to_std(r->as_string());
  auto* msg = choice.if_contains("message");
  if (!msg || !msg->is_object())
    return bad_chunk("the choice has no message");
  if (auto* content = msg->as_object().if_contains("content"); content && content->is_string())
    c.text = to_std(content->as_string());
  if (auto* calls = msg->as_object().if_contains("tool_calls"); calls && calls->is_array()) {
    for (auto& call_v : calls->as_array()) {
      auto* call = call_v.if_object();
      auto* fn = call ? call->if_contains("function") : nullptr;
      auto* id = call ? call->if_contains("id") : nullptr;
      if (!fn || !fn->is_object() || !id || !id->is_string())
        return bad_chunk("a tool call has no id or function");
      auto* name = fn->as_object().if_contains("name");
      auto* args = fn->as_object().if_contains("arguments");
      if (!name || !name->is_string())
        return bad_chunk("a tool call has no function name");
      c.tool_calls.push_back({to_std(id->as_string()), to_std(name->as_string()),
                              args && args->is_string() ? to_std(args->as_string()) : ""});
    }
  }
  return c;
}

std::string error_message(std::string_view body) {
  std::string why;
  auto v = parse_json(body, why);
  if (!v || !v->is_object())
    return "";
  auto* err = v->as_object().if_contains("error");
  return err && !err->is_null() ? message_of(*err) : "";
}

} // namespace frontdesk::llm
