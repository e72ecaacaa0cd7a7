/**
 * Continuous backups of a PostgreSQL 17 cluster with PostgreSQL's own means (docs/production.md,
 * Backups and point-in-time restore): `archive_command` copies each finished WAL segment into a spool
 * directory and `shipWal` moves it, encrypted, to the store; a base backup is the data directory
 * copied between `pg_backup_start()` and `pg_backup_stop()` (PostgreSQL's low-level backup API, which
 * needs no client binaries: the embedded server ships none); a restore lays a base backup and the WAL
 * after it into an empty directory with `recovery.signal` and, for a point in time,
 * `recovery_target_time`, and PostgreSQL replays up to that instant when it starts.
 *
 * The whole cluster is backed up, so every database in it is: the application's and, where Temporal
 * keeps its own in the same PostgreSQL (compose, the topology suite), Temporal's.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { BackupStore } from './store';

const run = promisify(execFile);

/** What `backups list` shows and a restore reads: kept in plain JSON beside the encrypted tar (no data in it). */
export interface BaseBackup {
  id: string;
  startedAt: string;
  /** When `pg_backup_stop()` returned: the earliest instant this backup restores to. */
  finishedAt: string;
  /** The WAL segments that must be replayed at least: from the start's to the stop's. */
  startWal: string;
  stopWal: string;
  stopLsn: string;
  /** The backup_label and tablespace_map `pg_backup_stop()` answered, written into the restored directory. */
  labelFile: string;
  tablespaceMap: string;
  /** Bytes of the (unencrypted) tar. */
  bytes: number;
  serverVersion: string;
}

/** Where restored WAL is put inside the new data directory, and read from by its restore_command (run in the data directory). */
export const RESTORED_WAL_DIR = 'restored_wal';

/**
 * What a base backup leaves out, as PostgreSQL's documentation lists it for the low-level API: the WAL
 * (it comes from the archive), the running server's own files, and directories emptied at start-up.
 */
const EXCLUDED = [
  './pg_wal/*',
  './postmaster.pid',
  './postmaster.opts',
  './pg_replslot/*',
  './pg_dynshmem/*',
  './pg_notify/*',
  './pg_serial/*',
  './pg_snapshots/*',
  './pg_stat_tmp/*',
  './pg_subtrans/*',
  './pgsql_tmp*',
  './base/pgsql_tmp*',
  './backup_label',
  './tablespace_map',
  './recovery.signal',
  './standby.signal',
  `./${RESTORED_WAL_DIR}`,
];

const manifestKey = (id: string) => `base/${id}/manifest.json`;
const tarKey = (id: string) => `base/${id}/base.tar`;
/** A WAL segment's name: timeline, log and segment, 8 hex digits each. */
const SEGMENT = /^[0-9A-F]{24}$/;

/**
 * Moves every finished segment from the spool to the store, oldest first, and answers how many. The
 * archive_command writes `.<name>.tmp` and renames it, so a name without the dot is a whole file. A
 * segment is removed from the spool only once the store has it.
 */
export async function shipWal(store: BackupStore, spoolDir: string): Promise<number> {
  const ready = fs
    .readdirSync(spoolDir)
    .filter((name) => !name.startsWith('.'))
    .sort();
  for (const name of ready) {
    await store.put(`wal/${name}`, path.join(spoolDir, name));
    fs.rmSync(path.join(spoolDir, name));
  }
  return ready.length;
}

/** The spool's backlog: segments PostgreSQL archived that are not in the store yet, and how old the oldest is. */
export function spoolBacklog(spoolDir: string): { segments: number; oldestSeconds: number } {
  const files = fs.readdirSync(spoolDir).filter((name) => !name.startsWith('.'));
  const oldest = Math.min(Date.now(), ...files.map((name) => fs.statSync(path.join(spoolDir, name)).mtimeMs));
  return { segments: files.length, oldestSeconds: (Date.now() - oldest) / 1000 };
}

/**
 * The archive_command that puts a finished segment into `spoolDir` whole (a copy, then a rename);
 * docker-compose.yml spells the same command out for its PostgreSQL.
 */
export function archiveCommand(spoolDir: string): string {
  return `mkdir -p "${spoolDir}" && cp "%p" "${spoolDir}/.%f.tmp" && mv -f "${spoolDir}/.%f.tmp" "${spoolDir}/%f"`;
}

/** The spool's path relative to the data directory when it is inside it. */
function spoolInside(dataDir: string, spoolDir: string): string | undefined {
  const relative = path.relative(path.resolve(dataDir), path.resolve(spoolDir));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : undefined;
}

/**
 * Takes a base backup of the cluster whose data directory is `dataDir` (readable here: the backup
 * runs on the database's host or beside its volume) through the superuser connection `databaseUrl`.
 */
export async function takeBaseBackup(
  store: BackupStore,
  { databaseUrl, dataDir, spoolDir, scratchDir }: { databaseUrl: string; dataDir: string; spoolDir: string; scratchDir: string },
): Promise<BaseBackup> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const startedAt = new Date();
  const id = `base-${startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
  const tar = path.join(scratchDir, `${id}.tar`);
  try {
    const { rows } = await client.query<{ wal: string; version: string }>(
      "SELECT pg_walfile_name(lsn) AS wal, current_setting('server_version') AS version FROM pg_backup_start($1, true) AS lsn",
      [id],
    );
    // tar's exit code 1 means a file changed or vanished while it was read: expected of a running
    // server, whose WAL replay from the start position repairs it. Anything else is a failure.
    await run('tar', [
      '-c',
      '-f',
      tar,
      '-C',
      dataDir,
      '--anchored',
      '--warning=no-file-changed',
      '--warning=no-file-removed',
      '--warning=no-file-shrank',
      ...EXCLUDED.map((pattern) => `--exclude=${pattern}`),
      // The spool may live in the data directory (compose: one volume): its segments go to the store, not into the tar.
      ...(spoolInside(dataDir, spoolDir) ? [`--exclude=./${spoolInside(dataDir, spoolDir)}`] : []),
      '.',
    ]).catch((err: { code?: number }) => {
      if (err.code !== 1) throw err;
    });
    // Waits until the segment holding the stop position is archived (into the spool).
    const stopped = await client.query<{ lsn: string; wal: string; labelfile: string; spcmapfile: string }>(
      'SELECT lsn::text, pg_walfile_name(lsn) AS wal, labelfile, spcmapfile FROM pg_backup_stop(true)',
    );
    const finishedAt = new Date();
    const stop = stopped.rows[0];
    await shipWal(store, spoolDir);
    const backup: BaseBackup = {
      id,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      startWal: rows[0].wal,
      stopWal: stop.wal,
      stopLsn: stop.lsn,
      labelFile: stop.labelfile,
      tablespaceMap: stop.spcmapfile ?? '',
      bytes: fs.statSync(tar).size,
      serverVersion: rows[0].version,
    };
    await store.put(tarKey(id), tar);
    // The manifest last: a backup is listed only once all of it is stored.
    await store.putJson(manifestKey(id), backup);
    return backup;
  } finally {
    fs.rmSync(tar, { force: true });
    await client.end();
  }
}

/** Every complete base backup, oldest first. */
export async function listBackups(store: BackupStore): Promise<BaseBackup[]> {
  const manifests = (await store.list('base/')).filter((name) => name.endsWith('/manifest.json'));
  const backups = await Promise.all(manifests.map((name) => store.getJson<BaseBackup>(name)));
  return backups.filter((b): b is BaseBackup => b !== undefined).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/** The archived WAL segment names (history and backup files left out), oldest first. */
export async function listWal(store: BackupStore): Promise<string[]> {
  return (await store.list('wal/')).map((name) => name.slice('wal/'.length)).filter((name) => SEGMENT.test(name));
}

/**
 * Keeps the newest `keep` base backups and the WAL a restore from the oldest of them needs; deletes
 * the rest, each backup's manifest first (a backup half deleted is never listed). Answers what it deleted.
 */
export async function applyRetention(store: BackupStore, keep: number): Promise<{ backups: string[]; segments: number }> {
  const backups = await listBackups(store);
  const dropped = backups.slice(0, Math.max(0, backups.length - keep));
  for (const backup of dropped) {
    await store.delete(manifestKey(backup.id));
    await store.delete(tarKey(backup.id));
  }
  const oldestKept = backups[dropped.length];
  if (!oldestKept) return { backups: dropped.map((b) => b.id), segments: 0 };
  const older = (await store.list('wal/')).filter((name) => {
    const file = name.slice('wal/'.length);
    return !file.endsWith('.history') && file.slice(0, 24) < oldestKept.startWal;
  });
  for (const name of older) await store.delete(name);
  return { backups: dropped.map((b) => b.id), segments: older.length };
}

/** A refusal of an operator's input (a missing backup, a time before the oldest, a target not empty): said as it is, nothing written. */
export class BackupRefused extends Error {}

export interface RestorePlan {
  backup: BaseBackup;
  /** `undefined`: replay all the WAL there is (the latest state); 'immediate': the backup's own end (verify). */
  target: Date | 'immediate' | undefined;
}

/** Which backup restores to `target`: the newest one finished by then; refused before the oldest. */
export async function planRestore(store: BackupStore, target: RestorePlan['target'], backupId?: string): Promise<RestorePlan> {
  const backups = await listBackups(store);
  if (backupId !== undefined) {
    const backup = backups.find((b) => b.id === backupId);
    if (!backup) throw new BackupRefused(`there is no backup ${backupId} in ${store.describe} (backups list shows them)`);
    // PostgreSQL cannot stop its replay before the backup it starts from is consistent: laid out, the cluster would not start.
    if (target instanceof Date && new Date(backup.finishedAt) > target)
      throw new BackupRefused(
        `${target.toISOString()} is before the end of ${backupId} (${backup.finishedAt}): restore it from an earlier backup (backups list shows them)`,
      );
    return { backup, target };
  }
  if (backups.length === 0) throw new BackupRefused(`there is no base backup in ${store.describe}`);
  if (target instanceof Date) {
    const backup = backups.filter((b) => new Date(b.finishedAt) <= target).pop();
    if (!backup)
      throw new BackupRefused(
        `${target.toISOString()} is before the oldest backup's end (${backups[0].finishedAt}): there is nothing to restore it from`,
      );
    return { backup, target };
  }
  return { backup: backups[backups.length - 1], target };
}

/** Refuses a directory with anything in it: a restore never writes over a cluster. */
export function ensureEmptyTarget(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new BackupRefused(`${dir} is not empty: a restore goes into an empty directory`);
}

/**
 * Lays the plan's base backup and the WAL after it into the empty directory `into`, set to recover to
 * the plan's target and then promote: starting PostgreSQL on it performs the restore. When running
 * as root, the files are given to `owner` (the user PostgreSQL runs as).
 */
export async function layOutRestore(
  store: BackupStore,
  plan: RestorePlan,
  { into, scratchDir, owner }: { into: string; scratchDir: string; owner?: string },
): Promise<{ segments: number }> {
  ensureEmptyTarget(into);
  const { backup, target } = plan;
  fs.mkdirSync(into, { recursive: true, mode: 0o700 });
  const tar = path.join(scratchDir, `${backup.id}.restore.tar`);
  try {
    await store.get(tarKey(backup.id), tar);
    await run('tar', ['-x', '-f', tar, '-C', into]);
  } finally {
    fs.rmSync(tar, { force: true });
  }
  fs.writeFileSync(path.join(into, 'backup_label'), backup.labelFile);
  if (backup.tablespaceMap) fs.writeFileSync(path.join(into, 'tablespace_map'), backup.tablespaceMap);
  fs.mkdirSync(path.join(into, 'pg_wal', 'archive_status'), { recursive: true });
  const walDir = path.join(into, RESTORED_WAL_DIR);
  fs.mkdirSync(walDir);
  // The backup's own segments and every later one, and every timeline history file.
  const needed = (await store.list('wal/'))
    .map((name) => name.slice('wal/'.length))
    .filter((file) => file.endsWith('.history') || (SEGMENT.test(file) && file >= backup.startWal));
  for (const file of needed) await store.get(`wal/${file}`, path.join(walDir, file));
  const recovery = [
    `restore_command = 'cp ${RESTORED_WAL_DIR}/%f "%p"'`,
    target === 'immediate' ? "recovery_target = 'immediate'" : '',
    // PostgreSQL reads this setting without ISO 8601's T and Z.
    target instanceof Date ? `recovery_target_time = '${target.toISOString().replace('T', ' ').replace('Z', '+00')}'` : '',
    "recovery_target_action = 'promote'",
  ].filter(Boolean);
  fs.appendFileSync(path.join(into, 'postgresql.auto.conf'), `\n# restored from ${backup.id}\n${recovery.join('\n')}\n`);
  fs.writeFileSync(path.join(into, 'recovery.signal'), '');
  fs.chmodSync(into, 0o700);
  if (owner && typeof process.getuid === 'function' && process.getuid() === 0) await run('chown', ['-R', `${owner}:${owner}`, into]);
  return { segments: needed.length };
}
