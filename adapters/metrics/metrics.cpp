#include "adapters/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace frontdesk::metrics {

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    buckets_[i] = 0;
}

void histogram::observe(double v) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<std::int64_t>(v * 1e6), std::memory_order_relaxed);
}

double histogram::sum() const { return double(sum_micro_.load(std::memory_order_relaxed)) / 1e6; }

std::uint64_t histogram::cumulative(std::size_t i) const {
  std::uint64_t n = 0;
  for (std::size_t b = 0; b <= i && b < bounds_.size() + 1; ++b)
    n += buckets_[b].load(std::memory_order_relaxed);
  return n;
}

std::vector<double> latency_buckets_ms() {
  return {1, 2, 5, 10, 20, 50, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000};
}

std::vector<double> fine_latency_buckets_ms() {
  std::vector<double> b;
  for (int e = -1; e <= 4; ++e)
    for (double m : {1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5})
      // Rounded, so that the bounds print as written (0.3, not 0.30000000000000004).
      if (auto v = std::round(std::pow(10.0, e) * m * 1000) / 1000; v <= 30000)
        b.push_back(v);
  return b;
}

counter& registry::add_counter(const std::string& name, const std::string& help,
                               const std::string& labels) {
  std::lock_guard lk(mtx_);
  auto& c = counters_.emplace_back();
  entries_.push_back({name, help, labels, "counter", &c, nullptr, nullptr});
  return c;
}

gauge& registry::add_gauge(const std::string& name, const std::string& help,
                           const std::string& labels) {
  std::lock_guard lk(mtx_);
  auto& g = gauges_.emplace_back();
  entries_.push_back({name, help, labels, "gauge", nullptr, &g, nullptr});
  return g;
}

histogram& registry::add_histogram(const std::string& name, const std::string& help,
                                   std::vector<double> bounds, const std::string& labels) {
  std::lock_guard lk(mtx_);
  auto& h = histograms_.emplace_back(std::move(bounds));
  entries_.push_back({name, help, labels, "histogram", nullptr, nullptr, &h});
  return h;
}

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string with_labels(const std::string& labels, const std::string& extra = "") {
  std::string all = labels;
  if (!extra.empty())
    all += (all.empty() ? "" : ",") + extra;
  return all.empty() ? "" : "{" + all + "}";
}

} // namespace

std::string registry::render() const {
  std::lock_guard lk(mtx_);
  std::string out;
  std::set<std::string> described;
  // Entries of one name are rendered together, after one HELP/TYPE header.
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    auto& e = entries_[i];
    if (!described.insert(e.name).second)
      continue;
    out += "# HELP " + e.name + " " + e.help + "\n# TYPE " + e.name + " " + e.type + "\n";
    for (std::size_t j = i; j < entries_.size(); ++j) {
      auto& x = entries_[j];
      if (x.name != e.name)
        continue;
      if (x.c)
        out += x.name + with_labels(x.labels) + " " + std::to_string(x.c->value()) + "\n";
      else if (x.g)
        out += x.name + with_labels(x.labels) + " " + std::to_string(x.g->value()) + "\n";
      else if (x.h) {
        auto& b = x.h->bounds();
        for (std::size_t k = 0; k < b.size(); ++k)
          out += x.name + "_bucket" + with_labels(x.labels, "le=\"" + num(b[k]) + "\"") + " " +
                 std::to_string(x.h->cumulative(k)) + "\n";
        out += x.name + "_bucket" + with_labels(x.labels, "le=\"+Inf\"") + " " +
               std::to_string(x.h->count()) + "\n";
        out += x.name + "_sum" + with_labels(x.labels) + " " + num(x.h->sum()) + "\n";
        out += x.name + "_count" + with_labels(x.labels) + " " + std::to_string(x.h->count()) +
               "\n";
      }
    }
  }
  return out;
}

} // namespace frontdesk::metrics
