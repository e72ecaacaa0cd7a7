/**
 * Keycloak, the OpenID provider the company sign-in tests run against (docs/testing.md, Keycloak):
 * the distribution `org.keycloak:keycloak-quarkus-dist` from Maven Central, unpacked once into the
 * tools cache. Its first start in development mode re-builds the server for the build options it is
 * given (a minute or two on a loaded machine); the install does that start once with the options the
 * tests use, so a test's start only boots (docs/testing.md gives the figures).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasCommand, log } from './tools';

export const KEYCLOAK_VERSION = '26.7.3';

/**
 * Keycloak's build options, fixed at the install's warm-up start: a start with other values would
 * re-build the server first. Health checks on the management port; the realm lives in memory.
 */
export const KEYCLOAK_BUILD_OPTIONS = ['--health-enabled=true', '--db=dev-mem'];

/** Heap and JIT settings for a small test server: 512 MB at most, the quick compiler only (starts faster on 2 cores). */
export const KEYCLOAK_JAVA_ENV = { JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m', JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1' };

/** How long the install's warm-up start (re-build included) may take on a loaded machine. */
const WARM_UP_DEADLINE_MS = 15 * 60_000;

/** The unpacked distribution (bin/kc.sh inside), fetched, unpacked and warmed up on first use; undefined without Java and Maven (set-up then fails). */
export function resolveKeycloak(): string | undefined {
  const fromEnv = process.env.KEYCLOAK_HOME;
  if (fromEnv) {
    if (!fs.existsSync(path.join(fromEnv, 'bin', 'kc.sh'))) throw new Error(`KEYCLOAK_HOME=${fromEnv} has no bin/kc.sh`);
    return fromEnv;
  }
  const home = path.join(cacheDir(), `keycloak-${KEYCLOAK_VERSION}`);
  const warmed = path.join(home, '.warmed-up');
  if (fs.existsSync(warmed)) return home;
  if (!hasCommand('java') || !hasCommand('mvn')) {
    log('no Keycloak found and no Java/Maven to fetch it');
    return undefined;
  }
  if (!fs.existsSync(path.join(home, 'bin', 'kc.sh'))) unpack(home);
  warmUp(home);
  fs.writeFileSync(warmed, `${KEYCLOAK_BUILD_OPTIONS.join(' ')}\n`);
  return home;
}

/** Fetches the archive through Maven (its configured mirror) and unpacks it beside `home`, then renames it into place. */
function unpack(home: string): void {
  log(`fetching org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION} from Maven Central (first run only, ~177 MB)`);
  const staging = `${home}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:tar.gz`,
      `-DoutputDirectory=${staging}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const archive = path.join(staging, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz`);
  execFileSync('tar', ['xzf', archive, '-C', staging, '--strip-components=1'], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.rmSync(archive);
  fs.rmSync(home, { recursive: true, force: true });
  fs.renameSync(staging, home);
}

/**
 * Starts the server once in development mode with the tests' build options: the start re-builds it
 * and relaunches (kc.sh), and once "Running the server" is printed the build is kept; it is stopped then.
 */
function warmUp(home: string): void {
  log(`building Keycloak ${KEYCLOAK_VERSION} for development mode (first run only, a few minutes)`);
  const script = [
    `"${path.join(home, 'bin', 'kc.sh')}" start-dev ${KEYCLOAK_BUILD_OPTIONS.join(' ')} --http-host 127.0.0.1 --http-port 0 --http-management-port 0 > "${home}/warm-up.log" 2>&1 &`,
    'server=$!',
    `deadline=$(( $(date +%s) + ${WARM_UP_DEADLINE_MS / 1000} ))`,
    `until grep -q "Running the server" "${home}/warm-up.log"; do`,
    '  if ! kill -0 $server 2>/dev/null || [ $(date +%s) -gt $deadline ]; then kill $server 2>/dev/null; exit 1; fi',
    '  sleep 1',
    'done',
    'kill $server; wait $server || true',
  ].join('\n');
  try {
    execFileSync('sh', ['-c', script], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...KEYCLOAK_JAVA_ENV } });
  } catch {
    throw new Error(`Keycloak's warm-up start failed or took longer than ${WARM_UP_DEADLINE_MS / 60_000} min; see ${home}/warm-up.log`);
  }
}
