/**
 * The fast inner loop (npm run test:unit): pure functions, the workflow replay gate and workflows on
 * the time-skipping server with stubbed activities, without PostgreSQL or the Temporal dev server.
 * These files stay in the full suite (jest.config.js matches every test file): that run is the proof.
 * A file belongs here only if it needs none of the full suite's servers (tests/support/stack.ts,
 * database.ts, time-skipping-stack.ts, the INSURFLOW_TEST_PG_URL or _TEMPORAL_ADDRESS variables).
 * tests/api/http/typed-routes.test.ts needs no server but type-checks the whole of src a dozen times
 * (a minute on a loaded machine): `npx tsc --noEmit` is the inner loop's type check, the full suite
 * runs that file.
 */
const base = require('./jest.config');

const UNIT_FILES = [
  'api/runtime/api-node-flags',
  'api/runtime/http-server',
  'bench/curve-table',
  'bench/growth',
  'api/http/validation-preferences',
  'api/http/money-input',
  'calendars/business-time',
  'claims/claim-rules',
  'compliance/at-most-in-flight',
  'deployment/healthcheck',
  'deployment/helm-chart',
  'harness/block',
  'harness/time-skipping',
  'harness/utc-days',
  'claims/pain001',
  'premiums/instalments',
  'quotes/rating/price',
  'quotes/rating/tables',
  'replay',
  'security/process-guard',
  'security/smtp-transport',
  'structure/layer-rules',
  'structure/role-lists',
  'structure/test-layout',
];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: UNIT_FILES.map((file) => `<rootDir>/tests/${file}.test.ts`),
  globalSetup: '<rootDir>/tests/support/unit-global-setup.ts',
  // One time-skipping server in the whole run (the full suite's reason to run files one at a time):
  // its file and the pure ones may share the two cores.
  maxWorkers: 2,
};
