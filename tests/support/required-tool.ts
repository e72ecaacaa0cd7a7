/**
 * Tests that need a tool set-up installs (scripts/setup.sh: Chromium, Keycloak, the time-skipping
 * test server). With the tool they run as written. Without it, on a developer's machine, they are
 * skipped and their title says which tool is missing and how to get it; in CI (`CI` set, as in
 * .ci/run's environment) every one of them fails with that message instead, so no test passes CI
 * by not running (docs/testing.md, No skips in CI). scripts/test.sh also counts a skip in CI as a
 * failure.
 */
import { execFileSync } from 'node:child_process';

export interface RequiredTool {
  /** What the failure and the skip name: `Chromium`. */
  name: string;
  /** Where it is; undefined when this machine lacks it. */
  path: string | undefined;
  /** How to get it: `bash scripts/setup.sh installs the Debian package chromium (as root), or set CHROMIUM_PATH`. */
  install: string;
}

/** Whether this run is CI's: `CI` set to anything but `false` (the convention of CI services). */
export const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';

const missing = (tool: RequiredTool) => `${tool.name} is missing: ${tool.install}`;

/**
 * `describe(title, body)` when the tool is there; otherwise skipped outside CI, and in CI a
 * describe whose every test fails naming the tool (a first `beforeAll` that throws: jest then
 * fails each test with its error). The body's own hooks still run, so they return early without the tool.
 */
export function describeNeeding(tool: RequiredTool, title: string, body: () => void): void {
  if (tool.path) return describe(title, body);
  if (!IN_CI) return describe.skip(`${title} (skipped: ${missing(tool)})`, body);
  describe(title, () => {
    beforeAll(() => {
      throw new Error(`${missing(tool)} (in CI a missing tool fails the tests that need it)`);
    });
    body();
  });
}

/** `it(title, test, timeout)` when the tool is there; otherwise skipped outside CI, and in CI a test that fails naming the tool. */
export function itNeeding(tool: RequiredTool, title: string, test: () => Promise<unknown>, timeout?: number): void {
  if (tool.path) return it(title, test, timeout);
  if (!IN_CI) return it.skip(`${title} (skipped: ${missing(tool)})`, test);
  it(title, () => {
    throw new Error(`${missing(tool)} (in CI a missing tool fails the tests that need it)`);
  });
}

/** Where `binary` is on this machine's PATH, if it is. */
export function onPath(binary: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** curl and jq, with which the README's commands are run as a newcomer runs them: skipped without them on a developer's machine, a failure in CI. */
export function curlAndJqTool(): RequiredTool {
  return {
    name: 'curl and jq',
    path: onPath('curl') && onPath('jq'),
    install: 'bash scripts/setup.sh installs the Debian packages curl and jq (as root, with apt-get)',
  };
}
