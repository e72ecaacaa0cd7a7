/** The files of the main suite that must run alone (tests/serial-files.js says why), one at a time. */
const base = require('./jest.config');
const serialFiles = require('./tests/serial-files.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: serialFiles.map((file) => `<rootDir>/tests/${file}.test.ts`),
};
