#include "protocols/core/time.hpp"

#include <charconv>
#include <cstdio>

namespace frontdesk {
namespace {

// Reads exactly `n` decimal digits at `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool expect_char(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

} // namespace

expected<sys_time> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  auto bad = [&](const char* why) {
    return fail("bad_time", std::string("not an RFC 3339 instant (") + why + "): '" +
                              std::string(s.substr(0, 64)) + "'");
  };
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_digits(s, pos, 4, y) || !expect_char(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
      !expect_char(s, pos, '-') || !read_digits(s, pos, 2, d))
    return bad("date");
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' '))
    return bad("missing 'T'");
  ++pos;
  if (!read_digits(s, pos, 2, h) || !expect_char(s, pos, ':') || !read_digits(s, pos, 2, mi) ||
      !expect_char(s, pos, ':') || !read_digits(s, pos, 2, sec))
    return bad("time of day");
  microseconds frac{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long us = 0;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) {
        us = us * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (pos == start)
      return bad("empty fraction");
    while (digits < 6) {
      us *= 10;
      ++digits;
    }
    frac = microseconds{us};
  }
  minutes offset{0};
  if (pos >= s.size())
    return bad("missing offset");
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(s, pos, 2, oh) || !expect_char(s, pos, ':') || !read_digits(s, pos, 2, om) ||
        oh > 23 || om > 59)
      return bad("offset");
    offset = minutes{sign * (oh * 60 + om)};
  } else {
    return bad("offset");
  }
  if (pos != s.size())
    return bad("trailing characters");
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return bad("no such date");
  // 60 allows a leap second, which is folded into the next second.
  if (h > 23 || mi > 59 || sec > 60)
    return bad("no such time of day");
  sys_time t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + frac - offset;
  // RFC 3339 has years 0000 to 9999: an offset must not carry the instant past them (it could
  // then not be written back as RFC 3339).
  auto utc_year = int(year_month_day{floor<days>(t)}.year());
  if (utc_year < 0 || utc_year > 9999)
    return bad("outside years 0000 to 9999 in UTC");
  return t;
}

std::string format_rfc3339(sys_time t) {
  using namespace std::chrono;
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  hh_mm_ss tod{floor<milliseconds>(t - day_point)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                int(tod.minutes().count()), int(tod.seconds().count()),
                int(tod.subseconds().count()));
  return buf;
}

} // namespace frontdesk
