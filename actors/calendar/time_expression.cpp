#include "actors/calendar/time_expression.hpp"

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

std::optional<time_mention> parse_time_expression(std::string_view text, year_month_day today) {
  auto t = tokens(text);
  time_mention out;
  weekday today_wd{sys_days{today}};
  bool saw_time_cue = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto& w = t[i];
    // -- days
    if (w == "today" || w == "tonight") {
      out.day = today;
      if (w == "tonight")
        out.part_of_day = "evening";
    } else if (w == "tomorrow") {
      bool after = i >= 2 && t[i - 1] == "after" && t[i - 2] == "day";
      out.day = add_days(today, after ? 2 : 1);
    } else if (int wd = index_of(weekday_words, w); wd >= 0) {
      int ahead = (wd - int(today_wd.c_encoding()) + 7) % 7;
      if (i >= 1 && t[i - 1] == "next") {
        // The weekday in next week (weeks start on Monday).
        int today_mon = (int(today_wd.c_encoding()) + 6) % 7; // Monday = 0
        int target_mon = (wd + 6) % 7;
        int to_next_monday = 7 - today_mon;
        ahead = to_next_monday + target_mon;
      }
      out.day = add_days(today, ahead);
      out.weekday_today = ahead == 0;
    } else if (int m = index_of(month_words, w); m >= 0) {
      int d = 0;
      if (ordinal(t, i + 1, d) || cardinal(t, i + 1, d)) {
        auto ymd = resolve_month_day(today, unsigned(m + 1), unsigned(d));
        if (ymd.ok())
          out.day = ymd;
      }
    } else if (w == "week" && i >= 1 && (t[i - 1] == "a" || t[i - 1] == "one")) {
      // "a week from today", "in a week", "a week from tomorrow"
      bool from_tomorrow = i + 2 < t.size() && t[i + 1] == "from" && t[i + 2] == "tomorrow";
      bool from_today = i + 2 < t.size() && t[i + 1] == "from" && t[i + 2] == "today";
      out.day = add_days(today, from_tomorrow ? 8 : 7);
      if (from_tomorrow || from_today)
        i += 2; // the "today"/"tomorrow" is part of this expression
    } else if (w == "in" && i + 2 < t.size() && (t[i + 2] == "days" || t[i + 2] == "day")) {
      int n = 0;
      if (cardinal(t, i + 1, n) == 1 || (t[i + 1] == "a" && (n = 1)))
        out.day = add_days(today, n);
    } else if (w == "the" && i + 1 < t.size()) {
      int d = 0;
      int used = ordinal(t, i + 1, d);
      if (used && d >= 1 && d <= 31 && !(i + 1 + used < t.size() && (t[i + 1 + used] == "one"))) {
        // "the tenth of march" or "the fourteenth"
        std::size_t j = i + 1 + static_cast<std::size_t>(used);
        if (j + 1 < t.size() && t[j] == "of" && index_of(month_words, t[j + 1]) >= 0) {
          out.day = resolve_month_day(today, unsigned(index_of(month_words, t[j + 1]) + 1), unsigned(d));
        } else if (!(i >= 1 && t[i - 1] == "day")) {
          year_month_day cand{today.year(), today.month(), day{unsigned(d)}};
          if (cand.ok() && sys_days{cand} < sys_days{today}) {
            auto next = year_month{today.year(), today.month()} + date::months{1};
            cand = year_month_day{next.year(), next.month(), day{unsigned(d)}};
          }
          if (cand.ok())
            out.day = cand;
        }
      }
    } else if (w.find('/') != std::string::npos) {
      unsigned m = 0, d = 0;
      if (std::sscanf(w.c_str(), "%u/%u", &m, &d) == 2 && m >= 1 && m <= 12) {
        auto ymd = resolve_month_day(today, m, d);
        if (ymd.ok())
          out.day = ymd;
      }
    }
    // -- parts of day
    if (w == "morning" || w == "afternoon" || w == "evening")
      out.part_of_day = w;
    // -- times
    if (w == "noon" || w == "midday") {
      out.time = minutes{12 * 60};
      saw_time_cue = true;
    }
    if (w == "at" || w == "around" || w == "by" || w == "about")
      saw_time_cue = true;
  }
  // Times: scan for hour [minutes] [am/pm]; "half past", "quarter past/to".
  for (std::size_t i = 0; i < t.size() && !out.time; ++i) {
    int h = -1, m = 0;
    std::size_t used = 0;
    bool quarter_to = false;
    if ((t[i] == "half" || t[i] == "quarter") && i + 2 < t.size() &&
        (t[i + 1] == "past" || t[i + 1] == "to")) {
      int hh = 0;
      if (cardinal(t, i + 2, hh)) {
        h = hh;
        m = t[i] == "half" ? 30 : 15;
        quarter_to = t[i + 1] == "to";
        used = 3;
      }
    } else if (t[i].find(':') != std::string::npos) {
      int hh = 0, mm = 0;
      if (std::sscanf(t[i].c_str(), "%d:%d", &hh, &mm) == 2) {
        h = hh;
        m = mm;
        used = 1;
      }
    } else {
      int hh = 0;
      if (int n = cardinal(t, i, hh); n > 0 && hh >= 1 && hh <= 12) {
        // Not a day of the month, not a count ("in two days").
        bool is_count = i + n < t.size() && (t[i + n] == "days" || t[i + n] == "day" ||
                                             t[i + n] == "weeks" || t[i + n] == "people");
        bool after_month = i >= 1 && index_of(month_words, t[i - 1]) >= 0;
        if (!is_count && !after_month) {
          h = hh;
          used = static_cast<std::size_t>(n);
          int mm = 0;
          if (i + used < t.size() && t[i + used] == "oh") {
            if (cardinal(t, i + used + 1, mm) && mm < 10) {
              m = mm;
              used += 2;
            }
          } else if (int k = cardinal(t, i + used, mm); k > 0 && mm >= 10 && mm < 60) {
            m = mm;
            used += static_cast<std::size_t>(k);
          }
        }
      }
    }
    if (h < 0)
      continue;
    std::string ampm;
    std::size_t j = i + used;
    if (j < t.size() && (t[j] == "am" || t[j] == "pm")) {
      ampm = t[j];
    }
    bool oclock = j < t.size() && (t[j] == "o'clock" || t[j] == "oclock");
    bool cued = saw_time_cue || !ampm.empty() || oclock || used > 1 || t.size() <= 3 ||
                (i >= 1 && (t[i - 1] == "at" || t[i - 1] == "around" || t[i - 1] == "by"));
    if (!cued)
      continue;
    if (quarter_to) {
      h = h - 1;
      m = 45;
    }
    if (h < 0 || h > 23 || m < 0 || m > 59) // also catches "quarter to zero" and overflows
      continue;
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
    out.time = minutes{h * 60 + m};
  }
  if (!out.day && !out.time && out.part_of_day.empty())
    return std::nullopt;
  // "Wednesday, March eleventh": the date said decides, not the weekday.
  if (out.weekday_today && out.day != today)
    out.weekday_today = false;
  return out;
}

} // namespace frontdesk::booking
