#!/usr/bin/env bash
# Run the service locally against the private PostgreSQL cluster (scripts/postgres.sh),
# unless ConnectionStrings__Users already points somewhere.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ -z ${ConnectionStrings__Users:-} ]]; then
    scripts/postgres.sh start
    eval "$(scripts/postgres.sh env)"
fi

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://localhost:5080}
exec dotnet run --project src/UserService.csproj -- "$@"
