// The sync through the harder parts of Google's behaviour, against the fake on loopback and a
// real PostgreSQL: recurring series expanded into instances (singleEvents=true) across DST
// changes, with moved and cancelled exceptions; 403 rate limits and 410 in the middle of the
// pages; writes meeting a tombstoned id (409), a stale etag (412) and an event we may not change
// (403 forbiddenForNonOrganizer); and a caller moving an appointment onto time overlapping its
// own event in Google.
#include <set>

#include <boost/json.hpp>

#include "tests/integration/gcal/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_gcal;
namespace json = boost::json;
using fake = fixtures::fake_google;

namespace {

// A weekly series, as the owner creates it in Google: local wall times and the series' zone.
json::object weekly(const std::string& first_start, const std::string& first_end,
                    const std::string& zone, int count, const char* summary) {
  return json::object{{"summary", summary},
                      {"start", json::object{{"dateTime", first_start}, {"timeZone", zone}}},
                      {"end", json::object{{"dateTime", first_end}, {"timeZone", zone}}},
                      {"recurrence", json::array{"RRULE:FREQ=WEEKLY;COUNT=" + std::to_string(count)}}};
}

} // namespace

class gcal_faults : public gcal_test {
protected:
  // The mirror as a set of event ids, and Google's truth: the events a singleEvents listing
  // shows live (what the mirror must hold, ours and free time left out).
  std::set<std::string> mirror_ids() {
    std::set<std::string> out;
    pqxx::connection c(db_.owner_dsn());
    pqxx::nontransaction tx(c);
    for (auto r : tx.exec("SELECT event_id FROM calendar_busy"))
      out.insert(r[0].as<std::string>());
    return out;
  }
  // Starts a hold at a local time and says whether it was granted (the hold is dropped again).
  bool holds(const std::string& date, const std::string& time, const std::string& moving = "") {
    std::map<std::string, std::string> args{{"date", date}, {"time", time}};
    if (!moving.empty())
      args["ignore_appointment"] = moving;
    auto r = tool("check_slot", args);
    exec("DELETE FROM appointments WHERE status = 'held'");
    return r.ok;
  }
  // From the Friday before DST starts (Sunday March 8th), connected, with a weekly team
  // meeting on Mondays 10:00-11:00 in Chicago for six weeks, synced. Returns the series id.
  std::string connected_with_a_weekly_meeting() {
    clock_.set(at("2026-02-27T15:00:00Z"));
    connect();
    auto series = google_.owner_insert(
        weekly("2026-03-02T10:00:00", "2026-03-02T11:00:00", "America/Chicago", 6, "Team meeting"));
    EXPECT_TRUE(sync_->sync_link(biz, link_id()));
    return series;
  }
  std::string local_starts() {
    return row("SELECT string_agg(to_char(lower(during) AT TIME ZONE 'America/Chicago', "
               "'MM-DD HH24:MI'), ',' ORDER BY lower(during)) FROM calendar_busy");
  }
};

TEST_F(gcal_faults, a_weekly_series_blocks_every_week_also_across_the_dst_change) {
  auto series = connected_with_a_weekly_meeting();
  auto instances = google_.instance_ids(series);
  ASSERT_EQ(instances.size(), 6u);
  EXPECT_EQ(instances[0], series + "_20260302T160000Z");
  EXPECT_EQ(instances[1], series + "_20260309T150000Z") << "10:00 CDT is 15:00 UTC";
  EXPECT_EQ(mirror_ids(), std::set<std::string>(instances.begin(), instances.end()))
      << "instances, never the series itself";
  // 10:00 on the wall every week: 16:00 UTC before the change, 15:00 UTC after it.
  EXPECT_EQ(local_starts(), "03-02 10:00,03-09 10:00,03-16 10:00,03-23 10:00,03-30 10:00,04-06 10:00");
  EXPECT_EQ(row("SELECT string_agg(to_char(lower(during) AT TIME ZONE 'UTC', 'HH24'), ',' "
                "ORDER BY lower(during)) FROM calendar_busy"),
            "16,15,15,15,15,15");
  for (std::string day : {"2026-03-02", "2026-03-09", "2026-03-16"}) {
    EXPECT_FALSE(holds(day, "10:00")) << day;
    EXPECT_FALSE(holds(day, "10:30")) << day;
    EXPECT_TRUE(holds(day, "11:00")) << day;
    EXPECT_TRUE(holds(day, "09:30")) << day;
    auto list = tool("check_slot", {{"date", day}});
    EXPECT_FALSE(offered(list, day + "T10:00")) << day;
    EXPECT_FALSE(offered(list, day + "T10:30")) << day;
  }
  // The live check (freeBusy) alone, with the mirror emptied, says the same after the change.
  exec("DELETE FROM calendar_busy");
  EXPECT_FALSE(holds("2026-03-09", "10:00"));
  EXPECT_TRUE(holds("2026-03-09", "11:00"));
  exec("UPDATE calendar_links SET sync_token = NULL"); // the next sync reads everything again
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 6);
}

TEST_F(gcal_faults, a_series_with_a_moved_and_a_cancelled_instance_and_then_deleted) {
  auto series = connected_with_a_weekly_meeting();
  auto instances = google_.instance_ids(series);
  ASSERT_EQ(instances.size(), 6u);
  // The owner moves the March 16th instance to 14:00 and cancels the March 23rd one.
  ASSERT_TRUE(google_.owner_move(instances[2], "2026-03-16T14:00:00-05:00", "2026-03-16T15:00:00-05:00"));
  ASSERT_TRUE(google_.owner_cancel(instances[3]));
  auto before = sync_->counts();
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(sync_->counts().full_syncs, before.full_syncs) << "incremental";
  EXPECT_EQ(local_starts(), "03-02 10:00,03-09 10:00,03-16 14:00,03-30 10:00,04-06 10:00");
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy WHERE event_id = '" + instances[2] + "'"), 1)
      << "a moved instance keeps its id";
  EXPECT_TRUE(holds("2026-03-16", "10:00"));
  EXPECT_FALSE(holds("2026-03-16", "14:00"));
  EXPECT_TRUE(holds("2026-03-23", "10:00"));
  EXPECT_FALSE(holds("2026-03-09", "10:00"));
  // The owner deletes the whole series: every instance comes back cancelled, the moved one too.
  ASSERT_TRUE(google_.owner_cancel(series));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 0);
  EXPECT_TRUE(holds("2026-03-16", "14:00"));
  EXPECT_TRUE(holds("2026-03-09", "10:00"));
}

TEST_F(gcal_faults, a_series_in_another_zone_keeps_its_own_wall_clock) {
  clock_.set(at("2026-02-27T15:00:00Z"));
  connect();
  // Mondays 17:00 in Paris: Chicago changes on March 8th, Paris on March 29th, so for three
  // weeks the call is at 11:00 in Chicago and otherwise at 10:00.
  google_.owner_insert(
      weekly("2026-03-02T17:00:00", "2026-03-02T17:30:00", "Europe/Paris", 6, "Call with Paris"));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(local_starts(), "03-02 10:00,03-09 11:00,03-16 11:00,03-23 11:00,03-30 10:00,04-06 10:00");
  EXPECT_FALSE(holds("2026-03-09", "11:00"));
  EXPECT_TRUE(holds("2026-03-09", "10:00"));
  EXPECT_FALSE(holds("2026-03-02", "10:00"));
}

TEST_F(gcal_faults, an_all_day_weekly_series_blocks_each_local_day) {
  clock_.set(at("2026-02-27T15:00:00Z"));
  connect();
  google_.owner_insert(json::object{{"summary", "Surgery day"},
                                    {"start", json::object{{"date", "2026-03-04"}}},
                                    {"end", json::object{{"date", "2026-03-05"}}},
                                    {"recurrence", json::array{"RRULE:FREQ=WEEKLY;UNTIL=20260318"}}});
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(local_starts(), "03-04 00:00,03-11 00:00,03-18 00:00");
  EXPECT_EQ(row("SELECT string_agg(to_char(upper(during) AT TIME ZONE 'America/Chicago', "
                "'MM-DD HH24:MI'), ',' ORDER BY lower(during)) FROM calendar_busy"),
            "03-05 00:00,03-12 00:00,03-19 00:00");
  EXPECT_FALSE(holds("2026-03-11", "09:00"));
  EXPECT_FALSE(holds("2026-03-11", "16:30"));
  EXPECT_TRUE(holds("2026-03-12", "09:00"));
}

TEST_F(gcal_faults, rate_limits_in_the_middle_of_the_pages_wait_and_resume_the_same_page) {
  auto s = settings();
  s.retry_base = 20ms;
  sync_ = std::make_unique<gcal::google_sync>(s, app_, clock_);
  google_.set_page_size(2);
  for (int i = 0; i < 7; ++i)
    google_.owner_insert(timed("2026-03-09T" + std::to_string(10 + i) + ":00:00-05:00",
                               "2026-03-09T" + std::to_string(10 + i) + ":20:00-05:00"));
  // The full sync at connect: four pages, the second refused once (403 rateLimitExceeded).
  google_.push_fault(fake::kind::list, fake::fault::none);
  google_.push_fault(fake::kind::list, fake::fault::rate_limited);
  connect();
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 7);
  EXPECT_EQ(sync_->counts().page_retries, 1);
  EXPECT_EQ(google_.count(fake::kind::list), 5) << "four pages and the one asked again";
  EXPECT_EQ(sync_->counts().full_syncs, 1) << "resumed, not started over";

  // Incremental over three pages: the second page meets a user rate limit, then a 429.
  std::set<std::string> added;
  for (int i = 0; i < 5; ++i)
    added.insert(google_.owner_insert(timed("2026-03-10T" + std::to_string(10 + i) + ":00:00-05:00",
                                            "2026-03-10T" + std::to_string(10 + i) + ":30:00-05:00")));
  auto gone = google_.events()[0];
  ASSERT_TRUE(google_.owner_cancel(std::string(gone.at("id").as_string())));
  google_.push_fault(fake::kind::list, fake::fault::none);
  google_.push_fault(fake::kind::list, fake::fault::user_rate_limited);
  google_.push_fault(fake::kind::list, fake::fault::too_many);
  int lists = google_.count(fake::kind::list);
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(google_.count(fake::kind::list), lists + 3 + 2);
  EXPECT_EQ(sync_->counts().page_retries, 3);
  EXPECT_EQ(sync_->counts().full_syncs, 1);
  std::set<std::string> truth;
  for (auto& e : google_.events())
    if (std::string(e.at("status").as_string()) != "cancelled")
      truth.insert(std::string(e.at("id").as_string()));
  EXPECT_EQ(truth.size(), 11u);
  EXPECT_EQ(mirror_ids(), truth) << "nothing lost, nothing twice, the cancelled one gone";

  // Rate limited past every retry: the sync fails, mirror and token stay as they were, and
  // the next sync brings the change.
  auto token = row("SELECT sync_token FROM calendar_links");
  auto late = google_.owner_insert(timed("2026-03-11T10:00:00-05:00", "2026-03-11T11:00:00-05:00"));
  for (int i = 0; i <= s.page_retries; ++i)
    google_.push_fault(fake::kind::list, fake::fault::rate_limited);
  auto failed = sync_->sync_link(biz, link_id());
  ASSERT_FALSE(failed);
  EXPECT_EQ(row("SELECT sync_token FROM calendar_links"), token);
  EXPECT_EQ(mirror_ids(), truth);
  EXPECT_NE(row("SELECT last_error FROM calendar_links"), "NULL");
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  truth.insert(late);
  EXPECT_EQ(mirror_ids(), truth);
}

TEST_F(gcal_faults, a_gone_token_in_the_middle_of_the_pages_makes_a_clean_full_sync) {
  google_.set_page_size(2);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(google_.owner_insert(timed("2026-03-09T" + std::to_string(10 + i) + ":00:00-05:00",
                                             "2026-03-09T" + std::to_string(10 + i) + ":20:00-05:00")));
  connect();
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 5);
  // Changes over three incremental pages; a row the mirror should not have.
  for (int i = 0; i < 3; ++i)
    ids.push_back(google_.owner_insert(timed("2026-03-10T" + std::to_string(10 + i) + ":00:00-05:00",
                                             "2026-03-10T" + std::to_string(10 + i) + ":20:00-05:00")));
  ASSERT_TRUE(google_.owner_cancel(ids[0]));
  ASSERT_TRUE(google_.owner_move(ids[1], "2026-03-12T09:00:00-05:00", "2026-03-12T09:45:00-05:00"));
  exec("INSERT INTO calendar_busy SELECT business_id, id, 'ghost', "
       "tstzrange('2026-03-13 15:00Z', '2026-03-13 16:00Z') FROM calendar_links");
  // The first page answers, the second says the token is gone (410 fullSyncRequired).
  google_.push_fault(fake::kind::list, fake::fault::none);
  google_.push_fault(fake::kind::list, fake::fault::gone_410);
  auto fulls = sync_->counts().full_syncs;
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(sync_->counts().gone_410, 1);
  EXPECT_EQ(sync_->counts().full_syncs, fulls + 1);
  EXPECT_EQ(mirror_ids(), std::set<std::string>(ids.begin() + 1, ids.end()));
  EXPECT_EQ(row("SELECT to_char(lower(during) AT TIME ZONE 'America/Chicago', 'MM-DD HH24:MI') "
                "FROM calendar_busy WHERE event_id = '" + ids[1] + "'"),
            "03-12 09:00");
  // And incremental again after it.
  int lists = google_.count(fake::kind::list);
  ASSERT_TRUE(google_.owner_cancel(ids[2]));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(google_.count(fake::kind::list), lists + 1);
  std::set<std::string> left(ids.begin() + 3, ids.end());
  left.insert(ids[1]);
  EXPECT_EQ(mirror_ids(), left);
}

TEST_F(gcal_faults, an_insert_meeting_a_deleted_id_takes_the_next_revision) {
  connect();
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  auto first = google::event_id(a.id, 0);
  ASSERT_TRUE(google_.event(first));
  // The owner deletes it in Google, and our record of having written it is lost (as if the
  // insert's answer never came): the retry's insert meets the tombstone, 409.
  ASSERT_TRUE(google_.owner_cancel(first));
  exec("UPDATE appointments SET calendar_event_id = NULL, calendar_etag = NULL");
  exec("UPDATE outbox SET status = 'pending', next_attempt_at = '2000-01-01' WHERE kind = 'gcal.event'");
  int inserts = google_.count(fake::kind::insert);
  run_outbox();
  auto ours = google_.our_events();
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(std::string(ours[0].at("id").as_string()), google::event_id(a.id, 1));
  EXPECT_EQ(google_.count(fake::kind::insert), inserts + 2) << "the 409, then the new id";
  EXPECT_EQ(row("SELECT calendar_revision FROM appointments WHERE id = '" + a.id + "'"), "1");
  EXPECT_EQ(row("SELECT calendar_event_id FROM appointments WHERE id = '" + a.id + "'"),
            google::event_id(a.id, 1));
  EXPECT_EQ(row("SELECT status FROM outbox WHERE kind = 'gcal.event'"), "done");
}

TEST_F(gcal_faults, a_patch_against_a_version_changed_in_google_reads_it_again_and_writes_ours) {
  connect();
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  auto id = google::event_id(a.id, 0);
  EXPECT_EQ(row("SELECT calendar_etag FROM appointments WHERE id = '" + a.id + "'"),
            std::string(google_.event(id)->at("etag").as_string()));
  // The owner changes the event in Google; before any sync sees it, the caller moves the
  // appointment by phone. Our patch carries the old etag: 412, read again, written over.
  ASSERT_TRUE(google_.owner_move(id, "2026-03-04T13:00:00-06:00", "2026-03-04T13:30:00-06:00"));
  auto moved = store::appointments_repo(app_).reschedule(
      biz, a.id, {at("2026-03-04T18:00:00Z"), at("2026-03-04T18:30:00Z")}, clock_.now());
  ASSERT_TRUE(moved) << moved.error().message;
  int patches = google_.count(fake::kind::patch);
  run_outbox();
  EXPECT_EQ(sync_->counts().stale_etags, 1);
  EXPECT_EQ(google_.count(fake::kind::patch), patches + 2) << "the 412, then ours";
  auto ev = google_.event(id);
  ASSERT_TRUE(ev);
  EXPECT_EQ(std::string(ev->at("start").at("dateTime").as_string()), "2026-03-04T18:00:00.000Z");
  EXPECT_EQ(row("SELECT calendar_etag FROM appointments WHERE id = '" + a.id + "'"),
            std::string(ev->at("etag").as_string()));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'gcal.event' AND status <> 'done'"), 0);
  // Sync then sees our version: the appointment stays where the caller put it.
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  EXPECT_EQ(row("SELECT id FROM appointments WHERE status = 'booked'"), moved->id);
  // A patch with the current etag goes through at once.
  patches = google_.count(fake::kind::patch);
  ASSERT_TRUE(store::appointments_repo(app_).reschedule(
      biz, moved->id, {at("2026-03-04T19:00:00Z"), at("2026-03-04T19:30:00Z")}, clock_.now()));
  run_outbox();
  EXPECT_EQ(google_.count(fake::kind::patch), patches + 1);
  EXPECT_EQ(sync_->counts().stale_etags, 1);
}

TEST_F(gcal_faults, an_event_google_will_not_let_us_change_is_left_to_staff_not_recreated) {
  connect();
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  ASSERT_TRUE(store::appointments_repo(app_).reschedule(
      biz, a.id, {at("2026-03-04T18:00:00Z"), at("2026-03-04T18:30:00Z")}, clock_.now()));
  google_.push_fault(fake::kind::patch, fake::fault::not_organizer);
  run_outbox();
  auto ours = google_.our_events();
  ASSERT_EQ(ours.size(), 1u) << "not re-created under another id";
  EXPECT_EQ(std::string(ours[0].at("id").as_string()), google::event_id(a.id, 0));
  EXPECT_EQ(count("SELECT count(*) FROM staff_tasks WHERE kind = 'calendar_conflict'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'gcal.event' AND status = 'failed'"), 1)
      << "no retry helps";
  EXPECT_EQ(row("SELECT calendar_revision FROM appointments WHERE id = '" + a.id + "'"), "0");
}

TEST_F(gcal_faults, moving_onto_time_overlapping_its_own_event_is_not_refused) {
  connect();
  // Booked at 10:00 in Chicago and written to Google; then moved to 11:00 here, and that
  // write has not reached Google yet (queued, or Google was away): its event is still at 10:00.
  auto a = book("2026-03-04T16:00:00Z");
  run_outbox();
  ASSERT_EQ(google_.our_events().size(), 1u);
  auto moved = store::appointments_repo(app_).reschedule(
      biz, a.id, {at("2026-03-04T17:00:00Z"), at("2026-03-04T17:30:00Z")}, clock_.now());
  ASSERT_TRUE(moved) << moved.error().message;
  // The owner's own event at 12:00 still counts.
  google_.owner_insert(timed("2026-03-04T12:00:00-06:00", "2026-03-04T13:00:00-06:00"));
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  // freeBusy cannot tell the appointment's own event from the owner's time.
  auto plain = sync_->check_live(biz, at("2026-03-04T00:00:00Z"), at("2026-03-05T00:00:00Z"));
  ASSERT_EQ(plain.what, gcal::live_busy::kind::answered);
  bool own_seen = false;
  for (auto& [s, e] : plain.busy)
    own_seen = own_seen || (s <= at("2026-03-04T16:00:00Z") && at("2026-03-04T16:30:00Z") <= e);
  EXPECT_TRUE(own_seen);
  EXPECT_FALSE(holds("2026-03-04", "10:00")) << "a new booking does not get our event's time";
  // Asked for the move, our own events are not busy time; the owner's still is.
  auto live = sync_->check_live(biz, at("2026-03-04T00:00:00Z"), at("2026-03-05T00:00:00Z"), moved->id);
  ASSERT_EQ(live.what, gcal::live_busy::kind::answered);
  ASSERT_EQ(live.busy.size(), 1u);
  EXPECT_EQ(live.busy[0].first, at("2026-03-04T18:00:00Z"));
  // The caller moves it back to 10:00, where its own event still stands in Google.
  EXPECT_TRUE(holds("2026-03-04", "10:00", moved->id));
  EXPECT_FALSE(holds("2026-03-04", "12:00", moved->id)) << "the owner's event";
  auto back = tool("reschedule", {{"appointment_id", moved->id}, {"start", "2026-03-04T10:00"}});
  ASSERT_TRUE(back.ok);
  run_outbox();
  auto ours = google_.our_events();
  ASSERT_EQ(ours.size(), 1u) << "still the chain's one event";
  EXPECT_EQ(std::string(ours[0].at("start").at("dateTime").as_string()), "2026-03-04T16:00:00.000Z");
  // Google down and the mirror stale: a move is not vouched for either.
  google_.down(true);
  clock_.advance(16min);
  EXPECT_FALSE(holds("2026-03-04", "14:00", back.values["appointment_id"]));
}

TEST_F(gcal_faults, the_first_sync_can_follow_the_callback_on_the_sync_round) {
  google_.owner_insert(timed("2026-03-04T10:00:00-06:00", "2026-03-04T11:00:00-06:00"));
  int lists = google_.count(fake::kind::list);
  connect(false); // as the node's callback does: the owner's page answers first
  EXPECT_EQ(row("SELECT status FROM calendar_links"), "active");
  EXPECT_EQ(google_.count(fake::kind::list), lists) << "nothing read yet";
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 0);
  EXPECT_EQ(sync_->sync_due(false), 1) << "a calendar never synced is due at once";
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 1);
  EXPECT_NE(row("SELECT sync_token FROM calendar_links"), "NULL");
}

TEST_F(gcal_faults, the_usage_limit_on_a_burst_of_bookings_delays_them_but_loses_none) {
  connect();
  // "Calendar usage limits exceeded." (403 quotaExceeded) meets the first two inserts.
  google_.push_fault(fake::kind::insert, fake::fault::quota_exceeded);
  google_.push_fault(fake::kind::insert, fake::fault::quota_exceeded);
  book("2026-03-04T16:00:00Z");
  book("2026-03-04T17:00:00Z");
  book("2026-03-04T19:00:00Z");
  for (int i = 0; i < 3; ++i) {
    run_outbox();
    exec("UPDATE outbox SET next_attempt_at = '2000-01-01' WHERE status = 'pending'");
  }
  EXPECT_EQ(google_.our_events().size(), 3u);
  EXPECT_EQ(google_.count(fake::kind::insert), 5) << "two refused, three written once each";
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE kind = 'gcal.event' AND status <> 'done'"), 0);
}
