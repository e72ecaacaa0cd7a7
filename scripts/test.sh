#!/usr/bin/env bash
# Sets up, checks the imports (npm run cycles: no module imports itself through others, each layer
# imports only what docs/architecture.md's layer table allows) and beside it the migrations
# (scripts/migration-check.ts: no migration after the baseline may stop the running release,
# docs/deploying.md), runs the replay gate, then runs every test suite against real servers (embedded
# PostgreSQL, Temporal dev server, time-skipping test server, in-process SMTP, MinIO), then the chaos
# suite (its own servers and processes, paused and killed under load) and beside it the API contract
# check (Schemathesis against the OpenAPI document, one JUnit report per principal), then the
# production-topology suite (the shipped build, two APIs and two workers on the real Temporal server,
# restarted one by one under load). Ends with the line "N passed, N failed" for all of them: one test
# each for the import check and the migration check, one per jest test and one per API operation and
# principal. In CI (CI set, as in .ci/run's environment) a skipped test is counted as failed and fails
# the run: no test passes CI by not running (docs/testing.md, No skips in CI).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/node-runtime.sh
bash scripts/setup.sh --packages || exit 1
# The linter needs only the packages: it shares the two cores with the build (one core's work),
# then with the formatter, the import check and the replay gate.
npx eslint . &
eslint_pid=$!
bash scripts/setup.sh || exit 1
npx prettier --check . || exit 1
# jest compiles each file alone without type checks (isolatedModules), so the tests' types are
# checked here, beside the import and migration checks.
npx tsc -p tsconfig.test.json --noEmit &
tests_typecheck_pid=$!
mkdir -p reports
rm -f reports/jest.json reports/jest-serial.json reports/chaos.json reports/topology.json reports/schemathesis-*.xml reports/api-contract.log reports/migration-check.log
node dist/scripts/migration-check.js > reports/migration-check.log 2>&1 &
migration_check_pid=$!
npm run --silent cycles
cycles=$?
wait $migration_check_pid
migration_check=$?
cat reports/migration-check.log
# The replay gate a deploy runs (docs/deploying.md), over the recorded histories with the bundle just
# built. It reads the configuration as a worker does; these two values only satisfy its validation.
DATABASE_URL=postgres://replay@127.0.0.1/replay JWT_SECRET=$(head -c 48 /dev/urandom | base64) \
  npm run --silent replay -- tests/fixtures/histories || exit 1
wait $eslint_pid || exit 1
wait $tests_typecheck_pid || exit 1
# The runner itself gathers every file's results (and their captured output) before writing the JSON
# report; with 90+ files that outgrew V8's default 4 GB heap, so the runner gets room for it.
# Two files at a time, then the files that must run alone (tests/serial-files.js says why).
node --max-old-space-size=8192 node_modules/.bin/jest --ci --forceExit --config jest.parallel.config.js --json --outputFile=reports/jest.json --passWithNoTests "$@"
status=$?
node --max-old-space-size=8192 node_modules/.bin/jest --ci --forceExit --config jest.serial.config.js --json --outputFile=reports/jest-serial.json --passWithNoTests "$@"
serial=$?
# The chaos suite waits mostly on processes it pauses and kills, with bounds of seconds, and the
# contract check mostly on its own API: the two share the machine, and the contract check's log
# follows the chaos suite's. The topology suite comes after both: its rolling restart under load
# dropped connections on a machine this busy.
bash scripts/api-contract.sh > reports/api-contract.log 2>&1 &
contract_pid=$!
npx jest --ci --config jest.chaos.config.js --json --outputFile=reports/chaos.json
chaos=$?
wait $contract_pid
contract=$?
cat reports/api-contract.log
npx jest --ci --config jest.topology.config.js --json --outputFile=reports/topology.json
topology=$?
# A run that wrote no report (its set-up failed) counts as one failed test. Exit status 3: only skips
# failed it (in CI).
CYCLES_STATUS=$cycles MIGRATION_CHECK_STATUS=$migration_check CONTRACT_STATUS=$contract node -e '
  const fs = require("fs");
  const reports = ["reports/jest.json", "reports/jest-serial.json", "reports/chaos.json", "reports/topology.json"].map((file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null));
  const sum = (pick) => reports.reduce((total, r) => total + (r ? pick(r) : 0), 0);
  const missing = reports.filter((r) => !r).length;
  const skipped = sum((r) => r.numPendingTests + r.numTodoTests);
  // Schemathesis: one test case per operation and principal (scripts/api-contract.ts); a failure or an error in it fails it. A
  // missing report, or a failed run whose report names no failing case, counts as one failure.
  const contract = ["policyholder", "api-key", "tenant_admin"].map((principal) => `reports/schemathesis-${principal}.xml`);
  const cases = contract.flatMap((file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("<testcase").slice(1) : []));
  const failing = cases.filter((c) => /^[^>]*[^/]>\s*<(failure|error)/.test(c)).length;
  const contractFailed = Math.max(failing, process.env.CONTRACT_STATUS === "0" ? 0 : 1) + contract.filter((file) => !fs.existsSync(file)).length;
  // The import check (cycles and layers): one test.
  const cyclesPassed = process.env.CYCLES_STATUS === "0" ? 1 : 0;
  // The migration check (scripts/migration-check.ts): one test.
  const migrationsPassed = process.env.MIGRATION_CHECK_STATUS === "0" ? 1 : 0;
  // CI: a skip is a failure (tests/support/required-tool.ts fails a test whose tool is missing; this catches any other skip).
  const ci = Boolean(process.env.CI) && process.env.CI !== "false";
  const failed = sum((r) => r.numFailedTests + r.numRuntimeErrorTestSuites) + missing + contractFailed + 1 - cyclesPassed + 1 - migrationsPassed + (ci ? skipped : 0);
  console.log(`${sum((r) => r.numPassedTests) + cases.length - failing + cyclesPassed + migrationsPassed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` + (ci ? " (counted as failed: CI runs every test)" : "") : ""));
  if (ci && skipped) process.exit(3);
'
summary=$?
[ $summary -eq 0 ] || [ $summary -eq 3 ] || { echo "0 passed, 1 failed"; exit 1; }
[ $cycles -eq 0 ] || exit $cycles
[ $migration_check -eq 0 ] || exit $migration_check
[ $summary -eq 0 ] || exit 1
for code in $status $serial $chaos $topology $contract; do [ "$code" -eq 0 ] || exit "$code"; done
exit 0
