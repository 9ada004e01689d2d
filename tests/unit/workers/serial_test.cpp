#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/workers/serial.hpp"

using namespace frontdesk;

TEST(serial_queue, runs_jobs_in_order_one_at_a_time_on_a_shared_pool) {
  worker_pool pool("t", 4, 10000);
  auto q = std::make_shared<serial_queue>(pool);
  std::vector<int> order;
  std::atomic<int> running{0}, max_running{0};
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(q->post([&, i] {
      int now = ++running;
      max_running = std::max(max_running.load(), now);
      order.push_back(i); // unsynchronised on purpose: one at a time makes it safe
      --running;
    }));
  pool.stop();
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(max_running.load(), 1);
}
