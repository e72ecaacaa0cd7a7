/**
 * openid-client 6 is published as ES modules only, and this project compiles to CommonJS
 * (module node16). A dynamic `import()` is kept as it is by that compilation, so the built code
 * loads the package as Node loads any ES module. Under jest (CommonJS, no ES module support in
 * its sandbox) this one file is compiled to `require()` instead and the package is transformed
 * to CommonJS (jest.config.js): every other file keeps its `import()` calls as they are.
 */
import type * as OpenIdClient from 'openid-client' with { 'resolution-mode': 'import' };

export type OpenIdClientModule = typeof OpenIdClient;

let loaded: Promise<OpenIdClientModule> | undefined;

export function loadOpenIdClient(): Promise<OpenIdClientModule> {
  loaded ??= import('openid-client');
  return loaded;
}
