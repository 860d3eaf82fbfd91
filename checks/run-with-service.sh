#!/usr/bin/env bash
# Runs a command against a freshly started UserService, then stops the service with SIGTERM,
# whether the command passed or not.
#
#   checks/run-with-service.sh CMD [ARGS...]
#
# The command sees BASE_URL (e.g. http://127.0.0.1:5181) and the admin's credentials
# (ADMIN_EMAIL, ADMIN_PASSWORD) that the service was started with.
#
#   USERSERVICE_CHECK_PORT   first port to try (default 5181; the next free one is taken)
#   USERSERVICE_APP_DIR      an already published service to run (default: build src/ in Release)
#   ConnectionStrings__Users  database to use (default: the private cluster of scripts/postgres.sh)
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

log() { echo "run-with-service: $*" >&2; }

(($# > 0)) || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

if [[ -z ${ConnectionStrings__Users:-} ]]; then
    scripts/postgres.sh start
    eval "$(scripts/postgres.sh env)"
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${USERSERVICE_CHECK_PORT:-5181}
while port_in_use "$port"; do port=$((port + 1)); done

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
export BASE_URL=http://127.0.0.1:$port ADMIN_EMAIL=$Admin__Email ADMIN_PASSWORD=$Admin__Password

log "starting on $BASE_URL (log: $service_log)"
# From its output folder, so that its content root (appsettings*.json) is found.
(cd "$app_dir" && exec dotnet UserService.dll) >"$service_log" 2>&1 &
service_pid=$!

stop_service() {
    local rc=$? _
    if kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid" 2>/dev/null || true
        for _ in {1..300}; do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$service_pid" 2>/dev/null; then
            log "service ignored SIGTERM for 30 s; killing it"
            kill -KILL "$service_pid" 2>/dev/null || true
        fi
    fi
    wait "$service_pid" 2>/dev/null || true
    if ((rc != 0)); then
        log "failed ($rc); last lines of the service log:"
        tail -n 40 "$service_log" >&2 || true
    fi
    rm -f "$service_log"
    exit "$rc"
}
trap stop_service EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in {1..120}; do
    if curl -fsS -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; then break; fi
    kill -0 "$service_pid" 2>/dev/null || { log "service exited before it was ready"; exit 1; }
    sleep 0.5
done
curl -fsS -o /dev/null "$BASE_URL/health/ready" || { log "service not ready after 60 s"; exit 1; }
log "ready"

"$@"
