#!/usr/bin/env bash
# The whole scale-out topology on loopback: a PostgreSQL primary with a synchronous standby, N service
# instances given both hosts, and HAProxy in front of them. For trying it out; the tests use its building blocks
# (replication.sh, haproxy.sh) directly.
#
#   scripts/topology.sh start|stop|status|failover
#
#   TOPOLOGY_DIR            logs, pids, the published service (default ${TMPDIR:-/tmp}/userservice-topology)
#   TOPOLOGY_INSTANCES      how many instances (default 3)
#   TOPOLOGY_PORT           where clients connect, through HAProxy (default 8080; statistics on +1, /stats)
#   TOPOLOGY_INSTANCE_PORT  the first instance's port; the others follow (default 5101)
#   TOPOLOGY_PRIMARY_PORT   the primary's port; the standby's is the next one (default 55462)
#   TOPOLOGY_POOL_SIZE      Maximum Pool Size of each instance (default 20)
#   TOPOLOGY_SYNC           1 (default): synchronous standby; 0: asynchronous
#   Admin__Email, Admin__Password   when set, passed on: the first admin
#   Api__ExposeOpenApi              default true here, so that Swagger UI is there to try the topology with
#
# failover: stops the primary and promotes the standby, as an operator would; the instances find the new primary
# by themselves. Start again from scratch with stop, then start.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(realpath -m -- "${TOPOLOGY_DIR:-${TMPDIR:-/tmp}/userservice-topology}")
instances=${TOPOLOGY_INSTANCES:-3}
first_port=${TOPOLOGY_INSTANCE_PORT:-5101}
pool_size=${TOPOLOGY_POOL_SIZE:-20}
# HAProxy checks every 500 ms and takes an instance out after 2 failures: draining 3 s covers that with room.
drain_delay=00:00:03

export PRIMARY_PORT=${TOPOLOGY_PRIMARY_PORT:-55462}
export STANDBY_PORT=$((PRIMARY_PORT + 1))
export REPLICATION_DIR=$dir/postgres
export REPLICATION_SYNC=${TOPOLOGY_SYNC:-1}
export HAPROXY_PORT=${TOPOLOGY_PORT:-8080}
export HAPROXY_DIR=$dir/haproxy

log() { echo "topology.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

instance_port() { echo $((first_port + $1 - 1)); }

backends() {
    local i list=()
    for ((i = 1; i <= instances; i++)); do list+=("127.0.0.1:$(instance_port "$i")"); done
    echo "${list[*]}"
}

publish() {
    log "publishing the service (Release) to $dir/app"
    dotnet publish "$repo_root/src/UserService.csproj" -c Release -o "$dir/app" --nologo -v quiet >&2
}

# One key for every instance, so that a token issued by one is honoured by all.
signing_key() {
    if [[ ! -s $dir/signing-key ]]; then
        (umask 077 && head -c 48 /dev/urandom | base64 -w 0 >"$dir/signing-key")
    fi
    cat "$dir/signing-key"
}

start_instance() {
    local i=$1 port key
    port=$(instance_port "$i")
    key=$(signing_key)
    ConnectionStrings__Users="Host=127.0.0.1:$PRIMARY_PORT,127.0.0.1:$STANDBY_PORT;Database=users;Username=postgres;Maximum Pool Size=$pool_size;Application Name=UserService-$i" \
        Jwt__SigningKey=$key Shutdown__DrainDelay=$drain_delay Proxies__KnownProxies__0=127.0.0.1 \
        ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production} Api__ExposeOpenApi=${Api__ExposeOpenApi:-true} \
        setsid dotnet "$dir/app/UserService.dll" --urls "http://127.0.0.1:$port" >>"$dir/instance-$i.log" 2>&1 </dev/null &
    echo $! >"$dir/instance-$i.pid"
}

wait_ready() {
    local i=$1 port _
    port=$(instance_port "$i")
    for _ in {1..600}; do
        if curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; then return; fi
        kill -0 "$(cat "$dir/instance-$i.pid")" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "$dir/instance-$i.log" >&2 || true
    die "instance $i (port $port) did not become ready; see $dir/instance-$i.log"
}

# SIGTERM, then wait: each instance drains for its Shutdown:DrainDelay before it exits.
stop_instance() {
    local i=$1 pid _
    pid=$(cat "$dir/instance-$i.pid" 2>/dev/null) || return 0
    if kill "$pid" 2>/dev/null; then
        for _ in {1..600}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$dir/instance-$i.pid"
}

start() {
    mkdir -p "$dir"
    "$repo_root/scripts/replication.sh" start
    publish
    local i
    for ((i = 1; i <= instances; i++)); do start_instance "$i"; done
    for ((i = 1; i <= instances; i++)); do wait_ready "$i"; done
    HAPROXY_BACKENDS=$(backends) "$repo_root/scripts/haproxy.sh" start
    log "ready: http://127.0.0.1:$HAPROXY_PORT/swagger ($instances instances on ports $(backends); logs in $dir)"
}

stop() {
    "$repo_root/scripts/haproxy.sh" stop || true
    local i
    for ((i = 1; i <= instances; i++)); do stop_instance "$i" & done
    wait
    "$repo_root/scripts/replication.sh" stop
}

status() {
    "$repo_root/scripts/replication.sh" status || true
    local i pid
    for ((i = 1; i <= instances; i++)); do
        pid=$(cat "$dir/instance-$i.pid" 2>/dev/null || true)
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
            echo "instance $i (port $(instance_port "$i")): running (pid $pid), ready: $(curl -s "http://127.0.0.1:$(instance_port "$i")/health/ready" || echo no)"
        else
            echo "instance $i (port $(instance_port "$i")): not running"
        fi
    done
    echo "haproxy: $("$repo_root/scripts/haproxy.sh" status 2>&1 || true)"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    failover)
        "$repo_root/scripts/replication.sh" stop-primary
        "$repo_root/scripts/replication.sh" promote
        ;;
    *)
        echo "usage: $0 start|stop|status|failover" >&2
        exit 2
        ;;
esac
