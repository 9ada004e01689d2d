#pragma once

#include <string_view>

// What the load generator reads from the kernel's /proc text about contention. Pure.

namespace frontdesk::caller {

/// The run-queue wait in a schedstat line ("running_ns waiting_ns timeslices"): seconds a
/// thread was ready to run but had no core; -1 when the line is not one.
double parse_schedstat_wait_s(std::string_view line);

/// The scheduling policy in a /proc/PID/stat or /proc/PID/task/TID/stat line (its 41st
/// field: 0 normal, 3 batch, 5 idle, ...); -1 when the line is not one.
int parse_stat_policy(std::string_view line);

/// The steal in /proc/stat's text (the eighth value of its "cpu " line, the sum over every
/// core): clock ticks the hypervisor gave this machine's cores to others; -1 when the text has
/// no such line.
double parse_proc_stat_steal_ticks(std::string_view text);

} // namespace frontdesk::caller
