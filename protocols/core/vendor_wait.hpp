#pragma once

#include <chrono>
#include <cstdint>

namespace frontdesk {

/// How long the work running on this thread has waited on a remote vendor's answer: a client
/// marks asked() when its request goes out on the socket and answered() when the answer came
/// back; whoever measures a turn (a speaker at a reply's first audio, a dialog at its reply)
/// take()s what accumulated since its last take() or reset(), a request still open counted up
/// to now. Thread-local: blocking vendor clients (speech synthesis, a language model) run on a
/// worker thread from request to answer, and so does the code that hands their answer on.
class vendor_wait {
public:
  /// A request went out now (one at a time per thread; a second asked() restarts the count).
  static void asked() {
    auto& s = state();
    s.open = true;
    s.since = now();
  }
  /// Its answer (or the end of waiting for it: a failure, a timeout) is in now.
  static void answered() {
    auto& s = state();
    if (!s.open)
      return;
    s.waited += now() - s.since;
    s.open = false;
  }
  /// The wait since the last take() or reset(), in microseconds, an open request's up to now;
  /// starts a new count (an open request stays open and counts on from now).
  static std::int64_t take_us() {
    auto& s = state();
    auto t = now();
    if (s.open) {
      s.waited += t - s.since;
      s.since = t;
    }
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(s.waited).count();
    s.waited = {};
    return us;
  }
  /// Forgets what accumulated (an open request is closed too).
  static void reset() { state() = {}; }

private:
  using clock = std::chrono::steady_clock;
  struct counts {
    clock::duration waited{};
    clock::time_point since{};
    bool open = false;
  };
  static clock::time_point now() { return clock::now(); }
  static counts& state() {
    thread_local counts s;
    return s;
  }
};

} // namespace frontdesk
