#!/usr/bin/env bash
# Sets up, then runs every test suite against real servers (embedded PostgreSQL, Temporal dev
# server, time-skipping test server, in-process SMTP), then the chaos suite (its own servers and
# processes, paused and killed under load). Ends with the line "N passed, N failed" for both.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
npx eslint . || exit 1
mkdir -p reports
npx jest --ci --json --outputFile=reports/jest.json "$@"
status=$?
npx jest --ci --config jest.chaos.config.js --json --outputFile=reports/chaos.json
chaos=$?
node -e '
  const reports = ["./reports/jest.json", "./reports/chaos.json"].map((file) => require(file));
  const sum = (pick) => reports.reduce((total, r) => total + pick(r), 0);
  const skipped = sum((r) => r.numPendingTests + r.numTodoTests);
  console.log(`${sum((r) => r.numPassedTests)} passed, ${sum((r) => r.numFailedTests + r.numRuntimeErrorTestSuites)} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || { echo "0 passed, 1 failed"; exit 1; }
[ $status -eq 0 ] && exit $chaos
exit $status
