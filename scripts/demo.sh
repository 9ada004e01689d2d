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
business="$("$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json")"
# The dashboard's demo login (added once; a second run finds it there).
demo_email="owner@brightsmile.example"
demo_password="${FRONTDESK_DEMO_PASSWORD:-bright-smile-demo}"
"$FD_BIN" --log-level off staff list --business "$business" | grep -q "$demo_email" ||
  printf '%s\n' "$demo_password" | "$FD_BIN" staff add --business "$business" \
    --email "$demo_email" --role owner --password-prompt >/dev/null

port="${FRONTDESK_DEMO_PORT:-8080}"
export TWILIO_AUTH_TOKEN="${TWILIO_AUTH_TOKEN:-demo-token}"
# The demo's clock: Wednesday, March 4th 2026, 3 PM in Chicago (the demo business's zone), so
# "tomorrow" and the demo data agree on every run.
now="${FRONTDESK_DEMO_NOW:-2026-03-04T15:00:00-06:00}"
say "starting the node on 127.0.0.1:$port (clock starts at $now)"
"$FD_BIN" --now "$now" serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" "$@" &
node=$!
trap 'kill -INT $node 2>/dev/null; wait $node 2>/dev/null; exit 0' INT TERM
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done

# The demo caller's bookings from an earlier run would take the slot it asks for: free them.
psql -X -q "$DATABASE_OWNER_URL" -c "UPDATE appointments SET status = 'cancelled', cancelled_at = now()
  WHERE customer_phone = '+15557770123' AND status IN ('booked', 'held')" >/dev/null

say "placing a demo call to Bright Smile Dental (+15550100001): a question, then a booking"
say "(the caller's script: config/demo/scenarios/book_cleaning.json)"
report="$(mktemp)"
"$FD_BIN" call --base-url "http://127.0.0.1:$port" --to +15550100001 \
  --scenario "$FD_ROOT/config/demo/scenarios/book_cleaning.json" --max-seconds 120 >"$report" || true
sid="$(sed -n 's/.*"call_sid":"\([^"]*\)".*/\1/p' "$report")"
say "the conversation"
psql -X -q -A -F ': ' -t "$DATABASE_OWNER_URL" -c \
  "SELECT t->>'role', t->>'text' FROM calls, jsonb_array_elements(transcript) t
   WHERE call_sid = '$sid' ORDER BY (t->>'at_ms')::bigint"
say "the appointment it booked"
psql -X -q "$DATABASE_OWNER_URL" -c \
  "SELECT customer_name, customer_phone, service,
          to_char(lower(during) AT TIME ZONE b.timezone, 'Dy YYYY-MM-DD HH24:MI') AS local_time,
          status
   FROM appointments a JOIN businesses b ON b.id = a.business_id
   WHERE a.call_id = (SELECT id FROM calls WHERE call_sid = '$sid')"
say "the confirmation text it sent (no twilio.account_sid: the log sink wrote it to sms_log)"
for _ in $(seq 50); do
  text="$(psql -X -q -A -t "$DATABASE_OWNER_URL" -c \
    "SELECT format('to %s from %s [%s, %s segment(s), %s]: %s', l.to_number, l.from_number,
                   l.encoding, l.segments, l.status, l.body)
     FROM sms_log l JOIN outbox o ON o.id = l.outbox_id
     JOIN appointments a ON a.id::text = o.payload->>'appointment_id'
     WHERE a.call_id = (SELECT id FROM calls WHERE call_sid = '$sid') ORDER BY l.id")"
  [ -n "$text" ] && break
  sleep 0.1
done
echo "${text:-(no confirmation text: the caller had no textable number or opted out)}"
say "the call's summary and per-turn latencies"
psql -X -q "$DATABASE_OWNER_URL" -c \
  "SELECT outcome, summary, latencies FROM calls WHERE call_sid = '$sid'"
rm -f "$report"

say "the dashboard: http://127.0.0.1:$port/app/ (log in as $demo_email, password $demo_password): the call and its booking are there"
say "the node keeps running: try 'frontdesk call --base-url http://127.0.0.1:$port --to +15550100001 --say ...' (TWILIO_AUTH_TOKEN=$TWILIO_AUTH_TOKEN); Ctrl-C stops it"
wait $node
