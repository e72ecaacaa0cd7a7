#!/usr/bin/env bash
# Sets up, then runs every test suite against real servers (embedded PostgreSQL, Temporal dev
# server, time-skipping test server, in-process SMTP). Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
npx eslint . || exit 1
mkdir -p reports
npx jest --ci --json --outputFile=reports/jest.json "$@"
status=$?
node -e '
  const r = require("./reports/jest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || { echo "0 passed, 1 failed"; exit 1; }
exit $status
