/**
 * Checks the API against its own OpenAPI document with Schemathesis (all checks), on real
 * servers: embedded PostgreSQL (migrated, demo seed), the Temporal dev server in memory, an SMTP
 * sink, stripe-mock as the payment provider, and the worker and API as child processes. Runs once
 * per principal (a policyholder, a claims-agent API key and a tenant admin), all three side by
 * side, with that principal's credential and writes one JUnit report per principal to reports/.
 *
 *   node dist/scripts/api-contract.js <path to the schemathesis executable>
 *
 * Exits non-zero when any check failed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { refusedBeforeInput } from '../src/api/http/mount';
import type { RouteSpec } from '../src/api/http/route';
import { openApiPath } from '../src/api/openapi/document';
import { allRoutes } from '../src/api/routes';
import { loadConfig } from '../src/config';
import { initModels } from '../src/models';
import { createSequelize } from '../src/models/database';
import { migrateUp } from '../src/models/migrator';
import { startSmtpSink } from '../tests/support/smtp-sink';
import { DEMO_PASSWORD, DEMO_TENANT_SLUG, demoEmail, seedDemo, seedDemoTenant } from './local/demo-seed';
import { freePort } from './local/ports';
import { startEmbeddedPostgres, throwawayDataDir } from './local/postgres';
import { startStripeMock } from './local/stripe-mock-server';
import { stopChild, stopOnExit } from './local/processes';
import { startTemporalDevServer } from './local/temporal-dev-server';
import { resolveTemporalCli } from './local/tools';
import type { Role } from '../src/shared/roles';

const ROOT = path.join(__dirname, '..', '..');
const REPORTS_DIR = path.join(ROOT, 'reports');
/** Who the contract is checked as: each name is also its JUnit report's (reports/schemathesis-<name>.xml). */
type Principal = 'policyholder' | 'api-key' | 'tenant_admin';
const PRINCIPALS: Principal[] = ['policyholder', 'api-key', 'tenant_admin'];
/**
 * The tenant admin's own tenant, seeded like the demo one. Its run deactivates users, changes
 * roles, revokes API keys, withdraws plans and changes settings: all of it in this tenant only, so
 * the policyholder's and the API key's users and rows, in the demo tenant, are out of its reach.
 */
const ADMIN_TENANT_SLUG = 'demo-admin';
/** The role of the API key the contract is checked with: a machine of the claims department. */
const API_KEY_ROLE: Role = 'claims_agent';
/** Test cases per operation and phase: enough to reach every constraint, small enough for 2 cores. */
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 10);
/** Fuzzing cases of an operation the principal's role may not call: each only proves the refusal. */
const REFUSED_MAX_EXAMPLES = 3;
/** Whom each principal acts as. */
const ROLE_OF: Record<Principal, Role> = { policyholder: 'policyholder', 'api-key': API_KEY_ROLE, tenant_admin: 'tenant_admin' };
/** A fixed seed, so a failure seen in CI is reproduced by the same command. */
const SEED = process.env.SCHEMATHESIS_SEED ?? '1';

function say(message: string): void {
  process.stdout.write(`[api-contract] ${message}\n`);
}

async function waitForReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

async function accessTokenOf(api: string, role: Role, tenantSlug = DEMO_TENANT_SLUG): Promise<string> {
  const response = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demoEmail(role, tenantSlug), password: DEMO_PASSWORD }),
  });
  if (!response.ok) throw new Error(`login as ${role} answered ${response.status}`);
  const body = (await response.json()) as { tokens: { accessToken: string } };
  return body.tokens.accessToken;
}

/** An API key the demo tenant's admin creates for the run, sent as a bearer token like a JWT. */
async function apiKeyOf(api: string, adminToken: string): Promise<string> {
  const response = await fetch(`${api}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: 'contract check', role: API_KEY_ROLE, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
  });
  if (!response.ok) throw new Error(`creating an API key answered ${response.status}`);
  return ((await response.json()) as { key: string }).key;
}

// Resolved before any run starts. The API key is the demo tenant's, made by its admin, whom no run acts as.
const credentialOf: Record<Principal, (api: string) => Promise<string>> = {
  policyholder: (api) => accessTokenOf(api, 'policyholder'),
  'api-key': async (api) => apiKeyOf(api, await accessTokenOf(api, 'tenant_admin')),
  tenant_admin: (api) => accessTokenOf(api, 'tenant_admin', ADMIN_TENANT_SLUG),
};

/**
 * `METHOD /path` of each operation the API refuses the principal with 403 before reading the
 * input, so generating every boundary value of that input would only prove the refusal again.
 */
function refusedOperations(specs: RouteSpec[], principal: Principal): string[] {
  const caller = { role: ROLE_OF[principal], viaApiKey: principal === 'api-key' };
  return specs.filter((spec) => refusedBeforeInput(spec, caller)).map((spec) => `${spec.method.toUpperCase()} ${openApiPath(spec.path)}`);
}

/**
 * The principal's settings: scripts/schemathesis.toml, the depth, and its refused operations
 * checked by a few fuzzing cases only (no coverage phase). Written beside the reports.
 */
function configFileOf(principal: Principal, refused: string[]): string {
  const file = path.join(REPORTS_DIR, `schemathesis-${principal}.toml`);
  const base = fs.readFileSync(path.join(ROOT, 'scripts', 'schemathesis.toml'), 'utf8');
  const refusedOnly = [
    '[[operations]]',
    // A JSON array of plain strings is a TOML array.
    `include-name = ${JSON.stringify(refused)}`,
    'phases.coverage.enabled = false',
    `phases.fuzzing.generation.max-examples = ${REFUSED_MAX_EXAMPLES}`,
  ];
  // An [[operations]] entry without names would apply to every operation.
  const lines = [`generation.max-examples = ${MAX_EXAMPLES}`, base, ...(refused.length > 0 ? refusedOnly : []), ''];
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

function runSchemathesis(executable: string, api: string, principal: Principal, credential: string, configFile: string): Promise<number> {
  const args = [
    '--config-file',
    configFile,
    'run',
    `${api}/api/openapi.json`,
    '--url',
    api,
    // Every check runs (Schemathesis's default), and the depth is the config file's: either,
    // given here, would override its per-operation settings.
    '--seed',
    SEED,
    // One worker: Python 3.11's parser is not thread-safe, and Hypothesis parses lambdas' source
    // while it draws ("AST constructor recursion depth mismatch" with two workers).
    '--workers',
    '1',
    // Limits of the data generator, not findings about the API: a long URL or password that
    // Hypothesis finds slow to build must not fail the run.
    '--suppress-health-check',
    'data_too_large,filter_too_much,too_slow',
    '--header',
    `Authorization: Bearer ${credential}`,
    '--report',
    'junit',
    '--report-junit-path',
    path.join(REPORTS_DIR, `schemathesis-${principal}.xml`),
  ];
  const child = spawn(executable, args, { stdio: 'inherit' });
  stopOnExit(child);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<number> {
  const [executable] = process.argv.slice(2);
  if (!executable) throw new Error('usage: api-contract.js <schemathesis executable>');
  const cliPath = resolveTemporalCli();
  if (!cliPath) throw new Error('the contract check needs the Temporal CLI (run bash scripts/setup.sh)');
  const stops: Array<() => Promise<void>> = [];
  try {
    const postgres = await startEmbeddedPostgres({ dataDir: throwawayDataDir(), port: await freePort(), persistent: false });
    stops.unshift(() => postgres.stop());
    await postgres.createDatabase('contract');
    const databaseUrl = postgres.url('contract');
    const sequelize = createSequelize(databaseUrl);
    initModels(sequelize);
    await migrateUp(sequelize);
    await seedDemo();
    await seedDemoTenant(ADMIN_TENANT_SLUG, 'Demo Admin Insurance Co.');
    await sequelize.close();
    const temporal = await startTemporalDevServer({ cliPath, port: await freePort(), uiPort: await freePort() });
    stops.unshift(() => temporal.stop());
    const smtp = await startSmtpSink();
    stops.unshift(() => smtp.stop());
    // A payment intent asked for by a generated request is answered by the real provider's mock,
    // as in the start command: a dead provider would only prove the 503.
    const stripeMock = await startStripeMock();
    stops.unshift(() => stripeMock.stop());

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      ...smtp.env,
      API_PORT: String(port),
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      // The webhook route checks signatures with a secret no generated event knows: each is refused, 400.
      STRIPE_SECRET_KEY: 'sk_test_contract',
      STRIPE_WEBHOOK_SECRET: `whsec_${crypto.randomBytes(24).toString('hex')}`,
      STRIPE_API_BASE: stripeMock.apiBase,
      JWT_ACCESS_TTL_SECONDS: '3600',
      // Generated requests come from one address far faster than a person: the limits would
      // answer 429 to most of them and hide what the schemas say.
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_REGISTRATION_PER_HOUR: '100000',
      RATE_LIMIT_CATALOG_PER_MINUTE: '100000',
      RATE_LIMIT_QUOTES_PER_MINUTE: '100000',
      RATE_LIMIT_GRAPHQL_ANONYMOUS_PER_MINUTE: '100000',
      RATE_LIMIT_GRAPHQL_PER_USER_PER_MINUTE: '100000',
      RATE_LIMIT_API_KEY_PER_MINUTE: '100000',
      RATE_LIMIT_API_KEY_FAILURES_PER_SOURCE: '100000',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_SOURCE: '100000',
      RATE_LIMIT_LOGIN_FAILURES_PER_SOURCE: '100000',
      PASSWORD_HASH_MEMORY_KIB: '1024',
      PASSWORD_HASH_TIME_COST: '1',
      DOCUMENTS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-contract-documents-')),
      WORKFLOW_BUNDLE_PATH: path.join(ROOT, 'dist', 'workflow-bundle.js'),
      LOG_LEVEL: 'warn',
    };
    for (const script of [path.join(ROOT, 'dist', 'worker', 'index.js'), path.join(ROOT, 'dist', 'src', 'api', 'server.js')]) {
      const child: ChildProcess = spawn(process.execPath, [script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      stopOnExit(child);
      stops.unshift(() => stopChild(child));
    }
    const api = `http://127.0.0.1:${port}`;
    await waitForReady(`${api}/readyz`);
    fs.mkdirSync(REPORTS_DIR, { recursive: true });
    const credentials = await Promise.all(PRINCIPALS.map((principal) => credentialOf[principal](api)));
    const specs = allRoutes(loadConfig(env));
    // The three runs share the machine: none can reach another's credential. The policyholder
    // changes only their own account; the claims department's key may call no account, user or key
    // route (403); the tenant admin acts in a tenant of their own, and every row the API answers is
    // scoped by the caller's tenant (another tenant's is 404).
    const codes = await Promise.all(
      PRINCIPALS.map((principal, i) => {
        const refused = refusedOperations(specs, principal);
        say(`checking every operation as ${principal} (${refused.length} refused with 403: fuzzing only)`);
        return runSchemathesis(executable, api, principal, credentials[i], configFileOf(principal, refused));
      }),
    );
    return codes.every((code) => code === 0) ? 0 : 1;
  } finally {
    for (const stop of stops) await stop().catch((err) => say(`stop failed: ${err}`));
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);
