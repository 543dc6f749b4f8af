#!/usr/bin/env bash
# A second local PostgreSQL cluster streaming from the first: a read replica
# for DATABASE_REPLICA_URLS and the replica tests (Debian's postgresql-common).
#
#   bash scripts/replica.sh start    # then DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/<db>
#   bash scripts/replica.sh stop     # stops the replica cluster, keeps it
#   bash scripts/replica.sh remove   # drops the replica cluster and the primary's replication entry
#
# `start` is idempotent: it adds one line to the primary's pg_hba.conf (a
# replication connection from 127.0.0.1 as postgres, trusted as local
# connections already are) and reloads it; creates the cluster
# $PG_VERSION/$REPLICA_CLUSTER on $REPLICA_PORT from a base backup of the
# primary (pg_basebackup -R: it follows the primary from then on); starts it;
# resumes a replay left paused; and makes it again when it no longer streams.
# The primary needs no restart: wal_level=replica and max_wal_senders=10 are
# PostgreSQL's defaults. No replication slot: a replica left stopped never
# makes the primary keep WAL for it (one that fell too far behind is made again).
#
# PRIMARY_PORT (5432), REPLICA_PORT (5433), REPLICA_CLUSTER (replica), PG_VERSION (the installed one)
set -euo pipefail

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_CLUSTER="${REPLICA_CLUSTER:-replica}"
PG_VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -1)}"
HBA_LINE="host replication postgres 127.0.0.1/32 trust  # omnitron read replica (scripts/replica.sh)"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc "$1"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atqc "$1"; }
cluster_exists() { pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$REPLICA_CLUSTER"; }
ctl() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" "$1"; }

allow_replication() {
  local hba
  hba="$(primary 'SHOW hba_file')"
  if ! grep -qF "$HBA_LINE" "$hba"; then
    echo "$HBA_LINE" >>"$hba"
    primary 'SELECT pg_reload_conf()' >/dev/null
  fi
}

create_replica() {
  if cluster_exists; then
    ctl stop 2>/dev/null || true
    pg_dropcluster "$PG_VERSION" "$REPLICA_CLUSTER"
  fi
  # Its configuration (port, trust on loopback) from pg_createcluster; its data
  # directory replaced by the primary's base backup.
  pg_createcluster "$PG_VERSION" "$REPLICA_CLUSTER" -p "$REPLICA_PORT" -- --auth=trust >/dev/null
  local data="/var/lib/postgresql/$PG_VERSION/$REPLICA_CLUSTER"
  as_postgres find "$data" -mindepth 1 -delete
  as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R -X stream -c fast
}

wait_ready() {
  for _ in $(seq 60); do
    pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && return 0
    sleep 0.5
  done
  return 1
}

streaming() {
  for _ in $(seq 20); do
    [ "$(replica "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ] && return 0
    sleep 0.5
  done
  return 1
}

start() {
  allow_replication
  cluster_exists || create_replica
  if ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
    ctl start
  fi
  wait_ready
  if ! streaming; then
    echo "the replica does not stream from the primary: making it again" >&2
    create_replica
    ctl start
    wait_ready
    streaming
  fi
  # A test that stopped half-way may have left the replay paused.
  replica "SELECT pg_wal_replay_resume()" >/dev/null
  echo "replica of 127.0.0.1:$PRIMARY_PORT streaming on 127.0.0.1:$REPLICA_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) cluster_exists && ctl stop ;;
  remove)
    if cluster_exists; then
      ctl stop 2>/dev/null || true
      pg_dropcluster "$PG_VERSION" "$REPLICA_CLUSTER"
    fi
    hba="$(primary 'SHOW hba_file')"
    if grep -qF "$HBA_LINE" "$hba"; then
      grep -vF "$HBA_LINE" "$hba" >"$hba.tmp" && cat "$hba.tmp" >"$hba" && rm "$hba.tmp"
      primary 'SELECT pg_reload_conf()' >/dev/null
    fi
    ;;
  *) echo "usage: $0 start|stop|remove" >&2; exit 2 ;;
esac
