/**
 * The fast inner loop (npm run test:unit): pure functions, the workflow replay gate and workflows on
 * the time-skipping server with stubbed activities, without PostgreSQL or the Temporal dev server.
 * These files stay in the full suite (jest.config.js matches every test file): that run is the proof.
 * A file belongs here only if it needs none of the full suite's servers (tests/support/stack.ts,
 * database.ts, time-skipping-stack.ts, the INSURFLOW_TEST_PG_URL or _TEMPORAL_ADDRESS variables).
 */
const base = require('./jest.config');

const UNIT_FILES = [
  'api/api-node-flags',
  'api/typed-routes',
  'api/validation-preferences',
  'claims/claim-rules',
  'compliance/at-most-in-flight',
  'deployment/healthcheck',
  'harness/time-skipping',
  'replay',
  'security/process-guard',
  'security/smtp-transport',
  'structure/layer-rules',
];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: UNIT_FILES.map((file) => `<rootDir>/tests/${file}.test.ts`),
  globalSetup: '<rootDir>/tests/support/unit-global-setup.ts',
};
