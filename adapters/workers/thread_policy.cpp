#include "adapters/workers/thread_policy.hpp"

#include <sched.h>

namespace frontdesk {
namespace {

// Pid 0 is the calling thread; its nice value stays as it is.
bool set_policy([[maybe_unused]] int policy) noexcept {
  sched_param p{};
  p.sched_priority = 0;
  return ::sched_setscheduler(0, policy, &p) == 0;
}

} // namespace

bool use_batch_scheduling() noexcept {
#ifdef SCHED_BATCH
  return set_policy(SCHED_BATCH);
#else
  return false;
#endif
}

bool use_idle_scheduling() noexcept {
#ifdef SCHED_IDLE
  return set_policy(SCHED_IDLE);
#else
  return false;
#endif
}

bool use_realtime_scheduling(int priority) noexcept {
  if (priority < ::sched_get_priority_min(SCHED_RR) ||
      priority > ::sched_get_priority_max(SCHED_RR))
    return false;
  sched_param p{};
  p.sched_priority = priority;
  return ::sched_setscheduler(0, SCHED_RR, &p) == 0;
}

} // namespace frontdesk
