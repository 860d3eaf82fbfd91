#!/usr/bin/env bash
# Run all tests against the private PostgreSQL cluster (scripts/postgres.sh),
# unless ConnectionStrings__Users already points somewhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ -z ${ConnectionStrings__Users:-} ]]; then
    export USERSERVICE_PG_PORT=${USERSERVICE_PG_PORT:-55432}
    USERSERVICE_PG_DATA=$(scripts/postgres.sh data-dir)
    export USERSERVICE_PG_DATA
    scripts/postgres.sh start
    eval "$(scripts/postgres.sh env)"
fi

exec dotnet test UserService.sln "$@"
