#include "apps/understand-bench/eval.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include <boost/json.hpp>

#include "actors/calendar/time_expression.hpp"
#include "actors/dialog/understand.hpp"

namespace frontdesk::understand_eval {
namespace {

namespace json = boost::json;

// The corpus's business offers these services (tests/scenarios/org.json).
const std::vector<std::string> services = {"cleaning", "whitening", "checkup", "filling"};

// The intents whose lines say a day and time when they carry one (absent: none said).
const std::set<std::string> timed_classes = {"book",       "reschedule", "cancel", "openings",
                                             "correction", "time"};

expected<std::optional<std::string>> opt_string(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return std::optional<std::string>{};
  if (!v->is_string())
    return fail("bad_corpus", std::string(key) + " must be a string");
  return std::optional<std::string>{std::string(v->as_string())};
}

std::string show(const std::optional<std::string>& s) { return s ? "\"" + *s + "\"" : "none"; }

} // namespace

expected<std::vector<utterance>> parse_corpus(std::string_view jsonl) {
  std::vector<utterance> out;
  std::size_t line_no = 0;
  while (!jsonl.empty()) {
    auto nl = jsonl.find('\n');
    auto line = jsonl.substr(0, nl);
    jsonl = nl == std::string_view::npos ? std::string_view{} : jsonl.substr(nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
      continue;
    auto where = "line " + std::to_string(line_no) + ": ";
    boost::system::error_code ec;
    auto doc = json::parse(line, ec);
    if (ec || !doc.is_object())
      return fail("bad_corpus", where + "not a JSON object");
    auto& o = doc.as_object();
    utterance u;
    u.line = line_no;
    for (auto [key, target] : {std::pair<const char*, std::string*>{"text", &u.text},
                               {"class", &u.cls},
                               {"context", &u.context}}) {
      auto* v = o.if_contains(key);
      if (!v || !v->is_string() || v->as_string().empty())
        return fail("bad_corpus", where + key + " must be a non-empty string");
      *target = std::string(v->as_string());
    }
    for (auto [key, target] :
         {std::pair<const char*, std::optional<std::string>*>{"intent", &u.intent},
          {"date", &u.date},
          {"time", &u.time},
          {"part_of_day", &u.part_of_day},
          {"service", &u.service},
          {"digits", &u.digits}}) {
      auto v = opt_string(o, key);
      if (!v)
        return fail("bad_corpus", where + v.error().message);
      *target = *v;
    }
    if (o.contains("name")) {
      auto v = opt_string(o, "name");
      if (!v)
        return fail("bad_corpus", where + v.error().message);
      u.name_labelled = true;
      u.name = *v;
    }
    if (auto* v = o.if_contains("offered")) {
      if (!v->is_array())
        return fail("bad_corpus", where + "offered must be an array of strings");
      for (auto& x : v->as_array()) {
        if (!x.is_string())
          return fail("bad_corpus", where + "offered must be an array of strings");
        u.offered.emplace_back(x.as_string());
      }
    }
    if (auto* v = o.if_contains("choice")) {
      u.choice_labelled = true;
      if (!v->is_null()) {
        if (!v->is_int64() || v->as_int64() < 0 ||
            static_cast<std::size_t>(v->as_int64()) >= u.offered.size())
          return fail("bad_corpus", where + "choice must be null or an index into offered");
        u.choice = static_cast<std::size_t>(v->as_int64());
      }
    }
    out.push_back(std::move(u));
  }
  return out;
}

namespace {

// What the dialog does with an answer to "which would you like?".
std::optional<std::size_t> pick(const utterance& u,
                                const std::optional<booking::time_mention>& said) {
  return dialog::choose_offer(u.text, u.offered,
                              said && said->day ? booking::iso_day(*said->day) : "",
                              said && said->time ? booking::hhmm(*said->time) : "",
                              said ? said->part_of_day : "");
}

} // namespace

report evaluate(const std::vector<utterance>& corpus) {
  using namespace std::chrono;
  const date::year_month_day today{date::year{2026}, date::month{3}, date::day{4}};
  const minutes now{15 * 60};
  report r;
  for (auto& u : corpus) {
    bool whole = true;
    auto check = [&](const std::string& what, const std::optional<std::string>& want,
                     const std::optional<std::string>& got, bool slot = true) {
      bool ok = want == got;
      if (slot) {
        auto& s = r.slots[what];
        (want ? s.expected : s.spurious).add(ok);
      }
      if (!ok) {
        whole = false;
        r.misses.push_back({u.line, what, u.text, show(want), show(got)});
      }
    };
    if (u.intent) {
      std::string got = dialog::to_string(dialog::classify(u.text));
      bool ok = got == *u.intent;
      r.intent_by_class[u.cls].add(ok);
      r.intent_all.add(ok);
      check("intent", u.intent, got, false);
    }
    auto said = booking::parse_time_expression(u.text, today);
    if (said)
      booking::roll_past_weekday(*said, now);
    // As the dialog does: a request to move an appointment uses a time only when it names the
    // new one ("my appointment tomorrow, can I move it?" names the old).
    if (dialog::classify(u.text) == dialog::intent::reschedule && !dialog::names_new_time(u.text))
      said.reset();
    bool timed = timed_classes.count(u.cls) || u.date || u.time || u.part_of_day;
    if (timed) {
      check("date", u.date,
            said && said->day ? std::optional<std::string>(booking::iso_day(*said->day))
                              : std::nullopt);
      check("time", u.time,
            said && said->time ? std::optional<std::string>(booking::hhmm(*said->time))
                               : std::nullopt);
      check("part_of_day", u.part_of_day,
            said && !said->part_of_day.empty() ? std::optional<std::string>(said->part_of_day)
                                               : std::nullopt);
    }
    if (u.context == "name")
      check("name", u.name, dialog::extract_name(u.text, true, services));
    else
      check("name", u.name_labelled ? u.name : std::nullopt, dialog::extract_name(u.text, false, services));
    check("service", u.service, dialog::extract_service(u.text, services));
    if (u.context == "choice" && u.choice_labelled) {
      auto c = pick(u, said);
      auto as_text = [](std::optional<std::size_t> k) {
        return k ? std::optional<std::string>(std::to_string(*k)) : std::nullopt;
      };
      check("choice", as_text(u.choice), as_text(c));
    }
    if (u.context == "digits" && u.digits) {
      auto d = dialog::extract_digits(u.text);
      check("digits", u.digits->empty() ? std::nullopt : u.digits,
            d.empty() ? std::nullopt : std::optional<std::string>(d));
    }
    r.whole_by_class[u.cls].add(whole);
    r.whole_all.add(whole);
  }
  return r;
}

std::string format(const report& r) {
  std::string out;
  char buf[256];
  auto pct = [](const tally& t) { return 100.0 * t.share(); };
  std::snprintf(buf, sizeof buf, "%-12s %14s %14s\n", "class", "intent", "whole line");
  out += buf;
  for (auto& [cls, whole] : r.whole_by_class) {
    auto it = r.intent_by_class.find(cls);
    std::string intent = "-";
    if (it != r.intent_by_class.end()) {
      std::snprintf(buf, sizeof buf, "%3zu/%-3zu %5.1f%%", it->second.right, it->second.total,
                    pct(it->second));
      intent = buf;
    }
    std::snprintf(buf, sizeof buf, "%-12s %14s %3zu/%-3zu %5.1f%%\n", cls.c_str(), intent.c_str(),
                  whole.right, whole.total, pct(whole));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%-12s %3zu/%-3zu %5.1f%% %3zu/%-3zu %5.1f%%\n", "all",
                r.intent_all.right, r.intent_all.total, pct(r.intent_all), r.whole_all.right,
                r.whole_all.total, pct(r.whole_all));
  out += buf;
  std::snprintf(buf, sizeof buf, "\n%-12s %18s %22s\n", "slot", "right where said",
                "none found where none");
  out += buf;
  for (auto& [slot, t] : r.slots) {
    std::snprintf(buf, sizeof buf, "%-12s %3zu/%-3zu %6.1f%%   %3zu/%-3zu %6.1f%%\n", slot.c_str(),
                  t.expected.right, t.expected.total, pct(t.expected), t.spurious.right,
                  t.spurious.total, pct(t.spurious));
    out += buf;
  }
  return out;
}

} // namespace frontdesk::understand_eval
