/**
 * A real S3-compatible server (MinIO) on a free 127.0.0.1 port with a throwaway data directory,
 * for the document tests and the production-topology suite. Stopped by its PID; `pause()` and
 * `resume()` SIGSTOP and SIGCONT it, which is what clients see of a store that hangs.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveMinio } from './minio';
import { keepLastOutput } from './last-output';
import { freePort } from './ports';

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  pid: number;
  /** The variables that make an API process keep its documents in `bucket` on this server. */
  env(bucket: string): Record<string, string>;
  /** SIGSTOP, resolved once every thread of the server has stopped: a store that hangs from then on. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 60_000;
const STOP_WITHIN_MS = 10_000;

export async function startS3Server(): Promise<S3Server> {
  const binary = resolveMinio();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-minio-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = `insurflow-${crypto.randomBytes(4).toString('hex')}`;
  const secretAccessKey = crypto.randomBytes(24).toString('hex');
  const child = spawn(binary, ['server', dataDir, '--address', `127.0.0.1:${port}`, '--quiet'], {
    env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = keepLastOutput([child.stderr]);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let paused = false;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (paused) child.kill('SIGCONT');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(endpoint, exited);
  } catch (err) {
    await stop();
    throw new Error(`MinIO did not start on ${endpoint}: ${(err as Error).message}\n${stderr()}`, { cause: err });
  }
  return {
    endpoint,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    pid: child.pid!,
    env: (bucket) => ({
      DOCUMENTS_STORAGE: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    }),
    async pause() {
      child.kill('SIGSTOP');
      paused = true;
      await allThreadsStopped(child.pid!);
    },
    resume() {
      child.kill('SIGCONT');
      paused = false;
    },
    stop,
  };
}

/**
 * kill() only queues the signal: each of the server's threads stops when it is next scheduled, and
 * on a loaded machine a request sent at once could still be served (an upload answered 201 under
 * a paused store in CI). Read from /proc, every thread's state is T once the stop has happened.
 */
async function allThreadsStopped(pid: number): Promise<void> {
  const deadline = Date.now() + STOP_WITHIN_MS;
  const stateOf = (task: string) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  };
  while (!fs.readdirSync(`/proc/${pid}/task`).every((task) => stateOf(task) === 'T')) {
    if (Date.now() > deadline) throw new Error(`MinIO (pid ${pid}) did not stop within ${STOP_WITHIN_MS} ms of SIGSTOP`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** MinIO's readiness probe answers 200 once it serves requests. */
async function waitUntilReady(endpoint: string, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (gone) throw new Error('the process exited');
    const ready = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`not ready after ${READY_WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
