/**
 * The backup agent (`node dist/scripts/backups/agent.js`), one per PostgreSQL cluster, beside it
 * (docs/production.md, Backups and point-in-time restore): every few seconds it ships the WAL
 * segments archive_command left in the spool to the store; every BACKUP_INTERVAL_MINUTES it takes a
 * base backup and then applies the retention (the newest BACKUP_KEEP base backups and the WAL they
 * need). It serves its metrics (./metrics.ts) on BACKUP_METRICS_PORT for the backup alerts of docker/alerts.yml.
 *
 *   BACKUP_DATABASE_URL  a superuser's connection to the cluster (pg_backup_start needs it)
 *   BACKUP_PGDATA        the cluster's data directory, readable here
 *   BACKUP_WAL_SPOOL     the directory archive_command copies segments into
 *   BACKUP_DIR | BACKUP_S3_BUCKET, BACKUP_ENCRYPTION_KEY   the store (scripts/backups/config.ts)
 *   BACKUP_INTERVAL_MINUTES (1440), BACKUP_KEEP (7)         the schedule and the retention
 *   BACKUP_METRICS_PORT (9188), BACKUP_METRICS_HOST           where /metrics is served
 *   BACKUP_SCRATCH_DIR   where a base backup's tar is made before it is encrypted (the system's temporary
 *                        directory; never inside the data directory, which the tar reads)
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { Client } from 'pg';
import { BackupConfigError, openBackupStore, portNumber, wholeNumber } from './config';
import {
  archiverFailed,
  backupRegistry as registry,
  baseFailures,
  lastBase,
  lastShipped,
  shipFailures,
  spoolOldest,
  spoolSegments,
} from './metrics';
import { applyRetention, listBackups, shipWal, spoolBacklog, takeBaseBackup } from './repository';

const SHIP_EVERY_MS = 5_000;

function log(message: string): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message })}\n`);
}

async function main(): Promise<void> {
  const env = process.env;
  const required = (name: string) => {
    if (!env[name]) throw new BackupConfigError(`${name} is required`);
    return env[name]!;
  };
  const databaseUrl = required('BACKUP_DATABASE_URL');
  const dataDir = required('BACKUP_PGDATA');
  const spoolDir = required('BACKUP_WAL_SPOOL');
  const intervalMs = wholeNumber(env, 'BACKUP_INTERVAL_MINUTES', 24 * 60) * 60_000;
  const keep = wholeNumber(env, 'BACKUP_KEEP', 7);
  const port = portNumber(env, 'BACKUP_METRICS_PORT', 9188);
  const store = await openBackupStore(env);
  // archive_command makes it too; made here first, the backlog reads an empty spool before the first segment.
  fs.mkdirSync(spoolDir, { recursive: true });

  http
    .createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
    })
    .listen(port, env.BACKUP_METRICS_HOST ?? '0.0.0.0');

  const newest = (await listBackups(store)).pop();
  if (newest) lastBase.set(Date.parse(newest.finishedAt) / 1000);
  let nextBaseAt = newest ? Date.parse(newest.finishedAt) + intervalMs : 0;
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  process.once('SIGINT', () => (stopping = true));
  log(`backing up ${dataDir} to ${store.describe}`);
  while (!stopping) {
    try {
      if (await shipWal(store, spoolDir)) lastShipped.set(Date.now() / 1000);
    } catch (err) {
      shipFailures.inc();
      log(`shipping WAL failed: ${(err as Error).message}`);
    }
    const backlog = spoolBacklog(spoolDir);
    spoolSegments.set(backlog.segments);
    spoolOldest.set(backlog.oldestSeconds);
    await readArchiverFailures(databaseUrl).then(
      (failed) => archiverFailed.set(failed),
      () => undefined,
    );
    if (Date.now() >= nextBaseAt) {
      try {
        const taken = await takeBaseBackup(store, { databaseUrl, dataDir, spoolDir, scratchDir: env.BACKUP_SCRATCH_DIR ?? os.tmpdir() });
        lastBase.set(Date.parse(taken.finishedAt) / 1000);
        nextBaseAt = Date.now() + intervalMs;
        const dropped = await applyRetention(store, keep);
        log(
          `base backup ${taken.id} (${taken.bytes} bytes); retention removed ${dropped.backups.length} backups, ${dropped.segments} segments`,
        );
      } catch (err) {
        baseFailures.inc();
        log(`base backup failed: ${(err as Error).message}`);
        // Tried again in 10 minutes (or the interval, if shorter): not every 5 s against a failing server.
        nextBaseAt = Date.now() + Math.min(intervalMs, 600_000);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, SHIP_EVERY_MS));
  }
  store.close();
  process.exit(0);
}

async function readArchiverFailures(databaseUrl: string): Promise<number> {
  const pg = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  await pg.connect();
  try {
    return Number((await pg.query<{ failed: string }>('SELECT failed_count AS failed FROM pg_stat_archiver')).rows[0].failed);
  } finally {
    await pg.end();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof BackupConfigError ? err.message : (err.stack ?? err)}\n`);
  process.exit(err instanceof BackupConfigError ? 2 : 1);
});
