#!/usr/bin/env bash
# The cluster's figures, on this machine (instant engines, the rules dialog, the real calendar,
# mutual TLS between the nodes, one database):
#   1. CALLS callers on one node alone, then over three nodes (a round-robin balancer), once
#      asking a question and once booking: the runtime added per turn, P50/P95 over every
#      node's turns, the same callers and words on both; the cross-node calendar requests'
#      round trip P50/P95 beside the home's own, and the booking turns by node;
#   2. CPU per call: the same SAME callers on one node alone, then over the three nodes (CPU
#      seconds of every node process over calls);
#   3. kill -9 of one node while SAME callers book: calls resumed elsewhere, the caller's gap in
#      audio P50/P95, failed calls, bookings lost or doubled.
#
#   scripts/cluster-bench.sh [CALLS] [SAME] [RAMP]   (default 900 calls, 150, 30 a second)
# One run prints every figure of the cluster's "done" list, each with its target. Bounded:
# every call ends by its own deadline, every part within FRONTDESK_BENCH_LIMIT seconds of its
# start (default 300), and every node is killed at the end. Each run says how busy the
# machine's cores were meanwhile (every process: nodes, callers, database, other work).
#   FRONTDESK_BENCH_PARTS=cpu   only part 2 (one node against three at the same load)
#   FRONTDESK_BENCH_PARTS=kill  only part 3 (the kill -9 run)
#   FRONTDESK_BENCH_PARTS=runtime  only the runtime figures: CALLS callers on one node alone, then
#                               on three nodes, each once with a question the node answers from
#                               what it holds ("What are your hours?", as scripts/bench.sh
#                               measures the runtime) and once with a booking sentence (a
#                               calendar tool on the database, across nodes in the cluster)
#   FRONTDESK_BENCH_NICE=N      the load generators' nice (default 10, as scripts/bench.sh: in
#                               production the callers are other machines; 0: the nodes' own)
#   FRONTDESK_BENCH_IDLE=S      seconds of idle CPU measured before each part 2 run (default 10):
#                               CPU per call is also shown net of the processes' idle cost
#   FRONTDESK_BENCH_NODE_THREADS=N  I/O and scheduler threads of each of the three nodes
#                               (default: the cores over three, at least 1)
#   FRONTDESK_BENCH_SPLIT=1     part 2's clustered run with one load generator per node (a third
#                               of the callers each) instead of one for all three: the same
#                               shape of load on each node as the nodes apart get (the default
#                               with FRONTDESK_BENCH_PARTS=cpu; =0 there: one for all three)
#   FRONTDESK_BENCH_PERF=DIR    perf record (call graphs) of the node processes during part 2,
#                               into DIR/solo.data and DIR/three.data, and during the booking
#                               runs, into DIR/solo-book.data and DIR/many-book.data
set -euo pipefail
source "$(dirname "$0")/lib.sh"

calls="${1:-900}"
niceness="${FRONTDESK_BENCH_NICE:-10}"
hours_say="What are your hours?"
book_say="I would like to book a cleaning tomorrow at eleven a m."
same="${2:-150}"
ramp="${3:-30}"
limit_at=$((SECONDS + ${FRONTDESK_BENCH_LIMIT:-300}))
part_start() { limit_at=$((SECONDS + ${FRONTDESK_BENCH_LIMIT:-300})); } # each part its own bound
left() { # seconds left of the run's time (at least 1: `timeout` then stops the part at once)
  local l=$((limit_at - SECONDS))
  echo $((l > 0 ? l : 1))
}
# FRONTDESK_NO_BUILD=1: use the frontdesk binary as built (the tests' targets may be behind).
prepare_bench_node
# Open every day for the kill run's bookings, one slot per caller (an hour each, 60 callers a
# day at most per business): its own businesses, +1555030NNNN.
businesses=$(( (same + 9) / 10 ))
psql -X -q "$DATABASE_OWNER_URL" >/dev/null <<SQL
DELETE FROM businesses WHERE phone_number LIKE '+1555030%';
WITH b AS (
  INSERT INTO businesses (name, phone_number, timezone, greeting, appointment_minutes,
                          min_notice_minutes)
  SELECT 'Bench clinic ' || n, '+1555030' || lpad(n::text, 4, '0'), 'UTC',
         'Thank you for calling. How can I help?', 60, 0
    FROM generate_series(0, $businesses - 1) n RETURNING id)
INSERT INTO business_hours (business_id, weekday, opens, closes)
  SELECT id, d, '07:00', '19:00' FROM b, generate_series(0, 6) d;
INSERT INTO knowledge (business_id, title, body)
  SELECT id, 'service', 'We offer cleaning.' FROM businesses WHERE phone_number LIKE '+1555030%';
SQL

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  # FRONTDESK_BENCH_LOGS=DIR: the nodes' logs are kept there.
  [ -z "${FRONTDESK_BENCH_LOGS:-}" ] || { mkdir -p "$FRONTDESK_BENCH_LOGS"; cp "$work"/*.log "$work"/call-*.json "$FRONTDESK_BENCH_LOGS/" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
"$FD_ROOT/scripts/cluster-certs.sh" "$work/certs" node-a node-b node-c >/dev/null
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-bench-token}"
# HTTP on BASE..BASE+2, cluster ports on BASE+100..BASE+102: apart from the other scripts'
# defaults (the demo's, the console benchmark's), which may run on the same machine.
base_http="${FRONTDESK_BENCH_PORT:-18280}"
for port in "$base_http" $((base_http + 1)) $((base_http + 2)) $((base_http + 100)) \
            $((base_http + 101)) $((base_http + 102)); do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
    die "port $port is in use (another node?): set FRONTDESK_BENCH_PORT"
done
names=(node-a node-b node-c)
urls="http://127.0.0.1:$base_http,http://127.0.0.1:$((base_http + 1)),http://127.0.0.1:$((base_http + 2))"

# The three nodes share this machine's cores: each runs a third of the threads one node runs
# (its I/O and scheduler threads; at least one of each), as three machines of a third the
# size would. The single node keeps its defaults (two of each).
node_threads="${FRONTDESK_BENCH_NODE_THREADS:-$(( $(nproc) / 3 > 1 ? $(nproc) / 3 : 1 ))}"
# start_node NAME INDEX CLUSTERED: a node in the background, its pid in pids[INDEX].
start_node() {
  local name=$1 i=$2 threads=""
  [ "$name" = solo ] || threads=$node_threads
  FD_NODE_THREADS=$threads cluster_node_toml "$work/$name.toml" "$name" "$i" "$base_http" \
    "$work/certs" 1200 "$([ "$3" = 1 ] || echo alone)"
  "$FD_BIN" --config "$work/$name.toml" serve >>"$work/$name.log" 2>&1 &
  pids[$i]=$!
}
wait_members() { # N: node-a sees N members
  for _ in $(seq 300); do
    n=$(curl -sf "http://127.0.0.1:$base_http/metrics" 2>/dev/null | sed -n 's/^frontdesk_cluster_members //p' || true)
    [ "${n:-0}" = "$1" ] && return 0
    sleep 0.1
  done
  die "the cluster did not form"
}
wait_ready() { # PORT
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$1/ready" >/dev/null && return 0; sleep 0.1; done
  die "node on $1 not ready"
}
now_s() { date +%s.%N; }
# idle_rate LABEL PID...: CPU seconds per second the processes use with no call, over IDLE
# seconds; what each thread name used then goes to LABEL.i0 and LABEL.i1 (threads_cpu).
idle_rate() {
  local a b label=$1; shift
  threads_cpu "$@" >"$work/$label.i0"
  a=$(cpu_s "$@"); sleep "$idle"; b=$(cpu_s "$@")
  threads_cpu "$@" >"$work/$label.i1"
  awk -v a="$a" -v b="$b" -v s="$idle" 'BEGIN { printf "%.4f", (b - a) / s }'
}
# perf_start NAME PID...: records the processes' profile in the background (FRONTDESK_BENCH_PERF).
perf_pid=""
perf_start() {
  local name=$1; shift
  [ -n "${FRONTDESK_BENCH_PERF:-}" ] || return 0
  mkdir -p "$FRONTDESK_BENCH_PERF"
  perf record -F 299 -g -o "$FRONTDESK_BENCH_PERF/$name.data" -p "$(IFS=,; echo "$*")" \
    >/dev/null 2>&1 &
  perf_pid=$!
}
perf_stop() { [ -z "$perf_pid" ] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""; }; }
cpu_s() { # PID...: user + system CPU seconds
  local t=0 tck
  tck=$(getconf CLK_TCK)
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    t=$(awk -v t="$t" -v k="$tck" '{ sub(/.*\) /, ""); print t + ($12 + $13) / k }' "/proc/$p/stat")
  done
  echo "$t"
}
# machine_ticks: busy and total jiffies of the whole machine (every process, every core).
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat; }
# machine_busy BEFORE AFTER: what share of the machine's cores was busy in between (the nodes,
# the callers, PostgreSQL and any other work), and the load now, to read the figures by.
machine_busy() {
  awk -v a="$1" -v b="$2" -v c="$(nproc)" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); t = y[2] - x[2]
    if (t > 0) printf "%.0f%% of %d cores busy (load %s)", (y[1] - x[1]) / t * 100, c, l }'
}
# scrape FILE PORT...: every node's /metrics, one after the other, into FILE.
scrape() {
  local f=$1; shift
  for port in "$@"; do curl -sf "http://127.0.0.1:$port/metrics" || true; done >"$f"
}
# quantile Q METRIC BEFORE AFTER: the upper bound of the bucket holding quantile Q of what the
# histogram METRIC counted between two scrapes (summed over the nodes in each).
quantile() {
  local q=$1 metric=$2
  { sed 's/^/- /' "$3"; sed 's/^/+ /' "$4"; } |
    awk -v q="$q" -v m="${metric}_bucket" '
      { sign = $1 == "-" ? -1 : 1; sub(/^[-+] /, "") }
      index($0, m "{") == 1 { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5);
                              n[le] += sign * $NF; if (!(le in seen)) { seen[le] = 1; order[++k] = le } }
      END { total = n["+Inf"]; if (total == 0) { print "n/a (0)"; exit }
            for (i = 1; i <= k; i++) if (n[order[i]] >= q * total) { print "<= " order[i] " ms (" total ")"; exit } }'
}
bench() { # CALLS URLS [ARGS]: prints the bench table and the machine's use during it
  local n=$1 u=$2 m0; shift 2
  m0=$(machine_ticks)
  # Every node signs over node 0's address (the balancer's stand-in), as the callers do.
  # What each caller says: ARGS when given (a scenario), else one sentence.
  [ $# -gt 0 ] || set -- --say "I would like to book a cleaning tomorrow at eleven a m."
  timeout -s INT -k 5 "$(left)" nice -n "$niceness" "$FD_BIN" bench --base-url "$u" --public-url "http://127.0.0.1:$base_http" --to +15550100001 \
    --calls "$n" --ramp "$ramp" "$@" || true # a failed call is in the table; the run goes on
  echo "machine during the run  $(machine_busy "$m0" "$(machine_ticks)")"
}

# bench_each NAME own|cluster: three load generators at once, each a third of SAME callers
# against its own node (into NAME-0.txt ... NAME-2.txt). Each node signs over its own address
# (own) or over node 0's, the cluster's (cluster).
bench_each() {
  local name=$1 benches=() sign=() i
  [ "$2" = own ] || sign=(--public-url "http://127.0.0.1:$base_http")
  for i in 0 1 2; do
    timeout -s INT -k 5 "$(left)" nice -n "$niceness" "$FD_BIN" bench --base-url "http://127.0.0.1:$((base_http + i))" --to +15550100001 \
      "${sign[@]}" \
      --calls $((same / 3)) --ramp "$(awk -v r="$ramp" 'BEGIN { print r / 3 }')" \
      --say "I would like to book a cleaning tomorrow at eleven a m." >"$work/$name-$i.txt" 2>&1 &
    benches+=($!)
  done
  wait "${benches[@]}" || true
}

say "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work: figures include contention)"

parts="${FRONTDESK_BENCH_PARTS:-all}"
idle="${FRONTDESK_BENCH_IDLE:-10}"
# runtime_runs NAME URLS: CALLS callers, once with the question and once with the booking
# sentence, into NAME-hours.txt and NAME-book.txt; the cross-node calendar requests of the
# booking run (from every node's /metrics) into NAME.x0 and NAME.x1.
runtime_runs() {
  local name=$1 u=$2
  part_start
  say "$name: $calls callers asking \"$hours_say\""
  bench "$calls" "$u" --say "$hours_say" | tee "$work/$name-hours.txt"
  part_start
  say "$name: $calls callers saying \"$book_say\""
  scrape "$work/$name.x0" "$base_http" $((base_http + 1)) $((base_http + 2))
  for i in 0 1 2; do scrape "$work/$name.x0.$i" $((base_http + i)); done
  perf_start "$name-book" "${pids[@]}"
  bench "$calls" "$u" --say "$book_say" | tee "$work/$name-book.txt"
  perf_stop
  scrape "$work/$name.x1" "$base_http" $((base_http + 1)) $((base_http + 2))
  for i in 0 1 2; do scrape "$work/$name.x1.$i" $((base_http + i)); done
}
# runtime_table: the runtime runs' figures, one node against three (same callers, same words).
runtime_table() {
  local f
  for f in solo-hours many-hours solo-book many-book; do
    [ -f "$work/$f.txt" ] || continue
    printf '%-60s %s\n' \
      "runtime added, $calls calls, $(case $f in solo*) echo "one node  ";; *) echo "three nodes";; esac), $(case $f in *hours) echo "question";; *) echo "booking ";; esac) (p50/p95)" \
      "$(sed -n 's/^runtime added ms *//p' "$work/$f.txt")" \
      "  its calls; the machine during it" \
      "$(sed -n 's/^calls *//p' "$work/$f.txt" | cut -d';' -f1); $(sed -n 's/^machine during the run *//p' "$work/$f.txt")"
  done
  [ -f "$work/many.x1" ] || return 0
  printf '%-60s %s\n' \
    "cross-node calendar requests, booking run (p50 / p95)" \
    "$(quantile 0.5 frontdesk_cluster_request_ms "$work/many.x0" "$work/many.x1") / $(quantile 0.95 frontdesk_cluster_request_ms "$work/many.x0" "$work/many.x1")" \
    "  the home's own calls' requests, same run (p50 / p95)" \
    "$(quantile 0.5 frontdesk_cluster_home_request_ms "$work/many.x0" "$work/many.x1") / $(quantile 0.95 frontdesk_cluster_home_request_ms "$work/many.x0" "$work/many.x1")"
  # The business's home node asks no other node: its calls' turns are the booking turns without
  # a cross-node request, the other two nodes' turns those with one, in the same run.
  echo "booking run by node (runtime added p50 / p95; cross-node requests it sent):"
  for i in 0 1 2; do
    printf '  %-8s %-34s %s\n' "${names[$i]}" \
      "$(quantile 0.5 frontdesk_turn_runtime_ms "$work/many.x0.$i" "$work/many.x1.$i") / $(quantile 0.95 frontdesk_turn_runtime_ms "$work/many.x0.$i" "$work/many.x1.$i" | cut -d' ' -f1-3)" \
      "$(quantile 0.5 frontdesk_cluster_request_ms "$work/many.x0.$i" "$work/many.x1.$i" | sed -n 's/.*(\([0-9]*\))/\1/p')"
  done
}

# --- 2a. one node alone ---
if [ "$parts" != kill ]; then
start_node solo 0 0
wait_ready "$base_http"
part_start
if [ "$parts" != runtime ]; then
solo_idle=$(idle_rate solo "${pids[0]}")
c0=$(cpu_s "${pids[0]}"); t0=$(now_s)
say "one node alone: $same callers"
perf_start solo "${pids[0]}"
threads_cpu "${pids[0]}" >"$work/solo.t0"
bench "$same" "http://127.0.0.1:$base_http" | tee "$work/solo.txt"
threads_cpu "${pids[0]}" >"$work/solo.t1"
perf_stop
c1=$(cpu_s "${pids[0]}"); t1=$(now_s)
solo_cpu=$(awk -v a="$c0" -v b="$c1" -v n="$same" 'BEGIN { printf "%.4f", (b - a) / n }')
solo_net=$(awk -v a="$c0" -v b="$c1" -v n="$same" -v i="$solo_idle" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
  'BEGIN { printf "%.4f", (b - a - i * t) / n }')
fi
[ "$parts" = cpu ] || runtime_runs solo "http://127.0.0.1:$base_http"
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
fi

# --- 2b. three nodes, each alone (no cluster): what three processes on this machine cost by
# themselves, so that the cluster's own cost (2c against 2b) shows apart from it ---
if [ "$parts" = cpu ]; then
  for i in 0 1 2; do start_node "${names[$i]}" "$i" 0; done
  for i in 0 1 2; do wait_ready $((base_http + i)); done
  part_start
  apart_idle=$(idle_rate apart "${pids[@]}")
  c0=$(cpu_s "${pids[@]}"); t0=$(now_s)
  say "three nodes, not clustered: $same callers"
  threads_cpu "${pids[@]}" >"$work/apart.t0"
  # A third of the callers each, at the same time (each node signs over its own address).
  bench_each apart own
  cat "$work/apart-0.txt" >"$work/apart.txt"
  grep -h '^calls ' "$work"/apart-*.txt
  threads_cpu "${pids[@]}" >"$work/apart.t1"
  c1=$(cpu_s "${pids[@]}"); t1=$(now_s)
  apart_cpu=$(awk -v a="$c0" -v b="$c1" -v n="$same" 'BEGIN { printf "%.4f", (b - a) / n }')
  apart_net=$(awk -v a="$c0" -v b="$c1" -v n="$same" -v i="$apart_idle" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    'BEGIN { printf "%.4f", (b - a - i * t) / n }')
  for i in 0 1 2; do kill -TERM "${pids[$i]}"; wait "${pids[$i]}" 2>/dev/null || true; done
fi

# --- 1. three nodes ---
for i in 0 1 2; do start_node "${names[$i]}" "$i" 1; done
wait_members 3
if [ "$parts" = runtime ]; then
  runtime_runs many "$urls"
  say "figures (load now $(cut -d' ' -f1-3 /proc/loadavg))"
  runtime_table
  say "took $SECONDS s"
  exit 0
fi
if [ "$parts" != kill ]; then
part_start
cluster_idle=$(idle_rate three "${pids[@]}")
c0=$(cpu_s "${pids[@]}"); t0=$(now_s)
say "three nodes: $same callers (same load as the single node)"
perf_start three "${pids[@]}"
threads_cpu "${pids[@]}" >"$work/three.t0"
# The CPU part compares the clustered nodes with the nodes apart: the same shape of load on both
# (one load generator per node) unless FRONTDESK_BENCH_SPLIT=0.
split_default=0
[ "$parts" != cpu ] || split_default=1
if [ "${FRONTDESK_BENCH_SPLIT:-$split_default}" = 1 ]; then
  # One load generator per node, as for the nodes apart: the same shape of load on each node.
  bench_each same cluster
  cat "$work/same-0.txt" >"$work/same.txt"
  grep -h '^calls ' "$work"/same-*.txt
else
  bench "$same" "$urls" | tee "$work/same.txt"
fi
threads_cpu "${pids[@]}" >"$work/three.t1"
perf_stop
c1=$(cpu_s "${pids[@]}"); t1=$(now_s)
cluster_cpu=$(awk -v a="$c0" -v b="$c1" -v n="$same" 'BEGIN { printf "%.4f", (b - a) / n }')
cluster_net=$(awk -v a="$c0" -v b="$c1" -v n="$same" -v i="$cluster_idle" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
  'BEGIN { printf "%.4f", (b - a - i * t) / n }')
if [ "$parts" = cpu ]; then
  say "figures (machine shared with other builds and tests)"
  printf '%-52s %s\n' \
    "runtime added, one node alone ($same calls, p50/p95)" "$(sed -n 's/^runtime added ms *//p' "$work/solo.txt")" \
    "runtime added, three nodes ($same calls, p50/p95)" "$(sed -n 's/^runtime added ms *//p' "$work/same.txt")" \
    "runtime added, three nodes apart (node-a's third, p50/p95)" "$(sed -n 's/^runtime added ms *//p' "$work/apart.txt")" \
    "idle CPU s per s, one / three apart / three clustered" "$solo_idle / $apart_idle / $cluster_idle" \
    "CPU s per call, one node alone ($same calls)" "$solo_cpu (net of idle $solo_net)" \
    "CPU s per call, three nodes apart ($same calls)" "$apart_cpu (net of idle $apart_net)" \
    "CPU s per call, three nodes clustered ($same calls)" "$cluster_cpu (net of idle $cluster_net)"
  echo "idle CPU by thread over ${idle} s, one node alone:"; threads_delta "$work/solo.i0" "$work/solo.i1"
  echo "idle CPU by thread over ${idle} s, three nodes apart:"; threads_delta "$work/apart.i0" "$work/apart.i1"
  echo "idle CPU by thread over ${idle} s, three nodes clustered:"; threads_delta "$work/three.i0" "$work/three.i1"
  echo "CPU by thread, one node alone:"; threads_delta "$work/solo.t0" "$work/solo.t1"
  echo "CPU by thread, three nodes apart:"; threads_delta "$work/apart.t0" "$work/apart.t1"
  echo "CPU by thread, three nodes clustered:"; threads_delta "$work/three.t0" "$work/three.t1"
  exit 0
fi
runtime_runs many "$urls"
fi

# --- 3. kill -9 while callers book ---
run_start=$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c "SELECT now()")
say "kill -9 of node-c while $same callers book (each its own slot)"
part_start
# One load generator for every caller (as the other parts): 150 caller processes on 2 cores
# spent the machine on themselves (each voicing its turns, each its own frame clock), took
# minutes to start them all and starved their own frame clocks.
for i in $(seq 0 $((same - 1))); do
  b=$((i / 10))
  words=(seven eight nine ten eleven twelve one two three four)
  mer=(a\ m a\ m a\ m a\ m a\ m p\ m p\ m p\ m p\ m p\ m)
  k=$((i % 10))
  printf '{"caller": "+1555777%04d", "to": "+1555030%04d", "turns": ["I would like to book a cleaning tomorrow at %s %s.", "My name is Caller %d.", "Yes, please.", "No, that is all. Goodbye."]}\n' \
    "$i" "$b" "${words[$k]}" "${mer[$k]}" "$i" >"$work/scenario-$(printf %04d "$i").json"
done
kill_m0=$(machine_ticks)
bench "$same" "$urls" --scenario "$work"/scenario-*.json >"$work/kill.txt" 2>&1 &
callers=$!
# Once every caller is on the line (the load generator voices the scenarios first), and
# KILL_AFTER seconds more: the callers are then in the middle of booking.
for _ in $(seq 600); do
  n=$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c "SELECT count(*) FROM calls WHERE started_at >= '$run_start'")
  [ "$n" -ge "$same" ] && break
  sleep 0.1
done
sleep "${FRONTDESK_KILL_AFTER:-3}"
live_c=$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c "SELECT count(*) FROM calls WHERE node = 'node-c' AND ended_at IS NULL")
kill -KILL "${pids[2]}"
wait "$callers" || true
kill_m1=$(machine_ticks)
cat "$work/kill.txt"
sleep 3
# The bench's own count: a call fails when it ended otherwise than by a goodbye, left a turn
# unanswered or its webhook was refused (as the kill test counts).
resumed=$(sed -n 's/^resumed calls *\([0-9]*\).*/\1/p' "$work/kill.txt")
failed=$(sed -n 's/^calls .*failed \([0-9]*\)).*/\1/p' "$work/kill.txt")
gap_line=$(sed -n "s/^resumed calls *[0-9]* (caller's gap ms //p" "$work/kill.txt" | tr -d ')')
booked=$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c "SELECT count(*) FROM appointments a JOIN calls c ON c.id = a.call_id WHERE a.status = 'booked' AND c.started_at >= '$run_start'")
doubled=$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c "SELECT count(*) FROM (SELECT call_id FROM appointments WHERE status = 'booked' AND call_id IN (SELECT id FROM calls WHERE started_at >= '$run_start') GROUP BY 1 HAVING count(*) > 1) d")

# Callers with no booking: what became of each (a booking not made is "unfinished" when the
# call went on to its end, "lost" only if the caller was told it was booked).
unbooked=$(psql -X -q -A -t -F ' ' "$DATABASE_OWNER_URL" -c "SELECT c.caller, c.node, coalesce(c.end_reason, 'open'),
  (c.transcript::text ILIKE '%all set for%')::int
  FROM calls c WHERE c.started_at >= '$run_start' AND c.caller LIKE '+1555777%'
   AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.call_id = c.id AND a.status = 'booked')
  ORDER BY 1" 2>/dev/null || true)
told=$(awk '$4 > 0' <<<"$unbooked" | grep -c . || true) # the dialog's "You're all set for ..."

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.3f (%+.1f%%)", b / a, (b / a - 1) * 100; else print "n/a" }'; }
say "figures (load now $(cut -d' ' -f1-3 /proc/loadavg); targets in brackets)"
if [ "$parts" != kill ]; then
echo "runtime added [three nodes' p95 under 2 ms, as one node's]:"
runtime_table
printf '%-60s %s\n' \
  "idle CPU s per s, one node / three nodes" "$solo_idle / $cluster_idle" \
  "CPU s per call, one node alone ($same calls)" "$solo_cpu (net of idle $solo_net)" \
  "CPU s per call, three nodes ($same calls)" "$cluster_cpu (net of idle $cluster_net)" \
  "  machine during it" "$(sed -n 's/^machine during the run *//p' "$work/same.txt")" \
  "CPU per call, three nodes / one node [within 5%]" "$(ratio "$solo_cpu" "$cluster_cpu"), net of idle $(ratio "$solo_net" "$cluster_net")"
fi
printf '%-60s %s\n' \
  "kill -9: calls live on the killed node" "$live_c" \
  "kill -9: calls resumed on a survivor" "$resumed" \
  "kill -9: caller's gap in audio, ms [p95 < 3000]" "${gap_line:-n/a}" \
  "kill -9: failed calls (of $same) [0]" "$failed" \
  "kill -9: machine during it" "$(machine_busy "$kill_m0" "$kill_m1")" \
  "kill -9: callers booked, once each [all, 0 doubled]" "$booked of $same, doubled $doubled" \
  "kill -9: callers told they were booked but not [0]" "$told" \
  "kill -9: callers whose booking did not finish" "$((same - booked))"
[ -z "$unbooked" ] || { echo "callers without a booking (caller, node, end, told booked):"; sed 's/^/  /' <<<"$unbooked"; }
say "took $SECONDS s"
