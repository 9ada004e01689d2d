#pragma once

// What the call's role shells share (media, listener, speaker, dialog, supervisor). Actor code
// only: it pulls in CAF.

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include <caf/error.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>

#include "adapters/workers/serial.hpp"

namespace frontdesk::call {

/// Microseconds on the steady clock: the turn latency's milestones, across actors and pools.
inline std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A call's recognition or synthesis job: on its speech queue (in order), or here and now when
/// the engines never block (no queue).
template <class F>
void run_speech(const std::shared_ptr<serial_queue>& queue, F&& job) {
  if (queue)
    queue->post(std::forward<F>(job));
  else
    job();
}

/// As run_speech, for work a caller waits on now (a turn's final words, a reply's voice): the
/// call's queue goes before the partial decoding of callers still speaking.
template <class F>
void run_speech_first(const std::shared_ptr<serial_queue>& queue, F&& job) {
  if (queue)
    queue->post_first(std::forward<F>(job));
  else
    job();
}

/// An exception in a child's handler is logged and kills only that child (the supervisor then
/// restarts it); CAF's default would print to stderr.
template <class Self>
void log_failures(Self* self, const std::string& call_sid, const char* role) {
  self->set_exception_handler(
      [call_sid, role](caf::scheduled_actor*, std::exception_ptr& e) -> caf::error {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("call {}: {} failed: {}", call_sid, role, ex.what());
        } catch (...) {
          spdlog::error("call {}: {} failed", call_sid, role);
        }
        return caf::sec::runtime_error;
      });
}

} // namespace frontdesk::call
