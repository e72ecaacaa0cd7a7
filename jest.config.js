/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    // openid-client 6 (with jose and oauth4webapi) and intl-messageformat (with its @formatjs
    // parts) are ES modules only, which jest's CommonJS sandbox cannot import(): the one file that
    // loads each is compiled to require() here, and
    // those packages to CommonJS (tests/support/esm-to-commonjs.cjs). Every other file is compiled
    // as the build compiles it, and the build keeps that file's import().
    '/src/services/(sso/openid-client|notifications/intl-messageformat)\\.ts$': '<rootDir>/tests/support/esm-to-commonjs.cjs',
    '/node_modules/(openid-client|oauth4webapi|jose|intl-messageformat|@formatjs/[^/]+)/.+\\.js$':
      '<rootDir>/tests/support/esm-to-commonjs.cjs',
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose|intl-messageformat|@formatjs)/)'],
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/support/quiet-runtime.ts'],
  testTimeout: 120_000,
  // One file at a time when run by hand; scripts/test.sh runs most files three at a time
  // (jest.parallel.config.js) and the rest alone (tests/serial-files.js says why).
  maxWorkers: 1,
};
