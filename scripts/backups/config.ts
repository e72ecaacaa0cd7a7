/**
 * The backup store named by the environment (docs/production.md, Backups and point-in-time restore):
 * BACKUP_DIR for a local directory, or BACKUP_S3_BUCKET (with the S3_* variables the documents use
 * for the server and its keys, and BACKUP_S3_PREFIX) for an S3-compatible bucket; BACKUP_ENCRYPTION_KEY
 * always.
 */
import { BackupRefused } from './repository';
import { localStore, parseEncryptionKey, s3Store, type BackupStore } from './store';

/** A setting missing or wrong: refused by name, as an operator's mistake. */
export class BackupConfigError extends BackupRefused {}

export async function openBackupStore(env: NodeJS.ProcessEnv): Promise<BackupStore & { close(): void }> {
  let key: Buffer;
  try {
    key = parseEncryptionKey(env.BACKUP_ENCRYPTION_KEY);
  } catch (err) {
    throw new BackupConfigError((err as Error).message);
  }
  if (env.BACKUP_DIR && env.BACKUP_S3_BUCKET) throw new BackupConfigError('set BACKUP_DIR or BACKUP_S3_BUCKET, not both');
  if (env.BACKUP_DIR) return { ...localStore(env.BACKUP_DIR, key), close: () => undefined };
  if (!env.BACKUP_S3_BUCKET) throw new BackupConfigError('no backup store: set BACKUP_DIR (a directory) or BACKUP_S3_BUCKET (a bucket)');
  const credentials =
    env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
      : undefined;
  return s3Store(
    {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION ?? 'us-east-1',
      bucket: env.BACKUP_S3_BUCKET,
      prefix: env.BACKUP_S3_PREFIX ?? '',
      credentials,
      forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
    },
    key,
  );
}

/** A whole number from the environment, or its default; anything else is refused by name. */
export function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new BackupConfigError(`${name} must be a whole number above 0, not ${value}`);
  return Number(value);
}

/** A TCP port from the environment, or its default: a whole number up to 65535, else refused by name (not a crash on listen). */
export function portNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const port = wholeNumber(env, name, fallback);
  if (port > 65535) throw new BackupConfigError(`${name} must be a port from 1 to 65535, not ${env[name]}`);
  return port;
}
