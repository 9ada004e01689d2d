#!/usr/bin/env bash
# Browser tests of the dashboard: a node on a throwaway database (two businesses, their staff),
# then Playwright driving Debian's Chromium (installed by apt; Playwright never downloads one).
# Needs FD_BIN, FRONTDESK_TEST_OWNER_DSN, FRONTDESK_TEST_APP_DSN and FRONTDESK_TEST_TEMPLATE
# (scripts/test.sh exports them). Screenshots of every page go to $DASH_SHOTS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${FD_BIN:?}" "${FRONTDESK_TEST_OWNER_DSN:?}" "${FRONTDESK_TEST_APP_DSN:?}" "${FRONTDESK_TEST_TEMPLATE:?}"
export DASH_SHOTS="${DASH_SHOTS:-$root/build/dashboard-screenshots}"
mkdir -p "$DASH_SHOTS"

db="fdt_browser_$$"
work="$(mktemp -d)"
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  psql -X -q "$FRONTDESK_TEST_OWNER_DSN dbname=postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 "$FRONTDESK_TEST_OWNER_DSN dbname=postgres" \
  -c "CREATE DATABASE $db TEMPLATE $FRONTDESK_TEST_TEMPLATE" >/dev/null
export DATABASE_URL="$FRONTDESK_TEST_APP_DSN dbname=$db"
export FD_DB_OWNER="$FRONTDESK_TEST_OWNER_DSN dbname=$db" # for state only other parts write

biz_a="$("$FD_BIN" --log-level warn org load "$root/config/demo/bright_smile.json")"
sed -e 's/+15550100001/+15550100002/' -e 's/Bright Smile Dental/Other Dental/' \
  -e 's/Delta Dental, Cigna and Aetna/only Blue Cross/' "$root/config/demo/bright_smile.json" > "$work/other.json"
biz_b="$("$FD_BIN" --log-level warn org load "$work/other.json")"
add() { printf '%s\n' "$4" | "$FD_BIN" --log-level warn staff add --business "$1" --email "$2" --role "$3" --password-prompt >/dev/null; }
add "$biz_a" owner@bright.test owner owner-password
add "$biz_a" admin@bright.test admin admin-password
add "$biz_a" viewer@bright.test viewer viewer-password
add "$biz_b" owner@other.test owner other-password

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat > "$work/node.toml" <<TOML
[speech]
accept_scripts = true
recordings_dir = "$work/recordings"
TOML
export TWILIO_AUTH_TOKEN=browser-test-token
# Wednesday, March 4th 2026, 3 PM in Chicago: the demo business's hours and appointments apply.
FRONTDESK_CONFIG="$work/node.toml" "$FD_BIN" --log-level warn --now 2026-03-04T21:00:00Z serve \
  --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" > "$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/node.log"; exit 1; }

export DASH_URL="http://127.0.0.1:$port" FD_BIN TWILIO_AUTH_TOKEN
export FD_SCENARIO="$root/config/demo/scenarios/book_cleaning.json"
cd "$here"
# The committed lockfile decides; a node_modules from before a package was added is made again.
[ -d node_modules/@playwright/test ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund --loglevel=error
rm -f "$DASH_SHOTS/axe.txt" # each page's accessibility findings, written by the tests
status=0
npx playwright test "$@" || status=$?
[ $status -eq 0 ] || tail -50 "$work/node.log"
exit $status
