# Shared by the project's scripts: paths, logging, package installation, the build.
# shellcheck shell=bash

FD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FD_BUILD="${FRONTDESK_BUILD_DIR:-$FD_ROOT/build}"
FD_BIN="$FD_BUILD/bin/frontdesk"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"; fi
}

# Installs what scripts/packages.txt lists and is not installed yet.
install_packages() {
  local wanted missing=()
  wanted=$(grep -v '^\s*#' "$FD_ROOT/scripts/packages.txt" | grep -v '^\s*$')
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "packages: all $(echo "$wanted" | wc -l) installed"
    return
  fi
  say "installing ${#missing[@]} packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures (once) and builds Release with two jobs.
build() {
  say "building into $FD_BUILD"
  local start=$SECONDS
  if [ ! -f "$FD_BUILD/build.ninja" ]; then
    cmake -S "$FD_ROOT" -B "$FD_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$FD_BUILD" -j 2
  # The recogniser's telephone-channel transform (speech.mllr = auto); once per machine. Without
  # it the product still runs, on the model as shipped.
  "$FD_ROOT/scripts/adapt-acoustic.sh" "$FD_BUILD/mllr" \
    || say "warning: no MLLR transform built; the recogniser runs unadapted"
  say "build done in $((SECONDS - start)) s"
}

# Starts the local PostgreSQL unless DATABASE_URL points elsewhere, and exports its URLs.
ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment"
    [ -n "${DATABASE_OWNER_URL:-}" ] || export DATABASE_OWNER_URL="$DATABASE_URL"
    return
  fi
  "$FD_ROOT/scripts/pg.sh" start
  eval "$("$FD_ROOT/scripts/pg.sh" env)"
}

# What a benchmark needs before it starts nodes: the packages, the build (FRONTDESK_NO_BUILD=1:
# the frontdesk binary as built, when there is one), the database migrated, the demo business.
prepare_bench_node() {
  install_packages
  [ "${FRONTDESK_NO_BUILD:-0}" = 1 ] && [ -x "$FD_BIN" ] || build
  ensure_database
  "$FD_BIN" migrate --database-url "$DATABASE_OWNER_URL" --log-level warn
  "$FD_BIN" org load "$FD_ROOT/config/demo/bright_smile.json" >/dev/null
}

# For programs that make scratch databases (benchmarks built with the tests): installs, builds,
# starts the database and migrates a fresh template for them (FRONTDESK_TEST_TEMPLATE).
prepare_bench_database() {
  install_packages
  build
  ensure_database
  local template="${FRONTDESK_TEST_TEMPLATE:-frontdesk_bench_template}"
  export FRONTDESK_TEST_TEMPLATE="$template"
  psql -X -q -v ON_ERROR_STOP=1 "$FRONTDESK_TEST_OWNER_DSN dbname=postgres" >/dev/null <<SQL
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database WHERE datname = '$template' \gexec
CREATE DATABASE $template;
SQL
  "$FD_BIN" migrate --database-url "$FRONTDESK_TEST_OWNER_DSN dbname=$template" --log-level warn
}

# Writes the config of a local cluster node on instant engines:
#   cluster_node_toml FILE NAME INDEX BASE_HTTP CERTS MAX_CALLS [alone]
# node INDEX listens on BASE_HTTP+INDEX (HTTP) and BASE_HTTP+100+INDEX (cluster), joins through
# node 0, signs webhooks over node 0's address (the balancer's stand-in) and uses the
# certificates in CERTS; "alone": no [cluster] section. FD_NODE_THREADS=N: N I/O threads and N
# scheduler threads (several nodes sharing one machine's cores each take their share).
cluster_node_toml() {
  local file=$1 name=$2 i=$3 base=$4 certs=$5 max=$6 http=$(($4 + $3)) seeds=""
  [ "$i" -gt 0 ] && seeds="127.0.0.1:$((base + 100))"
  cat >"$file" <<TOML
[node]
name = "$name"
listen = "127.0.0.1:$http"
public_url = "http://127.0.0.1:$http"
max_calls = $max
drain_seconds = 1
${FD_NODE_THREADS:+io_threads = $FD_NODE_THREADS}
[speech]
mode = "instant"
recordings_dir = ""
[scheduler]
realtime_priority = 0
${FD_NODE_THREADS:+max_threads = $FD_NODE_THREADS}
TOML
  [ "${7:-}" = alone ] && return
  cat >>"$file" <<TOML
[cluster]
listen = "127.0.0.1:$((base + 100 + i))"
seeds = "$seeds"
public_url = "http://127.0.0.1:$base"
certificate = "$certs/$name.crt"
key = "$certs/$name.key"
cafile = "$certs/cluster-ca.crt"
# A node full to its share sends the next call to a node with room.
spread_above = 0.99
orphan_grace_ms = 500
TOML
}

# threads_cpu PID...: CPU seconds per thread name (summed over the processes), one per line.
threads_cpu() {
  local tck p
  tck=$(getconf CLK_TCK)
  for p in "$@"; do
    for t in /proc/"$p"/task/*/stat; do cat "$t" 2>/dev/null || true; done
  done | LC_ALL=C awk -v k="$tck" '{ match($0, /\(.*\)/); n = substr($0, RSTART + 1, RLENGTH - 2);
                           rest = substr($0, RSTART + RLENGTH + 1); split(rest, f, " ");
                           s[n] += (f[12] + f[13]) / k }
                         END { for (n in s) printf "%s %.2f\n", n, s[n] }' | LC_ALL=C sort
}
# threads_delta BEFORE AFTER: what each thread name used in between, largest first.
threads_delta() {
  LC_ALL=C join -a2 -e 0 -o 0,1.2,2.2 "$1" "$2" | awk '{ d = $3 - $2; if (d >= 0.01) printf "  %-16s %6.2f s\n", $1, d }' |
    sort -k2 -rn
}
