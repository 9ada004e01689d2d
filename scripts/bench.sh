#!/usr/bin/env bash
# Starts a node on the local database (with the demo business), runs `frontdesk bench` against
# it with the given arguments, prints the report, and stops the node.
#   scripts/bench.sh --calls 10 --seconds 30
#   scripts/bench.sh --calls 200 --hold 10          # idle sessions: memory per session
#   scripts/bench.sh --engines instant --calls 500 --ramp 50 --say "..."   # the runtime alone
#   scripts/bench.sh --engines embedded --find-capacity --say "..."        # PocketSphinx + Flite
# --engines embedded (default) runs the node on its real engines; instant on the test-only
# scripted recogniser and tone synthesiser, so the figures show what the runtime adds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
engines=embedded
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines="$2"; shift 2 ;;
    --engines=*) engines="${1#--engines=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$engines" in embedded|instant|echo) ;; *) die "--engines must be embedded, instant or echo" ;; esac
install_packages
build >/dev/null
ensure_database
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL" --log-level warn
"$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json" --log-level warn >/dev/null
port="${FRONTDESK_BENCH_PORT:-18090}"
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-bench-token}"
if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
  die "port $port is in use (another node?): set FRONTDESK_BENCH_PORT"
fi
log="$(mktemp)"
"$FD_BIN" serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" \
  --speech-mode "$engines" --log-level warn >"$log" 2>&1 &
node=$!
trap 'kill -TERM $node 2>/dev/null; wait $node 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
say "node on $engines engines (pid $node); bench ${args[*]}"
"$FD_BIN" bench --base-url "http://127.0.0.1:$port" --to +15550100001 --node-pid "$node" \
  ${args[@]+"${args[@]}"}
