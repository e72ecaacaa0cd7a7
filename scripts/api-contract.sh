#!/usr/bin/env bash
# Checks the API against its OpenAPI document with Schemathesis on real servers (see
# scripts/api-contract.ts). Installs Schemathesis on first use into a virtualenv in the per-machine
# tools cache (~/.cache/insurflow, as scripts/local/tools.ts names it), one per version: a fresh
# clone reuses it, and a version bump installs the new one beside it. Expects a build (bash scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh
SCHEMATHESIS_VERSION=4.32.5
VENV="${INSURFLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/insurflow}/schemathesis-$SCHEMATHESIS_VERSION"
# Written once pip has finished: an install that was interrupted is started again from scratch.
STAMP="$VENV/.install-complete"
if [ ! -f "$STAMP" ] || [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | grep -o '[0-9.]*$')" != "$SCHEMATHESIS_VERSION" ]; then
  echo "[api-contract] installing Schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$STAMP"
fi
exec node dist/scripts/api-contract.js "$VENV/bin/schemathesis"
