#!/usr/bin/env bash
# Checks that compose.yaml only uses variables that .env.example documents; with a Docker Compose
# plugin on the machine, also has it validate the file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./ensure-node-modules.sh
node deploy/compose-env.mjs
if docker compose version >/dev/null 2>&1; then
    (cd .. && docker compose --env-file .env.example config --quiet && echo "compose-env: docker compose config: OK")
fi
