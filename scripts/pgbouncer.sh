#!/usr/bin/env bash
# A local PgBouncer (Debian's package) in transaction pooling mode in front of
# the PostgreSQL at 127.0.0.1:$PGPORT, for the tests and the benchmark:
#
#   bash scripts/pgbouncer.sh start     # then DATABASE_URL=postgres://postgres@127.0.0.1:6432/<db>
#   bash scripts/pgbouncer.sh stop
#
# Every database name is passed through to PostgreSQL as user postgres (trust
# authentication on loopback, as the local PostgreSQL has). Installs pgbouncer
# if it is missing; its configuration, pid and log live in $RUN_DIR. Starting
# a PgBouncer already running on that port does nothing.
#
# PGBOUNCER_PORT  where PgBouncer listens on 127.0.0.1 (default 6432)
# PGPORT          the PostgreSQL it pools (default 5432)
# RUN_DIR         default /tmp/omnitron-pgbouncer-$PGBOUNCER_PORT
set -euo pipefail

PGBOUNCER_PORT="${PGBOUNCER_PORT:-6432}"
PGPORT="${PGPORT:-5432}"
RUN_DIR="${RUN_DIR:-/tmp/omnitron-pgbouncer-$PGBOUNCER_PORT}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

running() {
  [ -f "$RUN_DIR/pgbouncer.pid" ] && kill -0 "$(cat "$RUN_DIR/pgbouncer.pid")" 2>/dev/null
}

start() {
  if running; then
    return
  fi
  if [ ! -x /usr/sbin/pgbouncer ]; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq pgbouncer >/dev/null
  fi
  mkdir -p "$RUN_DIR"
  cat >"$RUN_DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PGPORT user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $RUN_DIR/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
; Idle server connections close soon, so a test database can be dropped after a run.
server_idle_timeout = 5
logfile = $RUN_DIR/pgbouncer.log
pidfile = $RUN_DIR/pgbouncer.pid
INI
  echo '"postgres" ""' >"$RUN_DIR/userlist.txt"
  # PgBouncer refuses to run as root.
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$RUN_DIR"
    runuser -u postgres -- /usr/sbin/pgbouncer -d "$RUN_DIR/pgbouncer.ini"
  else
    /usr/sbin/pgbouncer -d "$RUN_DIR/pgbouncer.ini"
  fi
  for _ in $(seq 50); do
    pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d postgres && return
    sleep 0.1
  done
  echo "pgbouncer did not start; see $RUN_DIR/pgbouncer.log" >&2
  exit 1
}

stop() {
  if running; then
    kill "$(cat "$RUN_DIR/pgbouncer.pid")"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
