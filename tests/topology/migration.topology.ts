/**
 * The next migration applied while the previous release serves (docs/deploying.md, Migrations that
 * never stop the service): two API processes and two workers of the shipped build on the real
 * Temporal server take a steady load of subscriptions, claims and reads, and meanwhile an expand of
 * the tables that load writes (a column on claims, an index built concurrently, a constraint added
 * NOT VALID then validated on subscriptions, a new table referencing claims) is applied through the
 * migration check, which accepts it. No request fails, no run is lost.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { DataTypes, type Sequelize } from 'sequelize';
import { Claim, initModels, Subscription } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { concurrentIndexes, type MigrationFn } from '../../src/models/migrations/helpers';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { checkMigration } from '../../scripts/migration-check';
import { requiredEnv } from '../support/env';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { waitUntil } from '../support/waiting';
import { adminCommand, type Answer, call, expectStatus } from './api-client';
import { type AppProcess, LoadBalancer, pollsTaskQueue, scenarioEnv, startApi, startWorker } from './processes';
import { openTenant } from './tenant';

const TASK_QUEUE = 'insurflow-migration';
const DATABASE = 'insurflow_migration';
/** 20 requests a second, as the rolling restart's load. */
const INTERVAL_MS = 50;

/** The next release's migration: an expand of the tables the load writes, as docs/deploying.md says to make one. */
const nextMigration: MigrationFn = async (qi) => {
  await qi.addColumn('claims', 'triage_note', { type: DataTypes.TEXT, allowNull: true });
  await concurrentIndexes([['claims_tenant_triage_note', 'claims (tenant_id, triage_note)']]).up(qi);
  await qi.sequelize.query('ALTER TABLE subscriptions ADD COLUMN renewal_hint text');
  await qi.sequelize.query("ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_renewal_hint CHECK (renewal_hint <> '') NOT VALID");
  await qi.sequelize.query('ALTER TABLE subscriptions VALIDATE CONSTRAINT subscriptions_renewal_hint');
  await qi.sequelize.query('CREATE TABLE claim_triage (claim_id uuid PRIMARY KEY REFERENCES claims (id), score integer NOT NULL)');
};

describe('a migration applied while the previous release serves', () => {
  const appDir = requiredEnv('TOPOLOGY_APP_DIR');
  const address = requiredEnv('TOPOLOGY_TEMPORAL_ADDRESS');
  let smtp: SmtpSink;
  let s3: S3Server;
  let sequelize: Sequelize;
  let temporal: Client;
  let env: Record<string, string>;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s3 = await startS3Server();
    // A database of its own on the suite's PostgreSQL, migrated by the shipped operator command as global-setup.ts migrates the others.
    const serverUrl = new URL(requiredEnv('TOPOLOGY_DATABASE_URL'));
    const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${DATABASE}` }).toString();
    const admin = new PgClient({ connectionString: Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const migrated = await adminCommand(
      appDir,
      { DATABASE_URL: databaseUrl, JWT_SECRET: requiredEnv('TOPOLOGY_JWT_SECRET') },
      ['migrate', 'up'],
      '',
    );
    expect(migrated.code).toBe(0);
    sequelize = createSequelize(databaseUrl);
    initModels(sequelize);
    temporal = new Client({ connection: await Connection.connect({ address }) });
    env = {
      ...scenarioEnv({
        databaseUrl,
        temporalAddress: address,
        taskQueue: TASK_QUEUE,
        mail: smtp.env,
        documents: s3.env('insurflow-migration-documents'),
      }),
      WORKFLOW_BUNDLE_PATH: path.join(appDir, 'dist', 'workflow-bundle.js'),
      RETRY_AFTER_SECONDS: '1',
    };
    const polls = pollsTaskQueue(temporal, TASK_QUEUE);
    for (const name of ['worker-1', 'worker-2']) processes.push(await startWorker(appDir, `migration-${name}`, env, polls));
    for (const name of ['api-1', 'api-2']) processes.push(await startApi(appDir, `migration-${name}`, env));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await temporal?.connection.close();
    await sequelize?.close();
    await smtp?.stop();
    await s3?.stop();
  });

  it('applies an expand under load from two APIs and two workers: 0 failed requests, 0 lost runs', async () => {
    const apis = processes.filter((p) => p.url);
    const [api1, api2] = apis.map((a) => a.url!);
    const { holder } = await openTenant({ smtp, appDir, env, apis: [api1, api2], slug: 'quay', staffRoles: [] });
    const planId = (
      expectStatus(await call(api1, 'GET', '/plans?pageSize=5', { token: holder }), 200, 'plans').items as Array<{ id: string }>
    )[0].id;
    const first = expectStatus(
      await call(api1, 'POST', '/subscriptions', { token: holder, key: 'first-policy', body: { planId } }),
      202,
      'subscribe',
    );
    await waitUntil(
      async () => (await call(api1, 'GET', `/subscriptions/${first.id}`, { token: holder })).body.status === 'active',
      'first subscription active',
      60_000,
    );

    const balancer = new LoadBalancer(() => apis);
    balancer.start();
    const today = new Date().toISOString().slice(0, 10);
    const intentAt = (n: number): { method: string; route: string; key?: string; body?: object } => {
      switch (n % 4) {
        case 0:
          return { method: 'POST', route: '/subscriptions', key: `load-subscribe-${n}`, body: { planId } };
        case 1:
          return {
            method: 'POST',
            route: '/claims',
            key: `load-claim-${n}`,
            body: { subscriptionId: first.id, incidentDate: today, amountClaimed: 100 + n, description: `Load claim ${n}` },
          };
        case 2:
          return { method: 'GET', route: `/subscriptions/${first.id}` };
        default:
          return { method: 'GET', route: '/subscriptions?pageSize=20' };
      }
    };
    const answers: Array<Promise<Answer & { what: string }>> = [];
    let stopLoad = false;
    // Fired on a clock, not after each other: a request held by a lock never lowers the rate.
    const loadStarted = Date.now();
    const load = (async () => {
      for (let n = 0; !stopLoad;) {
        for (const due = Math.floor((Date.now() - loadStarted) / INTERVAL_MS); n < due; n++) {
          const intent = intentAt(n);
          answers.push(
            balancer.pick().then(async (api) => ({
              ...(await call(api, intent.method, intent.route, { token: holder, ...intent })),
              what: `${intent.method} ${intent.route}`,
            })),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const migrationStarted = Date.now();
    const refusals = await checkMigration(sequelize, { name: 'next-expand', up: nextMigration });
    const migrationMs = Date.now() - migrationStarted;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    stopLoad = true;
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    await load;
    const done = await Promise.all(answers);
    balancer.stop();

    const failed = done.filter((a) => a.failed || a.status < 200 || a.status >= 300);
    const duringMigration = done.filter((a) => a.at >= migrationStarted && a.at <= migrationStarted + migrationMs);
    const slowest = (list: Answer[]) => Math.max(0, ...list.map((a) => a.ms));
    process.stderr.write(
      `[topology] migration under load: ${JSON.stringify({
        requests: done.length,
        perSecond: Number((done.length / loadSeconds).toFixed(1)),
        migrationMs,
        sentDuringMigration: duringMigration.length,
        slowestDuringMigrationMs: slowest(duringMigration),
        slowestOtherwiseMs: slowest(done.filter((a) => !duringMigration.includes(a))),
        failed: failed.length,
      })}\n`,
    );
    expect(refusals).toEqual([]);
    expect(failed.map((a) => `${a.what}: ${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    expect(duringMigration.length).toBeGreaterThan(0);

    // No run lost: every subscription accepted is activated by its run, every claim filed has its run open.
    const subscribed = done.filter((a) => a.what === 'POST /subscriptions').length;
    const filed = done.filter((a) => a.what === 'POST /claims').map((a) => a.body.id as string);
    await waitUntil(
      async () => (await Subscription.count({ where: { status: 'active' } })) === subscribed + 1,
      'every subscription active',
      120_000,
    );
    expect(await Subscription.count()).toBe(subscribed + 1);
    const claims = await Claim.findAll({ where: { id: filed } });
    expect(claims).toHaveLength(filed.length);
    const runs = await Promise.all(claims.map(async (c) => (await temporal.workflow.getHandle(c.workflowId).describe()).status.name));
    expect(new Set(runs)).toEqual(new Set(['RUNNING']));
  });
});
