// Shared by the Google Calendar sync tests: a scratch database with one business (Chicago,
// open 9-17 on weekdays), a fake Google on loopback, the real sync pointed at it, the calendar
// service with the live check, an outbox worker carrying our events, and a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "actors/calendar/calendar.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/gcal/google_sync.hpp"
#include "adapters/gcal/secret_box.hpp"
#include "adapters/messaging/outbox_worker.hpp"
#include "adapters/messaging/sender.hpp"
#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"
#include "protocols/google/calendar_json.hpp"
#include "protocols/twilio/form.hpp"
#include "tests/support/fake_google.hpp"
#include "tests/support/scratch_database.hpp"

namespace frontdesk::testing_gcal {

using namespace std::chrono_literals;

inline const std::string biz = "00000000-0000-0000-0000-0000000000a1";
inline const std::string secret_key = "8f1c2a9e4b7d3065a1f2e3d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0";

inline sys_time at(const char* s) { return *parse_rfc3339(s); }

/// An owner's timed event as Google's events resource has it.
inline boost::json::object timed(const std::string& start, const std::string& end,
                                 const char* summary = "Busy") {
  return boost::json::object{{"summary", summary},
                             {"start", boost::json::object{{"dateTime", start}}},
                             {"end", boost::json::object{{"dateTime", end}}}};
}

/// Whether a tool's answer offered that local start ("2026-03-04T10:00").
inline bool offered(const dialog::tool_result& r, const std::string& local) {
  for (auto& v : r.option_values)
    if (v == local)
      return true;
  return false;
}

class gcal_test : public ::testing::Test {
protected:
  void SetUp() override {
    exec("INSERT INTO businesses (id, name, phone_number, timezone, address, appointment_minutes, "
         "min_notice_minutes) VALUES ('" + biz + "', 'Bright Smile Dental', '+15550100001', "
         "'America/Chicago', '12 Main St', 30, 60)");
    exec("INSERT INTO business_hours (business_id, weekday, opens, closes) SELECT '" + biz +
         "', d, '09:00', '17:00' FROM generate_series(0, 4) d");
    sync_ = std::make_unique<gcal::google_sync>(settings(), app_, clock_);
    calendar_.set_live_check([this](const std::string& b, sys_time from, sys_time to,
                                    const std::string& moving) {
      auto a = sync_->check_live(b, from, to, moving);
      booking::live_answer out;
      out.what = static_cast<booking::live_answer::kind>(static_cast<int>(a.what));
      for (auto& [s, e] : a.busy)
        out.busy.push_back({std::chrono::floor<std::chrono::seconds>(s),
                            std::chrono::ceil<std::chrono::seconds>(e)});
      return out;
    });
  }

  gcal::settings settings() {
    gcal::settings s;
    s.accounts_base_url = "http://127.0.0.1:1";
    s.oauth_base_url = google_.base_url();
    s.api_base_url = google_.api_base_url();
    s.client = {google_.client_id, google_.client_secret, "http://127.0.0.1:8080/google/oauth/callback"};
    s.secret_key = secret_key;
    s.timeout = 3000ms;
    s.free_busy_timeout = 800ms;
    return s;
  }

  // The whole consent: the URL's state, the verifier the fake will check, the callback.
  std::string connect(bool sync_now = true) {
    auto url = sync_->begin_connect(biz);
    EXPECT_TRUE(url) << url.error().message;
    auto q = twilio::parse_form(url->substr(url->find('?') + 1));
    auto state = q->value("state");
    auto verifier = row("SELECT code_verifier FROM google_oauth_states WHERE state = '" + state + "'");
    google_.expect_code("4/code-" + state.substr(state.size() - 6), verifier);
    auto done = sync_->finish_connect(state, "4/code-" + state.substr(state.size() - 6), sync_now);
    EXPECT_TRUE(done) << done.error().message;
    return state;
  }

  std::string link_id() { return row("SELECT id FROM calendar_links WHERE NOT busy_only"); }

  void exec(const std::string& sql) {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  long long count(const std::string& sql) { return std::stoll(row(sql)); }

  booking::business_profile profile() {
    auto p = calendar_.profile(biz);
    EXPECT_TRUE(p) << p.error().message;
    return *p;
  }
  // One of the dialog's tools, as a call would run it.
  dialog::tool_result tool(const std::string& name, std::map<std::string, std::string> args,
                           const std::string& call_id = "") {
    dialog::tool_call t;
    t.name = name;
    t.args = std::move(args);
    return calendar_.run(profile(), call_id, t, clock_.now());
  }

  store::appointment book(const char* start) {
    store::booking_request r{{at(start), at(start) + 30min}, "Ann Lee", "+15557770001", "cleaning",
                             "", "", "", true};
    auto a = store::appointments_repo(app_).book(biz, r, "", clock_.now());
    EXPECT_TRUE(a) << a.error().message;
    return *a;
  }

  // The outbox's calendar rows, carried out by a real outbox worker with the sync's handler.
  int run_outbox() {
    messaging::worker_settings w;
    w.threads = 1;
    w.retry.max_attempts = 5;
    w.retry.base = 1ms;
    w.retry.cap = 2ms;
    messaging::outbox_worker worker(w, app_, *sms_, clock_);
    worker.add_handler("gcal.event", [this](const store::claimed_row& row) {
      auto payload = boost::json::parse(row.payload).as_object();
      auto r = sync_->write_event(row.business_id, std::string(payload.at("root_id").as_string()));
      messaging::handled h;
      h.what = static_cast<messaging::handled::kind>(static_cast<int>(r.what));
      h.error = r.message;
      return h;
    });
    int n = 0;
    for (int i = 0; i < 10; ++i) {
      int k = worker.run_once();
      n += k;
      if (k == 0)
        break;
    }
    return n;
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 4};
  fixtures::fake_google google_;
  manual_clock clock_{at("2026-03-02T15:00:00Z")}; // Monday March 2nd 2026, 9 AM in Chicago
  std::unique_ptr<gcal::google_sync> sync_;
  booking::calendar_service calendar_{app_};
  std::unique_ptr<messaging::sms_sender> sms_ = messaging::make_log_sink();
};

} // namespace frontdesk::testing_gcal
