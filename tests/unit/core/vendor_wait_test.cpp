// The thread's vendor clock: what a turn's timing reads as time spent waiting on a vendor.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "protocols/core/vendor_wait.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

TEST(vendor_wait, counts_from_asked_to_answered_and_nothing_outside) {
  using clock = std::chrono::steady_clock;
  vendor_wait::reset();
  std::this_thread::sleep_for(20ms); // no request out: not a wait
  auto out = clock::now();
  vendor_wait::asked();
  std::this_thread::sleep_for(30ms);
  vendor_wait::answered();
  auto in = clock::now();
  std::this_thread::sleep_for(20ms); // the node's own work after the answer
  auto us = vendor_wait::take_us();
  EXPECT_GE(us, 30'000);
  EXPECT_LE(us, std::chrono::duration_cast<std::chrono::microseconds>(in - out).count())
      << "time outside the request counted";
  EXPECT_EQ(vendor_wait::take_us(), 0) << "take() starts a new count";
  vendor_wait::answered(); // an answer with no request out changes nothing
  EXPECT_EQ(vendor_wait::take_us(), 0);
}

TEST(vendor_wait, an_open_request_counts_up_to_the_take_and_on_from_there) {
  vendor_wait::reset();
  vendor_wait::asked();
  std::this_thread::sleep_for(20ms);
  auto first = vendor_wait::take_us(); // the first audio, while the stream goes on
  auto taken = std::chrono::steady_clock::now();
  EXPECT_GE(first, 20'000);
  std::this_thread::sleep_for(20ms);
  vendor_wait::answered();
  auto answered = std::chrono::steady_clock::now();
  auto rest = vendor_wait::take_us();
  EXPECT_GE(rest, 20'000);
  // (2 ms for the clock reads around the calls; the part before the take was 20 ms.)
  EXPECT_LE(rest,
            std::chrono::duration_cast<std::chrono::microseconds>(answered - taken).count() + 2000)
      << "the part before the take counted again";
  vendor_wait::asked();
  vendor_wait::reset(); // another call's turn starts on this worker
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(vendor_wait::take_us(), 0);
}

TEST(vendor_wait, each_thread_has_its_own) {
  vendor_wait::reset();
  vendor_wait::asked();
  std::int64_t other = -1;
  std::thread t([&] {
    std::this_thread::sleep_for(10ms);
    other = vendor_wait::take_us();
  });
  t.join();
  vendor_wait::answered();
  EXPECT_EQ(other, 0);
  EXPECT_GE(vendor_wait::take_us(), 10'000);
}
