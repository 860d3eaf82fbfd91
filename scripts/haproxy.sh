#!/usr/bin/env bash
# HAProxy on loopback in front of service instances, with active health checks on /health/ready.
#
#   scripts/haproxy.sh start|stop|status|config
#
#   HAPROXY_DIR         its folder: haproxy.cfg, haproxy.pid, haproxy.log (default ${TMPDIR:-/tmp}/userservice-haproxy-PORT)
#   HAPROXY_PORT        where clients connect (default 8080)
#   HAPROXY_STATS_PORT  the statistics page, /stats (;csv for machines) (default HAPROXY_PORT + 1)
#   HAPROXY_BACKENDS    the instances, space-separated host:port (required for start and config)
#   HAPROXY_CHECK_INTER_MS, HAPROXY_CHECK_FALL, HAPROXY_CHECK_RISE   health checks (default 500, 2, 2)
#
# An instance leaves the rotation HAPROXY_CHECK_FALL failed checks after its /health/ready turns 503, so its
# Shutdown:DrainDelay must be longer than HAPROXY_CHECK_INTER_MS x HAPROXY_CHECK_FALL (plus one check's time out).
# Installs HAProxy with apt-get when it is missing and we are root (CI, fresh machines).
set -euo pipefail

port=${HAPROXY_PORT:-8080}
stats_port=${HAPROXY_STATS_PORT:-$((port + 1))}
dir=$(realpath -m -- "${HAPROXY_DIR:-${TMPDIR:-/tmp}/userservice-haproxy-$port}")
inter=${HAPROXY_CHECK_INTER_MS:-500}
fall=${HAPROXY_CHECK_FALL:-2}
rise=${HAPROXY_CHECK_RISE:-2}

log() { echo "haproxy.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

install_haproxy() {
    command -v haproxy >/dev/null && return
    [[ $(id -u) -eq 0 ]] || die "haproxy not found. Install it, e.g.: sudo apt-get install -y haproxy"
    log "installing HAProxy with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || log "warning: apt-get update failed; trying the install anyway"
    apt-get install -y --no-install-recommends haproxy >&2
    # The package starts its own service on port 80 where an init system runs: ours needs none of it.
    if command -v systemctl >/dev/null && systemctl is-active --quiet haproxy 2>/dev/null; then systemctl stop haproxy || true; fi
}

# Retries and redispatch cover a connection refused by an instance that has just stopped (before the checks
# noticed); nothing else is retried, since a request that reached an instance may have been applied. Only
# abnormal requests are logged.
config() {
    [[ -n ${HAPROXY_BACKENDS:-} ]] || die "HAPROXY_BACKENDS is not set (e.g. '127.0.0.1:5101 127.0.0.1:5102')"
    local i=0 backend
    cat <<EOF2
global
    maxconn 4000
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    option forwardfor
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    retries 3
    option redispatch 1

frontend users
    bind 127.0.0.1:$port
    default_backend instances

backend instances
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ready
    http-check expect status 200
    default-server inter ${inter}ms fall $fall rise $rise
EOF2
    for backend in $HAPROXY_BACKENDS; do
        i=$((i + 1))
        echo "    server instance$i $backend check"
    done
    cat <<EOF2

listen stats
    bind 127.0.0.1:$stats_port
    stats enable
    stats uri /stats
    stats refresh 5s
EOF2
}

pid() { cat "$dir/haproxy.pid" 2>/dev/null; }

is_running() { local p; p=$(pid) && kill -0 "$p" 2>/dev/null; }

start() {
    install_haproxy
    if is_running; then die "already running (pid $(pid), $dir)"; fi
    mkdir -p "$dir"
    config >"$dir/haproxy.cfg"
    haproxy -c -q -f "$dir/haproxy.cfg" || die "invalid configuration: $dir/haproxy.cfg"
    # In the foreground (-db) of a process of its own, so that its log goes to a file and its pid is ours to stop.
    setsid haproxy -db -f "$dir/haproxy.cfg" >>"$dir/haproxy.log" 2>&1 </dev/null &
    echo $! >"$dir/haproxy.pid"
    local _
    for _ in {1..50}; do
        if curl -fs -o /dev/null "http://127.0.0.1:$stats_port/stats"; then
            log "listening on 127.0.0.1:$port (statistics on 127.0.0.1:$stats_port/stats; $dir)"
            return
        fi
        is_running || break
        sleep 0.1
    done
    tail -n 20 "$dir/haproxy.log" >&2 || true
    die "haproxy did not start; see $dir/haproxy.log"
}

stop() {
    if ! is_running; then
        log "not running ($dir)"
        return
    fi
    local p _
    p=$(pid)
    kill "$p"
    for _ in {1..100}; do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$dir/haproxy.pid"
    log "stopped ($dir)"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) if is_running; then echo "running (pid $(pid)) on 127.0.0.1:$port"; else echo "not running"; exit 3; fi ;;
    config) config ;;
    *)
        echo "usage: $0 start|stop|status|config" >&2
        exit 2
        ;;
esac
