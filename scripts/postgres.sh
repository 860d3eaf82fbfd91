#!/usr/bin/env bash
# Private PostgreSQL cluster for dev/test/bench.
#
#   scripts/postgres.sh start|stop|status|env|data-dir
#
#   USERSERVICE_PG_PORT  port (default 55432)
#   USERSERVICE_PG_DATA  data folder (default: see below)
#
# Usage from other scripts:  scripts/postgres.sh start && eval "$(scripts/postgres.sh env)"
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${USERSERVICE_PG_PORT:-55432}
database=users
# shellcheck source=scripts/pg-common.sh
source "$repo_root/scripts/pg-common.sh"

if [[ -n ${USERSERVICE_PG_DATA:-} ]]; then
    data=$(realpath -m -- "$USERSERVICE_PG_DATA")
elif $is_root; then
    # PostgreSQL refuses to run as root, and the postgres user must be able to
    # traverse every parent folder; the checkout may live under /root.
    data=${TMPDIR:-/tmp}/userservice-pg-$port
else
    data=$repo_root/.data/postgres-$port
fi

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

install_postgres() {
    $is_root || die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them, e.g.: sudo apt-get install -y postgresql postgresql-contrib"
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || log "warning: apt-get update failed; trying the install anyway"
    apt-get install -y postgresql postgresql-contrib >&2
}

bindir=
need_bindir() {
    bindir=$(find_bindir) || die "PostgreSQL server binaries (initdb, pg_ctl) not found"
}

pg_ctl_() { as_pg "$bindir/pg_ctl" -D "$data" "$@"; }

# A killed server stays a zombie until PID 1 reaps it (about a second here); until
# then pg_ctl and postgres both believe it still runs. Crash tests kill -9 it.
wait_until_reaped() {
    local pid state _
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || return 0
    for _ in {1..100}; do
        state=
        read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || true
        [[ $state == Z ]] || return 0
        sleep 0.1
    done
}

is_running() {
    [[ -f $data/PG_VERSION ]] || return 1
    wait_until_reaped
    pg_ctl_ status >/dev/null 2>&1
}

psql_() {
    local psql=$bindir/psql
    [[ -x $psql ]] || psql=psql
    as_pg "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

init_cluster() {
    log "initialising cluster in $data"
    mkdir -p "$data"
    if $is_root; then
        chown postgres:postgres "$data"
        as_pg test -x "$(dirname "$data")" ||
            die "user postgres cannot reach $(dirname "$data"); set USERSERVICE_PG_DATA or TMPDIR to a world-traversable folder"
    fi
    chmod 700 "$data"
    local out
    out=$(as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 2>&1) ||
        { echo "$out" >&2; die "initdb failed"; }
    echo "include 'userservice.conf'" >>"$data/postgresql.conf"
}

write_config() {
    # Rewritten on every start so changes here reach existing clusters.
    # fsync/synchronous_commit stay at their durable defaults on purpose:
    # tests exercise crash/restart behaviour.
    # Unix socket paths are limited to ~107 bytes; deep checkouts fall back to TCP only.
    local sockets=$data
    if ((${#data} > 90)); then sockets=; fi
    cat >"$data/userservice.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
max_connections = 300
shared_buffers = 256MB
# Written by scripts/replication.sh on a primary and its standby.
include_if_exists 'replication.conf'
EOF
    if $is_root; then chown postgres:postgres "$data/userservice.conf"; fi
}

ensure_database() {
    psql_ -d postgres <<EOF
SELECT 'CREATE DATABASE $database' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database')
\gexec
EOF
    if [[ -z $(psql_ -d "$database" -tAc "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'") ]]; then
        log "warning: extension pg_trgm is not available (install postgresql-contrib)"
    fi
}

start() {
    bindir=$(find_bindir) || { install_postgres; need_bindir; }

    mkdir -p "$(dirname "$data")"
    # Serialise concurrent starts (e.g. run.sh and test.sh at once) on one data folder.
    exec 9>"$data.lock"
    flock 9

    if is_running; then
        log "already running on port $port ($data)"
    else
        [[ -f $data/PG_VERSION ]] || init_cluster
        if $is_root && [[ $(stat -c %U "$data") != postgres ]]; then
            chown -R postgres:postgres "$data"
        fi
        write_config
        log "starting on port $port ($data)"
        # 9>&-: the server must not inherit (and so hold forever) the lock.
        if ! pg_ctl_ start -w -t 60 -l "$data/postgresql.log" >/dev/null 9>&-; then
            tail -n 20 "$data/postgresql.log" >&2 || true
            die "server did not start; see $data/postgresql.log"
        fi
    fi
    ensure_database
}

stop() {
    if [[ ! -f $data/PG_VERSION ]]; then
        log "no cluster in $data"
        return
    fi
    need_bindir
    if is_running; then
        log "stopping ($data)"
        pg_ctl_ stop -m fast -w >/dev/null
    else
        log "not running ($data)"
    fi
}

status() {
    if [[ ! -f $data/PG_VERSION ]]; then
        echo "no cluster in $data"
        return 3
    fi
    need_bindir
    pg_ctl_ status
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export ConnectionStrings__Users='Host=127.0.0.1;Port=$port;Database=$database;Username=postgres'" ;;
    data-dir) echo "$data" ;;
    *)
        echo "usage: $0 start|stop|status|env|data-dir" >&2
        exit 2
        ;;
esac
