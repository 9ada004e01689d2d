// Figures, not speed assertions: the full sync of a calendar of 5,000 events (pages of 250, as
// Google sends them) into the mirror, then an incremental sync with nothing changed. Prints
// the times and the requests; checks only that every busy event arrived.
#include <chrono>
#include <cstdio>

#include "tests/integration/gcal/fixture.hpp"

using namespace frontdesk;
using namespace frontdesk::testing_gcal;

TEST_F(gcal_test, figures_full_sync_of_5000_events) {
  connect();
  google_.owner_bulk(5000, "2026-03-09");
  exec("UPDATE calendar_links SET sync_token = NULL");
  int before = google_.count(fixtures::fake_google::kind::list);
  auto t0 = std::chrono::steady_clock::now();
  auto n = sync_->sync_link(biz, link_id());
  auto full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 5000);
  // One in seven is transparent (free): the rest block.
  EXPECT_EQ(count("SELECT count(*) FROM calendar_busy"), 4286);
  int pages = google_.count(fixtures::fake_google::kind::list) - before;
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(sync_->sync_link(biz, link_id()));
  auto inc_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  std::printf("full sync of 5,000 events: %.0f ms over %d pages; incremental sync with nothing "
              "new: %.1f ms\n",
              full_ms, pages, inc_ms);
}
