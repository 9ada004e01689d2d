// The call runtime on a real actor system: audio in, paced audio out, marks, clear, teardown.
#include <condition_variable>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actors/call/runtime.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk::call;
using namespace std::chrono_literals;

namespace {

// A media_out that records what the call sends, as the Twilio connection would carry it.
class recording_out final : public media_out {
public:
  bool send_media(std::span<const std::uint8_t> mulaw) override {
    std::lock_guard lk(mtx_);
    media_.insert(media_.end(), mulaw.begin(), mulaw.end());
    frames_ += mulaw.size() / frontdesk::audio::frame_samples; // one message may carry several frames
    cv_.notify_all();
    return true;
  }
  bool send_mark(std::string_view name) override {
    std::lock_guard lk(mtx_);
    marks_.emplace_back(name);
    cv_.notify_all();
    return true;
  }
  bool send_clear() override {
    std::lock_guard lk(mtx_);
    ++clears_;
    cv_.notify_all();
    return true;
  }
  void close(std::string_view) override {}

  template <class Pred>
  bool wait(Pred p, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lk(mtx_);
    return cv_.wait_for(lk, limit, [&] { return p(*this); });
  }

  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::uint8_t> media_;
  std::vector<std::string> marks_;
  std::size_t frames_ = 0;
  std::size_t clears_ = 0;
};

struct system_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<call_runtime> rt;
  system_fixture() {
    cfg.set("scheduler.max-threads", size_t{2});
    cfg.set("scheduler.policy", caf::atom("sharing"));
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    call_services svc;
    svc.echo = true;
    rt = make_call_runtime(*sys, std::move(svc));
  }
};

std::vector<std::uint8_t> frame(std::uint8_t v) { return std::vector<std::uint8_t>(160, v); }

} // namespace

TEST(call_runtime, echoes_audio_paced_with_marks_and_reports_at_the_end) {
  system_fixture f;
  auto out = std::make_shared<recording_out>();
  std::promise<call_report> ended;
  auto call = f.rt->start({"c1", "b1", "CA1", "MZ1", "+1555"}, out,
                          [&](call_report r) { ended.set_value(std::move(r)); });
  EXPECT_EQ(f.rt->live(), 1u);
  for (int i = 0; i < 50; ++i)
    call->audio(frame(static_cast<std::uint8_t>(i)), static_cast<std::uint64_t>(i) * 20);
  ASSERT_TRUE(out->wait([](auto& o) { return o.frames_ == 50 && o.marks_.size() == 2; }));
  // The echo is the caller's audio, in order.
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(out->media_[static_cast<std::size_t>(i) * 160], i);
  call->mark(out->marks_[0]);
  call->mark(out->marks_[1]);
  call->end("stop");
  auto fut = ended.get_future();
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  auto r = fut.get();
  EXPECT_EQ(r.end_reason, "stop");
  EXPECT_EQ(r.frames_in, 50u);
  EXPECT_EQ(r.frames_out, 50u);
  EXPECT_EQ(r.marks_played, 2u);
  EXPECT_EQ(r.info.call_sid, "CA1");
}

TEST(call_runtime, pound_clears_what_is_still_playing) {
  system_fixture f;
  auto out = std::make_shared<recording_out>();
  auto call = f.rt->start({"c1", "b1", "CA1", "MZ1", ""}, out, [](call_report) {});
  for (int i = 0; i < 200; ++i) // 4 s of audio queued at once
    call->audio(frame(1), 0);
  ASSERT_TRUE(out->wait([](auto& o) { return o.frames_ >= 5; }));
  call->dtmf("#");
  ASSERT_TRUE(out->wait([](auto& o) { return o.clears_ == 1; }));
  std::this_thread::sleep_for(100ms);
  // Pacing kept Twilio's buffer shallow, and the clear dropped the rest.
  std::lock_guard lk(out->mtx_);
  EXPECT_LT(out->frames_, 60u);
}

TEST(call_runtime, thousands_of_calls_leave_nothing_behind) {
  system_fixture f;
  std::atomic<int> reports{0};
  for (int i = 0; i < 2000; ++i) {
    auto out = std::make_shared<recording_out>();
    auto call = f.rt->start({"c", "b", "CA", "MZ", ""}, out, [&](call_report) { ++reports; });
    call->audio(frame(0), 0);
    call->end("stop");
  }
  for (int i = 0; i < 500 && (reports.load() < 2000 || f.rt->live() > 0); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(reports.load(), 2000);
  EXPECT_EQ(f.rt->live(), 0u);
  // Only the system's own actors remain.
  for (int i = 0; i < 100 && f.sys->registry().running() > 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(f.sys->registry().running(), 0u);
}

TEST(call_runtime, end_all_ends_every_live_call) {
  system_fixture f;
  std::atomic<int> ended{0};
  std::vector<std::shared_ptr<call_handle>> calls;
  for (int i = 0; i < 20; ++i)
    calls.push_back(f.rt->start({"c", "b", "CA", "MZ", ""}, std::make_shared<recording_out>(),
                                [&](call_report r) {
                                  if (r.end_reason == "shutdown")
                                    ++ended;
                                }));
  f.rt->end_all("shutdown");
  for (int i = 0; i < 200 && ended.load() < 20; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(ended.load(), 20);
  EXPECT_EQ(f.rt->live(), 0u);
}
