#!/usr/bin/env bash
# The main job on embedded defaults: installs packages, builds, starts the local PostgreSQL,
# migrates it, loads the demo business, starts a node and places a simulated call through the
# real transport (signed webhook, Media Stream, paced audio). The node then keeps running until
# Ctrl-C, which stops it cleanly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

install_packages
build
ensure_database
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL"
say "loading the demo business (config/demo/bright_smile.json)"
"$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json" >/dev/null

port="${FRONTDESK_DEMO_PORT:-8080}"
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-demo-token}"
say "starting the node on 127.0.0.1:$port"
"$FD_BIN" serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" "$@" &
node=$!
trap 'kill -INT $node 2>/dev/null; wait $node 2>/dev/null; exit 0' INT TERM
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done

say "placing a demo call to Bright Smile Dental (+15550100001)"
"$FD_BIN" call --base-url "http://127.0.0.1:$port" --to +15550100001 \
  --say "Hi, I would like to book a cleaning tomorrow at two p m." --max-seconds 60 || true

say "the node keeps running: try 'frontdesk call --base-url http://127.0.0.1:$port --to +15550100001 --say ...' (TWILIO_AUTH_TOKEN=$TWILIO_AUTH_TOKEN); Ctrl-C stops it"
wait $node
