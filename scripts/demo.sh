#!/usr/bin/env bash
# The main job on embedded defaults: installs packages, builds, starts the local PostgreSQL,
# migrates it and runs a node in the foreground. Ctrl-C stops the node cleanly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

install_packages
build
ensure_database
"$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL"
say "starting the node (Ctrl-C stops it)"
exec "$FD_BIN" serve "$@"
