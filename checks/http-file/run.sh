#!/usr/bin/env bash
# Runs UserService.http against the service at BASE_URL. Run it through checks/run-with-service.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node http-file/run.mjs
