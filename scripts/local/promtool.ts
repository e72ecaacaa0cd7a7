/**
 * Prometheus's promtool, used by the tests to check and unit-test docker/alerts.yml with
 * Prometheus's own rule loader and evaluator. Found in this order: PROMTOOL_PATH, a copy in the
 * user-level cache, a build from the Go module proxy into that cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildGoModuleFromSource, cacheDir, hasCommand, log } from './tools';

/** Prometheus 3.x modules are versioned v0.3MM.P (v0.316.0 is Prometheus 3.16.0). */
export const PROMTOOL_VERSION = 'v0.316.0';
const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';

export function resolvePromtool(): string {
  const fromEnv = process.env.PROMTOOL_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`PROMTOOL_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const binary = path.join(cacheDir(), `promtool-${PROMTOOL_VERSION}`, 'promtool');
  if (fs.existsSync(binary)) return binary;
  if (!hasCommand('go')) throw new Error('no promtool: set PROMTOOL_PATH or install a Go toolchain to build it');
  buildFromModuleSource(binary);
  return binary;
}

/**
 * Prometheus's go.mod has replace and exclude directives, which `go install module@version`
 * refuses, so the module's downloaded source is built as the main module.
 */
function buildFromModuleSource(binary: string): void {
  log(`building promtool ${PROMTOOL_VERSION} from the Go module proxy (first run only, about 5 minutes)`);
  // remove_all_sd leaves out Prometheus's service-discovery plugins (Kubernetes, AWS, Azure, …),
  // which rule checks and rule tests never use: the cold build takes minutes instead of most of an hour.
  const buildFlags = ['-tags', 'remove_all_sd', '-trimpath', '-ldflags', '-w'];
  buildGoModuleFromSource({ module: PROMETHEUS_MODULE, version: PROMTOOL_VERSION, pkg: './cmd/promtool', binary, buildFlags });
}
