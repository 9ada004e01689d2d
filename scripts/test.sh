#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs packages, builds (Release, -j2),
# starts the local PostgreSQL unless DATABASE_URL is given, migrates a template database and runs
# every test under ctest. Extra arguments go to ctest (e.g. -L unit, -R config).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start=$SECONDS

install_packages
build
ensure_database

# Tests copy this migrated template into a throwaway database each.
if [ -z "${FRONTDESK_TEST_OWNER_DSN:-}" ]; then
  die "FRONTDESK_TEST_OWNER_DSN must be set when DATABASE_URL is given (owner role, no dbname)"
fi
say "preparing the test template database"
template="${FRONTDESK_TEST_TEMPLATE:-frontdesk_template}"
export FRONTDESK_TEST_TEMPLATE="$template"
psql -X -q -v ON_ERROR_STOP=1 "$FRONTDESK_TEST_OWNER_DSN dbname=postgres" >/dev/null <<SQL
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database
  WHERE datname LIKE 'fdt\_%' OR datname = '$template' \gexec
CREATE DATABASE $template;
SQL
"$FD_BIN" migrate --database-url "$FRONTDESK_TEST_OWNER_DSN dbname=$template" --log-level warn

say "running tests"
test_start=$SECONDS
# Four at once on two cores: the whole calls mostly wait on real-time audio, and the tests that
# keep cores busy count as two (cmake/test_schedule.cmake).
ctest --test-dir "$FD_BUILD" -j "${FRONTDESK_TEST_JOBS:-4}" --output-on-failure --timeout 600 "$@"
say "tests done in $((SECONDS - test_start)) s"

# The dashboard in a real browser: Playwright driving Debian's Chromium (FRONTDESK_BROWSER_TESTS=0
# skips; extra arguments, which select ctest tests, skip it too).
if [ "${FRONTDESK_BROWSER_TESTS:-1}" != 0 ] && [ $# -eq 0 ]; then
  command -v npx >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  say "browser tests of the dashboard"
  FD_BIN="$FD_BIN" "$FD_ROOT/tests/browser/run.sh"
fi

# Every parser of outside input has a libFuzzer target: a short run of each (0 skips).
fuzz_seconds="${FRONTDESK_FUZZ_SECONDS:-10}"
if [ "$fuzz_seconds" != 0 ] && [ $# -eq 0 ]; then
  "$FD_ROOT/scripts/fuzz.sh" "$fuzz_seconds"
fi
say "whole run $((SECONDS - start)) s"
