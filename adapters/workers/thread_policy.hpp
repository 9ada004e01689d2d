#pragma once

namespace frontdesk {

/// Puts the calling thread under Linux's SCHED_BATCH policy. The thread keeps its nice value
/// and its fair share of the CPU, but waking it never preempts a thread that is running.
///
/// The node runs every thread but its network io threads this way (CAF's workers and clock,
/// the worker pools). An io thread hands each inbound frame to an actor; with the normal policy
/// the worker it woke often preempted it there, and the io thread went on only after two
/// context switches. Two interleaved runs each at 300 instant calls on 2 cores, first 12 s:
/// involuntary context switches of the io threads ~41,000 -> ~5,700, of CAF's workers
/// ~14,000 -> ~4,500; node CPU over the run 18.2-18.3 s -> 16.8-17.1 s. The runtime's P95 did
/// not change (2.8-3.5 ms -> 2.8 ms).
///
/// Returns false (and changes nothing) where the policy is not available.
bool use_batch_scheduling() noexcept;

/// Puts the calling thread under SCHED_IDLE: it runs only when no other thread wants the CPU
/// (very nearly: the kernel still gives it a sliver so that it cannot starve for ever). An
/// unprivileged thread cannot go back. Returns false where the policy is not available.
bool use_idle_scheduling() noexcept;

/// Puts the calling thread under SCHED_RR at `priority` (1-99): it runs before every thread of
/// the fair policies (and waking it preempts them at once), so that a loaded machine delays it
/// only by other real-time threads. For the threads that carry the voice, which never block
/// or spin (a node's io threads and CAF's scheduler), as telephony servers do. The kernel still
/// keeps 5% of each second for the other threads (sched_rt_runtime_us).
///
/// Needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least `priority` (systemd: LimitRTPRIO=).
/// Returns false (and changes nothing) without them, or for a priority out of range.
bool use_realtime_scheduling(int priority) noexcept;

} // namespace frontdesk
