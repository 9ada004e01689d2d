#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace frontdesk::metrics {

/// A monotonically increasing count. Lock-free; safe from any thread.
class counter {
public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

/// A value that goes up and down (live calls).
class gauge {
public:
  void add(std::int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> v_{0};
};

/// A distribution over fixed upper bounds (Prometheus histogram), e.g. latencies in ms.
class histogram {
public:
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double v);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;
  const std::vector<double>& bounds() const { return bounds_; }
  /// Cumulative count of observations <= bounds()[i].
  std::uint64_t cumulative(std::size_t i) const;

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> sum_micro_{0};
};

/// Latency buckets in milliseconds, 1 ms to 5 s.
std::vector<double> latency_buckets_ms();

/// Latency buckets in milliseconds from 0.1 ms to 30 s, each at most a third wider than the one
/// before (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 per decade): a quantile read from them is off
/// by less than a third wherever it falls, at a few ms or at a second (the coarse buckets put
/// every value from 500 ms to 1 s in one).
std::vector<double> fine_latency_buckets_ms();

/// Owns a process's metrics and renders them in the Prometheus text format (version 0.0.4).
/// Register once at start-up; the returned references stay valid for the registry's life.
class registry {
public:
  /// `labels` is the inside of the braces, already formatted: `route="voice",result="ok"`.
  counter& add_counter(const std::string& name, const std::string& help,
                       const std::string& labels = "");
  gauge& add_gauge(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  histogram& add_histogram(const std::string& name, const std::string& help,
                           std::vector<double> bounds, const std::string& labels = "");

  std::string render() const;

private:
  struct entry {
    std::string name, help, labels, type;
    counter* c = nullptr;
    gauge* g = nullptr;
    histogram* h = nullptr;
  };
  mutable std::mutex mtx_;
  std::vector<entry> entries_;
  std::deque<counter> counters_;
  std::deque<gauge> gauges_;
  std::deque<histogram> histograms_;
};

} // namespace frontdesk::metrics
