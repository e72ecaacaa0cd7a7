/** The real servers a benchmark run measures against, started fresh and stopped at the end. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { initModels } from '../src/models';
import { createSequelize } from '../src/models/database';
import { migrateUp } from '../src/models/migrator';
import { freePort } from '../scripts/local/ports';
import { type LocalPostgres, startEmbeddedPostgres, throwawayDataDir } from '../scripts/local/postgres';
import { SmtpSink, startSmtpSink } from '../tests/support/smtp-sink';
import { DevServer, startTemporalDevServer } from '../scripts/local/temporal-dev-server';
import { resolveTemporalCli } from '../scripts/local/tools';
import { resolveTemporalServer, startComposeTemporal } from '../scripts/local/temporal-server';
import { benchDataConverter } from './production-secrets';

export interface BenchInfra {
  /** The one PostgreSQL: the application's database, and with BENCH_TEMPORAL=compose Temporal's, as compose shares one. */
  postgres: LocalPostgres;
  databaseUrl: string;
  sequelize: Sequelize;
  temporalAddress: string;
  temporal: Client;
  smtp: SmtpSink;
  jwtSecret: string;
  /** PIDs of the Temporal server and the postmaster, to read their CPU time. */
  pids: { temporal: number; postgres: number };
  stop(): Promise<void>;
}

interface BenchTemporal {
  address: string;
  client: Client;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Which Temporal the benchmark measures against: the start command's dev server (the default), or
 * with BENCH_TEMPORAL=compose the server docker-compose.yml runs, on the benchmark's PostgreSQL.
 */
const TEMPORAL_KINDS = ['dev-server', 'compose'] as const;
const TEMPORAL_KIND = temporalKindOf(process.env.BENCH_TEMPORAL);
export const benchTemporalKind = () => TEMPORAL_KIND;

/** A misspelt kind would otherwise measure the dev server under another name. */
function temporalKindOf(chosen: string | undefined): (typeof TEMPORAL_KINDS)[number] {
  if (chosen === undefined) return 'dev-server';
  const kind = TEMPORAL_KINDS.find((known) => known === chosen);
  if (!kind) throw new Error(`BENCH_TEMPORAL must be one of ${TEMPORAL_KINDS.join(', ')}, not "${chosen.slice(0, 40)}"`);
  return kind;
}

async function startBenchTemporal(postgres: LocalPostgres, fairness = true): Promise<BenchTemporal> {
  // Both kinds need it: the dev server is the CLI, and compose's namespace job runs it.
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('the benchmark needs the Temporal CLI (run npm run tools)');
  const server = TEMPORAL_KIND === 'compose' ? await startComposeServer(cli, postgres, fairness) : await startDevServer(cli, fairness);
  const connection = await Connection.connect({ address: server.address });
  return {
    address: server.address,
    client: new Client({ connection, dataConverter: benchDataConverter() }),
    pid: server.pid,
    async stop() {
      await connection.close();
      await server.stop();
    },
  };
}

let composeServers = 0;

/**
 * compose's Temporal (its schema job, the server, its namespace job) in databases of its own,
 * dropped when it stops, as a dev server's file is removed.
 */
async function startComposeServer(cli: string, postgres: LocalPostgres, fairness: boolean): Promise<Omit<BenchTemporal, 'client'>> {
  // compose's dynamic configuration turns fairness on; the baseline without it is the dev server's.
  if (!fairness) throw new Error('BENCH_TEMPORAL=compose measures fair dispatch only: compose turns it on');
  composeServers += 1;
  const databases = { history: `temporal_${composeServers}`, visibility: `temporal_visibility_${composeServers}` };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-bench-temporal-'));
  const server = await startComposeTemporal({
    tools: resolveTemporalServer(),
    cli,
    ownerUrl: postgres.url('postgres'),
    databases,
    workDir,
  });
  return {
    address: server.address,
    pid: server.pid,
    async stop() {
      await server.stop();
      await Promise.all([postgres.dropDatabase(databases.history), postgres.dropDatabase(databases.visibility)]);
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * A Temporal dev server; `fairness: false` is the first-in-first-out baseline.
 * Its state is in a database file, as the start command keeps it (scripts/start.ts), in a
 * directory removed when it stops: held in memory instead, the server's SQLite crashed (SIGSEGV)
 * in a billing-day drain, about 70,000 runs into a `--sizes` run (docs/performance.md, Expiry growth).
 */
async function startDevServer(cliPath: string, fairness: boolean): Promise<Omit<BenchTemporal, 'client'>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-bench-temporal-'));
  const devServer: DevServer = await startTemporalDevServer({
    cliPath,
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    fairness,
  });
  return {
    address: devServer.address,
    pid: devServer.pid,
    async stop() {
      await devServer.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `measure` against a Temporal server of its own, stopped with every run it still holds: a curve's sizes
 * on one server measured the open runs and the growing database file the sizes before had left
 * (the billing day's largest drain at 0.59 × its yardstick, docs/performance.md, Billing day growth).
 */
export async function withOwnTemporal<T>(infra: BenchInfra, measure: (own: BenchInfra) => Promise<T>, fairness = true): Promise<T> {
  const temporal = await startBenchTemporal(infra.postgres, fairness);
  try {
    return await measure({
      ...infra,
      temporalAddress: temporal.address,
      temporal: temporal.client,
      pids: { ...infra.pids, temporal: temporal.pid },
    });
  } finally {
    await temporal.stop();
  }
}

export async function startBenchInfra(): Promise<BenchInfra> {
  const postgres: LocalPostgres = await startEmbeddedPostgres({ dataDir: throwawayDataDir(), port: await freePort(), persistent: false });
  await postgres.createDatabase('bench');
  const databaseUrl = postgres.url('bench');
  // The benchmark's own connection seeds volumes (100,000 claims and policies in a few statements),
  // which on a busy machine outlast the 10 s an API statement gets.
  const sequelize = createSequelize(databaseUrl, { poolMax: 30, statementMs: 120_000 });
  initModels(sequelize);
  await migrateUp(sequelize);
  const temporal = await startBenchTemporal(postgres);
  const smtp = await startSmtpSink();
  return {
    postgres,
    databaseUrl,
    sequelize,
    temporalAddress: temporal.address,
    temporal: temporal.client,
    smtp,
    jwtSecret: crypto.randomBytes(32).toString('hex'),
    pids: { temporal: temporal.pid, postgres: postgres.pid() },
    async stop() {
      await smtp.stop();
      await sequelize.close();
      await temporal.stop();
      await postgres.stop();
    },
  };
}
