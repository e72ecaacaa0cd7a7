/**
 * MinIO, the S3-compatible server the tests (and the production-topology suite) keep documents in.
 * Found like the Temporal binaries (tools.ts): MINIO_SERVER_PATH, then the user-level cache, then a
 * build from the Go module proxy into that cache (about 10 minutes on 2 cores, first run only).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasCommand, log } from './tools';

/**
 * MinIO publishes no semver tags to the module proxy: this pseudo-version is the proxy's `@latest`
 * when it was pinned (commit 7aac2a2c5b7c of 2026-02-12). Its go.mod has no replace directives,
 * so `go install` builds it as published. docker/minio.Dockerfile builds the same version.
 */
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

export function resolveMinio(): string {
  const fromEnv = process.env.MINIO_SERVER_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`MINIO_SERVER_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const binDir = path.join(cacheDir(), `minio-${MINIO_VERSION}`);
  const binary = path.join(binDir, 'minio');
  if (fs.existsSync(binary)) return binary;
  if (!hasCommand('go'))
    throw new Error('MinIO is not built and there is no Go toolchain to build it: install Go or set MINIO_SERVER_PATH');
  log(`building MinIO ${MINIO_VERSION} with go install (first run only, about 10 minutes)`);
  execFileSync('go', ['install', `github.com/minio/minio@${MINIO_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
  });
  return binary;
}
