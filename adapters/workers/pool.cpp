#include "adapters/workers/pool.hpp"
#include "adapters/workers/thread_policy.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

namespace frontdesk {

worker_pool::worker_pool(std::string name, std::size_t threads, std::size_t max_queue)
    : name_(std::move(name)), max_queue_(max_queue) {
  start(threads, priority{});
}

worker_pool::worker_pool(std::string name, std::size_t threads, std::size_t max_queue,
                         priority p)
    : name_(std::move(name)), max_queue_(max_queue) {
  start(threads, p);
}

void worker_pool::start(std::size_t threads, priority p) {
  for (std::size_t i = 0; i < (threads == 0 ? 1 : threads); ++i)
    threads_.emplace_back([this, nice = p.nice, batch = p.batch] {
      // Named for top and perf ("fd.speech", ...); Linux keeps 15 characters.
      ::pthread_setname_np(::pthread_self(), ("fd." + name_).substr(0, 15).c_str());
      // Linux gives each thread its own nice value: lower this one only.
      auto tid = static_cast<id_t>(::gettid());
      if (nice > 0 && ::setpriority(PRIO_PROCESS, tid, ::getpriority(PRIO_PROCESS, tid) + nice) != 0)
        spdlog::warn("worker pool '{}': cannot lower the priority of a thread", name_);
      if (batch && !use_batch_scheduling())
        spdlog::warn("worker pool '{}': SCHED_BATCH not available", name_);
      run();
    });
}

worker_pool::worker_pool(std::string name, manual_t, std::size_t max_queue)
    : name_(std::move(name)), max_queue_(max_queue) {}

worker_pool::~worker_pool() { stop(); }

std::size_t worker_pool::run_pending() {
  std::size_t ran = 0;
  for (;;) {
    std::function<void()> job;
    {
      std::lock_guard lk(mtx_);
      if (jobs_.empty())
        return ran;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    ++ran;
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("worker pool '{}': job failed: {}", name_, e.what());
    }
  }
}

bool worker_pool::post(std::function<void()> job) {
  {
    std::lock_guard lk(mtx_);
    if (stopping_ || jobs_.size() >= max_queue_) {
      ++rejected_;
      return false;
    }
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void worker_pool::stop() {
  {
    std::lock_guard lk(mtx_);
    if (stopping_ && threads_.empty())
      return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

std::size_t worker_pool::queued() const {
  std::lock_guard lk(mtx_);
  return jobs_.size();
}

std::size_t worker_pool::rejected() const {
  std::lock_guard lk(mtx_);
  return rejected_;
}

void worker_pool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lk(mtx_);
      cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return; // stopping, and everything queued has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("worker pool '{}': job failed: {}", name_, e.what());
    }
  }
}

} // namespace frontdesk
