/**
 * Continuous backups and point-in-time restore of a real PostgreSQL 17 cluster (docs/production.md,
 * Backups and point-in-time restore): WAL archived by archive_command into the spool and shipped
 * encrypted to the store, a base backup taken while rows are written, a restore to a chosen instant
 * into a fresh cluster that holds every row committed before it and none begun after it; the
 * operator's `backups` commands (the built program) list, verify and restore, and refuse a time
 * before the oldest backup, a backup that is not there and a directory that is not empty,
 * changing nothing.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../scripts/local/ports';
import { throwawayDataDir } from '../../scripts/local/postgres';
import { startPostgresProcess, type PostgresProcess } from '../../scripts/local/postgres-process';
import { stopChild } from '../../scripts/local/processes';
import {
  applyRetention,
  BackupRefused,
  layOutRestore,
  listBackups,
  listWal,
  planRestore,
  shipWal,
  takeBaseBackup,
  type BaseBackup,
} from '../../scripts/backups/repository';
import { localStore, parseEncryptionKey, type BackupStore } from '../../scripts/backups/store';
import { waitUntil } from '../support/waiting';

const ADMIN_JS = path.resolve(__dirname, '../../dist/scripts/admin.js');
const MARKER = 'ledger-line-plaintext';

/** A directory of its own under the system's temporary directory, which the server's user can reach. */
const scratchDir = (name: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `insurflow-${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
};

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('continuous backups and point-in-time restore', () => {
  const key = crypto.randomBytes(32).toString('base64');
  let primary: PostgresProcess;
  let spoolDir: string;
  let storeDir: string;
  let store: BackupStore;
  let backup: BaseBackup;
  /** Each row written: when its INSERT was sent and when its commit was answered. */
  const written: Array<{ n: number; sentAt: number; committedAt: number }> = [];
  let instant: Date;
  const cleanup: string[] = [];

  beforeAll(async () => {
    spoolDir = scratchDir('wal-spool');
    storeDir = scratchDir('backups');
    store = localStore(storeDir, parseEncryptionKey(key));
    primary = await startPostgresProcess({ dataDir: throwawayDataDir(), archive: { spoolDir, timeoutSeconds: 1 } });
    cleanup.push(spoolDir, storeDir, primary.dataDir);
    await query(primary.url('postgres'), 'CREATE DATABASE insurflow');
    await query(primary.url('insurflow'), 'CREATE TABLE ledger (n integer PRIMARY KEY, line text NOT NULL)');

    // Rows written one after another from before the base backup to after the chosen instant.
    const client = new Client({ connectionString: primary.url('insurflow') });
    await client.connect();
    let stop = false;
    const writer = (async () => {
      for (let n = 1; !stop; n++) {
        const sentAt = Date.now();
        await client.query('INSERT INTO ledger VALUES ($1, $2)', [n, `${MARKER} ${n}`]);
        written.push({ n, sentAt, committedAt: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await waitUntil(() => written.length >= 20, 'rows written before the base backup');
    backup = await takeBaseBackup(store, {
      databaseUrl: primary.url('postgres'),
      dataDir: primary.dataDir,
      spoolDir,
      scratchDir: os.tmpdir(),
    });
    const afterBackup = written.length;
    await waitUntil(() => written.length >= afterBackup + 50, 'rows written after the base backup', 30_000);
    instant = new Date();
    const atInstant = written.length;
    await waitUntil(() => written.length >= atInstant + 50, 'rows written after the instant', 30_000);
    stop = true;
    await writer;
    // The segment that holds the last row's commit, closed now. pg_switch_wal answers the end of the segment it
    // closed, or, when nothing was written since the last switch (archive_timeout may have closed the last row's
    // segment a moment ago), the start of the current one; pg_walfile_name names the segment before a boundary,
    // so either way the last row's. The insert position named an empty segment after such a switch, which
    // archive_timeout never closes (a CI run waited 30 s for it).
    const { rows: last } = await client.query<{ lsn: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS lsn');
    const { lsn } = last[0];
    await client.end();
    // Everything written is archived (archive_timeout closes that segment within a second) and shipped.
    await waitUntil(
      async () => {
        await shipWal(store, spoolDir);
        return fs.existsSync(path.join(storeDir, 'wal', lsn));
      },
      `segment ${lsn} archived and shipped`,
      30_000,
    );
  });

  /** The restored ledger holds every row committed before the instant and none sent after it; answers its rows. */
  async function expectRowsOfInstant(url: string): Promise<Set<number>> {
    const rows = new Set((await query<{ n: number }>(url, 'SELECT n FROM ledger')).map((row) => row.n));
    const before = written.filter((w) => w.committedAt < instant.getTime()).map((w) => w.n);
    const after = written.filter((w) => w.sentAt > instant.getTime()).map((w) => w.n);
    expect(before.length).toBeGreaterThan(50);
    expect(after.length).toBeGreaterThan(40);
    expect(before.filter((n) => !rows.has(n))).toEqual([]);
    expect(after.filter((n) => rows.has(n))).toEqual([]);
    return rows;
  }

  afterAll(async () => {
    await primary?.stop();
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('restores a fresh cluster to a chosen instant: every row committed before it, none begun after it', async () => {
    const dataDir = path.join(scratchDir('restore'), 'data');
    cleanup.push(path.dirname(dataDir));
    const started = Date.now();
    const plan = await planRestore(store, instant);
    expect(plan.backup.id).toBe(backup.id);
    await layOutRestore(store, plan, { into: dataDir, scratchDir: os.tmpdir(), owner: 'postgres' });
    const restored = await startPostgresProcess({ dataDir });
    const recoverySeconds = (Date.now() - started) / 1000;
    try {
      const rows = await expectRowsOfInstant(restored.url('insurflow'));
      // Promoted: the restored cluster takes writes.
      await query(restored.url('insurflow'), "INSERT INTO ledger VALUES (0, 'after the restore')");
      const inFlight = written.filter((w) => w.committedAt >= instant.getTime() && w.sentAt <= instant.getTime());
      process.stderr.write(
        `[backups] restored to ${instant.toISOString()}: ${rows.size} rows (${inFlight.length} in flight at the instant); restore to ready ${recoverySeconds.toFixed(1)} s\n`,
      );
    } finally {
      await restored.stop();
    }
  });

  it('keeps only ciphertext in the store: no written line readable, and another key decrypts nothing', async () => {
    const objects = [
      path.join(storeDir, 'base', backup.id, 'base.tar'),
      ...fs.readdirSync(path.join(storeDir, 'wal')).map((f) => path.join(storeDir, 'wal', f)),
    ];
    for (const object of objects) expect(fs.readFileSync(object).includes(MARKER)).toBe(false);
    const plain = path.join(scratchDir('plain'), 'segment');
    cleanup.push(path.dirname(plain));
    const segment = fs.readdirSync(path.join(storeDir, 'wal')).find((f) => /^[0-9A-F]{24}$/.test(f))!;
    await store.get(`wal/${segment}`, plain);
    expect(fs.statSync(plain).size).toBe(16 * 1024 * 1024);
    const otherKey = localStore(storeDir, crypto.randomBytes(32));
    await expect(otherKey.get(`wal/${segment}`, `${plain}.other`)).rejects.toThrow(/does not decrypt/);
    expect(fs.existsSync(`${plain}.other`)).toBe(false);
  });

  describe('the operator command', () => {
    function admin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const env = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        BACKUP_DIR: storeDir,
        BACKUP_ENCRYPTION_KEY: key,
        BACKUP_DATABASE_URL: primary.url('postgres'),
        BACKUP_PGDATA: primary.dataDir,
        BACKUP_WAL_SPOOL: spoolDir,
      };
      return new Promise((resolve) => {
        execFile(process.execPath, [ADMIN_JS, 'backups', ...args], { env, timeout: 110_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    }

    it('takes a base backup and lists every one with the instant it restores to and the WAL archived', async () => {
      const taken = await admin(['take']);
      expect(taken).toMatchObject({ code: 0, stdout: expect.stringMatching(/^base backup base-\S+ taken/) });
      const listed = await admin(['list']);
      expect(listed.code).toBe(0);
      const backups = await listBackups(store);
      expect(backups).toHaveLength(2);
      for (const b of backups) expect(listed.stdout).toContain(`${b.id}  restores to ${b.finishedAt} or later`);
      expect(listed.stdout).toMatch(/WAL archived: \d+ segments/);
    });

    it('verifies a backup by restoring it into a scratch cluster that starts and holds the databases', async () => {
      const verified = await admin(['verify', backup.id]);
      expect(verified.stderr).toBe('');
      expect(verified).toMatchObject({ code: 0 });
      expect(verified.stdout).toContain(`${backup.id} restores: the cluster started in a scratch directory`);
      expect(verified.stdout).toMatch(/ {2}insurflow: 1 tables\n/);
    });

    it('restores to a time into an empty directory that PostgreSQL then starts on', async () => {
      const into = path.join(scratchDir('admin-restore'), 'data');
      cleanup.push(path.dirname(into));
      const restored = await admin(['restore', '--to', instant.toISOString(), '--into', into]);
      expect(restored).toMatchObject({
        code: 0,
        stdout: expect.stringContaining(`set to recover to ${instant.toISOString()} and promote`),
      });
      const server = await startPostgresProcess({ dataDir: into });
      try {
        await expectRowsOfInstant(server.url('insurflow'));
      } finally {
        await server.stop();
      }
    });

    it('refuses a time before the oldest backup or the chosen one, a time the calendar does not have, a backup that is not there, a directory not empty and a time to come, writing nothing', async () => {
      const into = scratchDir('refused');
      cleanup.push(into);
      const target = path.join(into, 'data');
      const tooEarly = await admin(['restore', '--to', new Date(Date.parse(backup.startedAt) - 60_000).toISOString(), '--into', target]);
      expect(tooEarly).toMatchObject({ code: 2, stderr: expect.stringContaining("is before the oldest backup's end") });
      const missing = await admin(['verify', 'base-19700101T000000Z']);
      expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('there is no backup base-19700101T000000Z') });
      const toCome = await admin(['restore', '--to', new Date(Date.now() + 3_600_000).toISOString(), '--into', target]);
      expect(toCome).toMatchObject({ code: 2, stderr: expect.stringContaining('is still to come') });
      const noZone = await admin(['restore', '--to', '2026-11-29 04:00', '--into', target]);
      expect(noZone).toMatchObject({ code: 2, stderr: expect.stringContaining('give an ISO 8601 time with its zone') });
      // Date would read these as 2026-03-02 and as the next day's midnight: another instant than the one typed.
      for (const outOfRange of ['2026-02-30T04:00:00Z', `${instant.toISOString().slice(0, 10)}T24:00:00Z`]) {
        const refused = await admin(['restore', '--to', outOfRange, '--into', target]);
        expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining(`--to ${outOfRange} is no time of the calendar`) });
      }
      // A backup chosen by its id ends after the instant asked: PostgreSQL could not stop its replay there, nor start.
      const beforeChosen = await admin(['restore', '--backup', backup.id, '--to', backup.startedAt, '--into', target]);
      expect(beforeChosen).toMatchObject({ code: 2, stderr: expect.stringContaining(`is before the end of ${backup.id}`) });
      expect(fs.existsSync(target)).toBe(false);
      fs.mkdirSync(target);
      fs.writeFileSync(path.join(target, 'PG_VERSION'), '17\n');
      const notEmpty = await admin(['restore', '--to', instant.toISOString(), '--into', target]);
      expect(notEmpty).toMatchObject({ code: 2, stderr: expect.stringContaining('is not empty: a restore goes into an empty directory') });
      expect(fs.readdirSync(target)).toEqual(['PG_VERSION']);
    });
  });

  it('the agent, as the start command runs it: backs up to a local directory from a spool inside the data directory, left out of the base backup', async () => {
    const server = await startPostgresProcess({ dataDir: throwawayDataDir(), archive: { spoolDir: 'wal_spool', timeoutSeconds: 1 } });
    const agentDir = scratchDir('agent-backups');
    cleanup.push(server.dataDir, agentDir);
    const port = await freePort();
    const agent = spawn(process.execPath, [path.resolve(__dirname, '../../dist/scripts/backups/agent.js')], {
      env: {
        PATH: process.env.PATH,
        BACKUP_DIR: agentDir,
        BACKUP_ENCRYPTION_KEY: key,
        BACKUP_DATABASE_URL: server.url('postgres'),
        BACKUP_PGDATA: server.dataDir,
        BACKUP_WAL_SPOOL: path.join(server.dataDir, 'wal_spool'),
        BACKUP_METRICS_HOST: '127.0.0.1',
        BACKUP_METRICS_PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      const agentStore = localStore(agentDir, parseEncryptionKey(key));
      await waitUntil(async () => (await listBackups(agentStore)).length === 1, 'the agent took a base backup', 60_000);
      const [taken] = await listBackups(agentStore);
      await waitUntil(async () => (await listWal(agentStore)).includes(taken.stopWal), `the agent shipped ${taken.stopWal}`, 30_000);
      const tar = path.join(scratchDir('agent-tar'), 'base.tar');
      cleanup.push(path.dirname(tar));
      await agentStore.get(`base/${taken.id}/base.tar`, tar);
      const members = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).split('\n');
      expect(members).toContain('./PG_VERSION');
      expect(members.filter((m) => m.startsWith('./wal_spool') || /^\.\/pg_wal\/0/.test(m))).toEqual([]);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^insurflow_backup_base_failures_total 0$/m);
      expect(metrics).toMatch(/^insurflow_backup_wal_spool_segments \d+$/m);
    } finally {
      await stopChild(agent);
      await server.stop();
    }
  });

  it('keeps the newest base backups and the WAL they need; an instant before the oldest kept is then refused', async () => {
    const [oldest, newest] = await listBackups(store);
    expect(oldest.id).toBe(backup.id);
    const walBefore = await listWal(store);
    const dropped = await applyRetention(store, 1);
    expect(dropped.backups).toEqual([backup.id]);
    // The segments before the kept backup's start, and the .backup history files among them.
    expect(dropped.segments).toBeGreaterThanOrEqual(walBefore.filter((segment) => segment < newest.startWal).length);
    expect(walBefore.filter((segment) => segment < newest.startWal).length).toBeGreaterThan(0);
    expect((await listBackups(store)).map((b) => b.id)).toEqual([newest.id]);
    expect((await listWal(store))[0]).toBe(newest.startWal);
    expect(fs.existsSync(path.join(storeDir, 'base', backup.id, 'base.tar'))).toBe(false);
    await expect(planRestore(store, instant)).rejects.toThrow(BackupRefused);
  });
});
