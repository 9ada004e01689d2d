#include "protocols/sms/sms_text.hpp"

#include <date/tz.h>

namespace frontdesk::sms {
namespace {

// GSM 03.38 basic alphabet as Unicode code points (one septet each).
constexpr char32_t gsm_basic[] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', U'Æ', U'æ', U'ß', U'É',
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    U':', U';', U'<', U'=', U'>', U'?', U'¡', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'ä', U'ö', U'ñ',
    U'ü', U'à'};
// The extension table: escape + one septet.
constexpr char32_t gsm_extension[] = {U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€', U'\f'};

bool in(const char32_t* b, const char32_t* e, char32_t c) {
  for (; b != e; ++b)
    if (*b == c)
      return true;
  return false;
}

// Septets for a code point in GSM-7, or 0 when it has none.
int gsm_septets(char32_t c) {
  if ((c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9'))
    return 1;
  if (in(std::begin(gsm_basic), std::end(gsm_basic), c))
    return 1;
  if (in(std::begin(gsm_extension), std::end(gsm_extension), c))
    return 2;
  return 0;
}

// Decodes one UTF-8 sequence at `i`; a malformed byte comes back as U+FFFD, length 1.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    auto x = static_cast<unsigned char>(s[i + k]);
    if ((x >> 6) != 0x2) {
      ++i;
      return 0xFFFD;
    }
    c = (c << 6) | (x & 0x3F);
  }
  i += len;
  return c;
}

} // namespace

segment_info count_segments(std::string_view utf8) {
  int septets = 0, units = 0;
  bool gsm = true;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t c = next_code_point(utf8, i);
    int s = gsm_septets(c);
    if (s == 0)
      gsm = false;
    septets += s;
    units += c > 0xFFFF ? 2 : 1; // a code point beyond the BMP takes a surrogate pair
  }
  segment_info out;
  if (gsm) {
    out.encoding = encoding::gsm7;
    out.units = septets;
    out.segments = septets == 0 ? 1 : septets <= 160 ? 1 : (septets + 152) / 153;
  } else {
    out.encoding = encoding::ucs2;
    out.units = units;
    out.segments = units <= 70 ? 1 : (units + 66) / 67;
  }
  return out;
}

const char* to_string(encoding e) { return e == encoding::gsm7 ? "GSM-7" : "UCS-2"; }

std::optional<std::string> local_when(const std::string& zone, sys_time at) {
  const date::time_zone* z = nullptr;
  try {
    z = date::locate_zone(zone);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  auto local = z->to_local(std::chrono::floor<std::chrono::minutes>(at));
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<std::chrono::minutes> hms{std::chrono::floor<std::chrono::minutes>(local - day)};
  static const char* weekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};
  static const char* months[] = {"January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December"};
  int h = static_cast<int>(hms.hours().count()), m = static_cast<int>(hms.minutes().count());
  char clock[16];
  std::snprintf(clock, sizeof clock, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
  return std::string(weekdays[date::weekday{day}.c_encoding()]) + ", " +
         months[static_cast<unsigned>(ymd.month()) - 1] + " " +
         std::to_string(static_cast<unsigned>(ymd.day())) + " at " + clock;
}

std::optional<std::string> render_notice(notice kind, const business_card& biz, sys_time start) {
  auto when = local_when(biz.zone, start);
  if (!when)
    return std::nullopt;
  std::string where = biz.address.empty() ? "" : " " + biz.address + ".";
  const std::string replies = " Reply C to cancel or R to reschedule.";
  switch (kind) {
  case notice::booked:
    return biz.name + ": you're booked for " + *when + "." + where + replies;
  case notice::moved:
    return biz.name + ": your appointment is moved to " + *when + "." + where + replies;
  case notice::reminder:
    return "Reminder from " + biz.name + ": your appointment is " + *when + "." + where + replies;
  case notice::cancelled:
    return biz.name + ": your appointment on " + *when + " is cancelled." +
           (biz.phone.empty() ? "" : " To book again, call " + biz.phone + ".");
  }
  return std::nullopt;
}

} // namespace frontdesk::sms
