/** The chaos suite (npm run chaos): its own servers and processes, apart from the main suite's. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testMatch: ['<rootDir>/tests/chaos/**/*.chaos.ts'],
  globalSetup: '<rootDir>/tests/chaos/global-setup.ts',
  globalTeardown: '<rootDir>/tests/chaos/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/support/quiet-runtime.ts'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
