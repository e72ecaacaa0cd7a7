/**
 * stripe-mock, Stripe's own mock of its API, which the payment provider's tests and the local stack
 * talk to instead of Stripe. Found like the other servers (tools.ts): STRIPE_MOCK_PATH, then the
 * user-level cache, then a build from the Go module proxy into that cache (a minute or two).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildGoModuleFromSource, cacheDir, hasCommand, log } from './tools';

/**
 * v0.203.0 bundles the OpenAPI spec of API version 2026-08-26.dahlia, the version the `stripe`
 * 22.6.x SDK pins (src/services/payment-provider/stripe-provider.ts). A newer stripe-mock answers a newer
 * API version: bump both together.
 */
export const STRIPE_MOCK_VERSION = 'v0.203.0';
const STRIPE_MOCK_MODULE = 'github.com/stripe/stripe-mock';

export function resolveStripeMock(): string {
  const fromEnv = process.env.STRIPE_MOCK_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`STRIPE_MOCK_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const binary = path.join(cacheDir(), `stripe-mock-${STRIPE_MOCK_VERSION}`, 'stripe-mock');
  if (fs.existsSync(binary)) return binary;
  if (!hasCommand('go')) throw new Error('no stripe-mock: set STRIPE_MOCK_PATH or install a Go toolchain to build it');
  buildFromModuleSource(binary);
  return binary;
}

/**
 * Built from the module's downloaded source as the main module (like promtool and Compose): its
 * go.mod has no replace directives today, and a main-module build keeps working if a release adds
 * some. The version is stamped as its release builds do (stripe-mock prints it and sends it as
 * `Stripe-Mock-Version`).
 */
function buildFromModuleSource(binary: string): void {
  log(`building stripe-mock ${STRIPE_MOCK_VERSION} from the Go module proxy (first run only, a minute or two)`);
  const buildFlags = ['-trimpath', '-ldflags', `-w -X main.version=${STRIPE_MOCK_VERSION}`];
  buildGoModuleFromSource({ module: STRIPE_MOCK_MODULE, version: STRIPE_MOCK_VERSION, pkg: '.', binary, buildFlags });
}
