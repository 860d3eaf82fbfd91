#!/usr/bin/env bash
# Lints the live OpenAPI document of the service at BASE_URL with Redocly (rules: redocly.yaml).
# Run it through checks/run-with-service.sh, which starts the service and sets BASE_URL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./ensure-node-modules.sh
node openapi/fetch.mjs
# Redocly's banners (Node 20 end of life, update notices) are noise in CI.
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true REDOCLY_TELEMETRY=off
npx --no-install redocly lint --config openapi/redocly.yaml --format=stylish out/openapi.json
