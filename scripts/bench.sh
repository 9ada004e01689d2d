#!/usr/bin/env bash
# Starts a node on the local database (with the demo business), runs `frontdesk bench` against
# it with the given arguments, prints the report, and stops the node.
#   scripts/bench.sh --calls 10 --seconds 30
#   scripts/bench.sh --calls 200 --hold 10          # idle sessions: memory per session
set -euo pipefail
source "$(dirname "$0")/lib.sh"
install_packages
build >/dev/null
ensure_database
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL" --log-level warn
"$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json" --log-level warn >/dev/null
port="${FRONTDESK_BENCH_PORT:-18090}"
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-bench-token}"
log="$(mktemp)"
"$FD_BIN" serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" \
  --log-level warn >"$log" 2>&1 &
node=$!
trap 'kill -TERM $node 2>/dev/null; wait $node 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
"$FD_BIN" bench --base-url "http://127.0.0.1:$port" --to +15550100001 --node-pid "$node" "$@"
