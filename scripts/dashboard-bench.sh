#!/usr/bin/env bash
# The dashboard: API latency with 10,000 calls and 50,000 appointments, and live event delay to
# 200 open event streams, on the local PostgreSQL (a scratch database from a migrated template).
# Arguments go to the program:
#   scripts/dashboard-bench.sh [--calls N] [--appointments N] [--requests N] [--streams N] [--events N]
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
"$FD_BUILD/bin/frontdesk-dashboard-bench" "$@"
