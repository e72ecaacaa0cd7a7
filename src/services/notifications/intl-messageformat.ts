/**
 * intl-messageformat is published as ES modules only, and this project compiles to CommonJS
 * (module node16): a dynamic `import()` is kept as it is by that compilation, so the built code
 * loads the package as Node loads any ES module. Under jest this one file is compiled to
 * `require()` and the package to CommonJS (jest.config.js), as for openid-client
 * (src/services/sso/openid-client.ts).
 */
import type * as IntlMessageFormatPackage from 'intl-messageformat' with { 'resolution-mode': 'import' };

export type IntlMessageFormatModule = typeof IntlMessageFormatPackage;

let loaded: Promise<IntlMessageFormatModule> | undefined;

export function loadIntlMessageFormat(): Promise<IntlMessageFormatModule> {
  loaded ??= import('intl-messageformat');
  return loaded;
}
