#!/usr/bin/env bash
# A PostgreSQL primary and one streaming standby on loopback, built on scripts/postgres.sh.
#
#   scripts/replication.sh start|stop|status|promote|stop-primary|stop-standby|start-standby|clean|env
#
#   REPLICATION_DIR     folder of both clusters (default ${TMPDIR:-/tmp}/userservice-replication-PRIMARY_PORT)
#   PRIMARY_PORT        default 55462
#   STANDBY_PORT        default PRIMARY_PORT + 1
#   REPLICATION_SYNC    1: the standby is synchronous (synchronous_standby_names = '*'): a commit is acknowledged
#                       only once the standby has it, so a failover loses no acknowledged write, but commits on the
#                       primary hang while the standby is down. 0 (default): asynchronous.
#
# start: the primary (created when missing), a role with REPLICATION and its pg_hba line, a fresh standby from
# pg_basebackup -R, then synchronous mode if asked, once the standby streams. promote: `pg_ctl promote` on the
# standby, as an operator or Patroni would after the primary is lost; the promoted standby keeps no
# synchronous_standby_names (it has no standby of its own).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/pg-common.sh
source "$repo_root/scripts/pg-common.sh"

primary_port=${PRIMARY_PORT:-55462}
standby_port=${STANDBY_PORT:-$((primary_port + 1))}
dir=$(realpath -m -- "${REPLICATION_DIR:-${TMPDIR:-/tmp}/userservice-replication-$primary_port}")
sync=${REPLICATION_SYNC:-0}
role=replicator

log() { echo "replication.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

# postgres.sh on one of the two clusters: primary|standby COMMAND
cluster() {
    local which=$1 port=$primary_port
    shift
    if [[ $which == standby ]]; then port=$standby_port; fi
    USERSERVICE_PG_PORT=$port USERSERVICE_PG_DATA=$dir/$which "$repo_root/scripts/postgres.sh" "$@"
}

bindir=
need_bindir() { bindir=$(find_bindir) || die "PostgreSQL server binaries not found"; }

psql_() {
    local port=$1
    shift
    as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d users "$@"
}

# The replication settings of one cluster, read by postgres.sh's configuration (include_if_exists).
write_replication_conf() {
    local data=$1 names=$2
    echo "synchronous_standby_names = '$names'" >"$data/replication.conf"
    if $is_root; then chown postgres:postgres "$data/replication.conf"; fi
}

start_primary() {
    mkdir -p "$dir"
    # The postgres user creates the standby's folder here (pg_basebackup) and must reach both.
    if $is_root; then chown postgres:postgres "$dir"; fi
    cluster primary start
    need_bindir
    psql_ "$primary_port" -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE $role REPLICATION LOGIN; END IF;
        END \$\$"
    local hba=$dir/primary/pg_hba.conf
    if ! grep -q "^host replication $role 127.0.0.1/32" "$hba"; then
        echo "host replication $role 127.0.0.1/32 trust" >>"$hba"
    fi
    # Asynchronous until the standby streams: with synchronous_standby_names set and no standby, every commit hangs.
    write_replication_conf "$dir/primary" ""
    psql_ "$primary_port" -c "SELECT pg_reload_conf()" >/dev/null
}

start_standby() {
    cluster standby stop >/dev/null 2>&1 || true
    rm -rf "$dir/standby"
    log "standby: pg_basebackup from port $primary_port"
    # (It warns about the primary's Unix socket in its data folder: not copied, rightly.)
    as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U "$role" -D "$dir/standby" -R -X stream -c fast \
        2> >(grep -v 'skipping special file' >&2)
    write_replication_conf "$dir/standby" ""
    cluster standby start
}

# Waits until the standby streams (and, in synchronous mode, is the synchronous one).
wait_streaming() {
    local want=$1 state _
    for _ in {1..300}; do
        state=$(psql_ "$primary_port" -tAc "SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming' LIMIT 1")
        if [[ -n $state && ($want == any || $state == "$want") ]]; then return; fi
        sleep 0.1
    done
    die "the standby on port $standby_port does not stream (state: ${state:-none}); see $dir/standby/postgresql.log"
}

start() {
    start_primary
    start_standby
    wait_streaming any
    if [[ $sync == 1 ]]; then
        write_replication_conf "$dir/primary" "*"
        psql_ "$primary_port" -c "SELECT pg_reload_conf()" >/dev/null
        wait_streaming sync
    fi
    log "primary on port $primary_port, $([[ $sync == 1 ]] && echo synchronous || echo asynchronous) standby on port $standby_port ($dir)"
}

promote() {
    need_bindir
    write_replication_conf "$dir/standby" ""
    as_pg "$bindir/pg_ctl" -D "$dir/standby" promote -w -t 60 >/dev/null
    log "standby on port $standby_port promoted"
}

stop() {
    # The standby first: a synchronous primary would otherwise wait for it on its way down.
    if [[ -d $dir/standby ]]; then cluster standby stop; fi
    if [[ -d $dir/primary ]]; then cluster primary stop; fi
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status)
        echo "primary (port $primary_port): $(cluster primary status 2>&1 | head -n 1)"
        echo "standby (port $standby_port): $(cluster standby status 2>&1 | head -n 1)"
        ;;
    promote) promote ;;
    stop-primary) cluster primary stop ;;
    stop-standby) cluster standby stop ;;
    start-standby) cluster standby start ;;
    clean) stop && rm -rf "$dir" "$dir/primary.lock" "$dir/standby.lock" ;;
    env) echo "export ConnectionStrings__Users='Host=127.0.0.1:$primary_port,127.0.0.1:$standby_port;Database=users;Username=postgres'" ;;
    *)
        echo "usage: $0 start|stop|status|promote|stop-primary|stop-standby|start-standby|clean|env" >&2
        exit 2
        ;;
esac
