#include "adapters/caller/bench.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

using namespace frontdesk::caller;

// More threads that want a core than there are cores: the kernel counts the time they wait,
// and the load generator reads it for a process (here its own).
TEST(proc_usage, counts_the_time_threads_wait_for_a_core) {
  auto before = read_proc_usage(static_cast<int>(::getpid()));
  if (before.cpu_wait_s < 0)
    GTEST_SKIP() << "this kernel keeps no schedstat";
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (unsigned i = 0; i < std::thread::hardware_concurrency() + 2; ++i)
    spinners.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto during = read_proc_usage(static_cast<int>(::getpid())); // the spinners are still there
  stop = true;
  for (auto& t : spinners)
    t.join();
  EXPECT_GT(during.cpu_s, before.cpu_s);
  EXPECT_GT(during.cpu_wait_s, before.cpu_wait_s);
  EXPECT_GE(read_machine_steal_s(), 0.0); // Linux always writes the steal column
}

// A thread that goes to real-time priority is counted while it lives, where the process may
// (else the count does not change).
TEST(proc_usage, counts_the_threads_at_realtime_priority) {
  auto pid = static_cast<int>(::getpid());
  auto before = read_proc_usage(pid);
  ASSERT_GE(before.realtime_threads, 0);
  std::promise<bool> switched;
  std::promise<void> done;
  std::thread t([&] {
    sched_param p{};
    p.sched_priority = 1;
    switched.set_value(::sched_setscheduler(0, SCHED_RR, &p) == 0);
    done.get_future().wait();
  });
  bool rt = switched.get_future().get();
  auto during = read_proc_usage(pid);
  done.set_value();
  t.join();
  EXPECT_EQ(during.realtime_threads, before.realtime_threads + (rt ? 1 : 0));
  EXPECT_EQ(read_proc_usage(pid).realtime_threads, before.realtime_threads);
}
