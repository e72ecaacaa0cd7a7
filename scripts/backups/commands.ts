/**
 * The operator's `backups` commands (scripts/admin.ts; docs/production.md, Runbook: restore to a point in time):
 *
 *   backups list                           the base backups in the store and the WAL after them
 *   backups take                           a base backup now (before a risky change), as the agent takes them
 *   backups verify <id>                    restores the backup into a scratch cluster, starts it and reads every database
 *   backups restore --to T --into DIR [--backup ID]
 *                                          lays out the cluster as it was at T (ISO 8601 with a zone) in the empty
 *                                          directory DIR; starting PostgreSQL on DIR replays to T and promotes
 *
 * A time before the oldest backup's end, a time to come, a backup that is not there and a directory
 * that is not empty are refused (exit code 2) before anything is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { BackupConfigError, openBackupStore } from './config';
import { BackupRefused, ensureEmptyTarget, layOutRestore, listBackups, listWal, planRestore, takeBaseBackup } from './repository';
import type { BackupStore } from './store';
import type { freePort as FreePort } from '../local/ports';
import type { startEmbeddedPostgres as StartEmbeddedPostgres } from '../local/postgres';

/** The user PostgreSQL runs as when the command runs as root (as the embedded server and the postgres image do). */
const SERVER_USER = 'postgres';

async function withStore<T>(work: (store: BackupStore) => Promise<T>): Promise<T> {
  const store = await openBackupStore(process.env);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

async function list(): Promise<string> {
  return withStore(async (store) => {
    const [backups, wal] = await Promise.all([listBackups(store), listWal(store)]);
    if (backups.length === 0) return `no base backup in ${store.describe}`;
    const lines = backups.map((b) => `${b.id}  restores to ${b.finishedAt} or later  ${b.bytes} bytes  WAL from ${b.startWal}`);
    return [...lines, `WAL archived: ${wal.length} segments, ${wal[0] ?? '-'} to ${wal[wal.length - 1] ?? '-'}`].join('\n');
  });
}

async function take(): Promise<string> {
  const required = (name: string) => {
    const value = process.env[name];
    if (!value) throw new BackupConfigError(`${name} is required to take a base backup`);
    return value;
  };
  const { BACKUP_DATABASE_URL, BACKUP_PGDATA, BACKUP_WAL_SPOOL } = Object.fromEntries(
    ['BACKUP_DATABASE_URL', 'BACKUP_PGDATA', 'BACKUP_WAL_SPOOL'].map((name) => [name, required(name)]),
  );
  return withStore(async (store) => {
    const backup = await takeBaseBackup(store, {
      databaseUrl: BACKUP_DATABASE_URL,
      dataDir: BACKUP_PGDATA,
      spoolDir: BACKUP_WAL_SPOOL,
      scratchDir: os.tmpdir(),
    });
    return `base backup ${backup.id} taken (${backup.bytes} bytes), restores to ${backup.finishedAt} or later`;
  });
}

/** An ISO 8601 instant with its zone: its day, hour, minute and second as typed. */
const ISO_INSTANT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/;

/**
 * Whether the fields typed name a moment of the calendar: JavaScript's Date rolls 2026-02-30 over to 2026-03-02 and
 * 24:00 to the next day, which would restore to another instant than the one the operator wrote.
 */
function namesItsFields([, year, month, day, hour, minute, second = '00']: RegExpExecArray): boolean {
  const typed = [year, month, day, hour, minute, second].map(Number);
  const at = new Date(0);
  at.setUTCFullYear(typed[0], typed[1] - 1, typed[2]);
  at.setUTCHours(typed[3], typed[4], typed[5]);
  const read = [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()];
  return read.every((field, index) => field === typed[index]);
}

/** A time the operator typed: ISO 8601 with its zone, a moment the calendar has, and not to come. */
function pointInTime(value: string | undefined): Date {
  if (!value) throw new BackupRefused('--to is required: the instant to restore to, e.g. 2026-11-29T04:10:00Z');
  const fields = ISO_INSTANT.exec(value);
  const at = new Date(value);
  if (!fields || Number.isNaN(at.getTime()))
    throw new BackupRefused(`--to ${value}: give an ISO 8601 time with its zone, e.g. 2026-11-29T04:10:00Z`);
  if (!namesItsFields(fields)) throw new BackupRefused(`--to ${value} is no time of the calendar (a day or an hour out of range)`);
  if (at.getTime() > Date.now()) throw new BackupRefused(`--to ${value} is still to come: nothing has been written then`);
  return at;
}

/** Lays out the plan into `into`; a failure half-way leaves `into` empty again (it was empty before). */
async function layOut(store: BackupStore, plan: Awaited<ReturnType<typeof planRestore>>, into: string) {
  try {
    return await layOutRestore(store, plan, { into, scratchDir: os.tmpdir(), owner: SERVER_USER });
  } catch (err) {
    if (!(err instanceof BackupRefused))
      for (const entry of fs.readdirSync(into)) fs.rmSync(path.join(into, entry), { recursive: true, force: true });
    throw err;
  }
}

async function restore(args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' }, into: { type: 'string' }, backup: { type: 'string' } } });
  const target = pointInTime(values.to);
  if (!values.into) throw new BackupRefused('--into is required: an empty directory for the restored cluster');
  const into = path.resolve(values.into);
  ensureEmptyTarget(into);
  return withStore(async (store) => {
    const plan = await planRestore(store, target, values.backup);
    const { segments } = await layOut(store, plan, into);
    return [
      `${into} holds ${plan.backup.id} and ${segments} WAL files, set to recover to ${target.toISOString()} and promote.`,
      `Start PostgreSQL 17 on it (pg_ctl -D ${into} start, or mount it as the data volume); it is ready once it logs`,
      "'database system is ready to accept connections'. Then point DATABASE_URL at it and start the API and workers (docs/production.md).",
    ].join('\n');
  });
}

async function verify(args: string[]): Promise<string> {
  const [id] = args;
  if (!id) throw new BackupRefused('usage: backups verify <id> (backups list shows them)');
  return withStore(async (store) => {
    const plan = await planRestore(store, 'immediate', id);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-verify-'));
    fs.chmodSync(scratch, 0o755);
    const dataDir = path.join(scratch, 'data');
    const started = Date.now();
    try {
      await layOut(store, plan, dataDir);
      const { startEmbeddedPostgres, freePort } = scratchServer();
      const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true }).catch((err: unknown) => {
        throw new Error(`${id} did not start as a cluster (its log is above): ${String(err ?? 'the server exited')}`);
      });
      try {
        const found = await readDatabases(server.url('postgres'), (database) => server.url(database));
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        return [`${id} restores: the cluster started in a scratch directory in ${seconds} s`, ...found].join('\n');
      } finally {
        await server.stop();
      }
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
}

/**
 * The scratch server's means: the embedded PostgreSQL 17 of a development install (scripts/local),
 * which the image leaves out, so `verify` runs from a checkout with the store's settings.
 */
function scratchServer(): { startEmbeddedPostgres: typeof StartEmbeddedPostgres; freePort: typeof FreePort } {
  try {
    // Loaded here, not at the top: the image has no scripts/local, and every other command runs there.
    /* eslint-disable @typescript-eslint/no-require-imports */
    return { startEmbeddedPostgres: require('../local/postgres').startEmbeddedPostgres, freePort: require('../local/ports').freePort };
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch {
    throw new BackupRefused(
      'verify starts a scratch PostgreSQL from a development install (npm install; scripts/local), which this image leaves out: run it from a checkout',
    );
  }
}

/** Every database of the cluster: its tables, and for the application's, its newest migration. */
async function readDatabases(maintenanceUrl: string, urlOf: (database: string) => string): Promise<string[]> {
  const query = async <T extends object>(url: string, sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const databases = await query<{ datname: string }>(
    maintenanceUrl,
    'SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY datname',
  );
  const lines: string[] = [];
  for (const { datname } of databases) {
    const [{ tables, migrations }] = await query<{ tables: string; migrations: string | null }>(
      urlOf(datname),
      `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')) AS tables,
              to_regclass('public.schema_migrations')::text AS migrations`,
    );
    const newest = migrations
      ? (await query<{ name: string }>(urlOf(datname), 'SELECT name FROM schema_migrations ORDER BY name DESC LIMIT 1'))[0]?.name
      : undefined;
    lines.push(`  ${datname}: ${tables} tables${newest ? `, migrated to ${newest}` : ''}`);
  }
  return lines;
}

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<string>> = { list, take, verify, restore };

export function backups(args: string[]): Promise<string> {
  const [name, ...rest] = args;
  const subcommand = SUBCOMMANDS[name ?? ''];
  if (!subcommand)
    return Promise.reject(new BackupRefused('usage: backups list | take | verify <id> | restore --to T --into DIR [--backup ID]'));
  return subcommand(rest);
}
