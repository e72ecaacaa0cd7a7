#!/usr/bin/env bash
# Sets up, then runs every test suite against real servers (embedded PostgreSQL, Temporal dev
# server, time-skipping test server, in-process SMTP), then the chaos suite (its own servers and
# processes, paused and killed under load). Ends with the line "N passed, N failed" for both.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
npx eslint . || exit 1
mkdir -p reports
rm -f reports/jest.json reports/chaos.json
rm -f reports/jest.json reports/chaos.json
npx jest --ci --json --outputFile=reports/jest.json "$@"
status=$?
npx jest --ci --config jest.chaos.config.js --json --outputFile=reports/chaos.json
chaos=$?
# A run that wrote no report (its set-up failed) counts as one failed test.
node -e '
  const fs = require("fs");
  const reports = ["reports/jest.json", "reports/chaos.json"].map((file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null));
  const sum = (pick) => reports.reduce((total, r) => total + (r ? pick(r) : 0), 0);
  const missing = reports.filter((r) => !r).length;
  const skipped = sum((r) => r.numPendingTests + r.numTodoTests);
  console.log(`${sum((r) => r.numPassedTests)} passed, ${sum((r) => r.numFailedTests + r.numRuntimeErrorTestSuites) + missing} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || { echo "0 passed, 1 failed"; exit 1; }
[ $status -eq 0 ] && exit $chaos
exit $status
