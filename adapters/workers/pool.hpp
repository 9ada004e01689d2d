#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace frontdesk {

/// A bounded pool of threads for blocking work (database writes, speech decoding), so that
/// neither the scheduler's threads nor the network's io threads ever block.
class worker_pool {
public:
  worker_pool(std::string name, std::size_t threads, std::size_t max_queue);

  /// Threads at a lower scheduling priority (`nice` 1..19 added to the process's): for work
  /// that may lag behind but must not delay the calls, such as encoding recordings. With
  /// `batch`, the threads run SCHED_BATCH: waking one never preempts a running thread (see
  /// adapters/workers/thread_policy.hpp).
  ///
  /// With `idle_until_late`, the pool's threads run SCHED_IDLE instead: they get only CPU time
  /// that nothing else wants, so on a busy node they never delay a call's thread. One more
  /// thread, at `nice` and `batch`, takes jobs only once the oldest queued job has waited
  /// longer than `idle_until_late`, so the work still keeps up under sustained load and the
  /// queue stays bounded in time. (An unprivileged thread cannot leave SCHED_IDLE again, hence
  /// a second thread rather than one that changes its policy.)
  struct priority {
    int nice = 0;
    bool batch = false;
    std::chrono::milliseconds idle_until_late{0};
  };
  worker_pool(std::string name, std::size_t threads, std::size_t max_queue, priority p);

  /// A pool without threads: jobs wait until `run_pending()` runs them on the caller's thread.
  /// For deterministic tests, where one thread drives the actors (CAF's test coordinator) and
  /// the blocking work alike.
  struct manual_t {};
  static constexpr manual_t manual{};
  worker_pool(std::string name, manual_t, std::size_t max_queue);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// Queues a job. False when the queue is full or the pool stopped: the job was not taken.
  bool post(std::function<void()> job);

  /// Queues a job ahead of every job queued with post() (behind earlier post_first() jobs):
  /// for work someone waits on now, such as a turn's final words, which must not wait behind
  /// the partial decoding of callers who are still speaking.
  bool post_first(std::function<void()> job);

  /// Runs what is queued, then joins the threads. Later posts are refused.
  void stop();

  /// Runs the queued jobs, and the jobs they queue, on this thread; returns how many ran.
  std::size_t run_pending();

  std::size_t queued() const;
  std::size_t rejected() const;
  /// Jobs run by the catch-up thread of an `idle_until_late` pool (they had waited too long).
  std::size_t caught_up() const;

private:
  using clock = std::chrono::steady_clock;
  struct entry {
    std::function<void()> job;
    clock::time_point queued_at;
  };
  bool add(std::function<void()> job, bool first);
  std::function<void()> take_front(); // with mtx_ held, jobs_ not empty
  void run();
  void catch_up();
  void run_job(std::function<void()>& job);
  void start(std::size_t threads, priority p);

  std::string name_;
  std::size_t max_queue_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::condition_variable late_cv_; // the catch-up thread's
  std::deque<entry> jobs_;
  std::size_t first_ = 0; // the post_first() jobs at the front of jobs_
  std::vector<std::thread> threads_;
  clock::duration late_after_{0}; // zero: no catch-up thread
  bool catch_up_waits_for_work_ = false; // it sleeps until a post, not until a deadline
  std::size_t rejected_ = 0;
  std::size_t caught_up_ = 0;
  bool stopping_ = false;
};

} // namespace frontdesk
