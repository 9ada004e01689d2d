#pragma once

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
  struct priority {
    int nice = 0;
    bool batch = false;
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

  /// Runs what is queued, then joins the threads. Later posts are refused.
  void stop();

  /// Runs the queued jobs, and the jobs they queue, on this thread; returns how many ran.
  std::size_t run_pending();

  std::size_t queued() const;
  std::size_t rejected() const;

private:
  void run();
  void start(std::size_t threads, priority p);

  std::string name_;
  std::size_t max_queue_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t rejected_ = 0;
  bool stopping_ = false;
};

} // namespace frontdesk
