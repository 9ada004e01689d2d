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
  bool post(std::function<void()> job) { return add(std::move(job), {}, false); }

  /// As post(), and the queue's turn on the pool comes before the pool's ordinary jobs
  /// (worker_pool::post_first): for a job someone waits on now. The jobs queued before it still
  /// run first, in order.
  bool post_first(std::function<void()> job) { return add(std::move(job), {}, true); }

  /// Called once, from any thread, to let a suspended queue go on.
  using resume_fn = std::function<void()>;

  /// Queues a job that may leave the queue waiting on something remote without holding a
  /// thread: the job gets `resume` and returns; the jobs after it run only once `resume` has
  /// been called (at once, inside the job, or later from another thread). A job that throws
  /// resumes the queue itself.
  bool post_suspending(std::function<void(resume_fn)> job) {
    return add({}, std::move(job), false);
  }

private:
  struct entry {
    std::function<void()> job;
    std::function<void(resume_fn)> suspending;
    bool first = false; // posted with post_first
  };

  bool add(std::function<void()> job, std::function<void(resume_fn)> suspending, bool first) {
    std::lock_guard lk(mtx_);
    jobs_.push_back({std::move(job), std::move(suspending), first});
    auto drain = [self = shared_from_this()] { self->drain(); };
    if (running_) {
      // Our drain waits in the pool's ordinary lane, or we wait on something remote: a second
      // drain in the urgent lane. Whichever starts first runs the jobs; the other finds them
      // taken (or the queue suspended) and returns.
      if (first && !draining_ && !suspended_)
        pool_.post_first(std::move(drain));
      return true;
    }
    running_ = true;
    if (!(first ? pool_.post_first(std::move(drain)) : pool_.post(std::move(drain)))) {
      running_ = false;
      jobs_.clear();
      return false;
    }
    return true;
  }

  void drain() {
    {
      std::lock_guard lk(mtx_);
      if (draining_ || suspended_ || !running_)
        return; // a second drain, come late (see add)
      draining_ = true;
    }
    for (;;) {
      entry e;
      {
        std::lock_guard lk(mtx_);
        if (jobs_.empty()) {
          running_ = false;
          draining_ = false;
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
        draining_ = false;
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
    bool first = false;
    for (auto& e : jobs_)
      first = first || e.first;
    auto drain = [self = shared_from_this()] { self->drain(); };
    if (!(first ? pool_.post_first(std::move(drain)) : pool_.post(std::move(drain)))) {
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
  bool draining_ = false;  // a thread runs drain() now
};

} // namespace frontdesk
