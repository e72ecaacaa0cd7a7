/**
 * The real Temporal server (not the CLI's dev server) and its SQL schema tool, as production runs
 * them: built from the Go module proxy into the user-level cache, with the server's PostgreSQL
 * schema files beside them (the admin-tools image keeps them under /etc/temporal/schema).
 * `TEMPORAL_SERVER_HOME` points at an existing copy with the same layout.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports';
import { stopChild, stopOnExit } from './processes';
import { cacheDir } from './tools';

/** The server version of docker-compose.yml's `temporalio/server` and `temporalio/admin-tools` images. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';
const MODULE = 'go.temporal.io/server';

export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  /** Holds postgresql/v12/{temporal,visibility}/versioned, as in the admin-tools image. */
  schemaDir: string;
}

function toolsIn(home: string): TemporalServerTools {
  return {
    server: path.join(home, 'temporal-server'),
    sqlTool: path.join(home, 'temporal-sql-tool'),
    schemaDir: path.join(home, 'schema'),
  };
}

export function resolveTemporalServer(): TemporalServerTools {
  const fromEnv = process.env.TEMPORAL_SERVER_HOME;
  if (fromEnv) return toolsIn(fromEnv);
  const home = path.join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const tools = toolsIn(home);
  if (fs.existsSync(tools.server) && fs.existsSync(tools.sqlTool) && fs.existsSync(tools.schemaDir)) return tools;
  process.stderr.write(
    `[tools] building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool from the Go module proxy (first run only, several minutes)\n`,
  );
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  const download = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], { env, encoding: 'utf8' }),
  ) as { Dir: string };
  // Built as the main module from its own source, so its go.mod (and any replace in it) applies.
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-src-'));
  try {
    fs.cpSync(download.Dir, source, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', source]);
    const staging = `${home}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    const staged = toolsIn(staging);
    const build = (output: string, pkg: string) =>
      execFileSync('go', ['build', '-o', output, pkg], { cwd: source, env, stdio: ['ignore', 'inherit', 'inherit'] });
    build(staged.server, './cmd/server');
    build(staged.sqlTool, './cmd/tools/sql');
    fs.cpSync(path.join(source, 'schema', 'postgresql'), path.join(staged.schemaDir, 'postgresql'), { recursive: true });
    // Complete or absent: a build cut short never looks like a cached copy.
    fs.rmSync(home, { recursive: true, force: true });
    fs.renameSync(staging, home);
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
  return tools;
}

export interface TemporalServer {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

export interface TemporalServerOptions {
  tools: TemporalServerTools;
  /** Where the databases made by docker/temporal-setup-schema.sh are. */
  postgres: { host: string; port: number; user: string; password: string };
  /** Their names, as TEMPORAL_DB and TEMPORAL_VISIBILITY_DB gave them to that script (compose's: temporal, temporal_visibility). */
  databases?: { history: string; visibility: string };
  /** Holds the generated configuration and the server's log. */
  workDir: string;
}

/**
 * Starts the server (all four services in one process, as the `temporalio/server` image does) on
 * free loopback ports with PostgreSQL persistence, and resolves once its frontend accepts
 * connections. The schema must already be there (docker/temporal-setup-schema.sh).
 */
async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const ports = {
    frontend: await freePort(),
    frontendHttp: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
  };
  // Membership ports go into a smallint column; freePort keeps every port below 32768.
  const membership = {
    frontend: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
  };
  const configDir = path.join(options.workDir, 'config');
  fs.mkdirSync(path.join(configDir, 'dynamicconfig'), { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'production.yaml'),
    serverConfig(options, ports, membership, path.join(configDir, 'dynamicconfig', 'production.yaml')),
  );
  // What the API relies on beyond the defaults (update-with-start needs no switch in 1.32): a
  // bounded ID length; then what compose gives its server (fairness between tenants).
  fs.writeFileSync(
    path.join(configDir, 'dynamicconfig', 'production.yaml'),
    'limit.maxIDLength:\n  - value: 255\n' + fs.readFileSync(dockerFile('temporal-dynamicconfig.yaml'), 'utf8'),
  );
  const log = fs.openSync(path.join(options.workDir, 'temporal-server.log'), 'a');
  const child = spawn(
    options.tools.server,
    ['--root', options.workDir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
    { stdio: ['ignore', log, log] },
  );
  // The child has its own copy of the descriptor.
  fs.closeSync(log);
  stopOnExit(child);
  await Promise.race([
    waitForPort(ports.frontend, '127.0.0.1', 120_000),
    new Promise((_, reject) =>
      child.once('exit', (code) => reject(new Error(`temporal server exited with ${code}; see ${options.workDir}/temporal-server.log`))),
    ),
  ]);
  return { address: `127.0.0.1:${ports.frontend}`, pid: child.pid!, stop: () => stopChild(child, 20_000) };
}

/**
 * A file of docker/, found from the source tree (the suites) and from dist/ (the benchmark) alike.
 */
function dockerFile(name: string): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'docker', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`docker/${name} not found above ${__dirname}`);
}

/** Runs a set-up script of docker/ as its compose job does, its output appended to `log`. */
function runSetupScript(script: string, env: Record<string, string>, log: string): void {
  const out = fs.openSync(log, 'a');
  try {
    execFileSync('sh', [dockerFile(script)], {
      env: { PATH: process.env.PATH, HOME: os.homedir(), ...env },
      stdio: ['ignore', out, out],
      timeout: 180_000,
    });
  } finally {
    fs.closeSync(out);
  }
}

export interface ComposeTemporalOptions {
  tools: TemporalServerTools;
  /** The Temporal CLI, which the namespace job runs. */
  cli: string;
  /** A PostgreSQL role allowed to create databases, as a URL. */
  ownerUrl: string;
  databases?: TemporalServerOptions['databases'];
  /** Holds the configuration, the server's log and the set-up jobs' (temporal-setup.log). */
  workDir: string;
}

/**
 * Temporal as docker-compose.yml brings it up, in its order: the schema job
 * (docker/temporal-setup-schema.sh), the server on PostgreSQL, the namespace job with the search
 * attributes (docker/temporal-setup-namespace.sh).
 */
export async function startComposeTemporal(options: ComposeTemporalOptions): Promise<TemporalServer> {
  const owner = new URL(options.ownerUrl);
  const postgres = {
    host: owner.hostname,
    port: Number(owner.port),
    user: decodeURIComponent(owner.username),
    password: decodeURIComponent(owner.password),
  };
  const log = path.join(options.workDir, 'temporal-setup.log');
  runSetupScript(
    'temporal-setup-schema.sh',
    {
      SQL_HOST: postgres.host,
      SQL_PORT: String(postgres.port),
      SQL_USER: postgres.user,
      SQL_PASSWORD: postgres.password,
      TEMPORAL_SQL_TOOL: options.tools.sqlTool,
      TEMPORAL_SCHEMA_DIR: path.join(options.tools.schemaDir, 'postgresql', 'v12'),
      ...(options.databases && { TEMPORAL_DB: options.databases.history, TEMPORAL_VISIBILITY_DB: options.databases.visibility }),
    },
    log,
  );
  const server = await startTemporalServer({ tools: options.tools, postgres, databases: options.databases, workDir: options.workDir });
  try {
    runSetupScript(
      'temporal-setup-namespace.sh',
      { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_CLI: options.cli },
      log,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

function serverConfig(
  options: TemporalServerOptions,
  ports: Record<'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker', number>,
  membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>,
  dynamicConfig: string,
): string {
  const datastore = (database: string, maxConns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${options.postgres.host}:${options.postgres.port}"
        connectProtocol: tcp
        user: ${JSON.stringify(options.postgres.user)}
        password: ${JSON.stringify(options.postgres.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (name: keyof typeof membership, extra = '') => `  ${name}:
    rpc:
      grpcPort: ${ports[name]}
      membershipPort: ${membership[name]}
      bindOnIP: 127.0.0.1${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
${datastore(options.databases?.history ?? 'temporal', 20)}
    visibility:
${datastore(options.databases?.visibility ?? 'temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
${service('frontend', `\n      httpPort: ${ports.frontendHttp}`)}
${service('history')}
${service('matching')}
${service('worker')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${ports.frontend}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(dynamicConfig)}
  pollInterval: 10s
`;
}
