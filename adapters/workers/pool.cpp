#include "adapters/workers/pool.hpp"
#include "adapters/workers/thread_policy.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <utility>

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
  late_after_ = p.idle_until_late;
  bool idle = p.idle_until_late.count() > 0;
  // Each thread: named for top and perf ("fd.speech", ...; Linux keeps 15 characters), then
  // its own nice value and policy (Linux gives each thread its own).
  auto thread = [this](std::string name, int nice, bool batch, bool idle_policy,
                       void (worker_pool::*body)()) {
    return std::thread([=, this] {
      ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
      auto tid = static_cast<id_t>(::gettid());
      if (nice > 0 &&
          ::setpriority(PRIO_PROCESS, tid, ::getpriority(PRIO_PROCESS, tid) + nice) != 0)
        spdlog::warn("worker pool '{}': cannot lower the priority of a thread", name_);
      if (idle_policy && !use_idle_scheduling())
        spdlog::warn("worker pool '{}': SCHED_IDLE not available", name_);
      else if (!idle_policy && batch && !use_batch_scheduling())
        spdlog::warn("worker pool '{}': SCHED_BATCH not available", name_);
      (this->*body)();
    });
  };
  for (std::size_t i = 0; i < (threads == 0 ? 1 : threads); ++i)
    threads_.push_back(thread("fd." + name_, p.nice, p.batch, idle, &worker_pool::run));
  if (idle)
    threads_.push_back(thread("fd." + name_ + "+", p.nice, p.batch, false, &worker_pool::catch_up));
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
      job = take_front();
    }
    ++ran;
    run_job(job);
  }
}

void worker_pool::run_job(std::function<void()>& job) {
  try {
    job();
  } catch (const std::exception& e) {
    spdlog::error("worker pool '{}': job failed: {}", name_, e.what());
  }
}

bool worker_pool::post(std::function<void()> job) { return add(std::move(job), false); }

bool worker_pool::post_first(std::function<void()> job) { return add(std::move(job), true); }

std::function<void()> worker_pool::take_front() {
  auto job = std::move(jobs_.front().job);
  jobs_.pop_front();
  if (first_ > 0)
    --first_;
  return job;
}

bool worker_pool::add(std::function<void()> job, bool first) {
  bool wake_catch_up = false;
  {
    std::lock_guard lk(mtx_);
    if (stopping_ || jobs_.size() >= max_queue_) {
      ++rejected_;
      return false;
    }
    if (first) // behind the other urgent jobs, before every ordinary one
      jobs_.insert(jobs_.begin() + static_cast<std::ptrdiff_t>(first_++),
                   {std::move(job), clock::now()});
    else
      jobs_.push_back({std::move(job), clock::now()});
    wake_catch_up = std::exchange(catch_up_waits_for_work_, false);
  }
  cv_.notify_one();
  if (wake_catch_up)
    late_cv_.notify_one(); // it now has a deadline to sleep until
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
  late_cv_.notify_all();
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

std::size_t worker_pool::caught_up() const {
  std::lock_guard lk(mtx_);
  return caught_up_;
}

void worker_pool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lk(mtx_);
      cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return; // stopping, and everything queued has run
      job = take_front();
    }
    run_job(job);
  }
}

// The catch-up thread of an `idle_until_late` pool: sleeps until the oldest job would be late,
// and takes it if the idle threads have not by then. When stopping it helps drain the queue.
void worker_pool::catch_up() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lk(mtx_);
      for (;;) {
        if (jobs_.empty()) {
          if (stopping_)
            return;
          catch_up_waits_for_work_ = true;
          late_cv_.wait(lk);
          continue;
        }
        auto due = jobs_.front().queued_at + late_after_;
        if (clock::now() >= due) {
          ++caught_up_;
          break;
        }
        if (stopping_)
          break;
        late_cv_.wait_until(lk, due);
      }
      job = take_front();
    }
    run_job(job);
  }
}

} // namespace frontdesk
