/** The production-topology suite: the shipped build on a real Temporal server, apart from the main suite's servers. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/tests/topology/**/*.topology.ts'],
  globalSetup: '<rootDir>/tests/topology/global-setup.ts',
  globalTeardown: '<rootDir>/tests/topology/global-teardown.ts',
  testTimeout: 600_000,
  // The scenario files share the servers and the machine: one at a time.
  maxWorkers: 1,
  // fetch's shared connection pool keeps sockets to the API processes the suite stopped and replaced;
  // the suite has closed everything it started, so the run ends without waiting for them.
  forceExit: true,
};
