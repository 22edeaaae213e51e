#!/usr/bin/env bash
# The README's run command: PostgreSQL (scripts/pg.sh), a release build, the Monaco road graph,
# the demo organisation, then `fieldpath serve` until Ctrl-C.
#   FIELDPATH_BIND (default 127.0.0.1:8080), DATABASE_URL (default: private cluster) apply.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/pg.sh
. scripts/pg.sh
fieldpath_pg_start
trap fieldpath_pg_stop EXIT

cargo build --release -p fieldpath-api
bin=target/release/fieldpath
graph=.fieldpath/monaco.graph
mkdir -p .fieldpath
graph_args=()
# Import when missing, older than the extract, or unreadable by this build (format version).
if [ ! -f "$graph" ] || [ data/osm/monaco.osm.pbf -nt "$graph" ] ||
  ! "$bin" route --graph "$graph" --from 7.4197,43.7311 --to 7.4268,43.7402 >/dev/null 2>&1; then
  echo "importing the Monaco road graph into $graph"
  if ! "$bin" import data/osm/monaco.osm.pbf --out "$graph"; then
    echo "warning: road graph import failed; serving without a graph (sites are not snapped)" >&2
    rm -f "$graph"
  fi
fi
if [ -f "$graph" ]; then
  graph_args=(--graph "$graph")
fi

"$bin" demo "${graph_args[@]}"

bind="${FIELDPATH_BIND:-127.0.0.1:8080}"
cat <<MSG

  Fieldpath is starting on http://$bind
    API docs:   http://$bind/api/v1/docs
    Health:     http://$bind/health   Metrics: http://$bind/metrics
  Log in with POST /api/v1/auth/login {"email": "dispatcher@demo.fieldpath.test", "password": "fieldpath-demo"}
  (users: admin@, dispatcher@, agent@, technician@, customer@demo.fieldpath.test; password fieldpath-demo)
  Ctrl-C stops the service and the private database.

MSG
"$bin" serve --bind "$bind" --data-dir .fieldpath/data "${graph_args[@]}"
