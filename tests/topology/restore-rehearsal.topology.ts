/**
 * The restore rehearsal (docs/production.md, Backups and point-in-time restore): the shipped build
 * serves a steady load of subscriptions and claims on a PostgreSQL cluster whose WAL the shipped
 * backup agent archives, encrypted, to MinIO, with a base backup taken under that load. As in
 * compose, Temporal keeps its two databases in that same cluster: this file runs a Temporal server
 * of its own on it (not the suite's shared one). The cluster is then lost (killed, its disk gone).
 * It is restored twice from the store alone: to the latest state, which measures the recovery point
 * (seconds of acknowledged writes lost), and to an instant chosen before the loss, on which
 * Temporal, the API and a worker start again: the recovery time is from the restore's start to
 * /readyz. The application's and Temporal's databases come back at the same instant: every write
 * acknowledged before it is there (a subscription's run writes its row again if its first activity
 * had not), none sent after it, in either database; the reconciler finds every open row with its
 * run and no open run without its row, so it repairs nothing; e-mails sent before the instant are not sent again,
 * nor webhook events delivered before it to the tenant's endpoint, a receiver over TLS on 127.0.0.1 that the
 * processes may reach as an operator's internal receiver (WEBHOOK_ALLOWED_INTERNAL_HOSTS), unless the restored
 * database does not hold that delivery as done (its record committed after the instant: at least once).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { freePort } from '../../scripts/local/ports';
import { throwawayDataDir } from '../../scripts/local/postgres';
import { startPostgresProcess, type PostgresProcess } from '../../scripts/local/postgres-process';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { stopChild } from '../../scripts/local/processes';
import { resolveTemporalServer, startComposeTemporal, type TemporalServer } from '../../scripts/local/temporal-server';
import { layOutRestore, listBackups, planRestore, type RestorePlan } from '../../scripts/backups/repository';
import { parseEncryptionKey, s3Store, type BackupStore } from '../../scripts/backups/store';
import { OPEN_STAGES } from '../../src/contracts/claim';
import { RECONCILER_WORKFLOW_TYPE, type ReconcilerWorkflow } from '../../src/contracts/reconciler';
import { requiredEnv } from '../support/env';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { startReceiver, type Received } from '../webhooks/receiver';
import { eventually, waitUntil } from '../support/waiting';
import { adminCommand, type Answer, call, expectStatus } from './api-client';
import { type AppProcess, pollsTaskQueue, scenarioEnv, startApi, startWorker, topologyPayloadCodec } from './processes';
import { openTenant } from './tenant';

const TASK_QUEUE = 'insurflow-restore';
/** A write every 250 ms, alternately a subscription and a claim. */
const INTERVAL_MS = 250;
/** archive_timeout: a segment with writes in it is archived at least this often (production: 60 s). */
const ARCHIVE_TIMEOUT_SECONDS = 5;
const BUCKET = 'insurflow-backups';

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A directory under the system's temporary directory that the server's user can reach. */
function reachableDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `insurflow-${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * A key and a self-signed certificate for 127.0.0.1 in `dir`: the production build sends webhooks to
 * https only, and trusts this certificate through NODE_EXTRA_CA_CERTS as an internal CA's.
 */
function selfSignedCertificate(dir: string): { key: string; cert: string; certPath: string } {
  const keyPath = path.join(dir, 'receiver-key.pem');
  const certPath = path.join(dir, 'receiver-cert.pem');
  // openssl from the base system (Debian's `openssl` package), as the runbook's `openssl rand` uses.
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { key: fs.readFileSync(keyPath, 'utf8'), cert: fs.readFileSync(certPath, 'utf8'), certPath };
}

interface Write extends Answer {
  kind: 'subscription' | 'claim';
  answeredAt: number;
}

describe('restore rehearsal: the database lost under load and restored to an instant', () => {
  const appDir = requiredEnv('TOPOLOGY_APP_DIR');
  const key = crypto.randomBytes(32).toString('base64');
  let smtp: SmtpSink;
  /** The tenant's webhook endpoint: a receiver over TLS on 127.0.0.1, its certificate trusted by the processes. */
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let receiverCertPath: string;
  let s3: S3Server;
  let store: BackupStore & { close(): void };
  /** The Temporal server on the cluster in use (the primary, then the restored one) and a client of it. */
  let temporalServer: TemporalServer | undefined;
  let temporal: Client | undefined;
  let primary: PostgresProcess;
  let agent: ChildProcess;
  let agentMetricsPort: number;
  const servers: PostgresProcess[] = [];
  const processes: AppProcess[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const certDir = reachableDir('receiver-tls');
    dirs.push(certDir);
    const { certPath, ...tls } = selfSignedCertificate(certDir);
    receiverCertPath = certPath;
    receiver = await startReceiver([204], 0, tls);
    s3 = await startS3Server();
    const s3Env = s3.env(BUCKET);
    store = await s3Store(
      {
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: BUCKET,
        prefix: '',
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        forcePathStyle: true,
      },
      parseEncryptionKey(key),
    );
    const spoolDir = reachableDir('wal-spool');
    dirs.push(spoolDir);
    primary = await startPostgresProcess({ dataDir: throwawayDataDir(), archive: { spoolDir, timeoutSeconds: ARCHIVE_TIMEOUT_SECONDS } });
    dirs.push(primary.dataDir);
    await query(primary.url('postgres'), 'CREATE DATABASE insurflow');
    expect(
      await adminCommand(
        appDir,
        { DATABASE_URL: primary.url('insurflow'), JWT_SECRET: requiredEnv('TOPOLOGY_JWT_SECRET') },
        ['migrate', 'up'],
        '',
      ),
    ).toMatchObject({ code: 0 });
    await startTemporal(primary);
    agentMetricsPort = await freePort();
    // The shipped agent, as compose runs it beside PostgreSQL: ships the spool, takes the first base backup at once.
    agent = spawn(process.execPath, [path.join(appDir, 'dist', 'scripts', 'backups', 'agent.js')], {
      env: {
        PATH: process.env.PATH,
        BACKUP_DATABASE_URL: primary.url('postgres'),
        BACKUP_PGDATA: primary.dataDir,
        BACKUP_WAL_SPOOL: spoolDir,
        BACKUP_S3_BUCKET: BUCKET,
        S3_ENDPOINT: s3Env.S3_ENDPOINT,
        S3_ACCESS_KEY_ID: s3Env.S3_ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY: s3Env.S3_SECRET_ACCESS_KEY,
        S3_FORCE_PATH_STYLE: 'true',
        BACKUP_ENCRYPTION_KEY: key,
        BACKUP_METRICS_PORT: String(agentMetricsPort),
        BACKUP_METRICS_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    if (agent) await stopChild(agent, 5_000);
    await temporal?.connection.close();
    await temporalServer?.stop();
    for (const server of servers) await server.stop();
    await primary?.stop();
    store?.close();
    await smtp?.stop();
    await receiver?.close();
    await s3?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Temporal as compose brings it up (docker/temporal-setup-schema.sh, the server, the namespace job), its
   * databases in `cluster`: on the restored cluster the set-up jobs find everything there and change nothing.
   */
  async function startTemporal(cluster: PostgresProcess): Promise<void> {
    const workDir = reachableDir('temporal');
    dirs.push(workDir);
    temporalServer = await startComposeTemporal({
      tools: resolveTemporalServer(),
      cli: requiredEnv('TOPOLOGY_TEMPORAL_CLI'),
      ownerUrl: cluster.url('postgres'),
      workDir,
    });
    // The workers' codec: the reconciler run this test starts takes its input and gives its result encrypted.
    temporal = new Client({
      connection: await Connection.connect({ address: temporalServer.address }),
      dataConverter: { payloadCodecs: [topologyPayloadCodec()] },
    });
  }

  /** The API and a worker of the shipped build on `databaseUrl` and the current Temporal server; answers the API's URL, once it is ready, and their environment. */
  async function startStack(databaseUrl: string, name: string): Promise<{ api: string; env: Record<string, string> }> {
    const env = scenarioEnv({
      databaseUrl,
      temporalAddress: temporalServer!.address,
      taskQueue: TASK_QUEUE,
      mail: smtp.env,
      documents: s3.env('insurflow-restore-documents'),
    });
    Object.assign(env, {
      WORKFLOW_BUNDLE_PATH: path.join(appDir, 'dist', 'workflow-bundle.js'),
      RETRY_AFTER_SECONDS: '1',
      // The receiver is the operator's internal one: exactly its address and port, and its certificate.
      WEBHOOK_ALLOWED_INTERNAL_HOSTS: `127.0.0.1:${receiver.port}`,
      NODE_EXTRA_CA_CERTS: receiverCertPath,
    });
    processes.push(await startWorker(appDir, `restore-${name}-worker`, env, pollsTaskQueue(temporal!, TASK_QUEUE)));
    const api = await startApi(appDir, `restore-${name}-api`, env);
    processes.push(api);
    return { api: api.url!, env };
  }

  /** Lays `plan` out into a new directory and starts PostgreSQL on it: PostgreSQL replays the WAL to the plan's target. */
  async function restore(plan: RestorePlan): Promise<PostgresProcess> {
    const parent = reachableDir('restored');
    dirs.push(parent);
    await layOutRestore(store, plan, { into: path.join(parent, 'data'), scratchDir: os.tmpdir(), owner: 'postgres' });
    const server = await startPostgresProcess({ dataDir: path.join(parent, 'data') });
    servers.push(server);
    return server;
  }

  const acknowledged = (writes: Write[]) => writes.filter((w) => w.status === 202 && typeof w.body.id === 'string');
  const idsIn = async (url: string) =>
    new Set((await query<{ id: string }>(url, 'SELECT id FROM subscriptions UNION ALL SELECT id FROM claims')).map((row) => row.id));

  it("restores the one cluster, the application's and Temporal's databases, to an instant from the store alone: nothing acknowledged before it lost, nothing after it kept, nothing for the reconciler to repair; figures measured", async () => {
    const { api, env } = await startStack(primary.url('insurflow'), 'primary');
    // A slug of its own, as every topology file has: runs are named by it (claim-<slug>-CLM-…).
    const { holder, tenantAdmin } = await openTenant({ smtp, appDir, env, apis: [api, api], slug: 'bulwark', staffRoles: [] });
    // Every event of the tenant to its endpoint: the load's subscriptions and claims make them.
    expectStatus(
      await call(api, 'POST', '/webhooks/endpoints', {
        token: tenantAdmin.token,
        key: 'rehearsal-endpoint',
        body: { url: receiver.url, eventTypes: ['*'] },
      }),
      201,
      'webhook endpoint on the internal receiver',
    );
    const planId = (
      expectStatus(await call(api, 'GET', '/plans?pageSize=5', { token: holder }), 200, 'plans').items as Array<{ id: string }>
    )[0].id;
    const first = expectStatus(
      await call(api, 'POST', '/subscriptions', { token: holder, key: 'first-policy', body: { planId } }),
      202,
      'subscribe',
    );
    await waitUntil(
      async () => (await call(api, 'GET', `/subscriptions/${first.id}`, { token: holder })).body.status === 'active',
      'first subscription active',
      60_000,
    );

    // The load, fired on a clock.
    const writes: Array<Promise<Write>> = [];
    const done: Write[] = [];
    let stopLoad = false;
    const today = new Date().toISOString().slice(0, 10);
    const loadStarted = Date.now();
    const load = (async () => {
      for (let n = 0; !stopLoad;) {
        for (const due = Math.floor((Date.now() - loadStarted) / INTERVAL_MS); n < due; n++) {
          const kind = n % 2 === 0 ? 'subscription' : 'claim';
          const body =
            kind === 'subscription'
              ? { planId }
              : { subscriptionId: first.id, incidentDate: today, amountClaimed: 100 + n, description: `Rehearsal claim ${n}` };
          const route = kind === 'subscription' ? '/subscriptions' : '/claims';
          const write = call(api, 'POST', route, { token: holder, key: `rehearsal-${n}`, body }).then((answer) => {
            const settled = { ...answer, kind, answeredAt: Date.now() } as Write;
            done.push(settled);
            return settled;
          });
          writes.push(write);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await waitUntil(async () => (await listBackups(store)).length > 0, 'the agent took its first base backup under the load', 90_000);
    const [backup] = await listBackups(store);
    const ackedBy = (t: number) => acknowledged(done).filter((w) => w.answeredAt < t).length;
    await waitUntil(() => ackedBy(Date.now()) >= ackedBy(Date.parse(backup.finishedAt)) + 20, '20 writes after the base backup', 60_000);
    const instant = new Date();
    await waitUntil(() => ackedBy(Date.now()) >= ackedBy(instant.getTime()) + 20, '20 writes after the instant', 60_000);
    // PostgreSQL restores to an instant only from WAL that goes past it: the loss comes once the
    // segment being written now is in the store (archive_timeout closes it, the agent ships it).
    const [{ segment }] = await query<{ segment: string }>(
      primary.url('postgres'),
      'SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment',
    );
    await waitUntil(async () => (await store.list(`wal/${segment}`)).length > 0, `segment ${segment} in the store`, 60_000);
    // What Prometheus reads of the agent: the base backup's time, the spool shipped.
    const metrics = await (await fetch(`http://127.0.0.1:${agentMetricsPort}/metrics`)).text();
    expect(metrics).toContain(`insurflow_backup_base_last_success_timestamp_seconds ${Date.parse(backup.finishedAt) / 1000}`);
    expect(metrics).toMatch(/^insurflow_backup_base_failures_total 0$/m);
    expect(metrics).toMatch(/^insurflow_backup_wal_last_shipped_timestamp_seconds [1-9]/m);
    // The database's host is lost: the server dies at once and the agent beside it with its spool.
    // Temporal, whose databases were on it, goes down with the application's processes.
    await primary.crash();
    agent.kill('SIGKILL');
    const lostAt = Date.now();
    stopLoad = true;
    await load;
    await Promise.all(writes);
    await Promise.all(processes.splice(0).map((p) => p.stop(5_000)));
    await temporal!.connection.close();
    await temporalServer!.stop();
    temporal = temporalServer = undefined;

    // The recovery point: the latest state the store holds, against the writes acknowledged before the loss.
    const latest = await restore(await planRestore(store, undefined));
    const kept = await idsIn(latest.url('insurflow'));
    const lostWrites = acknowledged(done).filter((w) => !kept.has(w.body.id));
    const lastKept = Math.max(
      ...acknowledged(done)
        .filter((w) => kept.has(w.body.id))
        .map((w) => w.answeredAt),
    );
    const recoveryPointSeconds = (lostAt - lastKept) / 1000;
    await latest.stop();

    // The point-in-time restore of the one cluster, then Temporal and the stack on it: the recovery time runs from here to /readyz.
    const restoreStarted = Date.now();
    const restored = await restore(await planRestore(store, instant));
    const databaseReadySeconds = (Date.now() - restoreStarted) / 1000;
    await startTemporal(restored);
    const temporalReadySeconds = (Date.now() - restoreStarted) / 1000;
    const { api: restoredApi } = await startStack(restored.url('insurflow'), 'restored');
    const recoveryTimeSeconds = (Date.now() - restoreStarted) / 1000;
    const client = temporal!;
    const database = restored.url('insurflow');

    const before = acknowledged(done).filter((w) => w.answeredAt < instant.getTime());
    const after = acknowledged(done).filter((w) => w.at > instant.getTime());
    expect(before.length).toBeGreaterThanOrEqual(20);
    expect(after.length).toBeGreaterThanOrEqual(10);
    // Every write acknowledged before the instant is back. A subscription's run, started before the API
    // answers, writes its row in its first activity: one restored before that activity ran (or while it
    // ran, on the lost worker) writes it now, on the restored worker.
    const missingBefore = async () => {
      const present = await idsIn(database);
      return before.filter((w) => !present.has(w.body.id)).map((w) => `${w.kind} ${w.body.id}`);
    };
    expect(
      await eventually(missingBefore, (missing) => missing.length === 0, 'every write acknowledged before the instant back', 120_000),
    ).toEqual([]);
    const allBackSeconds = (Date.now() - restoreStarted) / 1000;
    // Nothing sent after the instant is kept, in either database: no row, and no run of a subscription.
    const present = await idsIn(database);
    expect(after.filter((w) => present.has(w.body.id)).map((w) => `${w.kind} ${w.body.id}`)).toEqual([]);
    const runsAfter = await Promise.all(
      after
        .filter((w) => w.kind === 'subscription')
        .map((w) =>
          client.workflow
            .getHandle(`subscription-${w.body.id}`)
            .describe()
            .then(
              (run) => `${run.workflowId} ${run.status.name}`,
              (error: unknown) => {
                if (error instanceof WorkflowNotFoundError) return undefined;
                throw error;
              },
            ),
        ),
    );
    expect(runsAfter.filter(Boolean)).toEqual([]);
    expect((await call(restoredApi, 'GET', `/subscriptions/${first.id}`, { token: holder })).status).toBe(200);

    // The restored outbox and notifications drain first: every start due before the instant is made,
    // and no e-mail sent before it is sent again (below).
    await waitUntil(
      async () =>
        Number(
          (
            await query<{ count: string }>(
              database,
              `SELECT (SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL)
                    + (SELECT count(*) FROM notifications WHERE status = 'pending')
                    + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS count`,
            )
          )[0].count,
        ) === 0,
      'the restored outbox, notifications and webhook deliveries drained',
      120_000,
    );

    // Row and run, seen from both sides: every open claim's run is running, and no open run of a
    // subscription or a claim lacks its row. Both databases went back to the same instant.
    const openClaims = await query<{ workflow_id: string }>(database, 'SELECT workflow_id FROM claims WHERE status = ANY($1)', [
      OPEN_STAGES,
    ]);
    const claimRuns = await Promise.all(
      openClaims.map(async (row) => `${row.workflow_id} ${(await client.workflow.getHandle(row.workflow_id).describe()).status.name}`),
    );
    expect(claimRuns.filter((run) => !run.endsWith(' RUNNING'))).toEqual([]);
    const rowRuns = new Set(
      (
        await query<{ workflow_id: string }>(database, 'SELECT workflow_id FROM subscriptions UNION ALL SELECT workflow_id FROM claims')
      ).map((row) => row.workflow_id),
    );
    const openRuns: string[] = [];
    for await (const run of client.workflow.list({ query: `TaskQueue = '${TASK_QUEUE}' AND ExecutionStatus = 'Running'` })) {
      if (/^(claim|subscription)-/.test(run.workflowId)) openRuns.push(run.workflowId);
    }
    expect(openRuns.length).toBeGreaterThan(0);
    expect(openRuns.filter((workflowId) => !rowRuns.has(workflowId))).toEqual([]);
    // The reconciler, run at once as the runbook says, compares every open row with its run and every
    // open run with its row: it finds what the two checks above found, and repairs nothing.
    const reconciled = await client.workflow.execute<ReconcilerWorkflow>(RECONCILER_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: `restore-rehearsal-reconcile-${Date.now()}`,
      args: [{ batchSize: 200, maxBatches: 5, graceSeconds: 0 }],
    });
    const marked = await query<{ entity: string; run_state: string; count: string }>(
      database,
      'SELECT entity, run_state, count(*)::text AS count FROM run_drifts GROUP BY entity, run_state ORDER BY entity, run_state',
    );
    expect(reconciled.checked).toBeGreaterThanOrEqual(openClaims.length);
    expect(marked).toEqual([]);
    expect(reconciled.runsEnded).toBe(0);

    // No e-mail sent before the instant is sent again by the restored stack.
    const fingerprint = (m: { to: string[]; subject: string; text: string }) => `${m.to.join(',')}|${m.subject}|${m.text}`;
    const sentBefore = new Set(smtp.messages.filter((m) => m.receivedAt < instant.getTime()).map(fingerprint));
    const sentAgain = smtp.messages.filter((m) => m.receivedAt >= restoreStarted && sentBefore.has(fingerprint(m)));
    expect(sentAgain.map((m) => `${m.to} ${m.subject}`)).toEqual([]);

    // No webhook event delivered before the instant is delivered again, unless the restored database
    // does not hold its delivery as done: its record committed after the instant, so the restored run
    // sends it again (at least once; receivers de-duplicate by webhook-id, docs/webhooks.md).
    const idOf = (m: Received) => m.headers['webhook-id'];
    const deliveredBefore = new Set(receiver.received.filter((m) => m.receivedAt < instant.getTime()).map(idOf));
    const deliveredAfterInstant = new Set(
      receiver.received.filter((m) => m.receivedAt >= instant.getTime() && m.receivedAt < lostAt).map(idOf),
    );
    const deliveredAgain = [...new Set(receiver.received.filter((m) => m.receivedAt >= restoreStarted).map(idOf))];
    const again = await query<{ event_id: string; delivered_at: Date | null }>(
      database,
      'SELECT event_id, delivered_at FROM webhook_deliveries WHERE event_id = ANY($1::uuid[])',
      [deliveredAgain],
    );
    const againBefore = again.filter((d) => deliveredBefore.has(d.event_id));
    expect(deliveredBefore.size).toBeGreaterThanOrEqual(5);
    // Sent again only where the restored database held no record of the first delivery: done by the restored stack.
    expect(againBefore.filter((d) => (d.delivered_at?.getTime() ?? 0) < restoreStarted).map((d) => d.event_id)).toEqual([]);
    // Everything the restored stack sent is an event the restored database holds.
    expect(again.length).toBe(deliveredAgain.length);
    // A change the restored stack made again (its row recorded after the instant, lost) goes out under the
    // webhook-id it had before the loss, so a receiver de-duplicates it: the same change is never sent
    // under two ids. In this load a change is a type, a subject and, for a status change, its move.
    const changeOf = (m: Received) => {
      const event = JSON.parse(m.body) as { type: string; subject: string; data: { from?: string; to?: string } };
      return `${event.type} ${event.subject} ${event.data.from ?? ''}>${event.data.to ?? ''}`;
    };
    const idsByChange = new Map<string, Set<string>>();
    for (const m of receiver.received) idsByChange.set(changeOf(m), (idsByChange.get(changeOf(m)) ?? new Set()).add(idOf(m)));
    const changesUnderTwoIds = [...idsByChange].filter(([, ids]) => ids.size > 1).map(([change]) => change);
    const redoneChanges = receiver.received.filter(
      (m) => m.receivedAt >= restoreStarted && receiver.received.some((n) => n.receivedAt < lostAt && changeOf(n) === changeOf(m)),
    );
    expect(changesUnderTwoIds).toEqual([]);
    const knownEvents = new Set(
      (await query<{ id: string }>(database, 'SELECT id FROM webhook_events WHERE id = ANY($1::uuid[])', [[...deliveredAfterInstant]])).map(
        (row) => row.id,
      ),
    );

    process.stderr.write(
      `[topology] restore rehearsal: ${JSON.stringify({
        baseBackupBytes: backup.bytes,
        acknowledgedWrites: acknowledged(done).length,
        recoveryPointSeconds: Number(recoveryPointSeconds.toFixed(1)),
        lostAcknowledgedWrites: lostWrites.length,
        recoveryTimeSeconds: Number(recoveryTimeSeconds.toFixed(1)),
        databaseReadySeconds: Number(databaseReadySeconds.toFixed(1)),
        temporalReadySeconds: Number(temporalReadySeconds.toFixed(1)),
        allAcknowledgedBackSeconds: Number(allBackSeconds.toFixed(1)),
        restoredToInstant: instant.toISOString(),
        keptBeforeInstant: before.length,
        droppedAfterInstant: after.length,
        openClaimRuns: openClaims.length,
        openRuns: openRuns.length,
        reconciler: { ...reconciled, marked },
        mailsBeforeInstant: sentBefore.size,
        mailsSentAgain: sentAgain.length,
        webhooks: {
          deliveredBeforeInstant: deliveredBefore.size,
          // Of those, delivered again by the restored stack: their delivery record committed after the instant.
          sentAgainOfBeforeInstant: againBefore.length,
          deliveredBetweenInstantAndLoss: deliveredAfterInstant.size,
          // Events the restored database does not hold (recorded after the instant): the receiver has them, Insurflow no longer.
          deliveredButNotRestored: deliveredAfterInstant.size - knownEvents.size,
          // Events delivered between the instant and the loss whose delivery the restored stack made again.
          sentAgainOfAfterInstant: deliveredAgain.filter((id) => deliveredAfterInstant.has(id)).length,
          sentByRestoredStack: deliveredAgain.length,
          // Of what the restored stack sent, changes a receiver had before the loss (under the same webhook-id).
          redoneChangesSentAgain: new Set(redoneChanges.map(idOf)).size,
          changesUnderTwoIds: changesUnderTwoIds.length,
        },
      })}\n`,
    );
  });
});
