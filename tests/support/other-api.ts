/**
 * A second API process: the built server (dist, as the image runs it) on a test stack's database,
 * with its own per-process caches, for tests of what another process sees and when.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { keepLastOutput } from '../../scripts/local/last-output';
import { freePort } from '../../scripts/local/ports';
import { TEST_JWT_SECRET } from './config';
import { requiredEnv } from './env';
import type { TestStack } from './stack';
import { waitUntil } from './waiting';

export interface OtherApi {
  api: ReturnType<typeof supertest>;
  stop(): void;
}

/**
 * Starts it (`env` adds to or overrides its environment) and waits until it answers /healthz;
 * if it exits or stays silent first, the failure gives its exit code and its last output.
 */
export async function startOtherApi(stack: TestStack, env: Record<string, string> = {}): Promise<OtherApi> {
  const port = await freePort();
  const server = path.resolve(__dirname, '../../dist/src/api/server.js');
  const child = spawn(process.execPath, [server], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: stack.db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      API_DRAIN_SECONDS: '0',
      TEMPORAL_ADDRESS: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      SMTP_PORT: String(stack.smtp.port),
      SMTP_INSECURE_LOCAL_RELAY: 'true',
      DOCUMENTS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'other-api-')),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepLastOutput([child.stdout, child.stderr]);
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
  });
  const api = supertest(`http://127.0.0.1:${port}`);
  await waitUntil(
    async () => {
      if (exit) throw new Error(`the second API process (port ${port}) exited with ${exit} before answering /healthz:\n${output()}`);
      return api.get('/healthz').then(
        (res) => res.status === 200,
        () => false,
      );
    },
    () => `the second API process (port ${port}) answering /healthz; its output so far:\n${output()}`,
    30_000,
  );
  return { api, stop: () => child.kill('SIGTERM') };
}
