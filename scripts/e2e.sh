#!/usr/bin/env bash
# End-to-end tests of the web pages in headless Chromium (Debian's /usr/bin/chromium, driven by
# playwright-core from e2e/): a fresh database on the PostgreSQL of scripts/pg.sh, the Monaco
# road graph, the demo data, `fieldpath serve` on a free loopback port, then `node --test e2e/`.
# Screenshots go to test-artifacts/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

# FIELDPATH_E2E_BUILD=0 uses the binary as built (e.g. while the tree is mid-edit).
if [ "${FIELDPATH_E2E_BUILD:-1}" = 1 ]; then
  cargo build --release -p fieldpath-api
fi
bin="$repo/target/release/fieldpath"
if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: /usr/bin/chromium is missing: apt-get install -y chromium" >&2
  exit 1
fi
if [ ! -d e2e/node_modules/playwright-core ]; then
  (cd e2e && npm ci --no-audit --no-fund)
fi

# shellcheck source=scripts/pg.sh
. scripts/pg.sh
fieldpath_pg_start
base_url="${DATABASE_URL%/*}"
db="fieldpath_e2e_$$"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql "$base_url/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
  fieldpath_pg_stop
}
trap cleanup EXIT
psql "$base_url/postgres" -qc "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="$base_url/$db"

"$bin" import data/osm/monaco.osm.pbf -o "$work/monaco.graph" >/dev/null 2>&1
"$bin" demo --graph "$work/monaco.graph"

port=18780
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
"$bin" serve --graph "$work/monaco.graph" --bind "127.0.0.1:$port" --data-dir "$work/data" --workers 1 \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.5
done

mkdir -p test-artifacts
status=0
FIELDPATH_BASE_URL="http://127.0.0.1:$port" FIELDPATH_ARTIFACTS="$repo/test-artifacts" \
  node --test --test-concurrency=1 e2e/ || status=$?
if [ "$status" != 0 ]; then
  echo "e2e: server log (last 40 lines):" >&2
  tail -40 "$work/serve.log" >&2
fi
exit "$status"
