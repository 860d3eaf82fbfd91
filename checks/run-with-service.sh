#!/usr/bin/env bash
# Runs a command against a freshly started UserService, then stops the service with SIGTERM,
# whether the command passed or not.
#
#   checks/run-with-service.sh CMD [ARGS...]
#
# The command sees BASE_URL (e.g. http://127.0.0.1:5181), METRICS_URL (the port that alone serves
# /metrics in Production) and the admin's credentials (ADMIN_EMAIL, ADMIN_PASSWORD) that the service
# was started with. The OpenAPI document and Swagger UI are exposed (Api__ExposeOpenApi=true).
#
#   USERSERVICE_CHECK_PORT   first port to try (default 5181; the next free one is taken)
#   USERSERVICE_APP_DIR      an already published service to run (default: build src/ in Release)
#   ConnectionStrings__Users  database to use (default: the private cluster of scripts/postgres.sh)
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

log() { echo "run-with-service: $*" >&2; }

(($# > 0)) || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

# Runs on every exit once set: stops the service (SIGTERM, then SIGKILL after 30 s), drops the database.
service_pid=
service_log=
clean_up() {
    local rc=$? _
    if [[ -n $service_pid ]] && kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid" 2>/dev/null || true
        for _ in {1..300}; do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$service_pid" 2>/dev/null; then
            log "service ignored SIGTERM for 30 s; killing it"
            kill -KILL "$service_pid" 2>/dev/null || true
        fi
    fi
    if [[ -n $service_pid ]]; then wait "$service_pid" 2>/dev/null || true; fi
    if [[ -n $check_db ]]; then psql_ -c "DROP DATABASE IF EXISTS $check_db WITH (FORCE)" >&2 || true; fi
    if ((rc != 0)) && [[ -n $service_log ]]; then
        log "failed ($rc); last lines of the service log:"
        tail -n 40 "$service_log" >&2 || true
    fi
    if [[ -n $service_log ]]; then rm -f "$service_log"; fi
    exit "$rc"
}
trap clean_up EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# On the private cluster, a database of its own for this run, dropped afterwards: the admin of Admin__*
# is created in it at startup (DESIGN.md: only when no admin exists yet), and nothing is left behind.
check_db=
psql_() {
    local psql
    psql=$(command -v psql || printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
    "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${USERSERVICE_PG_PORT:-55432}" -U postgres -d postgres "$@"
}
if [[ -z ${ConnectionStrings__Users:-} ]]; then
    scripts/postgres.sh start
    eval "$(scripts/postgres.sh env)"
    check_db=users_check_$(date +%s)_$$
    psql_ -c "CREATE DATABASE $check_db" >&2
    ConnectionStrings__Users=${ConnectionStrings__Users/Database=users/Database=$check_db}
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${USERSERVICE_CHECK_PORT:-5181}
while port_in_use "$port"; do port=$((port + 1)); done
# Production serves /metrics only on a port of its own.
metrics_port=$((port + 1))
while port_in_use "$metrics_port"; do metrics_port=$((metrics_port + 1)); done

app_dir=${USERSERVICE_APP_DIR:-}
if [[ -z $app_dir ]]; then
    log "building (Release)"
    dotnet build src/UserService.csproj -c Release --nologo -v q -clp:ErrorsOnly >&2
    app_dir=src/bin/Release/net10.0
fi

service_log=$(mktemp "${TMPDIR:-/tmp}/userservice-check.XXXXXX.log")
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}
export ASPNETCORE_URLS=http://127.0.0.1:$port
# Settings that identity needs outside Development; unused until it lands.
export Jwt__SigningKey=${Jwt__SigningKey:-$(head -c 48 /dev/urandom | base64 | tr -d '\n')}
export Admin__Email=${Admin__Email:-admin-$(date +%s)-$$@checks.example.com}
export Admin__Password=${Admin__Password:-$(head -c 18 /dev/urandom | base64 | tr -d '\n')}
# The checks read the OpenAPI document and drive Swagger UI, which Production serves only when told to.
export Api__ExposeOpenApi=${Api__ExposeOpenApi:-true}
export Metrics__Port=${Metrics__Port:-$metrics_port}
export BASE_URL=http://127.0.0.1:$port METRICS_URL=http://127.0.0.1:$Metrics__Port ADMIN_EMAIL=$Admin__Email ADMIN_PASSWORD=$Admin__Password

log "starting on $BASE_URL (log: $service_log)"
# From its output folder, so that its content root (appsettings*.json) is found.
(cd "$app_dir" && exec dotnet UserService.dll) >"$service_log" 2>&1 &
service_pid=$!


for _ in {1..120}; do
    if curl -fsS -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; then break; fi
    kill -0 "$service_pid" 2>/dev/null || { log "service exited before it was ready"; exit 1; }
    sleep 0.5
done
curl -fsS -o /dev/null "$BASE_URL/health/ready" || { log "service not ready after 60 s"; exit 1; }
log "ready"

"$@"
