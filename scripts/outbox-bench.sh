#!/usr/bin/env bash
# Outbox throughput against the fake Twilio and the reminder planner's time, on the local
# PostgreSQL (a scratch database from a migrated template). Arguments go to the program:
#   scripts/outbox-bench.sh [--messages N] [--threads T] [--batch B] [--plan N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
prepare_bench_database
"$FD_BUILD/bin/frontdesk-outbox-bench" "$@"
