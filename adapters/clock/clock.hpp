#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "protocols/core/time.hpp"

namespace frontdesk {

/// The one source of wall-clock time. Code that needs "now" takes a clock&; nothing reads a static.
class clock {
public:
  virtual ~clock() = default;
  /// The current instant (UTC).
  virtual sys_time now() const = 0;
};

/// Real time.
class system_clock final : public clock {
public:
  sys_time now() const override;
};

/// Starts at a fixed instant and runs at real speed from there (`--now`), for demos and tests
/// that need a known date but real timers.
class offset_clock final : public clock {
public:
  explicit offset_clock(sys_time start);
  sys_time now() const override;

private:
  std::chrono::microseconds offset_;
};

/// Moves only when told to: deterministic unit tests.
class manual_clock final : public clock {
public:
  explicit manual_clock(sys_time start) : now_(start.time_since_epoch().count()) {}
  sys_time now() const override { return sys_time{std::chrono::microseconds{now_.load()}}; }
  void advance(std::chrono::microseconds d) { now_ += d.count(); }
  void set(sys_time t) { now_ = t.time_since_epoch().count(); }

private:
  std::atomic<long long> now_;
};

/// The clock a node uses: real time, or `offset_clock` when a start instant is given.
std::shared_ptr<clock> make_clock(const std::optional<sys_time>& start);

} // namespace frontdesk
