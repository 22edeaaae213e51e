#!/usr/bin/env bash
# PostgreSQL for the service, its tests and the demo.
#
# Sourced:  . scripts/pg.sh && fieldpath_pg_start && trap fieldpath_pg_stop EXIT
# Called:   scripts/pg.sh start | stop | restart | status | url
#
# Which database:
#   1. DATABASE_URL when it is set (nothing is started or stopped);
#   2. else a server answering on 127.0.0.1:5432 that lets user postgres in;
#   3. else a private cluster under .fieldpath/pg (gitignored): initdb on first use, trust auth
#      on 127.0.0.1 only, a free port from 54329 up, its unix socket inside the data folder.
#      Run as root, initdb and pg_ctl run as the `postgres` user (Postgres refuses root). A
#      cluster this script started is stopped again by fieldpath_pg_stop; one that was already
#      running (the demo, say) is left alone.
# Exports DATABASE_URL, and FIELDPATH_PG_SCRIPT (this script's path, so the restart-recovery
# test can stop and start the cluster) when the cluster is private.

FIELDPATH_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIELDPATH_PG_DIR="${FIELDPATH_PG_DIR:-$FIELDPATH_REPO/.fieldpath/pg}"
# As root the cluster runs as `postgres`, which may not be able to enter a checkout under a
# private home (e.g. /root/...): keep the cluster under /tmp then, one folder per checkout.
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 &&
  ! runuser -u postgres -- test -x "$FIELDPATH_REPO" 2>/dev/null &&
  [ "$FIELDPATH_PG_DIR" = "$FIELDPATH_REPO/.fieldpath/pg" ]; then
  FIELDPATH_PG_DIR="/tmp/fieldpath-pg-$(printf %s "$FIELDPATH_REPO" | md5sum | cut -c1-12)"
fi
FIELDPATH_PG_STARTED_HERE="${FIELDPATH_PG_STARTED_HERE:-0}"

_fp_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

_fp_pg_bin() {
  # initdb/pg_ctl are on PATH through /usr/local/bin on the project's machines; Debian keeps
  # them under /usr/lib/postgresql/<version>/bin otherwise.
  if command -v initdb >/dev/null 2>&1; then
    return 0
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$dir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "pg.sh: installing postgresql (Debian package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  fi
  if [ -z "$dir" ]; then
    echo "pg.sh: PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql or set DATABASE_URL" >&2
    return 1
  fi
  export PATH="$dir:$PATH"
}

_fp_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_fp_pg_private_running() {
  [ -f "$FIELDPATH_PG_DIR/data/PG_VERSION" ] &&
    _fp_pg_as_owner pg_ctl -D "$FIELDPATH_PG_DIR/data" status >/dev/null 2>&1
}

_fp_pg_export_private() {
  local port
  port="$(cat "$FIELDPATH_PG_DIR/port")"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/fieldpath"
  # For the restart-recovery test: `bash $FIELDPATH_PG_SCRIPT stop|start` controls this cluster.
  export FIELDPATH_PG_SCRIPT="$FIELDPATH_REPO/scripts/pg.sh"
  export FIELDPATH_PG_DIR
}

fieldpath_pg_start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "pg.sh: using DATABASE_URL from the environment" >&2
    return 0
  fi
  if _fp_port_busy 5432 && command -v psql >/dev/null 2>&1 &&
    PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc \
      "select 1 from pg_database where datname = 'fieldpath'" | grep -q 1 ||
      psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc 'create database fieldpath' >/dev/null
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/fieldpath"
    echo "pg.sh: using the server on 127.0.0.1:5432" >&2
    return 0
  fi
  _fp_pg_bin || return 1
  mkdir -p "$FIELDPATH_PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$FIELDPATH_PG_DIR"
  fi
  if _fp_pg_private_running; then
    _fp_pg_export_private
    echo "pg.sh: private cluster already running ($DATABASE_URL)" >&2
    return 0
  fi
  if [ ! -f "$FIELDPATH_PG_DIR/data/PG_VERSION" ]; then
    echo "pg.sh: initdb $FIELDPATH_PG_DIR/data" >&2
    _fp_pg_as_owner initdb -D "$FIELDPATH_PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$FIELDPATH_PG_DIR/initdb.log" 2>&1 || {
      cat "$FIELDPATH_PG_DIR/initdb.log" >&2
      return 1
    }
  fi
  # The previous port when it is free (a restart keeps DATABASE_URL valid), else the first free one.
  local port
  port="$(cat "$FIELDPATH_PG_DIR/port" 2>/dev/null || echo 54329)"
  if _fp_port_busy "$port"; then
    port=54329
    while _fp_port_busy "$port"; do port=$((port + 1)); done
  fi
  echo "$port" >"$FIELDPATH_PG_DIR/port"
  mkdir -p "$FIELDPATH_PG_DIR/sock"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$FIELDPATH_PG_DIR/sock" "$FIELDPATH_PG_DIR/port"
  fi
  _fp_pg_as_owner pg_ctl -D "$FIELDPATH_PG_DIR/data" -l "$FIELDPATH_PG_DIR/server.log" -w -t 60 \
    -o "-p $port -h 127.0.0.1 -k $FIELDPATH_PG_DIR/sock -c max_connections=300 -c fsync=off" start >/dev/null || {
    tail -20 "$FIELDPATH_PG_DIR/server.log" >&2
    return 1
  }
  FIELDPATH_PG_STARTED_HERE=1
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc \
    "select 1 from pg_database where datname = 'fieldpath'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc 'create database fieldpath' >/dev/null
  _fp_pg_export_private
  echo "pg.sh: started private cluster ($DATABASE_URL)" >&2
}

fieldpath_pg_stop() {
  if [ "$FIELDPATH_PG_STARTED_HERE" = 1 ] && _fp_pg_private_running; then
    _fp_pg_as_owner pg_ctl -D "$FIELDPATH_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    FIELDPATH_PG_STARTED_HERE=0
    echo "pg.sh: stopped private cluster" >&2
  fi
}

fieldpath_pg_restart() {
  _fp_pg_bin || return 1
  _fp_pg_as_owner pg_ctl -D "$FIELDPATH_PG_DIR/data" -m fast -w -t 60 restart >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      unset DATABASE_URL
      fieldpath_pg_start
      echo "$DATABASE_URL"
      ;;
    stop)
      FIELDPATH_PG_STARTED_HERE=1
      fieldpath_pg_stop
      ;;
    restart) fieldpath_pg_restart ;;
    status) _fp_pg_bin && _fp_pg_private_running && echo running || echo stopped ;;
    url)
      fieldpath_pg_start >/dev/null
      echo "$DATABASE_URL"
      ;;
    *)
      echo "usage: scripts/pg.sh start|stop|restart|status|url (or source it)" >&2
      exit 2
      ;;
  esac
fi
