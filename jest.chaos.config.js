/** The chaos suite (npm run chaos): its own servers and processes, apart from the main suite's. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/tests/chaos/**/*.chaos.ts'],
  globalSetup: '<rootDir>/tests/chaos/global-setup.ts',
  globalTeardown: '<rootDir>/tests/chaos/global-teardown.ts',
  testTimeout: 180_000,
};
