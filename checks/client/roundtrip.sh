#!/usr/bin/env bash
# Generates a TypeScript client from the live OpenAPI document of the service at BASE_URL,
# type-checks the round trip against it, and runs it. Run it through checks/run-with-service.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./ensure-node-modules.sh
node openapi/fetch.mjs
npx --no-install openapi-typescript out/openapi.json -o client/generated/schema.d.ts
rm -rf out/client
npx --no-install tsc -p client
node out/client/roundtrip.js
