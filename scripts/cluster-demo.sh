#!/usr/bin/env bash
# Three nodes on this machine as one cluster (mutual TLS with a private CA, one database): calls
# spread over them, one node is killed with SIGKILL mid-call, and the script prints what
# happened to every call and what the survivors saw. The killed node's callers follow Twilio's
# <Connect action> to a survivor, which takes each call over and resumes it ("Sorry, we were cut
# off..."); the script prints those lines from the resumed calls' transcripts.
#
#   scripts/cluster-demo.sh [CALLS]      (default 12 calls: a booking request, then the line held)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

calls="${1:-12}"
install_packages
build
ensure_database
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL" --log-level warn
"$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json" >/dev/null

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
"$FD_ROOT/scripts/cluster-certs.sh" "$work/certs" node-a node-b node-c console
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-demo-token}"

base_http="${FRONTDESK_DEMO_PORT:-8180}"
base_cluster=$((base_http + 100))
names=(node-a node-b node-c)
per_node=$(( (calls + 2) / 3 )) # room for every call, a third on each node
for i in 0 1 2; do
  name=${names[$i]}
  cluster_node_toml "$work/$name.toml" "$name" "$i" "$base_http" "$work/certs" "$per_node"
  "$FD_BIN" --config "$work/$name.toml" serve >"$work/$name.log" 2>&1 &
  pids+=($!)
done
say "three nodes starting (HTTP $base_http-$((base_http + 2)), cluster $base_cluster-$((base_cluster + 2)))"
for _ in $(seq 150); do
  n=$(curl -sf "http://127.0.0.1:$base_http/metrics" 2>/dev/null | sed -n 's/^frontdesk_cluster_members //p' || true)
  [ "${n:-0}" = 3 ] && break
  sleep 0.2
done
cat >"$work/console.toml" <<TOML
[cluster]
certificate = "$work/certs/console.crt"
key = "$work/certs/console.key"
cafile = "$work/certs/cluster-ca.crt"
TOML
"$FD_BIN" --config "$work/console.toml" cluster status --node "127.0.0.1:$base_cluster"

run_start=$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c "SELECT now()")
say "placing $calls calls, each caller's webhook to the next node (a round-robin balancer; each node has room for $per_node)"
urls="http://127.0.0.1:$base_http,http://127.0.0.1:$((base_http + 1)),http://127.0.0.1:$((base_http + 2))"
"$FD_BIN" bench --base-url "$urls" --public-url "http://127.0.0.1:$base_http" --to +15550100001 \
  --calls "$calls" --ramp 20 --say "I would like to book a cleaning tomorrow at eleven a m." \
  >"$work/bench.txt" 2>&1 &
bench=$!
sleep 3
say "calls live per node before the kill:"
psql -X -q -A -t -F ' ' "$DATABASE_OWNER_URL" -c \
  "SELECT node, count(*) FROM calls WHERE ended_at IS NULL GROUP BY node ORDER BY node"
killed_at=$(date +%s%N)
say "kill -9 node-c"
kill -KILL "${pids[2]}"
for _ in $(seq 100); do
  n=$(curl -sf "http://127.0.0.1:$base_http/metrics" 2>/dev/null | sed -n 's/^frontdesk_cluster_members //p' || true)
  [ "$n" = 2 ] && break
  sleep 0.05
done
say "node-a saw node-c gone after $(( ($(date +%s%N) - killed_at) / 1000000 )) ms"
wait "$bench" || true
sleep 4
say "what happened to every call"
psql -X -q "$DATABASE_OWNER_URL" -c \
  "SELECT call_sid, node, status, end_reason, duration_seconds FROM calls
   WHERE started_at >= '$run_start' ORDER BY node, started_at"
say "the calls node-c carried, resumed on a survivor (their first words after the cut)"
psql -X -q "$DATABASE_OWNER_URL" -c \
  "SELECT c.call_sid, c.node AS taken_over_by, t->>'text' AS said
   FROM calls c, jsonb_array_elements(c.transcript) t
   WHERE c.started_at >= '$run_start' AND t->>'text' LIKE 'Sorry, we were cut off%'
   ORDER BY c.started_at"
grep -h "taking over the call" "$work/node-a.log" "$work/node-b.log" | cut -c1-160 || true
sed -n '/^resumed calls/p' "$work/bench.txt"
say "what the survivors logged about the cluster"
grep -h "cluster:" "$work/node-a.log" "$work/node-b.log" | cut -c1-160
"$FD_BIN" --config "$work/console.toml" cluster status --node "127.0.0.1:$base_cluster"
