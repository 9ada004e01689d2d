#include <algorithm>
#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/metrics/metrics.hpp"

using namespace frontdesk::metrics;

TEST(metrics, renders_prometheus_text) {
  registry r;
  auto& ok = r.add_counter("frontdesk_webhooks_total", "Webhooks by result.", "result=\"ok\"");
  auto& bad = r.add_counter("frontdesk_webhooks_total", "Webhooks by result.", "result=\"forbidden\"");
  auto& live = r.add_gauge("frontdesk_calls_live", "Calls in progress.");
  ok.inc(3);
  bad.inc();
  live.add(2);
  live.add(-1);
  auto text = r.render();
  EXPECT_NE(text.find("# HELP frontdesk_webhooks_total Webhooks by result.\n"
                      "# TYPE frontdesk_webhooks_total counter\n"
                      "frontdesk_webhooks_total{result=\"ok\"} 3\n"
                      "frontdesk_webhooks_total{result=\"forbidden\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE frontdesk_calls_live gauge\nfrontdesk_calls_live 1\n"),
            std::string::npos)
      << text;
  // One HELP line per name.
  EXPECT_EQ(text.find("# HELP frontdesk_webhooks_total", text.find("# HELP frontdesk_webhooks_total") + 1),
            std::string::npos);
}

TEST(metrics, histogram_buckets_are_cumulative) {
  registry r;
  auto& h = r.add_histogram("frontdesk_turn_latency_ms", "Turn latency.", {10, 100, 1000});
  for (double v : {5.0, 10.0, 50.0, 500.0, 5000.0})
    h.observe(v);
  EXPECT_EQ(h.cumulative(0), 2u); // 5 and 10 (le is inclusive)
  EXPECT_EQ(h.cumulative(1), 3u);
  EXPECT_EQ(h.cumulative(2), 4u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum(), 5565.0);
  auto text = r.render();
  EXPECT_NE(text.find("frontdesk_turn_latency_ms_bucket{le=\"100\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("frontdesk_turn_latency_ms_bucket{le=\"+Inf\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("frontdesk_turn_latency_ms_count 5\n"), std::string::npos);
}

TEST(metrics, counters_are_safe_from_many_threads) {
  registry r;
  auto& c = r.add_counter("x_total", "x");
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 100000; ++k)
        c.inc();
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(c.value(), 400000u);
}

TEST(metrics, fine_latency_buckets_cover_a_tenth_of_a_ms_to_30_s_at_most_a_third_apart) {
  auto b = fine_latency_buckets_ms();
  ASSERT_GE(b.size(), 40u);
  EXPECT_DOUBLE_EQ(b.front(), 0.1);
  EXPECT_DOUBLE_EQ(b.back(), 30000);
  for (std::size_t i = 1; i < b.size(); ++i) {
    EXPECT_GT(b[i], b[i - 1]);
    EXPECT_LE(b[i] / b[i - 1], 4.0 / 3.0 + 1e-9) << b[i - 1] << " to " << b[i];
  }
  // The bounds a runtime figure is read against: 2 ms and 1 s are bounds, not inside a bucket.
  EXPECT_NE(std::find_if(b.begin(), b.end(), [](double x) { return std::abs(x - 2) < 1e-9; }), b.end());
  EXPECT_NE(std::find_if(b.begin(), b.end(), [](double x) { return std::abs(x - 1000) < 1e-9; }), b.end());
}
