#!/usr/bin/env bash
# Quick start: set up, then run the whole stack on embedded defaults (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/scripts/start.js
