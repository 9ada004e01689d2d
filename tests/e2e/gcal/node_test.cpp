// End to end on one node with a fake Google: the owner connects through the node's OAuth
// callback, the node opens a watch channel, an event created in Google reaches the mirror
// through a push, a simulated call is offered alternatives around that event, a booking
// appears in Google through the node's outbox, bad pushes and callbacks are refused. Prints
// the notification-to-blocked-slot and booking-to-event times.
#include <algorithm>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "actors/node/node.hpp"
#include "adapters/caller/simulator.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/gcal/google_sync.hpp"
#include "adapters/gcal/service.hpp"
#include "adapters/http/http.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "protocols/twilio/form.hpp"
#include "tests/e2e/node/start_node.hpp"
#include "tests/support/fake_google.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string token = "e2e-token";
const std::string biz = "00000000-0000-0000-0000-0000000000a1";
const std::string biz_phone = "+15550100001";

class google_node : public ::testing::Test {
protected:
  void SetUp() override {
    db_.add_dental_business(biz, biz_phone);
    cfg_.database.url = db_.app_dsn();
    cfg_.twilio.auth_token = token;
    cfg_.speech.recordings_dir = "";
    cfg_.speech.dialog = "rules";
    cfg_.outbox.poll_ms = 50;
    cfg_.google.oauth_base_url = google_.base_url();
    cfg_.google.api_base_url = google_.api_base_url();
    cfg_.google.accounts_base_url = "http://127.0.0.1:1";
    cfg_.google.client_id = google_.client_id;
    cfg_.google.client_secret = google_.client_secret;
    cfg_.google.secret_key = "8f1c2a9e4b7d3065a1f2e3d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0";
    cfg_.google.poll_seconds = 600; // only pushes bring changes quickly in this test
    // Wednesday, March 4th 2026, 3 PM in Chicago.
    node_ = fixtures::start_node(cfg_, *parse_rfc3339("2026-03-04T21:00:00Z"), 31);
    ASSERT_TRUE(node_);
    base_ = "http://127.0.0.1:" + std::to_string(node_->port());
    cfg_.node.public_url = base_;
  }
  void TearDown() override {
    if (node_)
      node_->stop();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  template <class F>
  bool within(std::chrono::milliseconds limit, F&& done) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done())
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return done();
  }
  // The owner's consent, as the browser would bring it back to the node.
  void connect() {
    store::database db(db_.app_dsn(), 1);
    auto clk = make_clock(*parse_rfc3339("2026-03-04T21:00:00Z"));
    gcal::google_sync cli(gcal::settings_of(cfg_), db, *clk);
    auto url = cli.begin_connect(biz);
    ASSERT_TRUE(url) << url.error().message;
    auto q = twilio::parse_form(url->substr(url->find('?') + 1));
    auto state = q->value("state");
    google_.expect_code("4/e2e", row("SELECT code_verifier FROM google_oauth_states"));
    auto r = http::fetch("GET", base_ + "/google/oauth/callback?state=" + state + "&code=4%2Fe2e", {}, "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    // The same link again is refused.
    auto again = http::fetch("GET", base_ + "/google/oauth/callback?state=" + state + "&code=4%2Fe2e", {}, "");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 400);
  }

  fixtures::scratch_database db_;
  fixtures::fake_google google_;
  config cfg_;
  std::unique_ptr<node> node_;
  std::string base_;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

} // namespace

TEST_F(google_node, bad_callbacks_and_pushes_are_refused_with_4xx) {
  for (auto q : {"", "?state=x", "?code=y", "?state=unknown&code=y", "?error=access_denied&state=x",
                 "?state=%zz&code=1"}) {
    auto r = http::fetch("GET", base_ + "/google/oauth/callback" + q, {}, "");
    ASSERT_TRUE(r);
    EXPECT_GE(r->status, 400) << q;
    EXPECT_LT(r->status, 500) << q;
  }
  connect();
  // The callback answered before the first sync; the sync thread runs it and opens the channel.
  ASSERT_TRUE(within(3s, [&] { return row("SELECT sync_token FROM calendar_links") != "NULL"; }));
  ASSERT_TRUE(within(3s, [&] { return row("SELECT channel_id FROM calendar_links") != "NULL"; }));
  auto channel = row("SELECT channel_id FROM calendar_links");
  struct probe {
    http::header_list h;
    int want;
  };
  std::vector<probe> probes{
      {{}, 400},
      {{{"X-Goog-Channel-ID", channel}, {"X-Goog-Resource-State", "exists"}}, 403},
      {{{"X-Goog-Channel-ID", channel}, {"X-Goog-Channel-Token", "forged"}, {"X-Goog-Resource-State", "exists"}}, 403},
      {{{"X-Goog-Channel-ID", "nobody"}, {"X-Goog-Channel-Token", "x"}, {"X-Goog-Resource-State", "exists"}}, 404},
      {{{"X-Goog-Channel-ID", channel}, {"X-Goog-Resource-State", "exists"}, {"X-Goog-Message-Number", "x1"}}, 400},
  };
  for (auto& p : probes) {
    auto r = http::fetch("POST", base_ + "/google/calendar/notify", p.h, "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, p.want);
  }
  EXPECT_EQ(row("SELECT status FROM calendar_links"), "active");
}

TEST_F(google_node, an_event_only_in_google_is_offered_around_and_bookings_reach_google) {
  connect();
  // The callback answered before the first sync; the sync thread runs it and opens the channel.
  ASSERT_TRUE(within(3s, [&] { return row("SELECT sync_token FROM calendar_links") != "NULL"; }));
  ASSERT_TRUE(within(3s, [&] { return row("SELECT channel_id FROM calendar_links") != "NULL"; }));
  // The owner blocks Thursday 11 AM in Google: the push brings it to the mirror.
  std::vector<double> push_ms;
  for (int i = 0; i < 5; ++i) {
    auto hour = std::to_string(11 + i);
    auto t0 = std::chrono::steady_clock::now();
    auto id = google_.owner_insert(json::object{
        {"summary", "Owner busy"},
        {"start", json::object{{"dateTime", "2026-03-05T" + hour + ":00:00-06:00"}}},
        {"end", json::object{{"dateTime", "2026-03-05T" + hour + ":45:00-06:00"}}}});
    ASSERT_TRUE(within(5s, [&] {
      return row("SELECT count(*) FROM calendar_busy WHERE event_id = '" + id + "'") == "1";
    })) << "not blocked within 5 s of its notification";
    push_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("notification to blocked slot: P50 %.0f ms, P95 %.0f ms (%zu events)\n",
              percentile(push_ms, 0.5), percentile(push_ms, 0.95), push_ms.size());

  // A caller asks for exactly that time and is offered others.
  auto voice = speech::make_flite_tts("rms");
  auto words = [&](const char* t) { return *speech::synthesize_all(*voice, t); };
  caller::sim_options o;
  o.base_url = base_;
  o.auth_token = token;
  o.to = biz_phone;
  o.from = "+15557770000";
  o.quiet_to_hang_up = 2s;
  o.max_call = 60s;
  o.words_speed = 4; // what reaches Google is checked, not how fast the call went
  o.audio = words("I would like to book a cleaning tomorrow at eleven a m.");
  o.turns.push_back({words("No thank you."), 0ms});
  auto rep = caller::simulate_call(o);
  ASSERT_TRUE(rep) << rep.error().message;
  auto transcript = row("SELECT transcript::text FROM calls");
  EXPECT_NE(transcript.find("already taken"), std::string::npos) << transcript;
  EXPECT_EQ(transcript.find("11:00 AM"), std::string::npos) << transcript;
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'booked'"), "0");

  // Bookings reach Google through the node's outbox.
  std::vector<double> write_ms;
  store::database db(db_.app_dsn(), 1);
  int before = google_.count(fixtures::fake_google::kind::any);
  for (int i = 0; i < 5; ++i) {
    auto start = *parse_rfc3339("2026-03-06T15:00:00Z") + std::chrono::hours(i);
    auto t0 = std::chrono::steady_clock::now();
    store::booking_request r{{start, start + 60min}, "Ann Lee", "", "cleaning", "", "", "e2e-" + std::to_string(i), false};
    auto a = store::appointments_repo(db).book(biz, r, "", *parse_rfc3339("2026-03-04T21:00:00Z"));
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(within(5s, [&] { return google_.our_events().size() == static_cast<std::size_t>(i + 1); }))
        << "the booking did not appear in Google within 5 s";
    write_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  // Let the echoes' syncs settle before counting requests.
  std::this_thread::sleep_for(500ms);
  std::printf("booking to event in Google: P50 %.0f ms, P95 %.0f ms; %.1f Google requests per booking "
              "(insert, and the sync its echo triggers)\n",
              percentile(write_ms, 0.5), percentile(write_ms, 0.95),
              (google_.count(fixtures::fake_google::kind::any) - before) / 5.0);
  EXPECT_EQ(google_.our_events().size(), 5u);
}
