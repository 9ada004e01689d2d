#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/caller/metrics_text.hpp"
#include "adapters/caller/simulator.hpp"

namespace frontdesk::caller {

/// A load run: N simulated callers against one node, started at a steady ramp. With several
/// nodes (call.base_url comma-separated, or call.more_base_urls) the callers start at each in
/// turn, and the runtime figures add up every node's.
struct bench_options {
  sim_options call;                 // what each caller does (audio, timing)
  /// When not empty: caller i does each[i % size] instead (several scenarios, each its own
  /// business or slot), with `call`'s base URLs.
  std::vector<sim_options> each;
  int calls = 10;
  double ramp_per_second = 20;      // how fast callers are added
  int node_pid = 0;                 // when set: node CPU and memory are read from /proc
  std::chrono::milliseconds sample_rss_after{0}; // idle runs: when to read the node's RSS
  /// Soak: each of the `calls` callers calls again and again until this much time has passed
  /// (0: one call each). The baseline is read after a warm-up call per caller.
  std::chrono::seconds soak{0};
  /// After the calls: wait up to this long for the node to have no live calls, then read its
  /// memory and open files again (they should be back where they started).
  std::chrono::seconds settle{5};
  /// Appointments the run should book in all (-1: not checked). Callers that all play one
  /// booking scenario ask for one slot: exactly one of them gets it, never more.
  int expected_bookings = -1;
  /// The receptionist may end a call (a scenario that says goodbye): a normal close with every
  /// turn answered then counts as a call that went well. Otherwise only the caller hangs up.
  bool node_may_hang_up = false;
};

struct bench_report {
  int calls = 0, ok = 0, failed = 0;
  double wall_s = 0;
  double first_audio_p50_ms = 0, first_audio_p95_ms = 0;
  double recv_late_p50_ms = 0, recv_late_p99_ms = 0, recv_late_max_ms = 0;
  std::uint64_t recv_late_over_20ms = 0;
  double send_late_p99_ms = 0;
  std::size_t turns_measured = 0;
  double turn_p50_ms = 0, turn_p95_ms = 0, turn_p99_ms = 0; // caller's last frame → reply
  std::size_t turns_unanswered = 0; // caller turns no reply came to
  // What the node's runtime added per turn (its own histogram, end of turn → first frame sent;
  // endpointing excluded), read from /metrics before and after the run.
  std::uint64_t runtime_turns = 0;
  // The node's recogniser over the run (from /metrics): utterances, rejected, not decoded.
  std::uint64_t stt_utterances = 0, stt_rejected = 0, stt_unavailable = 0;
  // Calls the node's dialog ended with an appointment booked (from /metrics; -1: unknown), and
  // how many the run should book (bench_options::expected_bookings; -1: not checked).
  std::int64_t bookings_made = -1;
  int bookings_expected = -1;
  bool bookings_as_expected() const {
    return bookings_expected < 0 || bookings_made == bookings_expected;
  }
  double runtime_p50_ms = 0, runtime_p95_ms = 0, runtime_p99_ms = 0;
  // The same less the time waited on vendors' answers (frontdesk_turn_runtime_own_ms): what
  // the node's own work and queues added, which starved fake vendors do not move.
  std::uint64_t runtime_own_turns = 0;
  double runtime_own_p50_ms = 0, runtime_own_p95_ms = 0, runtime_own_p99_ms = 0;
  // The runtime's stages (the node's frontdesk_turn_stage_ms): the recogniser's final after
  // the end of turn, the dialog's reply, its first synthesised audio, the first frame sent.
  struct stage {
    const char* name;
    double p50_ms = 0, p95_ms = 0;
  };
  std::vector<stage> runtime_stages;
  // Calls whose stream ended mid-call and went on in a new one (their node was lost), and the
  // caller's silence in between: end of the old stream → first audio on the new one.
  std::size_t resumed = 0;
  double resume_gap_p50_ms = 0, resume_gap_p95_ms = 0, resume_gap_max_ms = 0;
  std::size_t barge_ins_measured = 0;
  double barge_in_p50_ms = 0, barge_in_p95_ms = 0;           // speech onset → clear
  std::uint64_t frames_sent = 0, frames_received = 0;
  double node_cpu_s = 0;            // user + system, over the run
  double node_cpu_us_per_frame = 0; // per frame in or out
  double node_cpu_per_call = 0;      // share of one core per live call: CPU s / call s
  // How contended the machine was: the node's threads were ready to run but no core was free
  // (their run-queue wait, from schedstat; -1 where the kernel does not keep it; threads on
  // spare time, SCHED_IDLE, are left out), and the time
  // the hypervisor gave the machine's cores to others (steal, from /proc/stat).
  double node_cpu_wait_s = -1;
  double machine_steal_s = -1;
  // The node's threads at real-time priority (SCHED_RR or FIFO) at the end of the run: the
  // voice's threads where the node was allowed it (scheduler.realtime_priority); -1: unknown.
  int node_realtime_threads = -1;
  double node_rss_per_call_mb = 0;   // (peak - before) / most calls live at once
  double node_rss_before_mb = 0, node_rss_sampled_mb = 0, node_rss_after_mb = 0;
  double node_rss_peak_mb = 0;       // highest reading while calls ran (sampled each second)
  int node_fds_before = -1, node_fds_peak = -1, node_fds_after = -1;
  std::uint64_t node_calls_live_after = 0;
  std::uint64_t node_calls_live_peak = 0; // sampled each second (with node_pid)
  std::uint64_t calls_placed = 0;    // soak: every call placed, over all callers
  double load_cpu_s = 0;            // this process (the load generator)
  std::vector<std::string> errors;  // first few failures
  std::string to_json() const;
  std::string to_table() const;
};

/// Runs the callers (each on its own thread) and aggregates what they saw. Bounded: every call
/// ends by `call.max_call`.
bench_report run_bench(const bench_options& options);

/// CPU seconds (user + system), resident memory, open file descriptors of a process, and how
/// long its threads waited for a core, from /proc.
struct proc_usage {
  double cpu_s = 0;
  double rss_mb = 0;
  int fds = -1;
  double cpu_wait_s = -1; // over its live threads but SCHED_IDLE ones; -1: no schedstat
  int realtime_threads = -1; // live threads under SCHED_RR or SCHED_FIFO; -1: unknown
};
proc_usage read_proc_usage(int pid);

/// Seconds the hypervisor took from this machine's cores (all of them), or -1 where
/// /proc/stat does not say.
double read_machine_steal_s();

// parse_histogram and histogram_quantile: adapters/caller/metrics_text.hpp; the /proc parsers:
// adapters/caller/proc_text.hpp.

} // namespace frontdesk::caller
