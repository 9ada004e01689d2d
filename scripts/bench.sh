#!/usr/bin/env bash
# Starts a node on the local database (with the demo business), runs `frontdesk bench` against
# it with the given arguments, prints the report, and stops the node.
#   scripts/bench.sh --calls 10 --seconds 30
#   scripts/bench.sh --calls 200 --hold 10          # idle sessions: memory per session
#   scripts/bench.sh --engines instant --calls 500 --ramp 50 --say "..."   # the runtime alone
#   scripts/bench.sh --engines embedded --find-capacity --say "..."        # PocketSphinx + Flite
#   scripts/bench.sh --engines cloud --calls 100 --say "..."   # Deepgram + OpenAI speech (fakes)
# --engines embedded (default) runs the node on its real engines; instant on the test-only
# scripted recogniser and tone synthesiser, so the figures show what the runtime adds; cloud on
# Deepgram live recognition and OpenAI speech, served by loopback fakes of both vendors
# (frontdesk-fake-vendors, which "recognise" the --say and --barge words).
# In production the callers (Twilio) and the vendors run on other machines; here they share the
# node's cores. So that the figures stay what the node adds, the load generator and the fake
# vendors run at a lower priority (nice 10; FRONTDESK_BENCH_NICE=0 runs them at the node's):
# on a busy machine the node is served first, and they take what is left.
#   FRONTDESK_BENCH_PERF=FILE   records the node's profile (perf record -g) during the bench.
#   FRONTDESK_BENCH_PORT=PORT   the node's port (default 18090).
# FRONTDESK_BENCH_CONFIG=FILE runs the node with that config file (see below).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
engines=embedded
args=()
turns=""
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines="$2"; shift 2 ;;
    --engines=*) engines="${1#--engines=}"; shift ;;
    --say|--barge) turns="${turns:+$turns|}$2"; args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$engines" in embedded|instant|echo|cloud) ;; *) die "--engines must be embedded, instant, echo or cloud" ;; esac
# FRONTDESK_BENCH_NO_BUILD=1 (or FRONTDESK_NO_BUILD=1, as the other scripts take it) runs the
# binaries in FRONTDESK_BUILD_DIR as they are (e.g. another checkout's, for a before-and-after
# comparison).
if [ -z "${FRONTDESK_BENCH_NO_BUILD:-}" ] && [ "${FRONTDESK_NO_BUILD:-0}" != 1 ]; then
  install_packages
  build >/dev/null
fi
ensure_database
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL" --log-level warn
"$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json" --log-level warn >/dev/null
port="${FRONTDESK_BENCH_PORT:-18090}"
niceness="${FRONTDESK_BENCH_NICE:-10}"
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-bench-token}"
if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
  die "port $port is in use (another node?): set FRONTDESK_BENCH_PORT"
fi
log="$(mktemp)"
mode="$engines"
config_args=()
fakes=""
if [ "$engines" = cloud ]; then
  [ -n "$turns" ] || die "--engines cloud needs --say (the words the fake recogniser hears)"
  mode=embedded
  fakes_out="$(mktemp)"
  nice -n "$niceness" "$FD_BUILD/bin/frontdesk-fake-vendors" --turns "$turns" >"$fakes_out" 2>&1 &
  fakes=$!
  for _ in $(seq 100); do grep -q '^deepgram ' "$fakes_out" && break; sleep 0.1; done
  read -r _ dg_url _ tts_url < <(grep '^deepgram ' "$fakes_out")
  [ -n "${tts_url:-}" ] || die "the fake vendors did not start: $(cat "$fakes_out")"
  cloud_config="$(mktemp --suffix=.toml)"
  # Cloud engines wait on the network, not the CPU: more speech workers than cores.
  # And room for a 1,000-call run (node.max_calls is 500 by default).
  printf '[node]\nmax_calls = 1200\n[speech]\nstt = "deepgram"\ntts = "openai"\nthreads = 16\ndeepgram_url = "%s"\nopenai_tts_url = "%s"\n' \
    "$dg_url" "$tts_url" >"$cloud_config"
  config_args=(--config "$cloud_config")
  export DEEPGRAM_API_KEY=bench-key OPENAI_API_KEY=bench-key
  say "fake vendors (pid $fakes): Deepgram $dg_url, OpenAI $tts_url"
fi
# FRONTDESK_BENCH_CONFIG=FILE: the node reads that config file (embedded engines only), e.g. to
# compare speech.second_pass = "never" with the default.
if [ -n "${FRONTDESK_BENCH_CONFIG:-}" ]; then
  [ "$engines" != cloud ] || die "FRONTDESK_BENCH_CONFIG is for the embedded and instant engines"
  config_args=(--config "$FRONTDESK_BENCH_CONFIG")
fi
"$FD_BIN" serve ${config_args[@]+"${config_args[@]}"} --listen "127.0.0.1:$port" \
  --public-url "http://127.0.0.1:$port" --speech-mode "$mode" --log-level warn >"$log" 2>&1 &
node=$!
# The node's log is kept when it did not stop cleanly (a crash's last words), or when
# FRONTDESK_BENCH_LOG names a file for it.
# (Under `set -e` a failing command ends the trap: each may fail when the node died already.)
trap 'kill -TERM $node 2>/dev/null || true; node_status=0; wait $node 2>/dev/null || node_status=$?;
  if [ "$node_status" != 0 ] || [ -n "${FRONTDESK_BENCH_LOG:-}" ]; then
    kept="${FRONTDESK_BENCH_LOG:-$FD_BUILD/bench-node-$node.log}"; cp "$log" "$kept";
    say "node (pid $node) exited with status $node_status; its log: $kept"; fi; rm -f "$log";
  if [ -n "$fakes" ]; then kill -TERM $fakes 2>/dev/null || true; wait $fakes 2>/dev/null || true;
    tail -1 "$fakes_out" >&2; rm -f "$fakes_out" "$cloud_config"; fi' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
say "node on $engines engines (pid $node); bench ${args[*]} (load generator and fakes at nice $niceness)"
perf_pid=""
if [ -n "${FRONTDESK_BENCH_PERF:-}" ]; then
  perf record -F 499 -g -o "$FRONTDESK_BENCH_PERF" -p "$node" >/dev/null 2>&1 &
  perf_pid=$!
fi
status=0
nice -n "$niceness" "$FD_BIN" bench --base-url "http://127.0.0.1:$port" --to +15550100001 --node-pid "$node" \
  ${args[@]+"${args[@]}"} || status=$?
if [ -n "$perf_pid" ]; then
  kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true
  say "node profile: $FRONTDESK_BENCH_PERF (perf report -i $FRONTDESK_BENCH_PERF --no-children)"
fi
exit "$status"
