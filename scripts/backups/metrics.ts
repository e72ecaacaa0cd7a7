/**
 * What the backup agent serves on BACKUP_METRICS_PORT, read by the alerts InsurflowBackupArchiveBehind,
 * InsurflowBaseBackupFailed and InsurflowBaseBackupStale (docker/alerts.yml).
 */
import client from 'prom-client';

export const backupRegistry = new client.Registry();
const gauge = (name: string, help: string) => new client.Gauge({ name, help, registers: [backupRegistry] });

export const spoolSegments = gauge(
  'insurflow_backup_wal_spool_segments',
  'WAL segments PostgreSQL archived that are not in the backup store yet',
);
export const spoolOldest = gauge(
  'insurflow_backup_wal_spool_oldest_age_seconds',
  'Age of the oldest WAL segment waiting to be shipped to the backup store (0: none waiting)',
);
export const archiverFailed = gauge(
  'insurflow_backup_archiver_failures',
  "PostgreSQL's pg_stat_archiver.failed_count: archive_command failures",
);
export const lastShipped = gauge('insurflow_backup_wal_last_shipped_timestamp_seconds', 'When a WAL segment last reached the backup store');
export const lastBase = gauge('insurflow_backup_base_last_success_timestamp_seconds', 'When the newest base backup in the store finished');
export const baseFailures = new client.Counter({
  name: 'insurflow_backup_base_failures_total',
  help: 'Base backups that failed',
  registers: [backupRegistry],
});
export const shipFailures = new client.Counter({
  name: 'insurflow_backup_wal_ship_failures_total',
  help: 'Attempts to ship the WAL spool that failed (the store unreachable, a segment unreadable)',
  registers: [backupRegistry],
});
