#include "actors/calendar/calendar.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>

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

namespace {

// Where the slot tools read busy time and take holds: the database and the linked calendar
// (calendar_service::run), or the calendar actor's view (answer_from_view).
struct slot_source {
  virtual ~slot_source() = default;
  // Busy time in [from, to); `own_call`'s holds left out.
  virtual std::vector<busy_interval> busy(sys_time from, sys_time to, const std::string& ignore,
                                          const std::string& own_call) = 0;
  // The owner's calendar asked live over [from, to): its busy time joins `busy`; false when it
  // cannot answer and the mirror is stale (nothing there can be vouched for).
  virtual bool live(sys_time from, sys_time to, std::vector<busy_interval>& busy,
                    const std::string& moving) = 0;
  virtual std::optional<std::chrono::seconds> length_of(const std::string& appointment_id) = 0;
  // Holds [start, end) for the call: the hold's id, or none when the slot was taken meanwhile.
  virtual std::optional<std::string> hold(sys_time start, sys_time end) = 0;
  bool deferred = false; // this source cannot answer the tool: the answer is not to be used
};

// The busy time around a day that a check of it needs (the day's and a week either side, for
// the alternatives), the call's own hold left out.
std::vector<busy_interval> busy_near(slot_source& src, local_days day, const std::string& ignore,
                                     const std::string& call_id) {
  auto from = to_sys(utc_time{(day - days{8}).time_since_epoch()} - std::chrono::hours{24});
  auto to = to_sys(utc_time{(day + days{9}).time_since_epoch()} + std::chrono::hours{24});
  return src.busy(from, to, ignore, call_id);
}

// The owner's calendar asked live around a day: its busy time joins `busy`.
bool ask_live(slot_source& src, local_days day, std::vector<busy_interval>& busy,
              const std::string& moving) {
  auto from = to_sys(utc_time{(day - days{8}).time_since_epoch()});
  auto to = to_sys(utc_time{(day + days{9}).time_since_epoch()});
  return src.live(from, to, busy, moving);
}

// The business's rules for this tool: a tool that names a service with a length of its own
// books and checks with that length; one that moves an appointment (and names no service) keeps
// the appointment's own length.
std::optional<business_profile> rules_of_tool(const business_profile& profile,
                                              const dialog::tool_call& tool, slot_source& src) {
  auto arg = [&](const char* k) {
    auto it = tool.args.find(k);
    return it == tool.args.end() ? std::string() : it->second;
  };
  auto r = rules_for(profile, arg("service"));
  auto moving = tool.name == "reschedule" ? arg("appointment_id") : arg("ignore_appointment");
  if (arg("service").empty() && !moving.empty()) {
    if (auto length = src.length_of(moving))
      r = with_length(profile.booking, std::chrono::duration_cast<minutes>(*length));
  }
  if (r.length == profile.booking.length && r.step == profile.booking.step)
    return std::nullopt;
  auto own = profile;
  own.booking = std::move(r);
  return own;
}

// check_slot and hold_slot against a source.
dialog::tool_result slot_tool(const business_profile& biz, const std::string& call_id,
                              const dialog::tool_call& tool, sys_time now_us, slot_source& src) {
  dialog::tool_result res{tool.name, false, {}, {}, {}};
  auto arg = [&](const char* k) {
    auto it = tool.args.find(k);
    return it == tool.args.end() ? std::string() : it->second;
  };
  auto now = to_utc(now_us);
  auto near = [&](local_days day, const std::string& ignore) {
    return busy_near(src, day, ignore, call_id);
  };
  auto live = [&](local_days day, std::vector<busy_interval>& busy, const std::string& moving) {
    return ask_live(src, day, busy, moving);
  };
  // Holds a bookable start, or explains why not with alternatives.
  auto hold = [&](local_time start, const std::string& ignore) {
    auto day = floor<days>(start);
    auto busy = near(day, ignore);
    if (!live(day, busy, ignore)) {
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
      if (auto h = src.hold(to_sys(c->requested.start), to_sys(c->requested.end))) {
        res.ok = true;
        res.values["start"] = local_iso(start);
        res.values["when_text"] = speak(start);
        res.values["hold_id"] = *h;
        return res;
      }
      // Lost a race between the check and the hold: the slot is taken now.
      auto again = near(day, ignore);
      live(day, again, ignore);
      c = check(biz.booking, again, now, start);
      res.values["reason"] = "taken";
      return with_options(res, c ? c->alternatives : std::vector<slot>{});
    }
    res.values["reason"] = to_string(c->why);
    return with_options(res, c->alternatives);
  };

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
    auto busy = src.busy(from, to, arg("ignore_appointment"), "");
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
    auto opts = day_options(biz.booking, near(floor<days>(*day), arg("ignore_appointment")),
                            now, floor<days>(*day), arg("part_of_day"));
    res.values["reason"] = "need_time";
    if (opts && opts->empty()) {
      auto c = check(biz.booking, near(floor<days>(*day), ""), now, *day + std::chrono::hours{12});
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

// The database, and the linked calendar asked live.
struct database_source final : slot_source {
  database_source(store::appointments_repo& a, const live_check& l, std::string biz,
                  std::string call, sys_time n)
      : appts(a), live_(l), business_id(std::move(biz)), call_id(std::move(call)), now(n) {}
  std::vector<busy_interval> busy(sys_time from, sys_time to, const std::string& ignore,
                                  const std::string& own_call) override {
    std::vector<busy_interval> out;
    if (auto b = appts.busy(business_id, {from, to}, now, ignore, own_call))
      for (auto& i : *b)
        out.push_back({to_utc(i.start), to_utc(i.end)});
    return out;
  }
  bool live(sys_time from, sys_time to, std::vector<busy_interval>& busy,
            const std::string& moving) override {
    if (!live_)
      return true;
    auto a = live_(business_id, from, to, moving);
    if (a.what == live_answer::kind::unverifiable)
      return false;
    busy.insert(busy.end(), a.busy.begin(), a.busy.end());
    return true;
  }
  std::optional<std::chrono::seconds> length_of(const std::string& appointment_id) override {
    if (auto a = appts.get(business_id, appointment_id); a && *a)
      return std::chrono::duration_cast<std::chrono::seconds>((*a)->during.end -
                                                              (*a)->during.start);
    return std::nullopt;
  }
  std::optional<std::string> hold(sys_time start, sys_time end) override {
    auto h = appts.hold(business_id, {start, end}, call_id, now + std::chrono::minutes(5), now);
    return h ? std::optional<std::string>(*h) : std::nullopt;
  }
  store::appointments_repo& appts;
  const live_check& live_;
  std::string business_id, call_id;
  sys_time now;
};

// The calendar actor's view: no database, no network. A hold is granted here and written
// behind by the actor.
struct view_source final : slot_source {
  view_source(const slot_view& v, std::string call, sys_time n)
      : view(v), call_id(std::move(call)), now(n) {}
  std::vector<busy_interval> busy(sys_time from, sys_time to, const std::string& ignore,
                                  const std::string& own_call) override {
    return view.busy(to_utc(from), to_utc(to), to_utc(now), ignore, own_call);
  }
  bool live(sys_time, sys_time, std::vector<busy_interval>&, const std::string&) override {
    if (view.linked())
      deferred = true; // the owner's calendar is asked before a slot is held: not from here
    return true;
  }
  std::optional<std::chrono::seconds> length_of(const std::string& appointment_id) override {
    auto l = view.length_of(appointment_id);
    if (!l)
      deferred = true;
    return l;
  }
  std::optional<std::string> hold(sys_time start, sys_time end) override {
    granted = busy_entry{to_utc(start), to_utc(end), store::new_uuid(), call_id, true,
                         to_utc(now + std::chrono::minutes(5))};
    return granted->appointment_id;
  }
  const slot_view& view;
  std::string call_id;
  sys_time now;
  std::optional<busy_entry> granted;
};

} // namespace

dialog::tool_result calendar_service::run(const business_profile& profile, const std::string& call_id,
                                          const dialog::tool_call& tool, sys_time now_us) {
  dialog::tool_result res{tool.name, false, {}, {}, {}};
  auto arg = [&](const char* k) {
    auto it = tool.args.find(k);
    return it == tool.args.end() ? std::string() : it->second;
  };
  store::appointments_repo appts(db_);
  database_source src(appts, live_, profile.id, call_id, now_us);
  auto own = rules_of_tool(profile, tool, src);
  const business_profile& biz = own ? *own : profile;
  if (tool.name == "check_slot" || tool.name == "hold_slot")
    return slot_tool(biz, call_id, tool, now_us, src);
  auto now = to_utc(now_us);
  auto near = [&](local_days day, const std::string& ignore) {
    return busy_near(src, day, ignore, call_id);
  };
  auto live = [&](local_days day, std::vector<busy_interval>& busy, const std::string& moving) {
    return ask_live(src, day, busy, moving);
  };

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
      auto busy = near(day, "");
      auto fine = live(day, busy, "");
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
    auto again = check(biz.booking, near(day, ""), now, *start);
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

expected<slot_view> calendar_service::read_view(const business_profile& biz, sys_time now) {
  // From before today (a day's busy time reaches back into it) to past the booking horizon;
  // answer_from_view asks for the time from a day before now to two days past the horizon.
  auto from = now - std::chrono::hours{24 * 2};
  auto to = now + std::chrono::hours{24 * (biz.booking.days_ahead + 3)};
  store::appointments_repo appts(db_);
  auto read = appts.busy_rows(biz.id, {from, to}, now);
  if (!read)
    return read.error();
  std::vector<busy_entry> entries;
  entries.reserve(read->rows.size());
  for (auto& r : read->rows)
    entries.push_back({to_utc(r.during.start), to_utc(r.during.end), r.appointment_id, r.call_id,
                       r.held, to_utc(r.expires)});
  // Without a live check (none configured) a link changes nothing here, as in run().
  return slot_view(std::move(entries), to_utc(from), to_utc(to),
                   live_ && read->calendar_linked);
}

std::optional<calendar_service::view_answer>
calendar_service::answer_from_view(const business_profile& profile, const slot_view& view,
                                   const std::string& call_id, const dialog::tool_call& tool,
                                   sys_time now) {
  if (tool.name != "check_slot" && tool.name != "hold_slot")
    return std::nullopt;
  auto n = to_utc(now);
  if (!view.covers(n - std::chrono::hours{24},
                   n + std::chrono::hours{24 * (profile.booking.days_ahead + 2)}))
    return std::nullopt; // read too long ago (or the horizon grew since)
  view_source src(view, call_id, now);
  auto own = rules_of_tool(profile, tool, src);
  if (src.deferred)
    return std::nullopt;
  auto r = slot_tool(own ? *own : profile, call_id, tool, now, src);
  if (src.deferred)
    return std::nullopt;
  return view_answer{std::move(r), std::move(src.granted)};
}

std::optional<busy_entry> calendar_service::taken_by(const business_profile& profile,
                                                     const slot_view& view,
                                                     const std::string& call_id,
                                                     const dialog::tool_call& tool,
                                                     const dialog::tool_result& result,
                                                     sys_time now) {
  if (!result.ok)
    return std::nullopt;
  auto value = [&](const char* k) {
    auto it = result.values.find(k);
    return it == result.values.end() ? std::string() : it->second;
  };
  auto arg = [&](const char* k) {
    auto it = tool.args.find(k);
    return it == tool.args.end() ? std::string() : it->second;
  };
  busy_entry e;
  e.call_id = call_id;
  std::string start;
  if (tool.name == "check_slot" || tool.name == "hold_slot") {
    e.appointment_id = value("hold_id");
    e.held = true;
    e.expires = to_utc(now + std::chrono::minutes(5));
    start = value("start");
  } else if (tool.name == "book" || tool.name == "reschedule") {
    e.appointment_id = value("appointment_id");
    start = arg("start");
  } else {
    return std::nullopt;
  }
  auto local = parse_local(start);
  if (e.appointment_id.empty() || !local)
    return std::nullopt;
  view_source src(view, call_id, now);
  auto own = rules_of_tool(profile, tool, src);
  if (src.deferred)
    return std::nullopt;
  auto c = check((own ? *own : profile).booking, {}, to_utc(now), *local);
  if (!c || c->why == refusal::bad_time)
    return std::nullopt;
  e.start = c->requested.start;
  e.end = c->requested.end;
  return e;
}

expected<std::string> calendar_service::write_hold(const std::string& business_id,
                                                   const busy_entry& hold, sys_time now) {
  store::appointments_repo appts(db_);
  return appts.hold(business_id, {to_sys(hold.start), to_sys(hold.end)}, hold.call_id,
                    to_sys(hold.expires), now, hold.appointment_id);
}

} // namespace frontdesk::booking
