/**
 * The Docker Compose v2 CLI, used by the tests to load docker-compose.yml with Compose's own
 * loader (no Docker engine needed for `config`). Found in this order: DOCKER_COMPOSE_PATH, a copy
 * in the user-level cache, a build from the Go module proxy into that cache.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasCommand, log } from './tools';

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
  const download = execFileSync('go', ['mod', 'download', '-json', `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], { encoding: 'utf8' });
  const sourceDir = (JSON.parse(download) as { Dir: string }).Dir;
  // Written beside the final name and renamed, so an interrupted build never leaves a binary that looks cached.
  const partial = `${binary}.partial`;
  execFileSync(
    'go',
    ['build', '-trimpath', '-ldflags', `-w -X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`, '-o', partial, './cmd'],
    // The module cache is read-only: the build must not try to update go.mod or go.sum there.
    { cwd: sourceDir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' } },
  );
  fs.renameSync(partial, binary);
}
