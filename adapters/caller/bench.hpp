#pragma once

#include <chrono>
#include <string>

#include "adapters/caller/simulator.hpp"

namespace frontdesk::caller {

/// A load run: N simulated callers against one node, started at a steady ramp.
struct bench_options {
  sim_options call;                 // what each caller does (audio, timing)
  int calls = 10;
  double ramp_per_second = 20;      // how fast callers are added
  int node_pid = 0;                 // when set: node CPU and memory are read from /proc
  std::chrono::milliseconds sample_rss_after{0}; // idle runs: when to read the node's RSS
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
  std::size_t barge_ins_measured = 0;
  double barge_in_p50_ms = 0, barge_in_p95_ms = 0;           // speech onset → clear
  std::uint64_t frames_sent = 0, frames_received = 0;
  double node_cpu_s = 0;            // user + system, over the run
  double node_cpu_us_per_frame = 0; // per frame in or out
  double node_rss_before_mb = 0, node_rss_sampled_mb = 0, node_rss_after_mb = 0;
  double load_cpu_s = 0;            // this process (the load generator)
  std::vector<std::string> errors;  // first few failures
  std::string to_json() const;
  std::string to_table() const;
};

/// Runs the callers (each on its own thread) and aggregates what they saw. Bounded: every call
/// ends by `call.max_call`.
bench_report run_bench(const bench_options& options);

/// CPU seconds (user + system) and resident memory of a process, from /proc.
struct proc_usage {
  double cpu_s = 0;
  double rss_mb = 0;
};
proc_usage read_proc_usage(int pid);

} // namespace frontdesk::caller
