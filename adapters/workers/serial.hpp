#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "adapters/workers/pool.hpp"

namespace frontdesk {

/// Runs jobs one at a time, in order, on a shared worker pool: a call's recogniser session or
/// recording file is used by one thread at a time without a thread of its own.
class serial_queue : public std::enable_shared_from_this<serial_queue> {
public:
  explicit serial_queue(worker_pool& pool) : pool_(pool) {}

  /// Queues a job. False when the pool refused to run the queue (it is full or stopped).
  bool post(std::function<void()> job) {
    std::lock_guard lk(mtx_);
    jobs_.push_back(std::move(job));
    if (running_)
      return true;
    running_ = true;
    if (!pool_.post([self = shared_from_this()] { self->drain(); })) {
      running_ = false;
      jobs_.clear();
      return false;
    }
    return true;
  }

private:
  void drain() {
    for (;;) {
      std::function<void()> job;
      {
        std::lock_guard lk(mtx_);
        if (jobs_.empty()) {
          running_ = false;
          return;
        }
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      try {
        job();
      } catch (...) {
        // A failing job must not stall the queue; jobs report their own errors.
      }
    }
  }

  worker_pool& pool_;
  std::mutex mtx_;
  std::deque<std::function<void()>> jobs_;
  bool running_ = false;
};

} // namespace frontdesk
