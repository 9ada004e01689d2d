#!/usr/bin/env bash
# Outbox throughput against the fake Twilio and the reminder planner's time, on the local
# PostgreSQL (a scratch database from a migrated template). Arguments go to the program:
#   scripts/outbox-bench.sh [--messages N] [--threads T] [--batch B] [--plan N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
install_packages
build
ensure_database
template="${FRONTDESK_TEST_TEMPLATE:-frontdesk_bench_template}"
export FRONTDESK_TEST_TEMPLATE="$template"
psql -X -q -v ON_ERROR_STOP=1 "$FRONTDESK_TEST_OWNER_DSN dbname=postgres" >/dev/null <<SQL
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database WHERE datname = '$template' \gexec
CREATE DATABASE $template;
SQL
"$FD_BIN" migrate --database-url "$FRONTDESK_TEST_OWNER_DSN dbname=$template" --log-level warn
"$FD_BUILD/bin/frontdesk-outbox-bench" "$@"
