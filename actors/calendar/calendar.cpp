#include "actors/calendar/calendar.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "protocols/core/concepts.hpp"

namespace frontdesk::booking {
namespace {

using namespace date;

std::string hour_text(minutes m) {
  int h = int(m.count() / 60), mm = int(m.count() % 60);
  char buf[16];
  if (mm)
    std::snprintf(buf, sizeof buf, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, mm, h < 12 ? "AM" : "PM");
  else
    std::snprintf(buf, sizeof buf, "%d %s", h % 12 == 0 ? 12 : h % 12, h < 12 ? "AM" : "PM");
  return buf;
}

minutes parse_hhmm(const std::string& s) {
  return minutes{std::stoi(s.substr(0, 2)) * 60 + std::stoi(s.substr(3, 2))};
}

// "2026-03-05T14:00" (local) → local time.
std::optional<local_time> parse_local(const std::string& s) {
  auto t = parse_rfc3339(s.size() == 16 ? s + ":00Z" : s + "Z");
  if (!t)
    return std::nullopt;
  return local_time{std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch()};
}

std::string local_iso(local_time t) { return format("%FT%H:%M", t); }

sys_time to_sys(utc_time t) { return sys_time{t.time_since_epoch()}; }
utc_time to_utc(sys_time t) { return std::chrono::floor<std::chrono::seconds>(t); }

dialog::tool_result with_options(dialog::tool_result r, const std::vector<slot>& slots) {
  for (auto& s : slots) {
    r.options.push_back(speak(s.local_start));
    r.option_values.push_back(local_iso(s.local_start));
  }
  return r;
}

} // namespace

std::string describe_hours(const std::array<day_hours, 7>& weekly) {
  static const char* names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  auto text_of = [&](const day_hours& h) {
    std::string s;
    for (auto& [o, c] : h)
      s += (s.empty() ? "" : " and ") + hour_text(o) + " to " + hour_text(c);
    return s;
  };
  std::string out;
  for (std::size_t d = 0; d < 7;) {
    if (weekly[d].empty()) {
      ++d;
      continue;
    }
    std::size_t e = d;
    while (e + 1 < 7 && weekly[e + 1] == weekly[d])
      ++e;
    out += (out.empty() ? "" : "; ") + std::string(names[d]) +
           (e > d ? std::string(" to ") + names[e] : "") + ", " + text_of(weekly[d]);
    d = e + 1;
  }
  return out.empty() ? "by appointment only" : out;
}

expected<business_profile> calendar_service::profile(const std::string& business_id) {
  try {
    return db_.as_business(business_id, [&](pqxx::work& tx) {
      business_profile p;
      auto b = tx.exec_params1(
          "SELECT id, name, greeting, timezone, address, coalesce(transfer_number, ''), "
          "appointment_minutes, buffer_minutes, min_notice_minutes, days_ahead "
          "FROM businesses WHERE id = $1",
          business_id);
      p.id = b[0].as<std::string>();
      p.name = b[1].as<std::string>();
      p.greeting = b[2].as<std::string>();
      p.timezone = b[3].as<std::string>();
      p.address = b[4].as<std::string>();
      p.transfer_number = b[5].as<std::string>();
      p.booking.zone = p.timezone;
      p.booking.length = minutes{b[6].as<int>()};
      p.booking.buffer = minutes{b[7].as<int>()};
      p.booking.min_notice = minutes{b[8].as<int>()};
      p.booking.days_ahead = b[9].as<int>();
      for (auto r : tx.exec("SELECT weekday, to_char(opens, 'HH24:MI'), to_char(closes, 'HH24:MI') "
                            "FROM business_hours ORDER BY weekday, opens"))
        p.booking.weekly[static_cast<std::size_t>(r[0].as<int>())].push_back(
            {parse_hhmm(r[1].as<std::string>()), parse_hhmm(r[2].as<std::string>())});
      for (auto r : tx.exec("SELECT to_char(day, 'YYYY-MM-DD'), to_char(opens, 'HH24:MI'), "
                            "to_char(closes, 'HH24:MI') FROM business_hour_overrides ORDER BY day")) {
        auto d = parse_local(r[0].as<std::string>() + "T00:00");
        if (!d)
          continue;
        auto& day = p.booking.overrides[floor<days>(*d)];
        if (!r[1].is_null())
          day.push_back({parse_hhmm(r[1].as<std::string>()), parse_hhmm(r[2].as<std::string>())});
      }
      for (auto r : tx.exec("SELECT body FROM knowledge WHERE title = 'service' ORDER BY created_at")) {
        auto body = r[0].as<std::string>(); // "We offer cleaning."
        auto s = body.substr(body.rfind("offer ") == std::string::npos ? 0 : body.rfind("offer ") + 6);
        if (!s.empty() && s.back() == '.')
          s.pop_back();
        p.services.push_back(s);
      }
      for (auto r : tx.exec("SELECT name, minutes FROM services ORDER BY created_at, name")) {
        auto name = r[0].as<std::string>();
        if (std::find(p.services.begin(), p.services.end(), name) == p.services.end())
          p.services.push_back(name);
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        p.service_minutes[name] = minutes{r[1].as<int>()};
      }
      for (auto r : tx.exec("SELECT body FROM knowledge WHERE title IS DISTINCT FROM 'service' "
                            "ORDER BY created_at"))
        p.knowledge.push_back(r[0].as<std::string>());
      p.hours_text = describe_hours(p.booking.weekly);
      return p;
    });
  } catch (const std::exception& e) {
    return fail("database_error", std::string("business profile: ") + e.what());
  }
}

rules with_length(const rules& business, minutes length) {
  auto r = business;
  if (length <= minutes{0} || length == business.length)
    return r;
  r.length = length;
  if (r.step == minutes{0})
    r.step = business.length; // the business's grid stays: a longer service starts on it
  return r;
}

rules rules_for(const business_profile& biz, const std::string& service) {
  std::string key = service;
  for (auto& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto it = biz.service_minutes.find(key); it != biz.service_minutes.end())
    return with_length(biz.booking, it->second);
  return biz.booking;
}

dialog::tool_result calendar_service::run(const business_profile& profile, const std::string& call_id,
                                          const dialog::tool_call& tool, sys_time now_us) {
  dialog::tool_result res{tool.name, false, {}, {}, {}};
  auto arg = [&](const char* k) {
    auto it = tool.args.find(k);
    return it == tool.args.end() ? std::string() : it->second;
  };
  store::appointments_repo appts(db_);
  // A tool that names a service with a length of its own books and checks with that length;
  // one that moves an appointment (and names no service) keeps the appointment's own length.
  auto r = rules_for(profile, arg("service"));
  auto moving = tool.name == "reschedule" ? arg("appointment_id") : arg("ignore_appointment");
  if (arg("service").empty() && !moving.empty()) {
    if (auto a = appts.get(profile.id, moving); a && *a) {
      auto length = std::chrono::duration_cast<minutes>((*a)->during.end - (*a)->during.start);
      r = with_length(profile.booking, length);
    }
  }
  std::optional<business_profile> own;
  if (r.length != profile.booking.length || r.step != profile.booking.step) {
    own = profile;
    own->booking = std::move(r);
  }
  const business_profile& biz = own ? *own : profile;
  auto now = to_utc(now_us);
  auto busy_near = [&](local_days day, const std::string& ignore) -> std::vector<busy_interval> {
    auto from = to_sys(utc_time{(day - days{8}).time_since_epoch()} - std::chrono::hours{24});
    auto to = to_sys(utc_time{(day + days{9}).time_since_epoch()} + std::chrono::hours{24});
    std::vector<busy_interval> out;
    if (auto b = appts.busy(biz.id, {from, to}, now_us, ignore, call_id))
      for (auto& i : *b)
        out.push_back({to_utc(i.start), to_utc(i.end)});
    return out;
  };
  // Holds a bookable start, or explains why not with alternatives.
  // The owner's calendar asked live around a day: its busy time joins ours; when it cannot
  // answer and the mirror is stale, nothing there can be vouched for (fail closed).
  auto ask_live = [&](local_days day, std::vector<busy_interval>& busy, const std::string& moving) {
    if (!live_)
      return true;
    auto from = to_sys(utc_time{(day - days{8}).time_since_epoch()});
    auto to = to_sys(utc_time{(day + days{9}).time_since_epoch()});
    auto a = live_(biz.id, from, to, moving);
    if (a.what == live_answer::kind::unverifiable)
      return false;
    busy.insert(busy.end(), a.busy.begin(), a.busy.end());
    return true;
  };
  auto hold = [&](local_time start, const std::string& ignore) {
    auto day = floor<days>(start);
    auto busy = busy_near(day, ignore);
    if (!ask_live(day, busy, ignore)) {
      res.values["reason"] = "taken";
      res.values["calendar"] = "unverifiable";
      return res;
    }
    auto c = check(biz.booking, busy, now, start);
    if (!c) {
      res.values["reason"] = "error";
      return res;
    }
    if (c->why == refusal::none) {
      auto h = appts.hold(biz.id, {to_sys(c->requested.start), to_sys(c->requested.end)}, call_id,
                          now_us + std::chrono::minutes(5), now_us);
      if (h) {
        res.ok = true;
        res.values["start"] = local_iso(start);
        res.values["when_text"] = speak(start);
        res.values["hold_id"] = *h;
        return res;
      }
      // Lost a race between the check and the hold: the slot is taken now.
      auto again = busy_near(day, ignore);
      ask_live(day, again, ignore);
      c = check(biz.booking, again, now, start);
      res.values["reason"] = "taken";
      return with_options(res, c ? c->alternatives : std::vector<slot>{});
    }
    res.values["reason"] = to_string(c->why);
    return with_options(res, c->alternatives);
  };

  if (tool.name == "check_slot" || tool.name == "hold_slot") {
    std::string date_s = arg("date"), time_s = arg("time");
    if (tool.name == "hold_slot") {
      auto s = arg("start");
      date_s = s.substr(0, 10);
      time_s = s.size() >= 16 ? s.substr(11, 5) : "";
    }
    auto today = to_local(biz.timezone, now);
    if (!today)
      return res;
    if (date_s.empty() && time_s.empty()) {
      // No day and no time ("what's your next available?"): the earliest open slots.
      auto first = floor<days>(*today);
      auto from = to_sys(utc_time{(first - days{1}).time_since_epoch()});
      auto to = to_sys(utc_time{(first + days{biz.booking.days_ahead + 2}).time_since_epoch()});
      std::vector<busy_interval> busy;
      if (auto b = appts.busy(biz.id, {from, to}, now_us, arg("ignore_appointment")))
        for (auto& i : *b)
          busy.push_back({to_utc(i.start), to_utc(i.end)});
      auto opts = earliest_options(biz.booking, busy, now, arg("part_of_day"));
      res.values["reason"] = "earliest";
      return with_options(res, opts ? *opts : std::vector<slot>{});
    }
    if (date_s.empty() && !time_s.empty()) {
      // A time alone: today's while it can still be booked, else the next day that has it.
      auto at = parse_local("2000-01-01T" + time_s);
      auto day = at ? day_of_time_alone(biz.booking, now, floor<minutes>(*at - local_days{2000_y / 1 / 1}))
                    : expected<local_days>(floor<days>(*today));
      date_s = format("%F", day ? *day : floor<days>(*today));
    }
    if (date_s.empty())
      date_s = format("%F", floor<days>(*today));
    if (time_s.empty()) {
      auto day = parse_local(date_s + "T00:00");
      if (!day)
        return res;
      auto opts = day_options(biz.booking, busy_near(floor<days>(*day), arg("ignore_appointment")),
                              now, floor<days>(*day), arg("part_of_day"));
      res.values["reason"] = "need_time";
      if (opts && opts->empty()) {
        auto c = check(biz.booking, busy_near(floor<days>(*day), ""), now, *day + std::chrono::hours{12});
        // Nothing left today is not a closed day.
        res.values["reason"] = floor<days>(*day) == floor<days>(*today) ? "none_left_today" : "closed";
        return with_options(res, c ? c->alternatives : std::vector<slot>{});
      }
      return with_options(res, opts ? *opts : std::vector<slot>{});
    }
    auto start = parse_local(date_s + "T" + time_s);
    if (!start)
      return res;
    return hold(*start, arg("ignore_appointment"));
  }
  if (tool.name == "release_slot") {
    // A call holds one slot at a time: releasing it drops the call's hold, whatever its start.
    auto n = appts.release_call_holds(biz.id, call_id);
    res.ok = bool(n);
    return res;
  }
  if (tool.name == "book") {
    auto start = parse_local(arg("start"));
    if (!start)
      return res;
    auto day = floor<days>(*start);
    auto c = check(biz.booking, {}, now, *start);
    if (!c)
      return res;
    store::booking_request req{{to_sys(c->requested.start), to_sys(c->requested.end)},
                               arg("name"), arg("phone"), arg("service"), arg("notes"), call_id,
                               // A booking without a call (the dashboard's) brings its own key.
                               arg("idempotency_key").empty() ? call_id + ":" + arg("start")
                                                              : arg("idempotency_key"),
                               true};
    // The call's own hold on that start becomes the booking.
    std::string hold_id;
    try {
      hold_id = db_.as_business(biz.id, [&](pqxx::work& tx) {
        auto r = tx.exec_params("SELECT id FROM appointments WHERE status = 'held' AND call_id = $1 "
                                "AND lower(during) = $2::timestamptz",
                                call_id, format_rfc3339(to_sys(c->requested.start)));
        return r.empty() ? std::string() : r[0][0].as<std::string>();
      });
    } catch (const std::exception&) {
    }
    if (hold_id.empty() && live_) {
      // No hold of this caller's (the dashboard books directly): the live check happens here.
      auto busy = busy_near(day, "");
      auto fine = ask_live(day, busy, "");
      auto c2 = check(biz.booking, busy, now, *start);
      if (!fine || !c2 || c2->why != refusal::none) {
        res.values["reason"] = "taken";
        if (!fine)
          res.values["calendar"] = "unverifiable";
        return with_options(res, fine && c2 ? c2->alternatives : std::vector<slot>{});
      }
    }
    auto a = appts.book(biz.id, req, hold_id, now_us);
    if (a) {
      res.ok = true;
      res.values["appointment_id"] = a->id;
      res.values["when_text"] = speak(*start);
      if (a->confirmation_queued)
        res.values["text_confirmation"] = "queued";
      return res;
    }
    auto again = check(biz.booking, busy_near(day, ""), now, *start);
    res.values["reason"] = "taken";
    return with_options(res, again ? again->alternatives : std::vector<slot>{});
  }
  if (tool.name == "find_appointment") {
    auto found = appts.find_upcoming(biz.id, arg("phone"), arg("name"), now_us);
    if (!found)
      return res;
    for (auto& a : *found) {
      auto l = to_local(biz.timezone, to_utc(a.during.start));
      if (!l)
        continue;
      res.options.push_back(speak(*l));
      res.option_values.push_back(a.id);
    }
    res.ok = !res.options.empty();
    return res;
  }
  if (tool.name == "cancel") {
    auto done = appts.cancel(biz.id, arg("appointment_id"), now_us);
    res.ok = done && *done;
    return res;
  }
  if (tool.name == "reschedule") {
    auto start = parse_local(arg("start"));
    if (!start)
      return res;
    auto c = check(biz.booking, {}, now, *start);
    if (!c)
      return res;
    // Our own hold on the new time would block the move: drop it first.
    if (!call_id.empty())
      (void)appts.release_call_holds(biz.id, call_id);
    auto moved = appts.reschedule(biz.id, arg("appointment_id"),
                                  {to_sys(c->requested.start), to_sys(c->requested.end)}, now_us,
                                  call_id);
    res.ok = bool(moved);
    if (moved)
      res.values["appointment_id"] = moved->id;
    else
      res.values["reason"] = "taken";
    return res;
  }
  if (tool.name == "lookup_knowledge") {
    store::knowledge_repo k(db_);
    auto found = k.search(biz.id, question_concepts(arg("question")));
    if (found && !found->empty()) {
      res.ok = true;
      res.values["answer"] = (*found)[0].text; // the rules engine speaks the best passage
      for (std::size_t i = 0; i < found->size() && i < 3; ++i)
        res.options.push_back((*found)[i].text); // a language model gets the top three
    }
    return res;
  }
  if (tool.name == "transfer") {
    res.ok = !biz.transfer_number.empty();
    return res;
  }
  return res;
}

} // namespace frontdesk::booking
