#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "adapters/caller/bench.hpp"

using namespace frontdesk::caller;

namespace {

const std::string exposition =
    "# HELP frontdesk_turn_runtime_ms What the runtime adds.\n"
    "# TYPE frontdesk_turn_runtime_ms histogram\n"
    "frontdesk_turn_runtime_ms_bucket{le=\"0.5\"} 10\n"
    "frontdesk_turn_runtime_ms_bucket{le=\"1\"} 60\n"
    "frontdesk_turn_runtime_ms_bucket{le=\"2\"} 95\n"
    "frontdesk_turn_runtime_ms_bucket{le=\"+Inf\"} 100\n"
    "frontdesk_turn_runtime_ms_sum 120.5\n"
    "frontdesk_turn_runtime_ms_count 100\n"
    "frontdesk_turn_latency_ms_bucket{part=\"decision\",le=\"1\"} 7\n"
    "frontdesk_calls_live 3\n";

} // namespace

TEST(metrics_text, reads_a_histograms_buckets_and_nothing_else) {
  auto h = parse_histogram(exposition, "frontdesk_turn_runtime_ms");
  ASSERT_EQ(h.size(), 4u);
  EXPECT_DOUBLE_EQ(h[0].first, 0.5);
  EXPECT_EQ(h[0].second, 10u);
  EXPECT_EQ(h[2].second, 95u);
  EXPECT_TRUE(std::isinf(h[3].first));
  EXPECT_EQ(h[3].second, 100u);
  EXPECT_TRUE(parse_histogram(exposition, "frontdesk_missing").empty());
  // Labelled histograms are found by name too.
  auto l = parse_histogram(exposition, "frontdesk_turn_latency_ms");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].second, 7u);
}

TEST(metrics_text, a_label_picks_one_series_of_a_labelled_histogram) {
  const std::string text =
      "frontdesk_turn_stage_ms_bucket{stage=\"decide\",le=\"1\"} 3\n"
      "frontdesk_turn_stage_ms_bucket{stage=\"decide\",le=\"+Inf\"} 4\n"
      "frontdesk_turn_stage_ms_bucket{stage=\"send\",le=\"1\"} 9\n"
      "frontdesk_turn_stage_ms_bucket{stage=\"send\",le=\"+Inf\"} 9\n"
      "frontdesk_turn_stage_ms_bucket{le=\"1\",stage=\"decided\"} 5\n"
      "frontdesk_turn_stage_ms_bucket{xstage=\"decide\",le=\"1\"} 6\n"
      "frontdesk_turn_stage_ms_bucket{le=\"1\",stage=\"decide\"} 7\n";
  auto d = parse_histogram(text, "frontdesk_turn_stage_ms", "stage=\"decide\"");
  ASSERT_EQ(d.size(), 3u); // the label first or last; not a longer value or another name
  EXPECT_EQ(d[0].second, 3u);
  EXPECT_EQ(d[1].second, 7u);
  EXPECT_TRUE(std::isinf(d[2].first));
  auto s = parse_histogram(text, "frontdesk_turn_stage_ms", "stage=\"send\"");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].second, 9u);
  EXPECT_TRUE(parse_histogram(text, "frontdesk_turn_stage_ms", "stage=\"none\"").empty());
  EXPECT_EQ(parse_histogram(text, "frontdesk_turn_stage_ms").size(), 7u); // no label: all
  // Every cut of the text reads without a crash, and never more than the whole.
  for (std::size_t n = 0; n <= text.size(); ++n) {
    auto cut = parse_histogram(text.substr(0, n), "frontdesk_turn_stage_ms", "stage=\"decide\"");
    EXPECT_LE(cut.size(), 3u);
  }
}

TEST(metrics_text, quantiles_interpolate_within_the_bucket_over_the_window) {
  auto after = parse_histogram(exposition, "frontdesk_turn_runtime_ms");
  std::uint64_t n = 0;
  // From zero: the median (rank 50) is in (0.5, 1]: 0.5 + 0.5 * 40/50.
  EXPECT_NEAR(histogram_quantile({}, after, 0.5, &n), 0.9, 1e-9);
  EXPECT_EQ(n, 100u);
  // P95 (rank 95) ends exactly at the 2 ms bound.
  EXPECT_NEAR(histogram_quantile({}, after, 0.95), 2.0, 1e-9);
  // Beyond the last finite bound the answer is that bound (a floor, not a guess).
  EXPECT_NEAR(histogram_quantile({}, after, 0.99), 2.0, 1e-9);
  // Only what happened between the readings counts.
  std::vector<std::pair<double, std::uint64_t>> before{
      {0.5, 10}, {1, 60}, {2, 60}, {INFINITY, 60}};
  EXPECT_NEAR(histogram_quantile(before, after, 0.5, &n), 1.0 + 1.0 * 20 / 35, 1e-9);
  EXPECT_EQ(n, 40u);
  EXPECT_EQ(histogram_quantile(after, after, 0.5, &n), 0);
  EXPECT_EQ(n, 0u);
}

TEST(metrics_text, malformed_lines_are_skipped_at_every_cut) {
  const std::string bad[] = {
      "frontdesk_turn_runtime_ms_bucket{le=\"1\"}\n",
      "frontdesk_turn_runtime_ms_bucket{le=\"x\"} 4\n",
      "frontdesk_turn_runtime_ms_bucket{le=\"1} 4\n",
      "frontdesk_turn_runtime_ms_bucket{le=\"1\"} -4\n",
      "frontdesk_turn_runtime_ms_bucket{le=\"1\"} 4x\n",
      "frontdesk_turn_runtime_ms_bucket{le=\"1\"} 99999999999999999999999\n",
      "frontdesk_turn_runtime_ms_bucket le=\"1\" 4\n",
      "frontdesk_turn_runtime_ms_bucket{}\n",
  };
  for (auto& b : bad)
    EXPECT_TRUE(parse_histogram(b, "frontdesk_turn_runtime_ms").empty()) << b;
  // Every prefix of a good exposition parses without throwing, to at most the full set.
  for (std::size_t cut = 0; cut <= exposition.size(); ++cut) {
    auto h = parse_histogram(exposition.substr(0, cut), "frontdesk_turn_runtime_ms");
    EXPECT_LE(h.size(), 4u);
    (void)histogram_quantile({}, h, 0.95);
  }
}
