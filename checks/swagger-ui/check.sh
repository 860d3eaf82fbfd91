#!/usr/bin/env bash
# Swagger UI in a real browser (Debian's Chromium driven by playwright-core). Installs Chromium with
# apt-get when it is missing. Run it through checks/run-with-service.sh, which sets BASE_URL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -x /usr/bin/chromium ]]; then
    [[ $(id -u) -eq 0 ]] || { echo "swagger-ui: /usr/bin/chromium missing; install it: sudo apt-get install -y chromium" >&2; exit 1; }
    echo "swagger-ui: installing Chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || echo "swagger-ui: apt-get update failed; trying the install anyway" >&2
    apt-get install -y -qq chromium >&2
fi
./ensure-node-modules.sh
node swagger-ui/check.mjs
