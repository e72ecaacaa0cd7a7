/**
 * The servers of the production topology, as docker-compose.yml runs them, without Docker:
 * PostgreSQL; Temporal's schema made by the compose job's own script with Temporal's SQL tool;
 * the real Temporal server (not the dev server) on that PostgreSQL; the namespace and search
 * attributes made by the compose job's script; the application's migrations run by the shipped
 * operator command, in one database per scenario file. The suite reads where everything is from the environment.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/local/ports';
import { startEmbeddedPostgres, throwawayDataDir } from '../../scripts/local/postgres';
import { resolveTemporalServer, startComposeTemporal } from '../../scripts/local/temporal-server';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { productionSecrets } from '../support/config';
import { productionBuild } from './production-build';

export default async function topologyGlobalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-topology-'));
  const app = productionBuild(workDir);
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('the topology suite needs the Temporal CLI (run bash scripts/setup.sh)');
  const tools = resolveTemporalServer();

  const postgres = await startEmbeddedPostgres({ dataDir: throwawayDataDir(), port: await freePort(), persistent: false });
  const temporal = await startComposeTemporal({ tools, cli, ownerUrl: postgres.url('postgres'), workDir });

  const jwtSecret = crypto.randomBytes(48).toString('base64');
  // What production requires of the API and the workers besides it, one set for every process.
  const secrets = productionSecrets();
  // One database per scenario file: each one counts the rows it made.
  const databases: Record<string, string> = {};
  for (const name of ['insurflow', 'insurflow_deploy', 'insurflow_versioning']) {
    await postgres.createDatabase(name);
    databases[name] = postgres.url(name);
    execFileSync(process.execPath, [path.join(app, 'dist', 'scripts', 'admin.js'), 'migrate', 'up'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: databases[name], JWT_SECRET: jwtSecret },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  Object.assign(process.env, {
    TOPOLOGY_APP_DIR: app,
    TOPOLOGY_WORK_DIR: workDir,
    TOPOLOGY_DATABASE_URL: databases.insurflow,
    TOPOLOGY_DEPLOY_DATABASE_URL: databases.insurflow_deploy,
    TOPOLOGY_VERSIONING_DATABASE_URL: databases.insurflow_versioning,
    TOPOLOGY_TEMPORAL_ADDRESS: temporal.address,
    TOPOLOGY_TEMPORAL_CLI: cli,
    TOPOLOGY_JWT_SECRET: jwtSecret,
    TOPOLOGY_METRICS_TOKEN: secrets.METRICS_TOKEN,
    TOPOLOGY_PAYLOAD_CODEC_KEYS: secrets.PAYLOAD_CODEC_KEYS,
  });
  Object.assign(globalThis, { __topology: { postgres, temporal } });
  process.stderr.write(`[topology] servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s (work directory ${workDir})\n`);
}
