/**
 * The production entry points as child processes, as they run in production: the worker (so its
 * memory can be read and it can be killed) and the API (so it has its own event loop, not the
 * one of the benchmark that loads it). Both run with the settings docker-compose gives them
 * (RUN_AS_DEPLOYED): the default log level, so the API writes its request log, to a pipe the
 * benchmark reads as compose's log driver does; tracing off unless the caller's environment
 * asks for it; the worker's Schedules in place. The lists, starts and ledger sections measure the stack
 * people start instead: their API and worker are started by the start command's own code (startStackProcesses).
 */
import { ChildProcess, spawn } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../scripts/local/ports';
import { stopChild } from '../scripts/local/processes';
import type { BenchInfra } from './infra';
import { waitUntil } from '../tests/support/waiting';
import { PRODUCTION_SECRETS } from './production-secrets';
import { API_NODE_FLAGS } from '../src/api/runtime/node-flags';
import { WORKER_NODE_FLAGS } from '../worker/heap-budget';
import { STACK_PROCESSES, buildStackEnvironment, spawnStackProcess } from '../scripts/start';

export interface WorkerProcess {
  child: ChildProcess;
  rssBytes(): number;
  stop(): Promise<void>;
}

/** The compiled output: this file runs from dist/bench (benchmarks) or from source under ts-jest (chaos suite). */
const DIST = path.basename(path.join(__dirname, '..')) === 'dist' ? path.join(__dirname, '..') : path.join(__dirname, '..', 'dist');
const WORKER_ENTRY = path.join(DIST, 'worker', 'index.js');
const API_ENTRY = path.join(DIST, 'src', 'api', 'server.js');
const BUNDLE = path.join(DIST, 'workflow-bundle.js');
const BARE_LIST_ENTRY = path.join(DIST, 'bench', 'bare-list-server.js');
const BARE_START_ENTRY = path.join(DIST, 'bench', 'bare-start-server.js');

/** How long a worker or API process may take to start on a loaded machine. */
const START_TIMEOUT_MS = 60_000;

/** Resolves once a worker polls the task queue, so work started afterwards is picked up at once. */
async function waitForPoller(client: Client, taskQueue: string, child: ChildProcess): Promise<void> {
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`worker exited at start with ${child.exitCode}`);
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      return Boolean(pollers?.length);
    },
    `a worker polling ${taskQueue}`,
    START_TIMEOUT_MS,
  );
}

/** What every API and worker process of the benchmark runs with, printed at its start. */
export const RUN_AS_DEPLOYED = {
  NODE_ENV: 'production',
  LOG_LEVEL: '(unset: info, one line per request)',
  stdout: "a pipe the benchmark reads and counts, as compose's log driver does",
  tracing: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? `OTLP/HTTP to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}` : 'off',
  workerSchedules: 'created at start, as docker-compose runs it',
  payloads: 'encrypted (PAYLOAD_CODEC_KEYS), as production requires',
  stackPeopleStart:
    'except in the sections that measure it (lists, starts, ledger): the API and worker as the start command starts them (startStackProcesses)',
};

/** Bytes the processes wrote to standard output: the log's volume during the run. */
let logBytes = 0;
export const logBytesWritten = () => logBytes;

/** Counts what `child` writes to its standard output, and kills it if the benchmark dies half-way. */
function followed(child: ChildProcess): ChildProcess {
  child.stdout!.on('data', (chunk: Buffer) => (logBytes += chunk.length));
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  return child;
}

/** What a process of the benchmark runs with: production's settings and secrets, then the section's own. */
function deployedEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  delete inherited.LOG_LEVEL;
  return { ...inherited, NODE_ENV: 'production', WORKFLOW_BUNDLE_PATH: BUNDLE, ...PRODUCTION_SECRETS, ...env };
}

function spawnNode(entry: string, env: Record<string, string>, nodeOptions: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeOptions, entry], { env: deployedEnv(env), stdio: ['ignore', 'pipe', 'inherit'] });
  return followed(child);
}

export async function startWorkerProcess(
  client: Client,
  env: Record<string, string> & { TEMPORAL_TASK_QUEUE: string },
  nodeFlags: string[] = WORKER_NODE_FLAGS,
): Promise<WorkerProcess> {
  const child = spawnNode(WORKER_ENTRY, env, nodeFlags);
  await waitForPoller(client, env.TEMPORAL_TASK_QUEUE, child);
  return {
    child,
    rssBytes() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    stop: () => stopChild(child, 30_000),
  };
}

/** The environment of an API process on the benchmark's servers, on a free port. */
export async function apiEnv(infra: BenchInfra) {
  return {
    API_PORT: String(await freePort()),
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    JWT_SECRET: infra.jwtSecret,
    ...infra.smtp.env,
  };
}

/** The same, for an API that starts runs on a section's own task queue. */
export async function apiEnvFor(infra: BenchInfra, taskQueue: string) {
  return { ...(await apiEnv(infra)), TEMPORAL_TASK_QUEUE: taskQueue };
}

export interface ApiProcess {
  url: string;
  /** The METRICS_TOKEN the process started with, which its /metrics then asks for; unset: /metrics is open. */
  metricsToken?: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitForHttp(child: ChildProcess, url: string, what: string): Promise<void> {
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`${what} exited at start with ${child.exitCode}`);
      return fetch(url).then(
        (r) => r.ok,
        () => false,
      );
    },
    `${what} ready at ${url}`,
    START_TIMEOUT_MS,
  );
}

/**
 * With BENCH_CPU_PROFILE_DIR set, the API writes a V8 CPU profile there when it stops (open it
 * in Chrome DevTools or read its self times): how the list figures were explained.
 */
export async function startApiProcess(env: Record<string, string> & { API_PORT: string }): Promise<ApiProcess> {
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const child = spawnNode(API_ENTRY, env, [...API_NODE_FLAGS, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])]);
  const url = `http://127.0.0.1:${env.API_PORT}`;
  await waitForHttp(child, `${url}/readyz`, 'API');
  return { url, metricsToken: deployedEnv(env).METRICS_TOKEN, child, stop: () => stopChild(child, 30_000) };
}

/** The API and worker as the start command runs them. */
export interface StackProcesses {
  api: ApiProcess;
  /** The worker, to read its CPU time. */
  worker: ChildProcess;
  /** Stops both and what the start command started for them. */
  stop(): Promise<void>;
}

/**
 * The worker and the API started by the start command's own code (scripts/start.ts), so that the
 * figures are those of the stack people start: `buildStackEnvironment` (NODE_ENV=development, its
 * defaults, stripe-mock) on the benchmark's PostgreSQL, Temporal server and SMTP sink, and
 * `spawnStackProcess` with the start command's Node flags. The start command's processes write to
 * its terminal; here they write to a pipe the benchmark reads and counts, as a terminal that keeps
 * up would. `env` adds the section's settings (API_PORT, JWT_SECRET, a task queue, lifted limits).
 */
export async function startStackProcesses(infra: BenchInfra, env: Record<string, string> & { API_PORT: string }): Promise<StackProcesses> {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    ...infra.smtp.env,
    ...env,
  };
  // The caller's own settings would not be the start command's: a newcomer's shell sets neither.
  delete base.NODE_ENV;
  delete base.LOG_LEVEL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-bench-stack-'));
  // What the start command started for them (stripe-mock), then the processes: stopped in reverse, also when the start fails.
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops) await stopOne();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const stack = await buildStackEnvironment(base, dataDir, stops);
    const [workerProcess, apiProcess] = STACK_PROCESSES;
    const worker = followed(spawnStackProcess(workerProcess, stack.env, { stdout: 'pipe' }));
    stops.unshift(() => stopChild(worker, 30_000));
    const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
    const apiChild = followed(
      spawnStackProcess(apiProcess, stack.env, {
        stdout: 'pipe',
        extraNodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      }),
    );
    stops.unshift(() => stopChild(apiChild, 30_000));
    await waitForPoller(infra.temporal, stack.env.TEMPORAL_TASK_QUEUE ?? 'insurflow', worker);
    const url = `http://127.0.0.1:${stack.env.API_PORT}`;
    await waitForHttp(apiChild, `${url}/readyz`, 'API');
    const api = { url, metricsToken: stack.env.METRICS_TOKEN, child: apiChild, stop: () => stopChild(apiChild, 30_000) };
    return { api, worker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * bench/bare-list-server.ts on a free port, reading the lists of `tenantId` (and a STATEMENTS_FILE's, if given).
 * With BENCH_CPU_PROFILE_DIR set, it writes its V8 CPU profile in that directory's `bare/`, so
 * that the API's profile is read beside its yardstick's.
 */
export async function startBareListServer(databaseUrl: string, tenantId: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  const port = String(await freePort());
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const child = spawnNode(
    BARE_LIST_ENTRY,
    { ...env, DATABASE_URL: databaseUrl, PORT: port, TENANT_ID: tenantId },
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, 'bare')}`] : [],
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${url}/plans?coverageLevel=basic&maxPremium=1`, 'bare list server');
  return { url, child, stop: () => stopChild(child, 30_000) };
}

/** bench/bare-start-server.ts on a free port, starting runs on `taskQueue`. */
export async function startBareStartServer(infra: BenchInfra, taskQueue: string): Promise<ApiProcess> {
  const port = String(await freePort());
  const child = spawnNode(BARE_START_ENTRY, {
    DATABASE_URL: infra.databaseUrl,
    PORT: port,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, url, 'bare start server');
  return { url, child, stop: () => stopChild(child, 30_000) };
}
