#!/usr/bin/env bash
# Checks the API against its OpenAPI document with Schemathesis on real servers (see
# scripts/api-contract.ts). Installs Schemathesis into .tools/schemathesis (a virtualenv inside the
# checkout) on first use. Expects a build (bash scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh
SCHEMATHESIS_VERSION=4.32.5
VENV=.tools/schemathesis
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | grep -o '[0-9.]*$')" != "$SCHEMATHESIS_VERSION" ]; then
  echo "[api-contract] installing Schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
exec node dist/scripts/api-contract.js "$VENV/bin/schemathesis"
