/**
 * The main suite less the files that must run alone (tests/serial-files.js), three files at a
 * time: most of a file's time is spent waiting on servers, so three share 2 cores at a better pace
 * than two (docs/testing.md has the figures).
 */
const base = require('./jest.config');
const serialFiles = require('./tests/serial-files.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', ...serialFiles.map((file) => `/tests/${file}\\.test\\.ts$`)],
  maxWorkers: 3,
};
