#!/usr/bin/env bash
# The dashboard: API latency with 10,000 calls and 50,000 appointments, and live event delay to
# 200 open event streams, on the local PostgreSQL (a scratch database from a migrated template).
# Arguments go to the program:
#   scripts/dashboard-bench.sh [--calls N] [--appointments N] [--requests N] [--streams N] [--events N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
prepare_bench_database
"$FD_BUILD/bin/frontdesk-dashboard-bench" "$@"
