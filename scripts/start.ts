/**
 * Starts the whole local stack on embedded defaults: PostgreSQL, the Temporal dev server with
 * its UI, a mail sink with a web mailbox, stripe-mock as the payment provider, migrations and the
 * demo seed, then the worker and the API as child processes. Any of DATABASE_URL,
 * TEMPORAL_ADDRESS, SMTP_HOST or STRIPE_SECRET_KEY set in the environment replaces the embedded piece. The worker and the API are restarted when they crash;
 * Ctrl-C stops everything it started. The environment the worker and the API run with, the
 * migrations with the demo seed and the two processes are exported: the newcomer-path test
 * (tests/deployment/newcomer-path.test.ts) runs the stack with this code rather than a copy of it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { API_NODE_FLAGS } from '../src/api/runtime/node-flags';
import { WORKER_NODE_FLAGS } from '../worker/heap-budget';
import { initModels } from '../src/models';
import { createSequelize } from '../src/models/database';
import { migrateUp } from '../src/models/migrator';
import { secretSealer } from '../src/services/sealed-secret';
import { DEMO_PASSWORD, DEMO_TENANT_SLUG, PLATFORM_ADMIN_EMAIL, demoEmail, seedDemo } from './local/demo-seed';
import { freePort, isPortFree, waitForPort } from './local/ports';
import { startEmbeddedPostgres } from './local/postgres';
import { STRIPE_MOCK_SECRET_KEY, startStripeMock } from './local/stripe-mock-server';
import { stopChild, stopOnExit } from './local/processes';
import { startTemporalDevServer } from './local/temporal-dev-server';
import { checkoutRoot, resolveTemporalCli } from './local/tools';

const ROOT = checkoutRoot();
const DATA_DIR = path.join(ROOT, '.data');
const stops: Array<() => Promise<void>> = [];

function say(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

/** The preferred port when it is free, otherwise any free one. */
async function portNear(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : freePort();
}

function persistentSecret(file: string, prefix = ''): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = `${prefix}${crypto.randomBytes(32).toString('base64url')}`;
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A process that ran this long before crashing is restarted after the first delay again. */
const STABLE_AFTER_MS = 60_000;

/**
 * Runs a node process and restarts it when it exits unexpectedly (a crash, a non-zero exit, a
 * kill), waiting 1 s, then 2, 4 … up to 30 s between attempts. Exit code 0 is a deliberate stop
 * (both processes exit 0 after SIGINT/SIGTERM, which is also what Ctrl-C sends them).
 */
function supervise(name: string, script: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): void {
  let child: ChildProcess;
  let restartTimer: NodeJS.Timeout | undefined;
  let delayMs = FIRST_RESTART_DELAY_MS;
  const launch = () => {
    const startedAt = Date.now();
    child = spawnStackProcess({ script, nodeFlags }, env);
    child.once('exit', (code, signal) => {
      if (shuttingDown) return;
      if (code === 0) {
        say(`${name} stopped (exit 0); not restarting it`);
        return;
      }
      if (Date.now() - startedAt > STABLE_AFTER_MS) delayMs = FIRST_RESTART_DELAY_MS;
      say(`${name} exited unexpectedly (${signal ?? `exit code ${code}`}); restarting it in ${delayMs / 1000} s`);
      restartTimer = setTimeout(launch, delayMs);
      delayMs = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
    });
  };
  launch();
  stops.unshift(async () => {
    clearTimeout(restartTimer);
    await stopChild(child);
  });
}

async function waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

let shuttingDown = false;
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  say('stopping…');
  for (const stop of stops) {
    await stop().catch((err) => say(`stop failed: ${err}`));
  }
  process.exit(code);
}

/** The environment the worker and the API run with, and where the pieces behind it are, for the summary. */
export interface StackEnvironment {
  env: NodeJS.ProcessEnv;
  temporalUi: string;
  /** MailDev's web mailbox (and its REST API, `GET /email`), or what replaces it. */
  mailbox: string;
  payments: string;
  /** The backup agent's environment, when BACKUP_DIR asks for backups of the embedded PostgreSQL. */
  backup?: NodeJS.ProcessEnv;
}

/**
 * Starts every embedded piece that `base` does not point elsewhere (PostgreSQL, the Temporal dev
 * server, MailDev, stripe-mock), keeping its state and the persistent secrets in `dataDir`, and
 * answers the environment the worker and the API run with. How to stop each piece is put first in `stops`.
 */
export async function buildStackEnvironment(
  base: NodeJS.ProcessEnv,
  dataDir: string,
  stops: Array<() => Promise<void>>,
): Promise<StackEnvironment> {
  const env: NodeJS.ProcessEnv = { ...base, NODE_ENV: base.NODE_ENV ?? 'development' };
  let backup: NodeJS.ProcessEnv | undefined;

  if (!env.DATABASE_URL) {
    const port = await portNear(Number(env.LOCAL_PG_PORT ?? 5433));
    say(`starting embedded PostgreSQL on 127.0.0.1:${port}`);
    // With BACKUP_DIR, the WAL is archived and the backup agent keeps backups there (docs/production.md, Backups).
    const archive = env.BACKUP_DIR ? { spoolDir: 'wal_spool', timeoutSeconds: 60 } : undefined;
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, persistent: true, archive });
    say(`PostgreSQL data in ${path.relative(process.cwd(), pg.dataDir) || pg.dataDir}`);
    stops.unshift(() => pg.stop());
    await pg.createDatabase('insurflow');
    env.DATABASE_URL = pg.url('insurflow');
    if (pg.spoolDir) {
      backup = {
        PATH: env.PATH,
        BACKUP_DIR: path.resolve(env.BACKUP_DIR!),
        BACKUP_ENCRYPTION_KEY: env.BACKUP_ENCRYPTION_KEY ?? persistentSecret(path.join(dataDir, 'backup-key')),
        BACKUP_DATABASE_URL: pg.url('postgres'),
        BACKUP_PGDATA: pg.dataDir,
        BACKUP_WAL_SPOOL: pg.spoolDir,
        BACKUP_METRICS_HOST: '127.0.0.1',
        BACKUP_METRICS_PORT: String(await portNear(9188)),
      };
      say(`backing up to ${backup.BACKUP_DIR} (key in .data/backup-key unless BACKUP_ENCRYPTION_KEY is set)`);
    }
  }

  let temporalUi = env.TEMPORAL_UI_URL ?? '(external Temporal: its own UI)';
  if (!env.TEMPORAL_ADDRESS) {
    const cliPath = resolveTemporalCli();
    if (!cliPath) throw new Error('no Temporal CLI: set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS, or install Go');
    const port = await portNear(7233);
    const uiPort = await portNear(8233);
    say(`starting Temporal dev server on 127.0.0.1:${port} (history in .data/temporal.sqlite)`);
    const temporal = await startTemporalDevServer({ cliPath, port, uiPort, dbFile: path.join(dataDir, 'temporal.sqlite') });
    stops.unshift(() => temporal.stop());
    env.TEMPORAL_ADDRESS = temporal.address;
    temporalUi = temporal.uiUrl;
    env.TEMPORAL_UI_URL ??= temporalUi;
  }

  let mailbox = '(external SMTP server)';
  if (!env.SMTP_HOST) {
    const smtpPort = await portNear(1025);
    const webPort = await portNear(1080);
    say(`starting MailDev mail sink: SMTP 127.0.0.1:${smtpPort}, mailbox http://127.0.0.1:${webPort}`);
    const maildev = spawn(
      process.execPath,
      [
        require.resolve('maildev/bin/maildev'),
        '--ip',
        '127.0.0.1',
        '--web-ip',
        '127.0.0.1',
        '--smtp',
        String(smtpPort),
        '--web',
        String(webPort),
        '--mail-directory',
        path.join(dataDir, 'mail'),
      ],
      { stdio: 'ignore' },
    );
    stopOnExit(maildev);
    stops.unshift(() => stopChild(maildev));
    await waitForPort(smtpPort);
    env.SMTP_HOST = '127.0.0.1';
    env.SMTP_PORT = String(smtpPort);
    // MailDev speaks plain SMTP on loopback; any other relay gets mail only over TLS.
    env.SMTP_INSECURE_LOCAL_RELAY = 'true';
    mailbox = `http://127.0.0.1:${webPort}`;
  }

  let payments = '(external Stripe: STRIPE_SECRET_KEY set)';
  if (!env.STRIPE_SECRET_KEY) {
    const stripeMock = await startStripeMock();
    stops.unshift(() => stripeMock.stop());
    say(`started stripe-mock on ${stripeMock.apiBase}`);
    // The key the tests pass too (stripe-mock refuses keys not shaped like a test key); the webhook
    // secret is what `npm run simulate-payment` signs with.
    env.STRIPE_SECRET_KEY = STRIPE_MOCK_SECRET_KEY;
    env.STRIPE_API_BASE = stripeMock.apiBase;
    env.STRIPE_WEBHOOK_SECRET ??= persistentSecret(path.join(dataDir, 'stripe-webhook-secret'), 'whsec_');
    payments = `stripe-mock ${stripeMock.apiBase} (webhook secret in .data/stripe-webhook-secret; npm run simulate-payment -- <invoiceId> …)`;
  }

  env.JWT_SECRET ??= persistentSecret(path.join(dataDir, 'jwt-secret'));
  env.API_PORT ??= String(await portNear(3000));
  env.WORKER_METRICS_PORT ??= String(await portNear(9464));
  env.DOCUMENTS_DIR ??= path.join(dataDir, 'documents');
  env.WORKFLOW_BUNDLE_PATH ??= path.join(ROOT, 'dist', 'workflow-bundle.js');
  // No load balancer to drain for on one machine: Ctrl-C stops the API at once.
  env.API_DRAIN_SECONDS ??= '0';
  // GraphiQL reads the schema before a token is typed into its Headers editor.
  env.GRAPHQL_ANONYMOUS_INTROSPECTION ??= 'true';
  // A newcomer's webhook receiver runs on this machine, on loopback; production refuses the setting (src/config).
  env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ??= 'true';
  return { env, temporalUi, mailbox, payments, backup };
}

/**
 * Brings the database to the latest migration and seeds the demo tenant when it is missing. With
 * the stack's JWT_SECRET, migrations that seal secrets can (0074, on a database kept from before).
 */
export async function migrateAndSeed(databaseUrl: string, jwtSecret?: string): Promise<{ created: boolean }> {
  const sequelize = createSequelize(databaseUrl);
  initModels(sequelize);
  await migrateUp(sequelize, { sealer: jwtSecret ? secretSealer({ secret: jwtSecret }) : undefined });
  const seeded = await seedDemo();
  await sequelize.close();
  return seeded;
}

/** The worker and the API as the start command runs them: the built scripts with their Node flags. */
export const STACK_PROCESSES = [
  { name: 'worker', script: path.join(ROOT, 'dist', 'worker', 'index.js'), nodeFlags: WORKER_NODE_FLAGS },
  { name: 'api', script: path.join(ROOT, 'dist', 'src', 'api', 'server.js'), nodeFlags: API_NODE_FLAGS },
];

/**
 * Starts one of the stack's processes as the start command does, stopped when this process exits.
 * Its output goes where the start command's goes unless `stdout` says otherwise (the benchmark
 * reads it from a pipe, as a terminal would, rather than print it: bench/processes.ts).
 */
export function spawnStackProcess(
  { script, nodeFlags }: { script: string; nodeFlags: string[] },
  env: NodeJS.ProcessEnv,
  options: { stdout?: 'inherit' | 'pipe'; extraNodeFlags?: string[] } = {},
): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, ...(options.extraNodeFlags ?? []), script], {
    env,
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit'],
  });
  stopOnExit(child);
  return child;
}

async function main(): Promise<void> {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  const { env, temporalUi, mailbox, payments, backup } = await buildStackEnvironment(process.env, DATA_DIR, stops);

  say('applying migrations and the demo seed');
  const seeded = await migrateAndSeed(env.DATABASE_URL!, env.JWT_SECRET);

  for (const { name, script, nodeFlags } of STACK_PROCESSES) supervise(name, script, env, nodeFlags);
  if (backup) supervise('backup agent', path.join(ROOT, 'dist', 'scripts', 'backups', 'agent.js'), backup);
  const api = `http://127.0.0.1:${env.API_PORT}`;
  await waitForHttp(`${api}/readyz`);

  process.stdout.write(`
Insurflow is running${seeded.created ? ' (demo data created)' : ''}.

  API            ${api}/api/v1
  Swagger UI     ${api}/api/docs
  OpenAPI        ${api}/api/openapi.json
  AsyncAPI       ${api}/api/asyncapi.json (webhook events)
  Health         ${api}/readyz   metrics: ${api}/metrics
  Worker metrics http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics   (Temporal SDK, Node process, notifications, escalations)
  Tracing        ${env.OTEL_EXPORTER_OTLP_ENDPOINT ? `OTLP/HTTP to ${env.OTEL_EXPORTER_OTLP_ENDPOINT}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export traces)'}
  Temporal UI    ${temporalUi}   (search: TenantId="<tenant id>")
  Mailbox        ${mailbox}
  Payments       ${payments}
  PostgreSQL     ${env.DATABASE_URL!.replace(/:[^:@/]+@/, ':***@')}

  Demo users (password ${DEMO_PASSWORD}): ${demoEmail('tenant_admin')}, ${demoEmail('policyholder')}, … one per role,
  tenant slug "${DEMO_TENANT_SLUG}"; platform admin ${PLATFORM_ADMIN_EMAIL}.

Press Ctrl-C to stop everything.
`);
}

if (require.main === module) {
  main().catch(async (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    await shutdown(1);
  });
}
