#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <fstream>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "adapters/workers/pool.hpp"
#include "adapters/workers/thread_policy.hpp"

using namespace frontdesk;

TEST(worker_pool, runs_every_job_and_drains_on_stop) {
  std::atomic<int> done{0};
  {
    worker_pool pool("t", 2, 1000);
    for (int i = 0; i < 500; ++i)
      ASSERT_TRUE(pool.post([&] { ++done; }));
    pool.stop();
    EXPECT_FALSE(pool.post([&] { ++done; }));
  }
  EXPECT_EQ(done.load(), 500);
}

TEST(worker_pool, refuses_work_beyond_its_bound) {
  worker_pool pool("t", 1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.post([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait(); // the one thread is busy
  EXPECT_TRUE(pool.post([] {}));
  EXPECT_TRUE(pool.post([] {}));
  EXPECT_FALSE(pool.post([] {}));
  EXPECT_EQ(pool.rejected(), 1u);
  release.set_value();
}

TEST(worker_pool, a_throwing_job_does_not_kill_the_pool) {
  worker_pool pool("t", 1, 10);
  std::promise<int> p;
  pool.post([] { throw std::runtime_error("boom"); });
  pool.post([&] { p.set_value(7); });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get(), 7);
}

TEST(worker_pool, a_manual_pool_runs_jobs_only_when_asked_on_the_callers_thread) {
  worker_pool pool("manual", worker_pool::manual, 10);
  std::vector<std::string> order;
  auto me = std::this_thread::get_id();
  bool same_thread = true;
  ASSERT_TRUE(pool.post([&] {
    order.push_back("a");
    same_thread = same_thread && std::this_thread::get_id() == me;
    pool.post([&] { order.push_back("c"); }); // queued by a job: runs in the same pass
  }));
  ASSERT_TRUE(pool.post([&] { order.push_back("b"); }));
  EXPECT_TRUE(order.empty()); // nothing runs by itself
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_EQ(pool.run_pending(), 3u);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(same_thread);
  EXPECT_EQ(pool.run_pending(), 0u);
}

TEST(worker_pool, a_lower_priority_pool_runs_its_jobs_at_that_priority) {
  int process_nice = ::getpriority(PRIO_PROCESS, 0);
  std::promise<int> seen;
  {
    worker_pool pool("background", 1, 10, worker_pool::priority{5});
    pool.post([&] { seen.set_value(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()))); });
    pool.stop();
  }
  EXPECT_EQ(seen.get_future().get(), std::min(19, process_nice + 5));
  EXPECT_EQ(::getpriority(PRIO_PROCESS, 0), process_nice); // the caller's own is untouched
}

TEST(worker_pool, a_batch_pool_runs_its_jobs_under_sched_batch_at_its_nice_value) {
  int process_nice = ::getpriority(PRIO_PROCESS, 0);
  std::promise<std::pair<int, int>> seen;
  {
    worker_pool pool("batch", 1, 10, worker_pool::priority{3, true});
    pool.post([&] {
      seen.set_value({::sched_getscheduler(0),
                      ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()))});
    });
    pool.stop();
  }
  auto [policy, nice] = seen.get_future().get();
  EXPECT_EQ(policy, SCHED_BATCH);
  EXPECT_EQ(nice, std::min(19, process_nice + 3));
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER); // the caller's own is untouched
}

TEST(thread_policy, batch_scheduling_applies_to_the_calling_thread_only) {
  std::promise<std::pair<bool, int>> seen;
  std::thread t([&] {
    bool ok = use_batch_scheduling();
    seen.set_value({ok, ::sched_getscheduler(0)});
  });
  t.join();
  auto [ok, policy] = seen.get_future().get();
  EXPECT_TRUE(ok);
  EXPECT_EQ(policy, SCHED_BATCH);
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER);
}

TEST(worker_pool, an_idle_pool_runs_jobs_under_sched_idle_until_one_is_late) {
  using namespace std::chrono_literals;
  worker_pool pool("idle", 1, 10, worker_pool::priority{3, true, 100ms});
  // On time: the SCHED_IDLE thread takes it.
  std::promise<int> first;
  pool.post([&] { first.set_value(::sched_getscheduler(0)); });
  EXPECT_EQ(first.get_future().get(), SCHED_IDLE);
  EXPECT_EQ(pool.caught_up(), 0u);

  // The idle thread is held until the next job has run: only the catch-up thread can run it,
  // once it has waited past the 100 ms.
  std::promise<void> release;
  auto released = release.get_future();
  std::promise<bool> held_released;
  pool.post([&] { held_released.set_value(released.wait_for(10s) == std::future_status::ready); });
  auto posted = std::chrono::steady_clock::now();
  std::promise<std::pair<int, std::chrono::steady_clock::duration>> late;
  pool.post([&] {
    late.set_value({::sched_getscheduler(0), std::chrono::steady_clock::now() - posted});
    release.set_value();
  });
  auto [policy, waited] = late.get_future().get();
  EXPECT_EQ(policy, SCHED_BATCH);
  EXPECT_GE(waited, 100ms);
  EXPECT_TRUE(held_released.get_future().get());
  EXPECT_EQ(pool.caught_up(), 1u);

  // Caught up: the idle thread takes the next one again.
  std::promise<int> again;
  pool.post([&] { again.set_value(::sched_getscheduler(0)); });
  EXPECT_EQ(again.get_future().get(), SCHED_IDLE);
  pool.stop();
  EXPECT_EQ(pool.caught_up(), 1u);
}

TEST(worker_pool, an_idle_pool_drains_everything_on_stop) {
  using namespace std::chrono_literals;
  std::atomic<int> ran{0};
  {
    worker_pool pool("idle", 1, 1000, worker_pool::priority{0, false, 10s});
    for (int i = 0; i < 500; ++i)
      ASSERT_TRUE(pool.post([&] { ++ran; }));
    pool.stop();
    EXPECT_FALSE(pool.post([&] { ++ran; }));
  }
  EXPECT_EQ(ran.load(), 500);
}

TEST(thread_policy, idle_scheduling_applies_to_the_calling_thread_only) {
  std::promise<std::pair<bool, int>> seen;
  std::thread t([&] {
    bool ok = use_idle_scheduling();
    seen.set_value({ok, ::sched_getscheduler(0)});
  });
  t.join();
  auto [ok, policy] = seen.get_future().get();
  EXPECT_TRUE(ok);
  EXPECT_EQ(policy, SCHED_IDLE);
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER);
}

TEST(thread_policy, realtime_scheduling_applies_to_the_calling_thread_only) {
  // Permission comes from CAP_SYS_NICE (bit 23 of the effective set) or RLIMIT_RTPRIO; the
  // test checks that what was granted is used, and nothing more.
  rlimit rt{};
  ::getrlimit(RLIMIT_RTPRIO, &rt);
  std::ifstream status("/proc/self/status");
  unsigned long long caps = 0;
  for (std::string line; std::getline(status, line);)
    if (line.rfind("CapEff:", 0) == 0)
      caps = std::stoull(line.substr(7), nullptr, 16);
  bool permitted = (caps >> 23 & 1) != 0 || rt.rlim_cur >= 3;
  std::promise<std::tuple<bool, int, int>> seen;
  std::thread t([&] {
    bool ok = use_realtime_scheduling(3);
    sched_param p{};
    ::sched_getparam(0, &p);
    seen.set_value({ok, ::sched_getscheduler(0), p.sched_priority});
  });
  t.join();
  auto [ok, policy, priority] = seen.get_future().get();
  EXPECT_EQ(ok, permitted);
  EXPECT_EQ(policy, permitted ? SCHED_RR : SCHED_OTHER);
  EXPECT_EQ(priority, permitted ? 3 : 0);
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER);
}

TEST(thread_policy, a_realtime_priority_out_of_range_changes_nothing) {
  for (int bad : {0, -1, 100}) {
    std::promise<std::pair<bool, int>> seen;
    std::thread t([&] {
      bool ok = use_realtime_scheduling(bad);
      seen.set_value({ok, ::sched_getscheduler(0)});
    });
    t.join();
    auto [ok, policy] = seen.get_future().get();
    EXPECT_FALSE(ok) << bad;
    EXPECT_EQ(policy, SCHED_OTHER) << bad;
  }
}

TEST(worker_pool, jobs_posted_first_run_before_ordinary_ones_in_their_own_order) {
  worker_pool pool("t", worker_pool::manual, 100);
  std::vector<std::string> order;
  ASSERT_TRUE(pool.post([&] { order.push_back("partial 1"); }));
  ASSERT_TRUE(pool.post([&] { order.push_back("partial 2"); }));
  ASSERT_TRUE(pool.post_first([&] { order.push_back("final 1"); }));
  ASSERT_TRUE(pool.post([&] { order.push_back("partial 3"); }));
  ASSERT_TRUE(pool.post_first([&] { order.push_back("final 2"); }));
  EXPECT_EQ(pool.queued(), 5u);
  EXPECT_EQ(pool.run_pending(), 5u);
  EXPECT_EQ(order, (std::vector<std::string>{"final 1", "final 2", "partial 1", "partial 2",
                                             "partial 3"}));
  // Once the urgent ones have run, a new one again goes ahead of what is left.
  order.clear();
  ASSERT_TRUE(pool.post([&] { order.push_back("partial 4"); }));
  ASSERT_TRUE(pool.post_first([&] { order.push_back("final 3"); }));
  pool.run_pending();
  EXPECT_EQ(order, (std::vector<std::string>{"final 3", "partial 4"}));
}

TEST(worker_pool, a_job_posted_first_is_bounded_like_the_others) {
  worker_pool pool("t", worker_pool::manual, 2);
  ASSERT_TRUE(pool.post([] {}));
  ASSERT_TRUE(pool.post_first([] {}));
  EXPECT_FALSE(pool.post_first([] {}));
  EXPECT_EQ(pool.rejected(), 1u);
}
