#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>
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

TEST(serial_queue, a_suspending_job_holds_the_jobs_after_it_but_no_thread) {
  worker_pool pool("t", 1, 100);
  auto q = std::make_shared<serial_queue>(pool);
  std::mutex mtx;
  std::vector<int> order;
  serial_queue::resume_fn later;
  std::atomic<bool> parked{false};
  ASSERT_TRUE(q->post_suspending([&](serial_queue::resume_fn r) {
    std::lock_guard lk(mtx);
    order.push_back(1);
    later = std::move(r);
    parked = true;
  }));
  ASSERT_TRUE(q->post([&] {
    std::lock_guard lk(mtx);
    order.push_back(2);
  }));
  while (!parked)
    std::this_thread::yield();
  // The pool's only thread is free while the queue waits: another queue's job runs on it.
  auto other = std::make_shared<serial_queue>(pool);
  std::atomic<bool> other_ran{false};
  ASSERT_TRUE(other->post([&] { other_ran = true; }));
  for (int i = 0; i < 2000 && !other_ran; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(other_ran.load());
  {
    std::lock_guard lk(mtx);
    EXPECT_EQ(order, std::vector<int>{1}); // job 2 waits for the resume
  }
  std::thread([r = later] { r(); r(); }).join(); // a second call does nothing
  ASSERT_TRUE(q->post([&] {
    std::lock_guard lk(mtx);
    order.push_back(3);
  }));
  pool.stop();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(serial_queue, a_job_that_resumes_at_once_or_throws_does_not_stall_the_queue) {
  worker_pool pool("t", 2, 1000);
  auto q = std::make_shared<serial_queue>(pool);
  std::vector<int> order;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0)
      ASSERT_TRUE(q->post_suspending([&, i](serial_queue::resume_fn r) {
        order.push_back(i);
        r();
      }));
    else if (i % 3 == 1)
      ASSERT_TRUE(q->post_suspending([&, i](serial_queue::resume_fn) {
        order.push_back(i);
        throw std::runtime_error("job failed");
      }));
    else
      ASSERT_TRUE(q->post([&, i] { order.push_back(i); }));
  }
  pool.stop();
  ASSERT_EQ(order.size(), 300u);
  for (int i = 0; i < 300; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

// A turn's final words (post_first) go ahead of other calls' partial decoding on the shared
// pool, and still after their own call's earlier jobs.
TEST(serial_queue, a_job_posted_first_puts_its_queue_ahead_of_other_queues) {
  worker_pool pool("t", worker_pool::manual, 1000);
  std::vector<std::string> order;
  std::vector<std::shared_ptr<serial_queue>> speaking;
  for (int i = 0; i < 5; ++i) {
    speaking.push_back(std::make_shared<serial_queue>(pool));
    ASSERT_TRUE(speaking.back()->post([&, i] { order.push_back("partial " + std::to_string(i)); }));
  }
  auto ending = std::make_shared<serial_queue>(pool);
  ASSERT_TRUE(ending->post([&] { order.push_back("last audio"); }));
  ASSERT_TRUE(ending->post_first([&] { order.push_back("final"); }));
  pool.run_pending();
  ASSERT_EQ(order.size(), 7u);
  EXPECT_EQ(order[0], "last audio");
  EXPECT_EQ(order[1], "final");
  EXPECT_EQ(order[2], "partial 0");
}

TEST(serial_queue, jobs_posted_first_keep_the_queue_in_order_one_at_a_time) {
  worker_pool pool("t", 4, 10000);
  auto q = std::make_shared<serial_queue>(pool);
  std::vector<int> order;
  std::atomic<int> running{0}, max_running{0};
  for (int i = 0; i < 2000; ++i) {
    auto job = [&, i] {
      int now = ++running;
      max_running = std::max(max_running.load(), now);
      order.push_back(i); // one at a time makes it safe
      --running;
    };
    ASSERT_TRUE(i % 7 == 0 ? q->post_first(job) : q->post(job));
  }
  pool.stop();
  ASSERT_EQ(order.size(), 2000u);
  for (int i = 0; i < 2000; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(max_running.load(), 1);
}
