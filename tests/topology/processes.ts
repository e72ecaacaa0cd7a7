/**
 * The application's processes as the production build runs them (NODE_ENV=production, the shipped
 * entry points), and a small load balancer in front of the API processes: it polls each one's
 * /readyz and sends requests only to the ready ones, as a real one would.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { freePort } from '../../scripts/local/ports';
import { stopChild } from '../../scripts/local/processes';
import { API_NODE_FLAGS } from '../../src/api/runtime/node-flags';
import type { AesGcmPayloadCodec } from '../../src/services/payload-codec';
import { payloadCodecOf, type productionSecrets } from '../support/config';
import { WORKER_NODE_FLAGS } from '../../worker/heap-budget';
import { requiredEnv } from '../support/env';
import { waitUntil } from '../support/waiting';

const START_TIMEOUT_MS = 60_000;

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** The API's base URL; undefined for a worker. */
  url?: string;
  /** SIGTERM, then wait for the exit (the process drains first); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function spawnApp(appDir: string, name: string, entry: string, env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  const log = fs.openSync(path.join(appDir, '..', `${name}.log`), 'a');
  const child = spawn(process.execPath, [...nodeFlags, path.join(appDir, entry)], {
    cwd: appDir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', log, log],
  });
  // The child has its own copy of the descriptor.
  fs.closeSync(log);
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  return child;
}

export async function startApi(appDir: string, name: string, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawnApp(appDir, name, 'dist/src/api/server.js', { ...env, API_PORT: String(port) }, API_NODE_FLAGS);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited at start with ${child.exitCode}`);
      return fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    `${name} ready`,
    START_TIMEOUT_MS,
  );
  return { name, child, url, stop: (graceMs = 30_000) => stopChild(child, graceMs) };
}

/** A worker; `ready` says when it polls (the caller knows how to ask Temporal, and may look for this process). */
export async function startWorker(
  appDir: string,
  name: string,
  env: Record<string, string>,
  ready: (child: ChildProcess) => Promise<boolean>,
): Promise<AppProcess> {
  const child = spawnApp(appDir, name, 'dist/worker/index.js', env, WORKER_NODE_FLAGS);
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited at start with ${child.exitCode}`);
      return ready(child);
    },
    `${name} polling`,
    START_TIMEOUT_MS,
  );
  return { name, child, stop: (graceMs = 60_000) => stopChild(child, graceMs) };
}

/** A `ready` check for startWorker: true once `child` polls `taskQueue` (a worker's identity is `<pid>@<host>`). */
export function pollsTaskQueue(temporal: Client, taskQueue: string): (child: ChildProcess) => Promise<boolean> {
  return async (child) => {
    const { pollers } = await temporal.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (pollers ?? []).some((p) => p.identity?.startsWith(`${child.pid}@`));
  };
}

/**
 * Production's secrets as every process of the suite gets them (made once by global-setup.ts):
 * `/metrics` behind METRICS_TOKEN, and payloads encrypted before they reach Temporal with one
 * key the API, the workers and the replay gate share.
 */
export function productionSecretsEnv(): ReturnType<typeof productionSecrets> {
  return {
    METRICS_TOKEN: requiredEnv('TOPOLOGY_METRICS_TOKEN'),
    PAYLOAD_CODEC_KEYS: requiredEnv('TOPOLOGY_PAYLOAD_CODEC_KEYS'),
    PAYLOAD_CODEC_ACTIVE_KEY: 'k1',
  };
}

/** The codec of those payloads, for a scenario that reads a history itself. */
export const topologyPayloadCodec = (): AesGcmPayloadCodec => payloadCodecOf(productionSecretsEnv());

/** The environment of a scenario's processes: its own database, task queue and document bucket. */
export function scenarioEnv(options: {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  mail: Record<string, string>;
  documents: Record<string, string>;
}): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    JWT_SECRET: requiredEnv('TOPOLOGY_JWT_SECRET'),
    ...productionSecretsEnv(),
    ...options.mail,
    ...options.documents,
    API_DRAIN_SECONDS: '2',
    // Registrations and logins of the scenario come from one address.
    RATE_LIMIT_AUTH_PER_MINUTE: '1000',
    RATE_LIMIT_REGISTRATION_PER_HOUR: '100',
  };
}

/** Round-robin over the API processes whose /readyz last answered 200. */
export class LoadBalancer {
  private readonly ready = new Map<string, boolean>();
  private next = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly apis: () => AppProcess[],
    private readonly pollMs = 200,
  ) {}

  start(): void {
    const poll = async () => {
      await Promise.all(
        this.apis().map(async (api) => {
          const ok = await fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(this.pollMs * 5) }).then(
            (r) => r.ok,
            () => false,
          );
          this.ready.set(api.url!, ok);
        }),
      );
      if (!this.stopped) this.timer = setTimeout(() => void poll(), this.pollMs);
    };
    void poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** A ready API's URL; waits while none is ready. */
  async pick(): Promise<string> {
    for (;;) {
      const ready = this.apis().filter((api) => this.ready.get(api.url!));
      if (ready.length) return ready[this.next++ % ready.length].url!;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
