#include "adapters/workers/thread_policy.hpp"

#include <sched.h>

namespace frontdesk {

bool use_batch_scheduling() noexcept {
#ifdef SCHED_BATCH
  sched_param p{};
  p.sched_priority = 0;
  // Pid 0 is the calling thread; the nice value stays as it is.
  return ::sched_setscheduler(0, SCHED_BATCH, &p) == 0;
#else
  return false;
#endif
}

bool use_idle_scheduling() noexcept {
#ifdef SCHED_IDLE
  sched_param p{};
  p.sched_priority = 0;
  return ::sched_setscheduler(0, SCHED_IDLE, &p) == 0;
#else
  return false;
#endif
}

} // namespace frontdesk
