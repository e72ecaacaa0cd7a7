/**
 * A jest transformer for the ES-module-only packages (openid-client, oauth4webapi, jose) and the
 * one file that loads them (src/services/sso/openid-client.ts): compiled to CommonJS, so their
 * `import`/`export` and that file's `import()` become `require()`, which jest's sandbox runs
 * (it runs no ES modules without --experimental-vm-modules). See jest.config.js.
 */
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- jest loads its transformers as CommonJS */
const crypto = require('node:crypto');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  allowJs: true,
  esModuleInterop: true,
  sourceMap: true,
  inlineSources: true,
};

module.exports = {
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(`${ts.version}\0${filename}\0${source}`).digest('hex');
  },
  process(source, filename) {
    const { outputText, sourceMapText } = ts.transpileModule(source, { fileName: filename, compilerOptions });
    return { code: outputText, map: sourceMapText };
  },
};
