#!/usr/bin/env bash
# The receptionist's scenario set (tests/scenarios/*.json): each scenario calls its own copy of
# the scenario business (tests/scenarios/org.json, a fresh phone number each) on a node whose
# clock starts at Wednesday, March 4th 2026, 3 PM in Chicago, and `frontdesk call --check`
# compares what the call did with the scenario's "expect". Prints each result and the share
# that passed, per mode.
#   scripts/scenarios.sh                 # text and audio
#   scripts/scenarios.sh --text          # turns past the recogniser, as text
#   scripts/scenarios.sh --audio --jobs 3 tests/scenarios/book_01.json
#   scripts/scenarios.sh --keep ...      # keep each call's JSON report and the node's log
#   scripts/scenarios.sh --audio --voice slt   # the caller in another Flite voice (default rms)
#   scripts/scenarios.sh --audio --mllr none   # the recogniser without the channel transform
set -euo pipefail
source "$(dirname "$0")/lib.sh"

modes=(text audio)
jobs=4
keep=0
voice=rms
mllr=auto
# The scripted caller speaks after the receptionist has been quiet this long. These runs measure
# what calls do, not how fast: a loaded machine's slow check ("Let me check that for you." ...
# the answer) must not make the script speak into the gap, as a person would not.
answer_quiet="${FRONTDESK_SCENARIO_QUIET_MS:-2000}"
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --text) modes=(text); shift ;;
    --audio) modes=(audio); shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --voice) voice="$2"; shift 2 ;;
    --mllr) mllr="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) files+=("$1"); shift ;;
  esac
done
case "$voice" in rms|slt|awb|kal|kal16) ;; *) die "--voice must be rms, slt, awb, kal or kal16" ;; esac
[ "$mllr" = none ] && mllr=""
[ ${#files[@]} -gt 0 ] || files=("$FD_ROOT"/tests/scenarios/*.json)
scenario_files=()
for f in "${files[@]}"; do [ "$(basename "$f")" = org.json ] || scenario_files+=("$f"); done

install_packages
build >/dev/null
ensure_database

# A database of its own, fresh each run.
db="frontdesk_scenarios_${FRONTDESK_SCENARIO_PORT:-18095}" # one per port: runs side by side
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_OWNER_URL" >/dev/null <<SQL
DROP DATABASE IF EXISTS $db WITH (FORCE);
CREATE DATABASE $db;
SQL
export DATABASE_OWNER_URL="${DATABASE_OWNER_URL%/*}/$db"
export DATABASE_URL="${DATABASE_URL%/*}/$db"
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL" --log-level warn

work="$(mktemp -d)"
port="${FRONTDESK_SCENARIO_PORT:-18095}"
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-scenario-token}"
cat >"$work/node.toml" <<TOML
[speech]
accept_scripts = true
recordings_dir = "$work/recordings"
mllr = "$mllr"
TOML
"$FD_BIN" --now 2026-03-04T15:00:00-06:00 --config "$work/node.toml" --log-level warn serve \
  --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" >"$work/node.log" 2>&1 &
node=$!
cleanup() {
  kill -TERM $node 2>/dev/null; wait $node 2>/dev/null || true
  if [ "$keep" = 1 ]; then say "reports and logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/node.log"; die "the node did not start"; }

# One business per scenario and mode: nothing one call books can change another's slots.
n=0
run_one() { # mode file number
  local mode="$1" file="$2" phone="$3" flag=""
  [ "$mode" = text ] && flag="--text"
  sed "s/\"phone_number\": *\"[^\"]*\"/\"phone_number\": \"$phone\"/" \
    "$FD_ROOT/tests/scenarios/org.json" >"$work/org-$phone.json"
  "$FD_BIN" org load "$work/org-$phone.json" --log-level warn >/dev/null
  if "$FD_BIN" call --base-url "http://127.0.0.1:$port" --to "$phone" --scenario "$file" \
      $flag --voice "$voice" --check --max-seconds 240 --answer-quiet-ms "$answer_quiet" --log-level warn >"$work/out-$phone.json" \
      2>"$work/err-$phone.txt"; then
    echo "pass $mode $(basename "$file" .json)"
  else
    echo "FAIL $mode $(basename "$file" .json): $(grep -o 'json: .*\|: booked.*\|never said.*\|not transferred.*\|transferred to.*\|cancelled .*' "$work/err-$phone.txt" | head -3 | tr '\n' ' ')"
  fi
}
start=$SECONDS
for mode in "${modes[@]}"; do
  say "$mode mode: ${#scenario_files[@]} scenarios, $jobs at a time (caller voice $voice, transform ${mllr:-none})"
  for f in "${scenario_files[@]}"; do
    n=$((n + 1))
    run_one "$mode" "$f" "+1555030$(printf %04d $n)" >>"$work/results-$mode.txt" &
    while [ "$(jobs -rp | wc -l)" -gt "$jobs" ]; do sleep 0.2; done
  done
  while [ "$(jobs -rp | wc -l)" -gt 1 ]; do sleep 0.2; done # the node is a job too
  sort "$work/results-$mode.txt"
done
say "results ($((SECONDS - start)) s)"
status=0
for mode in "${modes[@]}"; do
  total=$(wc -l <"$work/results-$mode.txt")
  passed=$(grep -c '^pass' "$work/results-$mode.txt" || true)
  echo "$mode mode: $passed of $total scenarios as expected ($((100 * passed / total))%)"
  [ "$passed" = "$total" ] || status=1
done
exit $status
