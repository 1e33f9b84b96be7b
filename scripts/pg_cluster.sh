#!/usr/bin/env bash
# A throw-away PostgreSQL + PostGIS cluster on a free loopback port, for tests and benchmarks.
#   scripts/pg_cluster.sh start DIR [--durable] → prints the admin URL (postgresql+psycopg://postgres@127.0.0.1:PORT/postgres)
#   scripts/pg_cluster.sh stop DIR
#   scripts/pg_cluster.sh restart DIR (same port; used by the fault test)
#   scripts/pg_cluster.sh crash DIR   (an immediate stop: no checkpoint, no goodbye to clients, as in a crash)
#   scripts/pg_cluster.sh resume DIR  (start a stopped or crashed cluster again on its port, with its settings)
# The cluster runs fast by default (fsync, synchronous_commit and full_page_writes off: a test database that a crash
# may lose). --durable keeps PostgreSQL's safe settings, for tests where what survives a crash is what is measured.
set -euo pipefail
cmd="${1:?start|stop|restart|crash|resume}"
dir="${2:?data directory}"
mode="${3:-}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql (install postgresql)" >&2; exit 1; }

as_pg() {
  # PostgreSQL refuses to run as root: drop to the postgres user the Debian package created.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
DURABLE="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"

run_server() {
  # the settings the cluster was started with (kept beside it), so a resume after a crash keeps them
  local port flags
  port="$(cat "$dir/port")"
  flags="$(cat "$dir/flags" 2>/dev/null || echo "$FAST")"  # a cluster from before --durable: the fast ones
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $flags -c max_connections=200" start >/dev/null
}

case "$cmd" in
  start)
    case "$mode" in
      "") flags="$FAST" ;;
      --durable) flags="$DURABLE" ;;
      *) echo "unknown start option $mode (only --durable)" >&2; exit 2 ;;
    esac
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "$flags" >"$dir/flags"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/port" "$dir/flags"
    run_server || { cat "$dir/data/server.log" >&2; exit 1; }
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt \
      -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "SELECT postgis_lib_version()" >/dev/null \
      || { echo "PostGIS is not installed for $bin (install postgresql-*-postgis-3)" >&2; exit 1; }
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  restart)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w restart >/dev/null
    ;;
  crash)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    # after a crash the server replays its WAL first: -w waits until it accepts connections again
    run_server
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
