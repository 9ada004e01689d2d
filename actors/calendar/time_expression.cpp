#include "actors/calendar/time_expression.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

namespace frontdesk::booking {
namespace {

using namespace date;
using std::chrono::minutes;

std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    if (!w.empty())
      out.push_back(std::move(w));
    w.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (std::isalpha(c)) {
      // "2pm" → "2" "pm"; "10th" stays one token
      if (!w.empty() && std::isdigit(static_cast<unsigned char>(w.back())) &&
          !(std::tolower(c) == 't' || std::tolower(c) == 's' || std::tolower(c) == 'n' ||
            std::tolower(c) == 'r' || std::tolower(c) == 'h' || std::tolower(c) == 'd'))
        flush();
      w += static_cast<char>(std::tolower(c));
    } else if (std::isdigit(c) || c == ':' || c == '/' || c == '\'') {
      w += static_cast<char>(c);
    } else {
      flush();
    }
  }
  flush();
  // "a.m." / "p.m." / "am" / "pm" / "a" "m": one token each
  std::vector<std::string> merged;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if ((out[i] == "a" || out[i] == "p") && i + 1 < out.size() && out[i + 1] == "m") {
      merged.push_back(out[i] + "m");
      ++i;
    } else {
      merged.push_back(out[i]);
    }
  }
  return merged;
}

const std::array<std::string_view, 20> small = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"};
const std::array<std::string_view, 6> tens = {"", "", "twenty", "thirty", "forty", "fifty"};
const std::array<std::string_view, 20> small_ordinals = {
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth"};
const std::array<std::string_view, 12> month_words = {"january", "february", "march", "april",
                                                 "may", "june", "july", "august", "september",
                                                 "october", "november", "december"};
const std::array<std::string_view, 7> weekday_words = {"sunday", "monday", "tuesday", "wednesday",
                                                  "thursday", "friday", "saturday"};

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A cardinal number at tokens[i] ("twenty", "twenty five", "25"); returns tokens used.
int cardinal(const std::vector<std::string>& t, std::size_t i, int& value) {
  if (i >= t.size())
    return 0;
  if (all_digits(t[i]) && t[i].size() <= 4) {
    value = std::stoi(t[i]);
    return 1;
  }
  for (std::size_t k = 0; k < small.size(); ++k)
    if (t[i] == small[k]) {
      value = static_cast<int>(k);
      return 1;
    }
  for (std::size_t k = 2; k < tens.size(); ++k)
    if (t[i] == tens[k]) {
      value = static_cast<int>(k) * 10;
      if (i + 1 < t.size())
        for (std::size_t u = 1; u < 10; ++u)
          if (t[i + 1] == small[u]) {
            value += static_cast<int>(u);
            return 2;
          }
      return 1;
    }
  return 0;
}

// An ordinal ("tenth", "twenty first", "10th", "3rd"); returns tokens used.
int ordinal(const std::vector<std::string>& t, std::size_t i, int& value) {
  if (i >= t.size())
    return 0;
  auto& w = t[i];
  if (w.size() >= 3 && std::isdigit(static_cast<unsigned char>(w[0]))) {
    auto suffix = w.substr(w.size() - 2);
    auto num = w.substr(0, w.size() - 2);
    if ((suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") && all_digits(num) &&
        num.size() <= 2) {
      value = std::stoi(num);
      return 1;
    }
  }
  for (std::size_t k = 1; k < small_ordinals.size(); ++k)
    if (w == small_ordinals[k]) {
      value = static_cast<int>(k);
      return 1;
    }
  if (w == "twentieth") {
    value = 20;
    return 1;
  }
  if (w == "thirtieth") {
    value = 30;
    return 1;
  }
  if ((w == "twenty" || w == "thirty") && i + 1 < t.size())
    for (std::size_t k = 1; k < 10; ++k)
      if (t[i + 1] == small_ordinals[k]) {
        value = (w == "twenty" ? 20 : 30) + static_cast<int>(k);
        return 2;
      }
  return 0;
}

int index_of(const auto& list, const std::string& w) {
  for (std::size_t k = 0; k < list.size(); ++k)
    if (list[k] == w)
      return static_cast<int>(k);
  return -1;
}

year_month_day add_days(const year_month_day& d, int n) { return year_month_day{sys_days{d} + days{n}}; }

year_month_day resolve_month_day(const year_month_day& today, unsigned m, unsigned d) {
  year_month_day candidate{today.year(), month{m}, day{d}};
  if (candidate.ok() && sys_days{candidate} < sys_days{today})
    candidate = year_month_day{today.year() + years{1}, month{m}, day{d}};
  return candidate;
}

} // namespace

void roll_past_weekday(time_mention& m, std::chrono::minutes now) {
  if (!m.weekday_today || !m.day)
    return;
  bool past = m.time ? *m.time <= now
                     : (m.part_of_day == "morning" && now >= std::chrono::hours{12}) ||
                           (m.part_of_day == "afternoon" && now >= std::chrono::hours{17});
  if (past) {
    m.day = date::year_month_day{date::sys_days{*m.day} + date::days{7}};
    m.weekday_today = false;
  }
}

std::string iso_day(const year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

std::string hhmm(minutes m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", int(m.count() / 60), int(m.count() % 60));
  return buf;
}

namespace {

// Words after a bare hour that show it is a count or a misheard "to"/"for", not a time:
// "two kids", "four a cleaning", "two book".
const std::array<std::string_view, 35> not_after_hour = {
    "kids", "children", "people", "of", "year", "years", "old", "months", "weeks", "days",
    "day", "week", "times", "teeth", "appointments", "cleanings", "a", "an", "the", "my", "our",
    "next", "this", "book", "get", "come", "see", "me", "us", "you", "more", "minutes", "hours",
    "dollars", "patients"};

// Words just before a bare hour that make it a time: "at two", "like four", "make it three".
const std::array<std::string_view, 14> hour_cues = {
    "at", "around", "about", "by", "after", "like", "say", "do", "meant", "it", "that", "from",
    "maybe", "ish"};

// After a day or time, words that carry on a date: "the twelfth at four", "the second".
const std::array<std::string_view, 24> after_ordinal_day = {
    "of", "at", "in", "on", "for", "please", "around", "about", "then", "or", "and", "would",
    "works", "is", "if", "instead", "maybe", "not", "sometime", "anytime", "any", "morning",
    "afternoon", "evening"};

bool among(const auto& list, std::string_view w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

struct candidate {
  std::size_t at = 0;
  int strength = 0; // how explicitly it was said
  bool negated = false;  // "not thursday", "instead of ten"
  bool fallback = false; // "if that's not free, then tuesday"
};

struct day_candidate : candidate {
  year_month_day day;
  bool weekday = false;
  bool dated = false; // a date of the month: "the twelfth", "march tenth", "3/10"
  bool weekday_today = false;
  bool weak = false; // "this afternoon" says today only when no other day is said
};

struct time_candidate : candidate {
  int hour = 0, minute = 0;
  std::string ampm;
};

} // namespace

std::optional<time_mention> parse_time_expression(std::string_view text, year_month_day today) {
  auto t = tokens(text);
  // "tomorrow's" → "tomorrow", "tuesdays" → "tuesday"
  for (auto& w : t) {
    if (w.size() > 2 && w.compare(w.size() - 2, 2, "'s") == 0)
      w.resize(w.size() - 2);
    if (w.size() > 7 && w.back() == 's' && index_of(weekday_words, w.substr(0, w.size() - 1)) >= 0)
      w.pop_back();
  }
  weekday today_wd{sys_days{today}};
  auto word = [&](std::size_t i) -> std::string_view {
    return i < t.size() ? std::string_view(t[i]) : std::string_view();
  };
  auto before = [&](std::size_t i, std::size_t back) -> std::string_view {
    return i >= back ? std::string_view(t[i - back]) : std::string_view();
  };
  // Said against: "not X", "not at X", "instead of X", "rather than X".
  auto negated_at = [&](std::size_t i) {
    auto b1 = before(i, 1), b2 = before(i, 2), b3 = before(i, 3);
    bool filler1 = b1 == "the" || b1 == "at" || b1 == "on" || b1 == "this";
    return b1 == "not" || (filler1 && b2 == "not") || (b2 == "instead" && b1 == "of") ||
           (filler1 && b3 == "instead" && b2 == "of") || (b2 == "rather" && b1 == "than") ||
           (filler1 && b3 == "rather" && b2 == "than");
  };
  // A second choice: "if that's not free then tuesday", "otherwise friday".
  auto fallback_at = [&](std::size_t i) {
    for (std::size_t k = i >= 8 ? i - 8 : 0; k < i; ++k) {
      if (t[k] == "otherwise")
        return true;
      if (t[k] == "if")
        for (std::size_t j = k + 1; j < i; ++j)
          if (t[j] == "not")
            return true;
    }
    return false;
  };
  auto coming_weekday = [&](int wd, bool next_week) {
    int ahead = (wd - int(today_wd.c_encoding()) + 7) % 7;
    if (next_week) {
      // The weekday in next week (weeks start on Monday).
      int today_mon = (int(today_wd.c_encoding()) + 6) % 7; // Monday = 0
      ahead = 7 - today_mon + (wd + 6) % 7;
    }
    return ahead;
  };

  std::vector<day_candidate> days_said;
  std::vector<time_candidate> times_said;
  std::vector<std::pair<std::size_t, std::string>> parts_said;
  std::vector<bool> used(t.size(), false);
  bool saw_time_cue = false;
  auto add_day = [&](std::size_t at, year_month_day d, int strength) -> day_candidate& {
    day_candidate c;
    c.at = at;
    c.strength = strength;
    c.day = d;
    c.negated = negated_at(at);
    c.fallback = fallback_at(at);
    days_said.push_back(c);
    return days_said.back();
  };
  // A day named after "from": "a week from friday", "two weeks from today".
  auto day_from = [&](std::size_t i, std::size_t& len) -> std::optional<year_month_day> {
    len = 1;
    auto w = word(i);
    if (w == "today" || w == "now")
      return today;
    if (w == "tomorrow")
      return add_days(today, 1);
    bool next = w == "next" || w == "this";
    if (next) {
      ++i;
      len = 2;
    }
    if (int wd = index_of(weekday_words, std::string(word(i))); wd >= 0)
      return add_days(today, coming_weekday(wd, w == "next"));
    return std::nullopt;
  };

  // "The fourteenth" with no month: this month's, or next month's once it has passed.
  auto day_of_month = [&](int d) -> std::optional<year_month_day> {
    year_month_day cand{today.year(), today.month(), day{unsigned(d)}};
    if (cand.ok() && sys_days{cand} < sys_days{today}) {
      auto next = year_month{today.year(), today.month()} + date::months{1};
      cand = year_month_day{next.year(), next.month(), day{unsigned(d)}};
    }
    return cand.ok() ? std::optional(cand) : std::nullopt;
  };

  for (std::size_t i = 0; i < t.size(); ++i) {
    if (used[i])
      continue;
    auto& w = t[i];
    // -- days
    if (w == "today" || w == "tonight") {
      add_day(i, today, 3);
      if (w == "tonight")
        parts_said.emplace_back(i, "evening");
    } else if (w == "tomorrow") {
      // "the day after tomorrow", and the same with "the day" heard as something else ("monday
      // at after tomorrow", "today after tomorrow"): a day said just before it was that phrase.
      bool after = i >= 1 && t[i - 1] == "after" && !(i >= 2 && (t[i - 2] == "week" || t[i - 2] == "weeks"));
      if (after)
        std::erase_if(days_said, [&](const day_candidate& c) { return c.at + 4 >= i; });
      add_day(after && i >= 2 && t[i - 2] == "day" ? i - 2 : i, add_days(today, after ? 2 : 1), 3);
    } else if (w == "day" && word(i + 1) == "after" && word(i + 2) != "tomorrow" &&
               !days_said.empty()) {
      // "not tomorrow, the day after": the day after the one just said
      add_day(i, add_days(days_said.back().day, 1), 3);
    } else if (int wd = index_of(weekday_words, w); wd >= 0) {
      // "next friday", "friday next week", "next week on friday", "next week friday",
      // "friday of next week"
      bool next_week = before(i, 1) == "next" ||
                       (word(i + 1) == "next" && word(i + 2) == "week") ||
                       (before(i, 1) == "week" && before(i, 2) == "next") ||
                       ((before(i, 1) == "on" || before(i, 1) == "the") && before(i, 2) == "week" &&
                        before(i, 3) == "next") ||
                       (word(i + 1) == "of" && word(i + 2) == "next" && word(i + 3) == "week");
      int ahead = coming_weekday(wd, next_week);
      auto& c = add_day(i, add_days(today, ahead), 2);
      c.weekday = true;
      c.weekday_today = ahead == 0;
      // "wednesday eleventh", "wednesday's eleventh": the date after its weekday, no "the"
      int d = 0;
      if (int n = ordinal(t, i + 1, d);
          n && d >= 1 && d <= 31 && word(i + 1) != "first" && word(i + 1) != "second")
        if (auto cand = day_of_month(d)) {
          add_day(i + 1, *cand, 3).dated = true;
          for (int k = 1; k <= n; ++k)
            used[i + static_cast<std::size_t>(k)] = true;
        }
    } else if (int m = index_of(month_words, w); m >= 0) {
      int d = 0;
      int n = ordinal(t, i + 1, d);
      if (!n)
        n = cardinal(t, i + 1, d);
      if (n) {
        auto ymd = resolve_month_day(today, unsigned(m + 1), unsigned(d));
        if (ymd.ok()) {
          add_day(i, ymd, 3).dated = true;
          for (int k = 1; k <= n; ++k)
            used[i + static_cast<std::size_t>(k)] = true;
        }
      }
    } else if (w == "week" || w == "weeks") {
      int n = 0;
      if (i >= 1 && (t[i - 1] == "a" || t[i - 1] == "one"))
        n = 1;
      else if (i == 0 || !cardinal(t, i - 1, n) || n < 1 || n > 8)
        n = w == "week" && word(i + 1) == "from" ? 1 : 0; // "week from friday": its "a" unheard
      else if (w == "week")
        n = 1; // "seven week from friday": a number before a single week is a misheard "a"
      std::size_t len = 0;
      if (n > 0 && word(i + 1) == "from") {
        if (auto base = day_from(i + 2, len)) {
          add_day(i >= 1 ? i - 1 : i, add_days(*base, 7 * n), 3);
          for (std::size_t k = 0; k < len; ++k)
            used[i + 2 + k] = true;
        }
      } else if (n > 0 && (before(i, 2) == "in" || before(i, 2) == "about" ||
                           word(i + 1) == "out")) {
        add_day(i >= 1 ? i - 1 : i, add_days(today, 7 * n), 3);
      }
    } else if (w == "in" && i + 2 < t.size() && (t[i + 2] == "days" || t[i + 2] == "day")) {
      int n = 0;
      if (cardinal(t, i + 1, n) == 1 || (t[i + 1] == "a" && (n = 1)))
        add_day(i, add_days(today, n), 3);
    } else if (w == "the" && i + 1 < t.size()) {
      int d = 0;
      int n = ordinal(t, i + 1, d);
      std::size_t j = i + 1 + static_cast<std::size_t>(n);
      // "the tenth of march", "the fourteenth", "the 12th at two"; not "the first one",
      // "the second time you said", "the first thing you have".
      bool ends_day = j >= t.size() || among(after_ordinal_day, t[j]) ||
                      index_of(weekday_words, t[j]) >= 0 || !std::isalpha(static_cast<unsigned char>(t[j][0]));
      if (n && d >= 1 && d <= 31 && ends_day && !(i >= 1 && t[i - 1] == "day")) {
        if (j + 1 < t.size() && t[j] == "of" && index_of(month_words, t[j + 1]) >= 0) {
          auto ymd = resolve_month_day(today, unsigned(index_of(month_words, t[j + 1]) + 1),
                                       unsigned(d));
          if (ymd.ok())
            add_day(i + 1, ymd, 3).dated = true;
          used[j + 1] = true;
        } else if (auto cand = day_of_month(d)) {
          add_day(i + 1, *cand, 3).dated = true;
        }
      }
    } else if (w.find('/') != std::string::npos) {
      unsigned m = 0, d = 0;
      if (std::sscanf(w.c_str(), "%u/%u", &m, &d) == 2 && m >= 1 && m <= 12) {
        auto ymd = resolve_month_day(today, m, d);
        if (ymd.ok())
          add_day(i, ymd, 3).dated = true;
      }
    }
    // -- parts of day ("good afternoon" greets; "this afternoon" is today's)
    // "morning, i was calling about..." opens with a greeting too
    static const std::array<std::string_view, 12> after_greeting = {
        "i", "i'm", "im", "hi", "hello", "this", "my", "we", "it's", "its", "there", "yes"};
    bool greets = before(i, 1) == "good" ||
                  (i == 0 && std::find(after_greeting.begin(), after_greeting.end(), word(1)) !=
                                 after_greeting.end());
    if ((w == "morning" || w == "afternoon" || w == "evening") && !greets) {
      parts_said.emplace_back(i, w);
      if (before(i, 1) == "this") {
        auto& c = add_day(i, today, 1);
        c.weak = true;
      }
    }
    if (w == "lunch" && before(i, 1) == "after")
      parts_said.emplace_back(i, "afternoon");
    if (w == "thing" && before(i, 1) == "first" && word(i + 1) != "you")
      parts_said.emplace_back(i, "morning");
    // -- times
    if (w == "noon" || w == "midday") {
      if (before(i, 1) == "before") {
        parts_said.emplace_back(i, "morning");
      } else {
        time_candidate c;
        c.at = i;
        c.strength = 4;
        c.hour = 12;
        c.negated = negated_at(i);
        c.fallback = fallback_at(i);
        times_said.push_back(c);
      }
    }
    if (w == "at" || w == "around" || w == "by" || w == "about")
      saw_time_cue = true;
  }

  // Times: every reading of hour [minutes] [am/pm], "half past", "ten to eleven"...
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (used[i])
      continue;
    time_candidate c;
    c.at = i;
    int h = -1, m = 0;
    std::size_t n = 0; // words used
    int minutes_word = 0;
    int k = 0;
    if ((t[i] == "half" || t[i] == "quarter") && i + 2 < t.size() &&
        (t[i + 1] == "past" || t[i + 1] == "after" || t[i + 1] == "to" || t[i + 1] == "till" ||
         t[i + 1] == "before" || t[i + 1] == "of")) {
      int hh = 0;
      if (cardinal(t, i + 2, hh)) {
        bool to = t[i + 1] == "to" || t[i + 1] == "till" || t[i + 1] == "before" ||
                  t[i + 1] == "of";
        int mins = t[i] == "half" ? 30 : 15;
        h = to ? hh - 1 : hh;
        m = to ? 60 - mins : mins;
        n = 3;
        c.strength = 4;
      }
    } else if (t[i] == "half" && i + 1 < t.size() && cardinal(t, i + 1, k) && k >= 1 && k <= 12 &&
               !(i + 2 < t.size() && among(not_after_hour, t[i + 2]))) {
      h = k; // "half nine": half past nine
      m = 30;
      n = 2;
      c.strength = 3;
    } else if (t[i].find(':') != std::string::npos) {
      int hh = 0, mm = 0;
      if (std::sscanf(t[i].c_str(), "%d:%d", &hh, &mm) == 2) {
        h = hh;
        m = mm;
        n = 1;
        c.strength = 5;
      }
    } else if (int used_words = cardinal(t, i, minutes_word);
               used_words > 0 && minutes_word >= 1 && minutes_word <= 29 &&
               i + static_cast<std::size_t>(used_words) + 1 < t.size() &&
               among(std::array<std::string_view, 5>{"past", "after", "to", "till", "before"},
                     t[i + static_cast<std::size_t>(used_words)]) &&
               cardinal(t, i + static_cast<std::size_t>(used_words) + 1, k) && k >= 1 &&
               k <= 12) {
      // "twenty past nine", "ten to eleven", "ten after nine"
      auto rel = t[i + static_cast<std::size_t>(used_words)];
      bool to = rel == "to" || rel == "till" || rel == "before";
      h = to ? k - 1 : k;
      m = to ? 60 - minutes_word : minutes_word;
      n = static_cast<std::size_t>(used_words) + 2;
      c.strength = 4;
    } else {
      int hh = 0;
      if (int used_words = cardinal(t, i, hh); used_words > 0 && hh >= 0 && hh <= 23) {
        bool after_month = i >= 1 && index_of(month_words, t[i - 1]) >= 0;
        if (!after_month) {
          h = hh;
          n = static_cast<std::size_t>(used_words);
          int mm = 0;
          if (word(i + n) == "oh") {
            if (cardinal(t, i + n + 1, mm) && mm < 10) {
              m = mm;
              n += 2;
            }
          } else if (int km = cardinal(t, i + n, mm); km > 0 && mm >= 10 && mm < 60) {
            // "at four forty whitening": "for a" heard as "forty" before what the visit is for
            static const std::array<std::string_view, 9> visits = {
                "cleaning", "whitening", "checkup", "check", "filling", "appointment", "exam",
                "visit", "consultation"};
            bool for_a = km == 1 && mm == 40 && among(visits, word(i + n + 1));
            if (!for_a) {
              m = mm;
              n += static_cast<std::size_t>(km);
            }
          }
          c.strength = n > static_cast<std::size_t>(used_words) ? 3 : 1;
          if (c.strength == 1 && hh == 0)
            h = -1;
        }
      }
    }
    if (h < 0 || n == 0)
      continue;
    std::size_t j = i + n;
    if (j < t.size() && (t[j] == "am" || t[j] == "pm")) {
      c.ampm = t[j];
      c.strength = 5;
    } else if (j < t.size() && (t[j] == "o'clock" || t[j] == "oclock")) {
      c.strength = std::max(c.strength, 4);
    }
    if (c.strength <= 1) {
      // A bare hour: a time only when something says so, and never a count or a misheard
      // "to"/"for".
      if (h > 12 || (j < t.size() && among(not_after_hour, t[j])))
        continue;
      // "the first one", "that one", "number two", "option three": not times
      if (i >= 1 && (t[i - 1] == "number" || t[i - 1] == "option" ||
                     (t[i] == "one" && !among(std::array<std::string_view, 9>{"at", "around", "about", "by",
                                                                             "after", "like", "say",
                                                                             "meant", "do"},
                                                 t[i - 1]))))
        continue;
      if (i >= 1 && among(hour_cues, t[i - 1]))
        c.strength = 2;
      else if (j < t.size() && t[j] == "ish")
        c.strength = 2;
      else if (j + 2 < t.size() && t[j] == "in" && t[j + 1] == "the" &&
               (t[j + 2] == "morning" || t[j + 2] == "afternoon" || t[j + 2] == "evening"))
        c.strength = 2; // "two in the afternoon"
      else if (i >= 1 && t[i - 1] == "a" && j < t.size() &&
               (t[j] == "on" || t[j] == "tomorrow" || t[j] == "today" ||
                index_of(weekday_words, t[j]) >= 0))
        c.strength = 2; // "come in a three on monday": "at" heard as "a", a day after it
      else if (i >= 1 && t[i - 1] == "in")
        continue; // "in two", "in four days"
      else if (!(saw_time_cue || t.size() <= 3))
        continue;
    }
    c.hour = h;
    c.minute = m;
    c.negated = negated_at(i);
    c.fallback = fallback_at(i);
    if (h > 23 || m < 0 || m > 59) // also catches "quarter to zero" and overflows
      continue;
    times_said.push_back(c);
    i += n - 1;
  }

  time_mention out;
  // The day: the last one said that was not taken back; a weekday next to a date ("thursday
  // the twelfth") gives way to the date.
  auto usable = [](const candidate& c) { return !c.negated && !c.fallback; };
  // A weekday beside a date that falls on another weekday ("monday the fifth", the fifth a
  // Thursday): one of them was misheard, and a short ordinal more often than a weekday; the
  // weekday stands, and the read-back lets the caller put it right.
  auto beside = [](const day_candidate& a, const day_candidate& b) {
    return a.at + 3 >= b.at && a.at <= b.at + 3;
  };
  std::vector<bool> overruled(days_said.size(), false);
  for (auto& c : days_said)
    if (c.weekday)
      for (std::size_t k = 0; k < days_said.size(); ++k)
        if (days_said[k].dated && beside(days_said[k], c) &&
            weekday{sys_days{days_said[k].day}} != weekday{sys_days{c.day}})
          overruled[k] = true;
  const day_candidate* best_day = nullptr;
  for (auto pass : {0, 1, 2}) {
    for (std::size_t k = 0; k < days_said.size(); ++k) {
      auto& c = days_said[k];
      bool ok = pass == 0 ? usable(c) && !c.weak : pass == 1 ? !c.negated && !c.weak : !c.negated;
      if (!ok || overruled[k])
        continue;
      if (c.weekday) {
        bool beside_date = false;
        for (std::size_t o = 0; o < days_said.size(); ++o)
          if (days_said[o].dated && !overruled[o] && beside(days_said[o], c))
            beside_date = true;
        if (beside_date)
          continue;
      }
      if (!best_day || c.at >= best_day->at)
        best_day = &c;
    }
    if (best_day)
      break;
  }
  if (best_day) {
    out.day = best_day->day;
    out.weekday_today = best_day->weekday_today;
  }
  for (auto& [at, part] : parts_said)
    if (!negated_at(at))
      out.part_of_day = part;
  // The time: the most explicit one; among equals the last said.
  const time_candidate* best_time = nullptr;
  for (auto pass : {0, 1}) {
    for (auto& c : times_said) {
      if (pass == 0 ? !usable(c) : c.negated)
        continue;
      if (!best_time || c.strength > best_time->strength ||
          (c.strength == best_time->strength && c.at >= best_time->at))
        best_time = &c;
    }
    if (best_time)
      break;
  }
  if (best_time) {
    int h = best_time->hour;
    auto& ampm = best_time->ampm;
    if (ampm == "pm" && h < 12)
      h += 12;
    else if (ampm == "am" && h == 12)
      h = 0;
    else if (ampm.empty() && h <= 12) {
      if (out.part_of_day == "afternoon" || out.part_of_day == "evening")
        h = h < 12 ? h + 12 : h;
      else if (out.part_of_day == "morning")
        ;
      else if (h >= 1 && h <= 6)
        h += 12; // business hours: "at three" is the afternoon
    }
    if (h <= 23)
      out.time = minutes{h * 60 + best_time->minute};
  }
  if (!out.day && !out.time && out.part_of_day.empty())
    return std::nullopt;
  // "Wednesday, March eleventh": the date said decides, not the weekday.
  if (out.weekday_today && out.day != today)
    out.weekday_today = false;
  return out;
}

} // namespace frontdesk::booking
