/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/support/quiet-runtime.ts'],
  testTimeout: 120_000,
  // One test file at a time: two time-skipping servers (JVMs) and their workers starving each other
  // on 2 cores made timer tests hang; serial runs are stable and take about two minutes.
  maxWorkers: 1,
};
