#include "protocols/console/verbs.hpp"

#include <array>
#include <utility>

namespace frontdesk::console {

namespace {

constexpr std::array<std::pair<verb, const char*>, 11> verb_names{{
    {verb::calls, "calls"},
    {verb::watch, "watch"},
    {verb::unwatch, "unwatch"},
    {verb::listen, "listen"},
    {verb::say, "say"},
    {verb::hold_ai, "hold-ai"},
    {verb::resume_ai, "resume-ai"},
    {verb::transfer, "transfer"},
    {verb::hangup, "hangup"},
    {verb::appointments, "appointments"},
    {verb::cancel, "cancel"},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

failure bad(std::string what) { return fail("bad_command", std::move(what)); }

std::string quote(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    if (c == ' ' || c == '\t' || c == '"' || c == '\\')
      plain = false;
  if (plain && s.rfind("--", 0) != 0)
    return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace

const char* to_string(verb v) {
  for (auto& [x, name] : verb_names)
    if (x == v)
      return name;
  return "?";
}

std::optional<verb> verb_from(std::string_view name) {
  for (auto& [x, n] : verb_names)
    if (name == n)
      return x;
  return std::nullopt;
}

const char* to_string(result r) {
  switch (r) {
  case result::done:
    return "done";
  case result::not_applicable:
    return "not_applicable";
  case result::refused:
    return "refused";
  case result::failed:
    return "failed";
  }
  return "failed";
}

result result_from(std::string_view name) {
  for (auto r : {result::done, result::not_applicable, result::refused})
    if (name == to_string(r))
      return r;
  return result::failed;
}

std::optional<role> role_from(std::string_view name) {
  if (name == "viewer" || name == "user")
    return role::viewer;
  if (name == "admin")
    return role::admin;
  if (name == "owner")
    return role::owner;
  return std::nullopt;
}

bool steers(verb v) {
  switch (v) {
  case verb::say:
  case verb::hold_ai:
  case verb::resume_ai:
  case verb::transfer:
  case verb::hangup:
  case verb::cancel:
    return true;
  default:
    return false;
  }
}

bool allowed(role r, verb v) {
  if (steers(v) || v == verb::listen)
    return r == role::admin || r == role::owner;
  return true;
}

bool valid_call_id(std::string_view s) {
  if (s.size() != 36)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i]))
      return false;
  }
  return true;
}

bool valid_number(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0')
    return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (!is_digit(s[i]))
      return false;
  return true;
}

bool valid_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(s[i]))
      return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (m < 1 || m > 12 || d < 1)
    return false;
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

namespace {

// The words, and for each whether any of it was quoted (a quoted "--interrupt" is text).
expected<std::vector<std::string>> split(std::string_view line, std::vector<bool>* quoted_words) {
  if (line.size() > max_line)
    return bad("the line is longer than " + std::to_string(max_line) + " bytes");
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false, quoted = false, was_quoted = false;
  auto end_word = [&] {
    words.push_back(std::move(cur));
    if (quoted_words)
      quoted_words->push_back(was_quoted);
    cur.clear();
    was_quoted = false;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      return bad("control characters are not allowed");
    if (quoted) {
      if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
        cur += line[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (in_word)
        end_word();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"')
      quoted = was_quoted = true;
    else
      cur += c;
  }
  if (quoted)
    return bad("a quote is not closed");
  if (in_word)
    end_word();
  return words;
}

} // namespace

expected<std::vector<std::string>> split_words(std::string_view line) {
  return split(line, nullptr);
}

expected<command> parse_command(std::string_view line) {
  std::vector<bool> quoted;
  auto w = split(line, &quoted);
  if (!w)
    return w.error();
  auto& words = *w;
  if (words.empty())
    return bad("empty command");
  auto v = verb_from(words[0]);
  if (!v)
    return bad("unknown verb '" + words[0].substr(0, 32) +
               "' (calls, watch, unwatch, listen, say, hold-ai, resume-ai, transfer, hangup, "
               "appointments, cancel)");
  command c;
  c.v = *v;
  std::vector<std::string> args(words.begin() + 1, words.end());
  auto need = [&](std::size_t n, const char* usage) -> std::optional<failure> {
    if (args.size() != n)
      return bad(std::string("usage: ") + usage);
    return std::nullopt;
  };
  auto call_arg = [&](const std::string& s) -> std::optional<failure> {
    if (!valid_call_id(s))
      return bad("'" + s.substr(0, 64) + "' is not a call id");
    c.call = s;
    return std::nullopt;
  };
  switch (c.v) {
  case verb::calls:
    if (auto e = need(0, "calls"))
      return *e;
    break;
  case verb::watch:
  case verb::unwatch:
    if (args.size() == 1 && args[0] == "--all" && !quoted[1]) {
      c.all = true;
      break;
    }
    [[fallthrough]];
  case verb::listen:
  case verb::hold_ai:
  case verb::resume_ai:
  case verb::hangup: {
    std::string usage = std::string(to_string(c.v)) +
                        (c.v == verb::watch || c.v == verb::unwatch ? " CALL|--all" : " CALL");
    if (auto e = need(1, usage.c_str()))
      return *e;
    if (auto e = call_arg(args[0]))
      return *e;
    break;
  }
  case verb::say: {
    std::vector<std::string> text;
    for (std::size_t i = 0; i < args.size(); ++i) {
      auto& a = args[i];
      if (quoted[i + 1])
        text.push_back(a);
      else if (a == "--interrupt")
        c.interrupt = true;
      else if (a.rfind("--", 0) == 0)
        return bad("unknown option '" + a.substr(0, 32) + "' (say CALL TEXT [--interrupt])");
      else
        text.push_back(a);
    }
    if (text.size() < 2)
      return bad("usage: say CALL TEXT [--interrupt]");
    if (auto e = call_arg(text[0]))
      return *e;
    for (std::size_t i = 1; i < text.size(); ++i)
      c.text += (i > 1 ? " " : "") + text[i];
    if (c.text.find_first_not_of(' ') == std::string::npos)
      return bad("nothing to say");
    if (c.text.size() > max_say)
      return bad("at most " + std::to_string(max_say) + " characters can be said at once");
    break;
  }
  case verb::transfer:
    if (auto e = need(2, "transfer CALL NUMBER"))
      return *e;
    if (auto e = call_arg(args[0]))
      return *e;
    if (!valid_number(args[1]))
      return bad("'" + args[1].substr(0, 32) + "' is not a phone number (+ and 8 to 15 digits)");
    c.number = args[1];
    break;
  case verb::appointments:
    if (args.size() > 1)
      return bad("usage: appointments [DAY]");
    if (!args.empty()) {
      if (args[0] != "today" && args[0] != "tomorrow" && !valid_day(args[0]))
        return bad("'" + args[0].substr(0, 32) + "' is not a day (YYYY-MM-DD, today, tomorrow)");
      c.day = args[0];
    }
    break;
  case verb::cancel:
    if (auto e = need(1, "cancel APPOINTMENT"))
      return *e;
    if (!valid_call_id(args[0])) // appointment ids are UUIDs too
      return bad("'" + args[0].substr(0, 64) + "' is not an appointment id");
    c.appointment = args[0];
    break;
  }
  return c;
}

std::string format_command(const command& c) {
  std::string out = to_string(c.v);
  switch (c.v) {
  case verb::calls:
    break;
  case verb::say:
    out += " " + c.call + " " + quote(c.text);
    if (c.interrupt)
      out += " --interrupt";
    break;
  case verb::transfer:
    out += " " + c.call + " " + c.number;
    break;
  case verb::appointments:
    if (!c.day.empty())
      out += " " + c.day;
    break;
  case verb::cancel:
    out += " " + c.appointment;
    break;
  default:
    out += " " + (c.all ? std::string("--all") : c.call);
  }
  return out;
}

std::vector<std::string> line_splitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  for (char c : bytes) {
    if (c == '\n') {
      if (skipping_) {
        skipping_ = false;
        continue;
      }
      if (!buf_.empty() && buf_.back() == '\r')
        buf_.pop_back();
      lines.push_back(std::move(buf_));
      buf_.clear();
      continue;
    }
    if (skipping_)
      continue;
    buf_ += c;
    if (buf_.size() > max_line) {
      buf_.clear();
      skipping_ = true;
      ++overlong_;
    }
  }
  return lines;
}

} // namespace frontdesk::console
