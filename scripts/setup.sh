#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages (when missing or stale),
# the compiled code and workflow bundle, and the servers the tests run, built from the Go module
# proxy / Maven Central into ~/.cache/insurflow and reused afterwards: the Temporal CLI (dev
# server), the time-skipping test server, the Temporal server and its SQL tool, the Docker
# Compose CLI (checks docker-compose.yml), MinIO and promtool (checks the alert rules). Their first
# builds run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the lock names every platform's optional binaries (@swc/core-*),
  # and registries that lack some of them make `npm ci` refuse the whole lock.
  echo "[setup] installing npm packages"
  npm install --no-audit --no-fund
fi
echo "[setup] compiling TypeScript and bundling workflows"
npm run --silent build
echo "[setup] locating the servers the tests run (first run only: building them, 15-30 minutes on 2 cores)"
pids=()
for tool in temporal-cli test-server temporal-server docker-compose minio promtool; do
  node dist/scripts/install-tools.js "$tool" &
  pids+=($!)
done
# Chromium, for the browser test of GraphiQL: the Debian package, installed beside the builds when it
# is missing and this user may (root with apt-get); otherwise that test says it was skipped.
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    echo "[setup] could not install chromium: the GraphiQL browser test will be skipped") &
  pids+=($!)
fi
for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
