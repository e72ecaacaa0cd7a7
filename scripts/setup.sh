#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages (when missing or stale),
# the compiled code and workflow bundle, the Temporal CLI and the time-skipping test server
# (built from the Go module proxy / Maven Central into ~/.cache/insurflow, reused afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the lock names every platform's optional binaries (@swc/core-*),
  # and registries that lack some of them make `npm ci` refuse the whole lock.
  echo "[setup] installing npm packages"
  npm install --no-audit --no-fund
fi
echo "[setup] compiling TypeScript and bundling workflows"
npm run --silent build
echo "[setup] locating Temporal CLI and test server"
node dist/scripts/install-tools.js
