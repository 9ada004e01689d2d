// The two-way sync against a fake Google on loopback and a real PostgreSQL: connecting (PKCE,
// state once, the refresh token sealed), the busy mirror blocking offers (timed, all-day,
// transparent, declined), the live freeBusy check and failing closed, our bookings written
// once through the outbox (also after a lost answer), moves and cancels both ways, 410 and
// paging, push notifications checked, invalid_grant and 401.
#include <boost/json.hpp>

#include "tests/integration/gcal/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_gcal;
namespace json = boost::json;

TEST_F(gcal_test, connecting_seals_the_refresh_token_and_takes_the_state_once) {
  auto state = connect();
  EXPECT_EQ(row("SELECT status FROM calendar_links"), "active");
  EXPECT_EQ(row("SELECT refresh_token FROM calendar_links"), "NULL");
  auto hex = row("SELECT encode(refresh_token_box, 'hex') FROM calendar_links");
  ASSERT_NE(hex, "NULL");
  // The token's bytes appear nowhere in the stored box.
  auto plain_hex = row("SELECT encode(convert_to('" + google_.next_refresh_token + "', 'UTF8'), 'hex')");
  EXPECT_EQ(hex.find(plain_hex), std::string::npos);
  // It opens with the key, and only with it.
  std::vector<std::uint8_t> box;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    box.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  auto key = gcal::secret_box::from_key_text(secret_key);
  ASSERT_TRUE(key);
  EXPECT_EQ(*key->open(box), google_.next_refresh_token);
  auto other = gcal::secret_box::from_key_text(std::string(64, '7'));
  EXPECT_FALSE(other->open(box));
  // The state was used: a replayed callback is refused.
  auto again = sync_->finish_connect(state, "4/code-again");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "bad_state");
  EXPECT_FALSE(sync_->finish_connect("forged." + state, "x"));
  // The first full sync ran at connect.
  EXPECT_NE(row("SELECT sync_token FROM calendar_links"), "NULL");
}

TEST_F(gcal_test, no_key_no_tokens_stored) {
  auto s = settings();
  s.secret_key = "";
  gcal::google_sync keyless(s, app_, clock_);
  auto url = keyless.begin_connect(biz);
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, "no_secret_key");
  s.secret_key = "too-short";
  gcal::google_sync bad(s, app_, clock_);
  EXPECT_FALSE(bad.begin_connect(biz));
  EXPECT_EQ(count("SELECT count(*) FROM google_oauth_states"), 0);
}

TEST_F(gcal_test, owner_busy_time_blocks_offers_and_free_or_declined_time_does_not) {
  connect();
  // Wednesday March 4th (Chicago, UTC-6): 10:00-11:00 busy, 13:00-14:00 free, 15:00 declined.
  google_.owner_insert(timed("2026-03-04T10:00:00-06:00", "2026-03-04T11:00:00-06:00", "Dentist"));
  auto free = timed("2026-03-04T13:00:00-06:00", "2026-03-04T14:00:00-06:00", "Lunch (free)");
  free["transparency"] = "transparent";
  google_.owner_insert(free);
  auto declined = timed("2026-03-04T15:00:00-06:00", "2026-03-04T16:00:00-06:00", "Declined");
  declined["attendees"] = json::array{json::object{{"email", "o@x"}, {"self", true}, {"responseStatus", "declined"}}};
  google_.owner_insert(declined);
  // Thursday: all day away; Friday: an event in Paris' zone at 17:00 Paris = 10:00 Chicago.
  google_.owner_insert(json::object{{"summary", "Away"}, {"start", json::object{{"date", "2026-03-05"}}},
                                    {"end", json::object{{"date", "2026-03-06"}}}});
  google_.owner_insert(json::object{{"summary", "Call with Paris"},
                                    {"start", json::object{{"dateTime", "2026-03-06T17:00:00+01:00"}, {"timeZone", "Europe/Paris"}}},
                                    {"end", json::object{{"dateTime", "2026-03-06T17:30:00+01:00"}, {"timeZone", "Europe/Paris"}}}});
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 3);

  auto day = tool("check_slot", {{"date", "2026-03-04"}});
  EXPECT_FALSE(offered(day, "2026-03-04T10:00"));
  EXPECT_FALSE(offered(day, "2026-03-04T10:30"));
  EXPECT_TRUE(offered(day, "2026-03-04T09:00"));

  auto busy = tool("check_slot", {{"date", "2026-03-04"}, {"time", "10:30"}});
  EXPECT_FALSE(busy.ok);
  EXPECT_EQ(busy.values["reason"], "taken");
  EXPECT_FALSE(busy.options.empty());
  for (auto& v : busy.option_values)
    EXPECT_TRUE(v != "2026-03-04T10:00" && v != "2026-03-04T10:30") << v;
  EXPECT_TRUE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "13:00"}}).ok) << "transparent";
  exec("DELETE FROM appointments WHERE status = 'held'");
  EXPECT_TRUE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "15:00"}}).ok) << "declined";
  exec("DELETE FROM appointments WHERE status = 'held'");
  auto away = tool("check_slot", {{"date", "2026-03-05"}});
  EXPECT_FALSE(away.option_values.empty()) << "other days are offered";
  for (auto& v : away.option_values)
    EXPECT_NE(v.substr(0, 10), "2026-03-05") << "all day away";
  EXPECT_FALSE(tool("check_slot", {{"date", "2026-03-06"}, {"time", "10:00"}}).ok) << "Paris";
}

TEST_F(gcal_test, the_live_check_refuses_what_the_mirror_has_not_seen_yet) {
  connect();
  google_.set_silent(true);
  google_.owner_insert(timed("2026-03-04T11:00:00-06:00", "2026-03-04T12:00:00-06:00"));
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 0);
  auto r = tool("check_slot", {{"date", "2026-03-04"}, {"time", "11:00"}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.values["reason"], "taken");
  EXPECT_FALSE(offered(r, "2026-03-04T11:30"));
  EXPECT_GE(google_.count(fixtures::fake_google::kind::free_busy), 1);
}

TEST_F(gcal_test, google_unreachable_fails_closed_once_the_mirror_is_stale) {
  connect();
  google_.down(true);
  // The mirror was synced just now: it decides.
  EXPECT_TRUE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "09:00"}}).ok);
  exec("DELETE FROM appointments WHERE status = 'held'");
  // Sixteen minutes later it is stale: nothing can be vouched for, nothing is held or offered.
  clock_.advance(16min);
  auto r = tool("check_slot", {{"date", "2026-03-04"}, {"time", "09:30"}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.values["calendar"], "unverifiable");
  EXPECT_TRUE(r.options.empty());
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'held'"), 0);
  // A per-calendar error inside a 200 is no answer either.
  google_.down(false);
  google_.push_fault(fixtures::fake_google::kind::free_busy, fixtures::fake_google::fault::free_busy_not_found);
  EXPECT_FALSE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "09:30"}}).ok);
  // Slow freeBusy (past its timeout) during a booking: the slot is not held.
  google_.set_slow_for(1500ms);
  google_.push_fault(fixtures::fake_google::kind::free_busy, fixtures::fake_google::fault::slow);
  EXPECT_FALSE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "09:30"}}).ok);
  // Google answers again: the slot is fine.
  EXPECT_TRUE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "09:30"}}).ok);
}

TEST_F(gcal_test, a_booking_appears_in_google_once_even_when_its_answer_was_lost) {
  connect();
  auto a = book("2026-03-04T16:00:00Z"); // 10 AM Chicago
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'gcal.event'"), 1);
  run_outbox();
  auto ours = google_.our_events();
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(std::string(ours[0].at("id").as_string()), google::event_id(a.id, 0));
  EXPECT_EQ(std::string(ours[0].at("extendedProperties").at("private").at("frontdeskAppointmentId").as_string()), a.id);
  EXPECT_EQ(std::string(ours[0].at("start").at("dateTime").as_string()), "2026-03-04T16:00:00.000Z");
  EXPECT_EQ(std::string(ours[0].at("start").at("timeZone").as_string()), "America/Chicago");
  EXPECT_EQ(row("SELECT calendar_event_id FROM appointments WHERE id = '" + a.id + "'"), google::event_id(a.id, 0));
  // As if the process died after Google accepted, before the result was saved: the row is
  // claimed again and writes again; the same id makes it one event.
  exec("UPDATE appointments SET calendar_event_id = NULL");
  exec("UPDATE outbox SET status = 'pending', next_attempt_at = '2000-01-01' WHERE kind = 'gcal.event'");
  int inserts = google_.count(fixtures::fake_google::kind::insert);
  run_outbox();
  EXPECT_EQ(google_.our_events().size(), 1u);
  EXPECT_EQ(google_.count(fixtures::fake_google::kind::insert), inserts + 1) << "one 409";
  EXPECT_EQ(row("SELECT calendar_event_id FROM appointments WHERE id = '" + a.id + "'"), google::event_id(a.id, 0));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'gcal.event' AND status <> 'done'"), 0);
  // Our event coming back through sync is not busy time of its own.
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'booked'"), 1);
}

TEST_F(gcal_test, our_moves_and_cancels_reach_google) {
  connect();
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  auto moved = store::appointments_repo(app_).reschedule(biz, a.id, {at("2026-03-04T18:00:00Z"), at("2026-03-04T18:30:00Z")}, clock_.now());
  ASSERT_TRUE(moved) << moved.error().message;
  run_outbox();
  auto ours = google_.our_events();
  ASSERT_EQ(ours.size(), 1u) << "a move patches the same event";
  EXPECT_EQ(std::string(ours[0].at("id").as_string()), google::event_id(a.id, 0));
  EXPECT_EQ(std::string(ours[0].at("start").at("dateTime").as_string()), "2026-03-04T18:00:00.000Z");
  EXPECT_EQ(std::string(ours[0].at("extendedProperties").at("private").at("frontdeskAppointmentId").as_string()), moved->id);
  EXPECT_GE(google_.count(fixtures::fake_google::kind::patch), 1);
  ASSERT_TRUE(*store::appointments_repo(app_).cancel(biz, moved->id, clock_.now()));
  run_outbox();
  EXPECT_TRUE(google_.our_events().empty());
  auto ev = google_.event(google::event_id(a.id, 0));
  ASSERT_TRUE(ev);
  EXPECT_EQ(std::string(ev->at("status").as_string()), "cancelled");
  // The cancel's echo changes nothing here.
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'booked'"), 0);
}

TEST_F(gcal_test, the_owner_moving_or_deleting_our_event_moves_or_cancels_the_appointment) {
  connect();
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  auto id = google::event_id(a.id, 0);
  ASSERT_TRUE(sync_->sync_link(biz, link_id())); // the insert's echo: nothing changes
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'booked'"), 1);
  // The owner drags it to 2 PM in Google.
  ASSERT_TRUE(google_.owner_move(id, "2026-03-04T14:00:00-06:00", "2026-03-04T14:30:00-06:00"));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD HH24:MI') "
                "FROM appointments WHERE status = 'booked'"),
            "2026-03-04 14:00");
  EXPECT_EQ(row("SELECT count(*) FROM appointments WHERE status = 'cancelled' AND id = '" + a.id + "'"), "1");
  // Its reminders followed the move.
  EXPECT_EQ(count("SELECT count(*) FROM reminders r JOIN appointments a ON a.id = r.appointment_id "
                  "WHERE r.status = 'pending' AND a.status = 'booked' AND r.for_start = lower(a.during)"),
            count("SELECT count(*) FROM reminders WHERE status = 'pending'"));
  run_outbox(); // the move's write: the event keeps its place, now naming the new appointment
  ASSERT_EQ(google_.our_events().size(), 1u);
  // The owner deletes it in Google: the appointment is cancelled here.
  ASSERT_TRUE(google_.owner_cancel(id));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'booked'"), 0);
  run_outbox();
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'gcal.event' AND status NOT IN ('done')"), 0);
}

TEST_F(gcal_test, with_the_restore_policy_ours_is_put_back_and_staff_are_told) {
  exec("UPDATE businesses SET google_policy = 'restore'");
  connect();
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  auto id = google::event_id(a.id, 0);
  ASSERT_TRUE(google_.owner_cancel(id));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM appointments WHERE status = 'booked'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks WHERE kind = 'calendar_conflict'"), 1);
  run_outbox();
  auto ours = google_.our_events();
  ASSERT_EQ(ours.size(), 1u) << "re-created under a new revision's id";
  EXPECT_EQ(std::string(ours[0].at("id").as_string()), google::event_id(a.id, 1));
}

TEST_F(gcal_test, a_gone_sync_token_wipes_the_mirror_and_syncs_in_full_over_pages) {
  google_.set_page_size(2);
  for (int i = 0; i < 5; ++i) {
    auto h = std::to_string(9 + i);
    google_.owner_insert(timed(("2026-03-09T" + std::string(h.size() == 1 ? "0" : "") + h + ":00:00-05:00").c_str(),
                               ("2026-03-09T" + std::string(h.size() == 1 ? "0" : "") + h + ":20:00-05:00").c_str()));
  }
  connect();
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 5) << "three pages, token on the last";
  EXPECT_GE(google_.count(fixtures::fake_google::kind::list), 3);
  // A stale row the mirror kept, then the token expires.
  exec("INSERT INTO calendar_busy SELECT business_id, id, 'ghost', tstzrange('2026-03-10 15:00Z', '2026-03-10 16:00Z') FROM calendar_links");
  google_.owner_insert(timed("2026-03-11T09:00:00-05:00", "2026-03-11T10:00:00-05:00"));
  google_.push_fault(fixtures::fake_google::kind::list, fixtures::fake_google::fault::gone_410);
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(sync_->counts().gone_410, 1);
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy WHERE event_id = 'ghost'"), 0);
  // Incremental again afterwards: only the change comes.
  int lists = google_.count(fixtures::fake_google::kind::list);
  auto gone = google_.events()[0];
  ASSERT_TRUE(google_.owner_cancel(std::string(gone.at("id").as_string())));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(google_.count(fixtures::fake_google::kind::list), lists + 1);
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 5);
  // A token stored under another query is not used.
  exec("UPDATE calendar_links SET sync_params = 'v0;other'");
  auto fulls = sync_->counts().full_syncs;
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(sync_->counts().full_syncs, fulls + 1);
}

TEST_F(gcal_test, pushes_are_checked_and_a_good_one_asks_for_a_sync) {
  auto s = settings();
  s.notify_url = "http://127.0.0.1:9/google/calendar/notify";
  sync_ = std::make_unique<gcal::google_sync>(s, app_, clock_);
  connect();
  auto channel = row("SELECT channel_id FROM calendar_links");
  auto token = row("SELECT channel_token FROM calendar_links");
  auto resource = row("SELECT channel_resource_id FROM calendar_links");
  ASSERT_NE(channel, "NULL");
  using headers = std::vector<std::pair<std::string, std::string>>;
  auto push = [&](std::string id, std::string tok, std::string state) {
    return sync_->on_push(headers{{"X-Goog-Channel-ID", id}, {"X-Goog-Channel-Token", tok},
                                  {"X-Goog-Resource-ID", resource}, {"X-Goog-Resource-State", state},
                                  {"X-Goog-Message-Number", "2"}});
  };
  EXPECT_EQ(push(channel, "wrong", "exists"), 403);
  EXPECT_EQ(push(channel, "", "exists"), 403);
  EXPECT_EQ(push("fd-unknown", token, "exists"), 404);
  EXPECT_EQ(push(channel, token, "nonsense"), 400);
  EXPECT_EQ(sync_->on_push({}), 400);
  EXPECT_EQ(row("SELECT sync_wanted_at FROM calendar_links"), "NULL");
  EXPECT_EQ(push(channel, token, "sync"), 200);
  EXPECT_EQ(row("SELECT sync_wanted_at FROM calendar_links"), "NULL") << "the hello changes nothing";
  EXPECT_EQ(push(channel, token, "exists"), 200);
  EXPECT_EQ(push(channel, token, "exists"), 200);
  EXPECT_NE(row("SELECT sync_wanted_at FROM calendar_links"), "NULL");
  // Renewal: a new channel first, then the old one stopped; the old id no longer counts.
  ASSERT_TRUE(*sync_->ensure_channel(biz, link_id()));
  EXPECT_NE(row("SELECT channel_id FROM calendar_links"), channel);
  EXPECT_EQ(google_.stops(), 1);
  EXPECT_EQ(push(channel, token, "exists"), 404);
}

TEST_F(gcal_test, an_expired_access_token_is_refreshed_once_and_invalid_grant_breaks_the_link) {
  connect();
  google_.owner_insert(timed("2026-03-04T10:00:00-06:00", "2026-03-04T11:00:00-06:00"));
  google_.push_fault(fixtures::fake_google::kind::list, fixtures::fake_google::fault::unauthorized);
  auto before = sync_->counts().refreshes;
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(sync_->counts().refreshes, before + 1);
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 1);
  // A token endpoint 500 is not a revocation.
  google_.push_fault(fixtures::fake_google::kind::list, fixtures::fake_google::fault::unauthorized);
  google_.push_fault(fixtures::fake_google::kind::token, fixtures::fake_google::fault::token_500);
  EXPECT_FALSE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(row("SELECT status FROM calendar_links"), "active");
  // invalid_grant is.
  google_.push_fault(fixtures::fake_google::kind::list, fixtures::fake_google::fault::unauthorized);
  google_.push_fault(fixtures::fake_google::kind::token, fixtures::fake_google::fault::invalid_grant);
  auto r = sync_->sync_link(biz, link_id());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid_grant");
  EXPECT_EQ(row("SELECT status FROM calendar_links"), "broken");
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks WHERE kind = 'calendar_reconnect'"), 1);
  // No more calls to Google; booking goes on from the database (the mirror still blocks).
  int calls = google_.count(fixtures::fake_google::kind::any);
  EXPECT_EQ(sync_->sync_due(true), 0);
  EXPECT_TRUE(tool("check_slot", {{"date", "2026-03-04"}, {"time", "14:00"}}).ok);
  auto a = book("2026-03-04T21:00:00Z");
  run_outbox();
  EXPECT_EQ(google_.count(fixtures::fake_google::kind::any), calls);
  EXPECT_EQ(row("SELECT status FROM outbox WHERE kind = 'gcal.event'"), "NO ROW") << "nothing queued for a broken link";
  (void)a;
}

TEST_F(gcal_test, rate_limits_are_retried_and_the_event_still_goes_once) {
  connect();
  google_.push_fault(fixtures::fake_google::kind::insert, fixtures::fake_google::fault::rate_limited);
  google_.push_fault(fixtures::fake_google::kind::insert, fixtures::fake_google::fault::too_many);
  google_.push_fault(fixtures::fake_google::kind::insert, fixtures::fake_google::fault::server_error);
  book("2026-03-04T16:00:00Z");
  for (int i = 0; i < 4; ++i) {
    run_outbox();
    exec("UPDATE outbox SET next_attempt_at = '2000-01-01' WHERE status = 'pending'");
  }
  EXPECT_EQ(google_.our_events().size(), 1u);
  EXPECT_EQ(row("SELECT status FROM outbox WHERE kind = 'gcal.event'"), "done");
  EXPECT_EQ(google_.count(fixtures::fake_google::kind::insert), 4);
}

TEST_F(gcal_test, a_silent_channel_is_covered_by_the_polling_backstop) {
  connect();
  google_.set_silent(true);
  auto id = google_.owner_insert(timed("2026-03-04T10:00:00-06:00", "2026-03-04T11:00:00-06:00"));
  EXPECT_EQ(sync_->sync_due(false), 0) << "synced just now, nothing pushed";
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 0);
  clock_.advance(sync_->config().poll);
  EXPECT_EQ(sync_->sync_due(false), 1);
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy WHERE event_id = '" + id + "'"), 1);
}

TEST_F(gcal_test, a_channel_is_renewed_before_it_expires_new_one_first) {
  auto s = settings();
  s.notify_url = "http://127.0.0.1:9/google/calendar/notify";
  sync_ = std::make_unique<gcal::google_sync>(s, app_, clock_);
  google_.now = [this] {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(clock_.now().time_since_epoch()));
  };
  google_.set_channel_life(std::chrono::hours(2)); // less than asked, and less than renew_before
  connect();
  auto first = row("SELECT channel_id FROM calendar_links");
  ASSERT_NE(first, "NULL");
  // Not yet: half of the life Google gave is the margin.
  clock_.set(*parse_rfc3339(row("SELECT to_char(channel_started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM calendar_links")));
  sync_->sync_due(false);
  EXPECT_EQ(row("SELECT channel_id FROM calendar_links"), first);
  clock_.advance(50min);
  sync_->sync_due(false);
  EXPECT_EQ(row("SELECT channel_id FROM calendar_links"), first);
  // Past the margin (an hour before expiry): a new channel, then the old one stopped.
  clock_.advance(20min);
  sync_->sync_due(false);
  auto second = row("SELECT channel_id FROM calendar_links");
  EXPECT_NE(second, first);
  EXPECT_EQ(google_.stops(), 1);
  EXPECT_EQ(google_.channels().count(first), 0u);
  EXPECT_EQ(google_.channels().count(second), 1u);
}
