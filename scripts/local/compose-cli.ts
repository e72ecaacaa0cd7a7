/**
 * The Docker Compose v2 CLI, used by the tests to load docker-compose.yml with Compose's own
 * loader (no Docker engine needed for `config`). Found in this order: DOCKER_COMPOSE_PATH, a copy
 * in the user-level cache, a build from the Go module proxy into that cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildGoModuleFromSource, cacheDir, hasCommand, log } from './tools';

export const COMPOSE_VERSION = 'v2.40.3';
const COMPOSE_MODULE = 'github.com/docker/compose/v2';

export function resolveComposeCli(): string {
  const fromEnv = process.env.DOCKER_COMPOSE_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`DOCKER_COMPOSE_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const binary = path.join(cacheDir(), `docker-compose-${COMPOSE_VERSION}`, 'docker-compose');
  if (fs.existsSync(binary)) return binary;
  if (!hasCommand('go')) throw new Error('no Docker Compose CLI: set DOCKER_COMPOSE_PATH or install a Go toolchain to build it');
  buildFromModuleSource(binary);
  return binary;
}

/**
 * Compose's go.mod has exclude directives, which `go install module@version` refuses, so the
 * module's downloaded source is built as the main module, with the version stamped as its Makefile does.
 */
function buildFromModuleSource(binary: string): void {
  log(`building Docker Compose ${COMPOSE_VERSION} from the Go module proxy (first run only, a few minutes)`);
  const buildFlags = ['-trimpath', '-ldflags', `-w -X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`];
  buildGoModuleFromSource({ module: COMPOSE_MODULE, version: COMPOSE_VERSION, pkg: './cmd', binary, buildFlags });
}
