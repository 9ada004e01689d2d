#!/usr/bin/env bash
# The embedded default database: a private PostgreSQL 15 cluster for this checkout, on loopback
# with its own port and socket directory, data under .local/pg (git-ignored).
#
#   scripts/pg.sh start    initialise on first use, start (a no-op when running), create roles
#   scripts/pg.sh stop     stop cleanly
#   scripts/pg.sh status   say whether it runs
#   scripts/pg.sh env      print shell exports: DATABASE_URL (application role),
#                          DATABASE_OWNER_URL (owner role, migrations) and the test DSNs
#
# Environment: FRONTDESK_PG_PORT (default: 54329, or the next free port when a cluster is first
# initialised and 54329 is taken; the choice is kept in the cluster's directory),
# FRONTDESK_PG_DIR (default .local/pg).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PGBIN="${FRONTDESK_PG_BIN:-/usr/lib/postgresql/15/bin}"
DIR="${FRONTDESK_PG_DIR:-$FD_ROOT/.local/pg}"

# PostgreSQL refuses to run as root: as root, run it as the postgres user. That user must be able
# to reach the data directory; a checkout under a private directory gets its cluster elsewhere.
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  RUN_AS=(runuser -u postgres --)
  mkdir -p "$(dirname "$DIR")"
  if ! runuser -u postgres -- test -x "$(dirname "$DIR")" 2>/dev/null; then
    DIR="/var/tmp/frontdesk-pg-$(echo -n "$FD_ROOT" | sha256sum | cut -c1-12)"
  fi
fi
DATA="$DIR/data"
PORT="${FRONTDESK_PG_PORT:-$(cat "$DIR/port" 2>/dev/null || echo 54329)}"
SOCK="$DIR/run"
CRED="$DIR/credentials"

# Runs as the cluster's user, from / (the caller's directory may be private to root).
pg() { (cd / && "${RUN_AS[@]}" "$@"); }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

psql_super() { pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres "$@"; }

init_cluster() {
  say "initialising a local PostgreSQL cluster in $DIR"
  mkdir -p "$DIR"
  [ "${#RUN_AS[@]}" -eq 0 ] || chown postgres:postgres "$DIR"
  chmod 700 "$DIR"
  pg mkdir -p "$DATA" "$SOCK"
  if [ -z "${FRONTDESK_PG_PORT:-}" ]; then
    while port_in_use "$PORT"; do PORT=$((PORT + 1)); done
  fi
  echo "$PORT" >"$DIR/port"
  pg "$PGBIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log"
  cat >>"$DATA/postgresql.conf" <<CONF
# Frontdesk local cluster
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 300
shared_buffers = 128MB
CONF
  umask 077
  printf 'OWNER_PW=%s\nAPP_PW=%s\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" \
    "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$CRED"
}

is_running() { pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

create_roles() {
  # shellcheck disable=SC1090
  source "$CRED"
  psql_super -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'frontdesk_owner') THEN
    CREATE ROLE frontdesk_owner LOGIN CREATEDB PASSWORD '$OWNER_PW';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'frontdesk_app') THEN
    CREATE ROLE frontdesk_app LOGIN PASSWORD '$APP_PW';
  ELSE
    ALTER ROLE frontdesk_app LOGIN PASSWORD '$APP_PW';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE frontdesk OWNER frontdesk_owner'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'frontdesk') \gexec
SQL
}

start() {
  [ -x "$PGBIN/pg_ctl" ] || die "PostgreSQL 15 not installed (scripts/packages.txt lists it)"
  [ -f "$DATA/PG_VERSION" ] || init_cluster
  if is_running; then
    say "PostgreSQL already running on 127.0.0.1:$PORT ($DIR)"
  else
    say "starting PostgreSQL on 127.0.0.1:$PORT ($DIR)"
    port_in_use "$PORT" && die "port $PORT is taken by another program: set FRONTDESK_PG_PORT"
    pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
      { tail -20 "$DIR/server.log" >&2; die "PostgreSQL did not start"; }
  fi
  create_roles
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && is_running; then
    say "stopping PostgreSQL ($DIR)"
    pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  else
    say "PostgreSQL not running"
  fi
}

env_exports() {
  [ -f "$CRED" ] || die "no local cluster yet: run scripts/pg.sh start"
  # shellcheck disable=SC1090
  source "$CRED"
  local base="host=127.0.0.1 port=$PORT"
  echo "export DATABASE_URL='postgresql://frontdesk_app:$APP_PW@127.0.0.1:$PORT/frontdesk'"
  echo "export DATABASE_OWNER_URL='postgresql://frontdesk_owner:$OWNER_PW@127.0.0.1:$PORT/frontdesk'"
  echo "export FRONTDESK_TEST_OWNER_DSN='$base user=frontdesk_owner password=$OWNER_PW'"
  echo "export FRONTDESK_TEST_APP_DSN='$base user=frontdesk_app password=$APP_PW'"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running on 127.0.0.1:$PORT ($DIR)"; else echo "stopped"; exit 3; fi ;;
  env) env_exports ;;
  *) echo "usage: scripts/pg.sh start|stop|status|env" >&2; exit 2 ;;
esac
