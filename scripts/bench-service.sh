#!/usr/bin/env bash
# Service benchmark on loopback: work-order create and list at a fixed 1,000 req/s (p99 target
# ≤ 20 ms), create throughput flat out (16 and 64 connections), and pgbench raw single-row
# inserts into a copy of the work_orders table (4, 16 and 64 clients) in the same run (target:
# API creates ≥ 50% of raw inserts, each at its best client count).
#   BENCH_SECS (default 10), BENCH_RATE (default 1000), BENCH_CONNECTIONS (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${BENCH_SECS:-10}"
rate="${BENCH_RATE:-1000}"
conns="${BENCH_CONNECTIONS:-32}"
addr=127.0.0.1:18090

# shellcheck source=scripts/pg.sh
. scripts/pg.sh
fieldpath_pg_start
cargo build --release -p fieldpath-api --example loadgen --bin fieldpath
bin=target/release/fieldpath
"$bin" demo >/dev/null

data="$(mktemp -d)"
"$bin" serve --bind "$addr" --data-dir "$data" >"$data/serve.log" 2>&1 &
serve_pid=$!
cleanup() {
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  psql "$DATABASE_URL" -qc 'DROP TABLE IF EXISTS bench_raw_inserts' >/dev/null 2>&1 || true
  # Leave the demo organisation as the demo seeded it.
  psql "$DATABASE_URL" -q >/dev/null 2>&1 <<'SQL' || true
DELETE FROM activity WHERE org_id = (SELECT id FROM organisations WHERE slug = 'demo')
  AND entity = 'work_order' AND after->>'title' LIKE 'bench %';
DELETE FROM work_orders WHERE org_id = (SELECT id FROM organisations WHERE slug = 'demo') AND title LIKE 'bench %';
SQL
  # Without this the next run starts with tens of thousands of dead rows at the head of the
  # demo organisation's indexes and autovacuum working through them while it measures; FULL
  # also gives back the space, so runs do not start from an ever larger table (after a day
  # of runs work_orders had grown to 188 MB for 16,000 rows: 8 MB rewritten).
  # A plain VACUUM after it: VACUUM FULL leaves the visibility map empty, and until autovacuum
  # comes by every index-only scan (the lists' counts) would visit the table.
  psql "$DATABASE_URL" -qc 'VACUUM (FULL) work_orders, activity' >/dev/null 2>&1 || true
  psql "$DATABASE_URL" -qc 'VACUUM (ANALYZE) work_orders, activity' >/dev/null 2>&1 || true
  rm -rf "$data"
  fieldpath_pg_stop
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "http://$addr/ready" >/dev/null 2>&1 && break
  sleep 0.2
done

token="$(curl -fs "http://$addr/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"dispatcher@demo.fieldpath.test","password":"fieldpath-demo"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
site="$(curl -fs "http://$addr/api/v1/sites?limit=1" -H "authorization: Bearer $token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
# Two seconds of load before each measurement, not counted: the service opens its database
# connections and prepares its statements on first use (without it the list p99 also times that).
gen=(target/release/examples/loadgen --addr "$addr" --token "$token" --site-id "$site" --secs "$secs" --warmup 2)

echo "== API at a fixed $rate req/s for ${secs}s ($conns connections)"
"${gen[@]}" --mode create --rate "$rate" --connections "$conns" | tee "$data/create.txt"
"${gen[@]}" --mode list --rate "$rate" --connections "$conns" | tee "$data/list.txt"
# Throughput is compared at each side's best client count: the service multiplexes many
# clients onto a few database connections (and batches their creates), while Postgres runs a
# process per client and does best with few. 16 against 16 is reported as well.
for c in 16 64; do
  echo "== API work-order creates flat out ($c connections)"
  "${gen[@]}" --mode create --rate 0 --connections "$c" | tee "$data/create-max-$c.txt"
done

psql "$DATABASE_URL" -qc 'DROP TABLE IF EXISTS bench_raw_inserts; CREATE TABLE bench_raw_inserts (LIKE work_orders INCLUDING DEFAULTS INCLUDING INDEXES)'
org="$(psql "$DATABASE_URL" -Atc "SELECT id FROM organisations WHERE slug = 'demo'")"
cat >"$data/insert.sql" <<SQL
INSERT INTO bench_raw_inserts (org_id, seq, number, title, site_id, priority, estimated_duration_min)
VALUES ('$org', nextval('bench_seq'), 'WO-' || currval('bench_seq'), 'bench', '$site', 'medium', 45);
SQL
psql "$DATABASE_URL" -qc 'DROP SEQUENCE IF EXISTS bench_seq; CREATE SEQUENCE bench_seq'
for c in 4 16 64; do
  echo "== pgbench: raw single-row inserts into a copy of work_orders ($c clients)"
  pgbench -n -c "$c" -j 2 -T "$secs" -f "$data/insert.sql" "$DATABASE_URL" 2>/dev/null | tee "$data/pgbench-$c.txt" | grep -E "^tps|latency average"
done
psql "$DATABASE_URL" -qc 'DROP SEQUENCE IF EXISTS bench_seq' >/dev/null

# For reference (not a target): what Postgres alone does with the statement the API sends per
# create (numbered insert with its foreign keys + the activity entry), same clients and mode.
actor="$(psql "$DATABASE_URL" -Atc "SELECT id FROM users WHERE org_id = '$org' AND role = 'dispatcher' LIMIT 1")"
cat >"$data/api-insert.sql" <<SQL
WITH created AS (INSERT INTO work_orders AS t (org_id, seq, number, estimated_duration_min, priority, site_id, title)
  SELECT '$org', n.seq, work_order_number(n.seq),
    estimated_duration_min, priority, site_id, title
  FROM jsonb_populate_record(NULL::work_orders, '{"title":"bench pgbench","site_id":"$site","priority":"medium","estimated_duration_min":45}'::jsonb),
    (SELECT next_work_order_seq('$org') AS seq) n RETURNING to_jsonb(t) - 'org_id' AS doc),
logged AS (INSERT INTO activity (org_id, actor_id, entity, entity_id, action, after)
  SELECT '$org', '$actor', 'work_order', (doc->>'id')::uuid, 'create', doc FROM created)
SELECT doc FROM created;
SQL
pgbench -n -c 16 -j 2 -T "$secs" -f "$data/api-insert.sql" "$DATABASE_URL" 2>/dev/null >"$data/pgbench-api.txt" || true

python3 - "$data" <<'PY'
import re, sys
d = sys.argv[1]
def field(name, key):
    m = re.search(key + r"=([0-9.]+)", open(f"{d}/{name}").read())
    return float(m.group(1)) if m else float("nan")
def tps(name):
    m = re.search(r"tps = ([0-9.]+)", open(f"{d}/{name}").read())
    return float(m.group(1)) if m else float("nan")
raws = {c: tps(f"pgbench-{c}.txt") for c in (4, 16, 64)}
apis = {c: field(f"create-max-{c}.txt", "throughput") for c in (16, 64)}
raw, api = raws[16], apis[16]
best_raw_c = max(raws, key=lambda c: raws[c])
best_api_c = max(apis, key=lambda c: apis[c])
print("== summary")
for name in ("create", "list"):
    p99 = field(f"{name}.txt", "p99")
    print(f"{name:>6}: p99 {p99:.2f} ms at {field(name + '.txt', 'throughput'):.0f} req/s  (target ≤ 20 ms: {'met' if p99 <= 20 else 'NOT met'})")
best = apis[best_api_c] / raws[best_raw_c]
print(f"create throughput at each side's best client count: API {apis[best_api_c]:.0f}/s ({best_api_c} connections) vs raw inserts {raws[best_raw_c]:.0f}/s ({best_raw_c} clients) = {best:.0%}  (target ≥ 50%: {'met' if best >= 0.5 else 'NOT met'})")
print(f"  at 16 clients each: API {api:.0f}/s vs raw inserts {raw:.0f}/s = {api / raw:.0%}")
m = re.search(r"tps = ([0-9.]+)", open(f"{d}/pgbench-api.txt").read())
if m and raw:
    own = float(m.group(1))
    print(f"  for reference: the API's create statement alone in pgbench {own:.0f}/s = {own / raw:.0%} of raw inserts")
PY
