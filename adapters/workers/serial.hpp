#pragma once

#include <atomic>
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
  bool post(std::function<void()> job) { return add(std::move(job), {}); }

  /// Called once, from any thread, to let a suspended queue go on.
  using resume_fn = std::function<void()>;

  /// Queues a job that may leave the queue waiting on something remote without holding a
  /// thread: the job gets `resume` and returns; the jobs after it run only once `resume` has
  /// been called (at once, inside the job, or later from another thread). A job that throws
  /// resumes the queue itself.
  bool post_suspending(std::function<void(resume_fn)> job) { return add({}, std::move(job)); }

private:
  struct entry {
    std::function<void()> job;
    std::function<void(resume_fn)> suspending;
  };

  bool add(std::function<void()> job, std::function<void(resume_fn)> suspending) {
    std::lock_guard lk(mtx_);
    jobs_.push_back({std::move(job), std::move(suspending)});
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

  void drain() {
    for (;;) {
      entry e;
      {
        std::lock_guard lk(mtx_);
        if (jobs_.empty()) {
          running_ = false;
          return;
        }
        e = std::move(jobs_.front());
        jobs_.pop_front();
        if (e.suspending)
          suspended_ = true;
      }
      if (!e.suspending) {
        try {
          e.job();
        } catch (...) {
          // A failing job must not stall the queue; jobs report their own errors.
        }
        continue;
      }
      auto once = std::make_shared<std::atomic<bool>>(false);
      resume_fn resume = [self = shared_from_this(), once] {
        if (!once->exchange(true))
          self->resume();
      };
      try {
        e.suspending(resume);
      } catch (...) {
        resume();
      }
      std::lock_guard lk(mtx_);
      if (suspended_) { // not resumed yet: this thread goes; resume() posts the rest
        parked_ = true;
        return;
      }
    }
  }

  void resume() {
    std::lock_guard lk(mtx_);
    suspended_ = false;
    if (!parked_)
      return; // resumed inside the job: the draining thread goes on by itself
    parked_ = false;
    if (!pool_.post([self = shared_from_this()] { self->drain(); })) {
      running_ = false;
      jobs_.clear();
    }
  }

  worker_pool& pool_;
  std::mutex mtx_;
  std::deque<entry> jobs_;
  bool running_ = false;
  bool suspended_ = false; // a suspending job has not resumed the queue yet
  bool parked_ = false;    // ... and no thread is draining: resume() must post one
};

} // namespace frontdesk
