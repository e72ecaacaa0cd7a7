#!/usr/bin/env bash
# Quick start: set up, then run the whole stack on embedded defaults (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh
bash scripts/setup.sh --stack
exec node dist/scripts/start.js
