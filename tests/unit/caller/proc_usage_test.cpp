#include "adapters/caller/bench.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
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
