#!/usr/bin/env bash
# The operator console's figures on this machine: CALLS live calls on one node (instant
# engines, the rules dialog, six caller turns each), first with no console, then with CONSOLES
# consoles (in five processes, each console its own login and session) watching every call:
#   - the delay of a call's state change (listening, thinking, speaking) from the call's actors
#     on the node to the consoles, P50/P95;
#   - the delay of a turn from the moment the call's actors told their tap to the consoles (the
#     same direct path; the database serves only a watch's snapshot), P50/P95;
#   - the node's CPU in both runs, and what watching added; the consoles' own CPU (they share
#     the machine's cores with the node).
#
#   scripts/console-bench.sh [CALLS] [CONSOLES] [RAMP]   (default 200 calls, 50 consoles, 40/s)
#   FRONTDESK_BENCH_PERF=FILE   records the node's profile (perf record -g) while consoles watch
#                               (FILE.plain: the same without consoles).
#   FRONTDESK_BENCH_COUNT=1     counts the node's system calls and thread switches in both runs
#                               (perf stat: each message between threads or across a socket
#                               costs some; their counts show what watching adds).
#   FRONTDESK_BENCH_PER_CONSOLE=1   each console's session sends it its events itself, as a
#                                   console of an older version did (no receiver per process).
#   FRONTDESK_BENCH_ONE_BY_ONE=1    each console watches each call with a `watch CALL` of its
#                                   own as the call appears in its list (10,000 commands for 50
#                                   consoles and 200 calls), not every call with `watch --all`.
# Each console process logs its consoles in with one receiver: the node sends it one message
# per tick (console.batch_ms) for all of them.
# Bounded: every call ends by its own deadline, the consoles stop with the calls (at most
# 180 s), the node is killed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

calls="${1:-200}"
consoles="${2:-50}"
ramp="${3:-40}"
prepare_bench_node # FRONTDESK_NO_BUILD=1: use the binaries as built
email=bench-console@example.test
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_OWNER_URL" >/dev/null <<SQL
DELETE FROM staff_users WHERE email = '$email';
INSERT INTO staff_users (business_id, email, role)
  SELECT id, '$email', 'admin' FROM businesses WHERE phone_number = '+15550100001';
SQL
token=$("$FD_BIN" --log-level warn staff token "$email" | tail -n 1)

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
"$FD_ROOT/scripts/cluster-certs.sh" "$work/certs" node-a >/dev/null 2>&1
"$FD_ROOT/scripts/cluster-certs.sh" "$work/certs" console bench >/dev/null 2>&1
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-bench-token}"
base_http="${FRONTDESK_BENCH_PORT:-8380}"
cluster_node_toml "$work/node-a.toml" node-a 0 "$base_http" "$work/certs" $((calls * 2))
cat >"$work/console.toml" <<TOML
[cluster]
certificate = "$work/certs/bench.crt"
key = "$work/certs/bench.key"
cafile = "$work/certs/cluster-ca.crt"
TOML
cat >"$work/scenario.json" <<'JSON'
{"turns": ["What are your hours?", "Do you take walk ins?", "Can you tell me more about that?",
           "Where are you located?", "Is there parking?", "Thank you, goodbye."]}
JSON
"$FD_BIN" --config "$work/node-a.toml" serve >>"$work/node-a.log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$base_http/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$base_http/ready" >/dev/null || die "the node is not ready"

cpu_s() { awk -v k="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / k }' "/proc/$1/stat"; }
now_s() { date +%s.%N; }
# The node's context switches (voluntary and not, every thread): each wake-up of a thread costs.
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
run_calls() { # NAME: the calls, their table in $work/NAME.txt; CPU seconds and wall seconds
  local c0 t0 s0
  c0=$(cpu_s "$node_pid"); t0=$(now_s); s0=$(switches "$node_pid")
  threads_cpu "$node_pid" >"$work/$1.t0"
  "$FD_BIN" --log-level warn bench --base-url "http://127.0.0.1:$base_http" --to +15550100001 \
    --calls "$calls" --ramp "$ramp" --scenario "$work/scenario.json" >"$work/$1.txt" 2>&1 || true
  threads_cpu "$node_pid" >"$work/$1.t1"
  echo $(( $(switches "$node_pid") - s0 )) >"$work/$1.switches"
  echo "$(awk -v a="$c0" -v b="$(cpu_s "$node_pid")" 'BEGIN { printf "%.2f", b - a }') $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')"
}

say "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work: figures include contention)"
say "1. $calls calls, no console"
perf_pids=()
perf_start() { # FILE NAME: a profile into FILE and/or counts into $work/NAME.count, as asked
  if [ -n "${FRONTDESK_BENCH_PERF:-}" ]; then
    perf record -F ${FRONTDESK_BENCH_PERF_HZ:-499} -g -o "$1" -p "$node_pid" >/dev/null 2>&1 &
    perf_pids+=($!)
  fi
  if [ -n "${FRONTDESK_BENCH_COUNT:-}" ]; then
    perf stat -x, -o "$work/$2.count" -e 'syscalls:sys_enter_futex,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,sched:sched_switch,sched:sched_wakeup' \
      -p "$node_pid" >/dev/null 2>&1 &
    perf_pids+=($!)
  fi
}
perf_stop() {
  for p in "${perf_pids[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  perf_pids=()
}
perf_start "${FRONTDESK_BENCH_PERF:-}.plain" plain # the same without consoles, to compare
read -r cpu_plain wall_plain < <(run_calls plain)
perf_stop
grep -E "calls|turn|failed" "$work/plain.txt" | head -8 || true
say "   node CPU ${cpu_plain} s in ${wall_plain} s"

say "2. the same $calls calls, $consoles consoles watching every call"
per=$(( (consoles + 4) / 5 ))
left=$consoles
i=0
while [ "$left" -gt 0 ]; do
  n=$(( left < per ? left : per ))
  FRONTDESK_CONSOLE_TOKEN="$token" "$FD_BUILD/bin/frontdesk-console-bench" \
    --connect "127.0.0.1:$((base_http + 100))" --config "$work/console.toml" --consoles "$n" \
    --seconds 180 --stop-file "$work/stop" --out "$work/delays-$i.txt" \
    ${FRONTDESK_BENCH_PER_CONSOLE:+--per-console} ${FRONTDESK_BENCH_ONE_BY_ONE:+--one-by-one} \
    >"$work/console-$i.txt" 2>&1 &
  pids+=($!)
  left=$(( left - n ))
  i=$(( i + 1 ))
done
sleep 3 # the consoles log in and follow the (empty) call list
perf_start "${FRONTDESK_BENCH_PERF:-}" watched
read -r cpu_watched wall_watched < <(run_calls watched)
perf_stop
[ -z "${FRONTDESK_BENCH_PERF:-}" ] ||
  say "node profile: $FRONTDESK_BENCH_PERF (perf report -i $FRONTDESK_BENCH_PERF --no-children; without consoles: $FRONTDESK_BENCH_PERF.plain)"
grep -E "calls|turn|failed" "$work/watched.txt" | head -8 || true
sleep 2 # the last ends reach the consoles
cpu_consoles=0
for p in "${pids[@]:1}"; do
  cpu_consoles=$(awk -v a="$cpu_consoles" -v b="$(cpu_s "$p" 2>/dev/null || echo 0)" 'BEGIN { printf "%.2f", a + b }')
done
touch "$work/stop"
for p in "${pids[@]:1}"; do wait "$p" || true; done
cat "$work"/console-*.txt
say "   node CPU ${cpu_watched} s in ${wall_watched} s"

pct() { # KIND Q
  awk -v k="$1" '$1 == k { print $2 }' "$work"/delays-*.txt | sort -n |
    awk -v q="$2" '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } i = int(q * (NR - 1) + 0.5) + 1; printf "%.1f", v[i] }'
}
count() { awk -v k="$1" '$1 == k' "$work"/delays-*.txt | wc -l; }
mode="one receiver per console process"
[ -n "${FRONTDESK_BENCH_PER_CONSOLE:-}" ] && mode="each console its own messages (--per-console)"
if [ -n "${FRONTDESK_BENCH_ONE_BY_ONE:-}" ]; then mode="$mode, a watch command per call"; else
  mode="$mode, one watch --all per console"; fi
say "results ($calls calls, $consoles consoles watching every call, one node; $mode)"
echo "state change -> console: P50 $(pct state 0.5) ms, P95 $(pct state 0.95) ms, max $(pct state 1) ms ($(count state) deliveries)"
echo "turn -> console:         P50 $(pct turn 0.5) ms, P95 $(pct turn 0.95) ms, max $(pct turn 1) ms ($(count turn) deliveries)"
awk -v a="$cpu_plain" -v wa="$wall_plain" -v b="$cpu_watched" -v wb="$wall_watched" -v n="$calls" 'BEGIN {
  printf "node CPU: %.2f s without consoles, %.2f s with them: watching added %.2f s (%+.1f%%), %.1f%% of a core over the run\n",
         a, b, b - a, (a > 0 ? 100 * (b - a) / a : 0), (wb > 0 ? 100 * (b - a) / wb : 0)
  printf "node CPU per call: %.1f ms without consoles, %.1f ms with them\n", 1000 * a / n, 1000 * b / n }'
echo "node context switches: $(cat "$work/plain.switches") without consoles, $(cat "$work/watched.switches") with them"
if [ -n "${FRONTDESK_BENCH_COUNT:-}" ]; then
  echo "node events (without consoles / with them):"
  join -t, <(awk -F, 'NF > 2 { print $3 "," $1 }' "$work/plain.count" | sort) \
    <(awk -F, 'NF > 2 { print $3 "," $1 }' "$work/watched.count" | sort) |
    awk -F, '{ printf "  %-32s %9d %9d  %+d\n", $1, $2, $3, $3 - $2 }'
fi
echo "node CPU by thread, without consoles:"; threads_delta "$work/plain.t0" "$work/plain.t1"
echo "node CPU by thread, with consoles:"; threads_delta "$work/watched.t0" "$work/watched.t1"
echo "the consoles' own processes: ${cpu_consoles} s of CPU (not the node's)"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
