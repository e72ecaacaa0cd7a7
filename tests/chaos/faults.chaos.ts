/**
 * Chaos suite (npm run chaos): its own PostgreSQL, Temporal dev server, worker and API as real
 * processes on free loopback ports. For each of the worker, PostgreSQL and Temporal: a steady
 * load of mixed writes (subscribe, cancel, claim assignment, acknowledgement), the component
 * SIGSTOPped in the middle of it and SIGCONTed after; every answer meanwhile is a success or a
 * standard 503/504 within 10 s, every failed request is repeated with its Idempotency-Key, and
 * then every intended change has happened exactly once and every run is where it should be.
 * Last, a burst of subscriptions with the worker SIGKILLed half-way. Prints the table of it all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Op } from 'sequelize';
import crypto from 'node:crypto';
import { ApiProcess, startApiProcess, startWorkerProcess, WorkerProcess } from '../../bench/processes';
import { HEALTHCHECK_TIMEOUT_MS } from '../../scripts/healthcheck';
import { freePort } from '../../scripts/local/ports';
import { idFromRequest } from '../../src/shared/deterministic-id';
import { addMonths } from '../../src/shared/instalments';
import { policyRolloutRun } from '../../src/contracts/policy-rollout';
import { Acknowledgement, Claim, ClaimHistory, Notification, Plan, Subscription, Tenant, User } from '../../src/models';
import { NOTIFICATION_LEASE_MS } from '../../src/shared/notification-timing';
import type { Role } from '../../src/shared/roles';
import { buildPlan, buildSubscription, buildTenant, buildUsers } from '../support/factories';
import { requiredEnv } from '../support/env';
import { Answer, contractBreach, FaultRow, fireSteadily, Intent, interleave, isOutage, read, retryUntilDone, send, table } from './load';
import { type ChaosInfra, closeInfra, connectInfra, DEADLINES, tokenOf } from './infra';
import { killProcess, pauseTree, resumeAll } from './process-control';
import { holdsWithin, resultOf, waitUntil } from '../support/waiting';

/**
 * How long an intent whose run sends an e-mail may take to settle: a process stopped while its
 * claim of the e-mail's row was in flight fails that attempt after the claim committed, and the
 * row stays claimed until its lease runs out; then the e-mail goes out once
 * (src/shared/notification-timing.ts).
 */
const EMAIL_SETTLES_MS = NOTIFICATION_LEASE_MS + 30_000;
/** A paused process's test: the load, the retries, and one e-mail settling late. */
const FAULT_TEST_MS = 180_000 + EMAIL_SETTLES_MS;

const PER_KIND = Number(process.env.CHAOS_REQUESTS_PER_KIND ?? 10);
const BURST = Number(process.env.CHAOS_BURST ?? 500);
const INTERVAL_MS = 200;
const PAUSE_AFTER_MS = 1500;
const PAUSE_MS = 6000;
const TASK_QUEUE = 'chaos';
describe('chaos: pausing and killing real processes under load', () => {
  let infra: ChaosInfra;
  let env: Record<string, string> & { TEMPORAL_TASK_QUEUE: string; API_PORT: string };
  let worker: WorkerProcess;
  let api: ApiProcess;
  let tenant: Tenant;
  let plan: Plan;
  const rows: FaultRow[] = [];
  const users: Partial<Record<'holder' | 'burstHolder' | 'manager' | 'adjuster' | 'officer' | 'reviewer', User>> = {};
  let agents: User[];
  const token = (user: User) => tokenOf(infra, user);
  /** Prepared targets, taken by each fault in turn: active subscriptions, claims, acknowledgements. */
  const targets = { subscriptions: [] as string[], claims: [] as string[], acknowledgements: [] as Acknowledgement[] };

  const createUsers = (role: Role, count: number) => buildUsers(count, tenant.id, () => ({ role }));

  const post = (path: string, user: User, body?: object, key = `prep-${crypto.randomUUID()}`) =>
    send(api.url, { kind: 'prep', method: 'POST', path, token: token(user), key, body }).then((answer) => {
      if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body as Record<string, unknown> & { id: string };
    });

  beforeAll(async () => {
    infra = await connectInfra();
    env = { ...infra.env, TEMPORAL_TASK_QUEUE: TASK_QUEUE, API_PORT: String(await freePort()), ...DEADLINES };
    worker = await startWorkerProcess(infra.temporal, env);
    api = await startApiProcess(env);

    tenant = await buildTenant({ name: 'Chaos Mutual', slug: 'chaos' });
    plan = await buildPlan({ tenantId: tenant.id, name: 'Home', premium: '300.00' });
    [users.holder] = await createUsers('policyholder', 2);
    users.burstHolder = (await User.findOne({ where: { tenantId: tenant.id, role: 'policyholder', id: { [Op.ne]: users.holder!.id } } }))!;
    [users.manager] = await createUsers('claims_manager', 1);
    [users.adjuster] = await createUsers('adjuster', 1);
    [users.officer, users.reviewer] = await createUsers('compliance_officer', 2);
    agents = await createUsers('claims_agent', 3 * PER_KIND);

    // Subscriptions to cancel, each active through its run.
    for (let i = 0; i < 3 * PER_KIND; i += 1)
      targets.subscriptions.push((await post('/subscriptions', users.holder!, { planId: plan.id })).id);
    // Claims to assign, on active subscriptions written directly (their runs are not under test here).
    const today = new Date().toISOString().slice(0, 10);
    for (let i = 0; i < 3 * PER_KIND; i += 1) {
      const covering = await buildSubscription({
        planId: plan.id,
        policyholderId: users.holder!.id,
        startDate: today,
        // A year's term as the runs date it: on a 29 February the same day next year is no date (2029-02-29).
        endDate: addMonths(today, 12),
      });
      targets.claims.push(
        (
          await post('/claims', users.holder!, {
            subscriptionId: covering.id,
            incidentDate: today,
            amountClaimed: 1000,
            description: `Chaos claim ${i}`,
          })
        ).id,
      );
    }
    // Acknowledgements: one policy version rolled out to the claims agents.
    const policy = await post('/compliance/policies', users.officer!, { title: 'Chaos policy' });
    const version = await post(`/compliance/policies/${policy.id}/versions`, users.officer!, {
      content: 'Keep calm.',
      audienceRoles: ['claims_agent'],
    });
    // Four eyes before publishing: the author submits, a second officer approves.
    await post(`/compliance/versions/${version.id}/submit`, users.officer!);
    await post(`/compliance/versions/${version.id}/approve`, users.reviewer!);
    await post(`/compliance/versions/${version.id}/publish`, users.officer!);
    await resultOf(infra.temporal.workflow.getHandle(policyRolloutRun.id(version.id)));
    targets.acknowledgements = await Acknowledgement.findAll({ where: { versionId: version.id }, order: [['employeeId', 'ASC']] });
    await waitUntil(
      async () => (await Subscription.count({ where: { id: targets.subscriptions, status: 'active' } })) === targets.subscriptions.length,
      'the subscriptions to cancel active',
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await closeInfra(infra);
    if (rows.length) {
      const printed = table(rows);
      fs.mkdirSync('reports', { recursive: true });
      fs.writeFileSync(path.join('reports', 'chaos.md'), `${printed}\n`);
      process.stderr.write(`\n[chaos]\n${printed}\n`);
    }
  }, 120_000);

  /** The intents of one fault: PER_KIND of each kind, on targets no other fault touches. */
  function intentsFor(fault: string): Intent[] {
    const holder = users.holder!;
    const take = <T>(list: T[]) => list.splice(0, PER_KIND);
    const subscribe = Array.from({ length: PER_KIND }, (_, i): Intent => ({
      kind: 'subscribe',
      method: 'POST',
      path: '/subscriptions',
      token: token(holder),
      key: `${fault}-subscribe-${i}`,
      body: { planId: plan.id },
    }));
    const cancel = take(targets.subscriptions).map((id): Intent => ({
      kind: 'cancel',
      method: 'PATCH',
      path: `/subscriptions/${id}/cancel`,
      token: token(holder),
      key: `${fault}-cancel-${id}`,
    }));
    const assign = take(targets.claims).map((id): Intent => ({
      kind: 'assign',
      method: 'POST',
      path: `/claims/${id}/assign`,
      token: token(users.manager!),
      key: `${fault}-assign-${id}`,
      body: { assigneeId: users.adjuster!.id },
    }));
    const acknowledge = take(targets.acknowledgements).map((ack): Intent => {
      const employee = agents.find((a) => a.id === ack.employeeId)!;
      return {
        kind: 'acknowledge',
        method: 'POST',
        path: `/acknowledgements/${ack.id}/acknowledge`,
        token: token(employee),
        key: `${fault}-ack-${ack.id}`,
      };
    });
    return interleave(subscribe, cancel, assign, acknowledge);
  }

  /** How many times each intent's change happened (0 = lost, > 1 = duplicated), once the runs have settled. */
  async function timesApplied(intent: Intent): Promise<number> {
    const id = intent.path.split('/')[2];
    if (intent.kind === 'subscribe') {
      const subscriptionId = idFromRequest('subscription', users.holder!.id, intent.key, plan.id);
      const activationSent = () =>
        Notification.count({ where: { idempotencyKey: `subscription-${subscriptionId}:activated`, status: 'sent' } });
      await holdsWithin(
        async () => (await Subscription.findByPk(subscriptionId))?.status === 'active' && (await activationSent()) > 0,
        EMAIL_SETTLES_MS,
      );
      return (await Subscription.count({ where: { id: subscriptionId, status: 'active' } })) && activationSent();
    }
    if (intent.kind === 'cancel') {
      const runClosed = async () => (await infra.temporal.workflow.getHandle(`subscription-${id}`).describe()).status.name === 'COMPLETED';
      await holdsWithin(async () => (await Subscription.findByPk(id))?.status === 'cancelled' && (await runClosed()), EMAIL_SETTLES_MS);
      return (await runClosed()) ? Notification.count({ where: { idempotencyKey: `subscription-${id}:cancelled`, status: 'sent' } }) : 0;
    }
    if (intent.kind === 'assign') {
      await holdsWithin(async () => (await Claim.findByPk(id))?.status === 'assigned', 30_000);
      return ClaimHistory.count({ where: { claimId: id, toStatus: 'assigned' } });
    }
    const ack = (await Acknowledgement.findByPk(id))!;
    const runClosed = async () => (await infra.temporal.workflow.getHandle(ack.workflowId!).describe()).status.name === 'COMPLETED';
    await holdsWithin(async () => (await ack.reload()).status === 'acknowledged' && (await runClosed()), 30_000);
    return ack.status === 'acknowledged' && (await runClosed()) ? 1 : 0;
  }

  async function underFault(fault: string, pause: () => () => void): Promise<{ answers: Answer[]; intents: Intent[] }> {
    const intents = intentsFor(fault);
    const fired = fireSteadily(api.url, intents, INTERVAL_MS);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_AFTER_MS));
    const resume = pause();
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    resume();
    const answers = await fired;

    const breaches = answers.map((answer, i) => [intents[i].kind, contractBreach(answer)]).filter(([, breach]) => breach);
    expect(breaches).toEqual([]);
    expect(answers.filter(isOutage).length).toBeGreaterThan(0);
    // Every change the fault refused is asked for again with the same key, as a client would.
    await Promise.all(intents.map((intent, i) => (answers[i].status < 300 ? undefined : retryUntilDone(api.url, intent))));
    // One after the other: the suite's small pool must not time out while the stack catches up.
    const applied: number[] = [];
    for (const intent of intents) applied.push(await timesApplied(intent));
    rows.push({
      fault: `${fault} paused ${PAUSE_MS / 1000} s`,
      requests: answers.length,
      outages: answers.filter(isOutage).length,
      maxLatencyMs: Math.max(...answers.map((a) => a.ms)),
      lost: applied.filter((n) => n === 0).length,
      duplicated: applied.filter((n) => n > 1).length,
    });
    const notOnce = intents.flatMap((intent, i) =>
      applied[i] === 1 ? [] : [`${intent.kind} ${intent.path} applied ${applied[i]}× (first answer ${answers[i].status})`],
    );
    expect(notOnce).toEqual([]);
    return { answers, intents };
  }

  const pauseProcess = (pid: () => number) => () => {
    const paused = pauseTree(pid());
    return () => resumeAll(paused);
  };

  it(
    'worker paused: updates answer 504 naming the worker, every repeat completes once',
    async () => {
      const { answers, intents } = await underFault(
        'worker',
        pauseProcess(() => worker.child.pid!),
      );
      const named = answers.flatMap((a, i) =>
        isOutage(a) && intents[i].kind !== 'subscribe' ? [`${intents[i].kind}: ${a.body?.error?.details?.[0]?.dependency}`] : [],
      );
      expect(named).toEqual(named.map((answer) => `${answer.split(':')[0]}: worker`));
    },
    FAULT_TEST_MS,
  );

  it(
    'PostgreSQL paused: 503 postgres, every repeat completes once',
    async () => {
      const { answers } = await underFault(
        'postgres',
        pauseProcess(() => Number(requiredEnv('CHAOS_POSTGRES_PID'))),
      );
      expect(answers.filter(isOutage).some((a) => a.body?.error?.details?.[0]?.dependency === 'postgres')).toBe(true);
    },
    FAULT_TEST_MS,
  );

  it(
    'Temporal paused: 503/504 temporal, every repeat completes once',
    async () => {
      const { answers } = await underFault(
        'temporal',
        pauseProcess(() => Number(requiredEnv('CHAOS_TEMPORAL_PID'))),
      );
      // A query or update whose deadline ends just after the resume finds the server answering
      // again, and so names the worker; none names PostgreSQL.
      const dependencies = answers.filter(isOutage).map((a) => a.body?.error?.details?.[0]?.dependency);
      expect(dependencies).toContain('temporal');
      expect(dependencies).not.toContain('postgres');
    },
    FAULT_TEST_MS,
  );

  it(`worker SIGKILLed during a burst of ${BURST} subscriptions: none lost, no duplicate row, duplicate e-mails share their Message-ID`, async () => {
    const holder = users.burstHolder!;
    const intents = Array.from({ length: BURST }, (_, i): Intent => ({
      kind: 'subscribe',
      method: 'POST',
      path: '/subscriptions',
      token: token(holder),
      key: `burst-subscribe-${i}`,
      body: { planId: plan.id },
    }));
    const ids = intents.map((intent) => idFromRequest('subscription', holder.id, intent.key, plan.id));
    const activeCount = () => Subscription.count({ where: { id: ids, status: 'active' } });

    const answers: Answer[] = [];
    let next = 0;
    const lane = async () => {
      while (next < intents.length) {
        const intent = intents[next++];
        const answer = await send(api.url, intent);
        answers.push(answer);
        if (answer.status >= 300) answers.push(await retryUntilDone(api.url, intent));
      }
    };
    const burst = Promise.all(Array.from({ length: 16 }, lane));
    await waitUntil(async () => (await activeCount()) >= BURST / 3, 'a third of the burst active', 120_000);
    await killProcess(worker.child);
    worker = await startWorkerProcess(infra.temporal, env);
    await burst;
    await waitUntil(async () => (await activeCount()) === BURST, 'every burst subscription active', 180_000);

    const rowsPerId = (await Subscription.count({ where: { policyholderId: holder.id } })) - new Set(ids).size;
    const activationMails = () => infra.smtp.messages.filter((m) => m.subject.endsWith('is active') && m.to.includes(holder.email));
    // A policy's mails name it by its policy number (one holder's are distinct), not the row's id.
    const messageIdsBySubscription = () => {
      const byNumber = new Map<string, Set<string>>();
      for (const mail of activationMails()) {
        const policyNumber = /Your subscription (\S+) to /.exec(mail.text)?.[1] ?? 'unreadable';
        byNumber.set(policyNumber, (byNumber.get(policyNumber) ?? new Set()).add(mail.messageId));
      }
      return byNumber;
    };
    // An e-mail the killed worker had claimed goes out once its claim's lease has run out.
    await waitUntil(
      async () => messageIdsBySubscription().size >= BURST,
      'an activation e-mail for every subscription',
      NOTIFICATION_LEASE_MS + 60_000,
    );
    const mails = activationMails();
    const messageIds = messageIdsBySubscription();
    const duplicateMails = mails.length - messageIds.size;
    rows.push({
      fault: `worker SIGKILL in ${BURST} subscriptions (${duplicateMails} duplicate e-mails, same Message-ID)`,
      requests: answers.length,
      outages: answers.filter(isOutage).length,
      maxLatencyMs: Math.max(...answers.map((a) => a.ms)),
      lost: BURST - (await activeCount()),
      duplicated: rowsPerId,
    });
    expect(await activeCount()).toBe(BURST);
    expect(rowsPerId).toBe(0);
    const policyNumbers = (await Subscription.findAll({ where: { id: ids }, attributes: ['policyNumber'] })).map((row) => row.policyNumber);
    expect([...messageIds.keys()].sort()).toEqual(policyNumbers.sort());
    // A worker killed between the SMTP server's acceptance and its own commit sends again; the copy carries the same Message-ID.
    expect([...messageIds.values()].every((sent) => sent.size === 1)).toBe(true);
  }, 300_000);
});

/**
 * The deadlines production runs with (none shortened, unlike the load above), on an API and a
 * worker of their own on the suite's servers. A frozen dependency is known within about 2 s
 * (docs/failure-semantics.md, A dependency that stops answering); the bound leaves as much again
 * for a loaded 2-core machine and still fails a request that waits out a deadline (5 s and more).
 */
describe('chaos: a frozen dependency answers fast with the production deadlines', () => {
  const FROZEN_ANSWER_WITHIN_MS = 4_000;
  const RETRY_AFTER = '5';
  let infra: ChaosInfra;
  let worker: WorkerProcess;
  let api: ApiProcess;
  let plan: Plan;
  let holder: User;
  let manager: User;
  let covering: Subscription;
  const rows: FaultRow[] = [];

  beforeAll(async () => {
    infra = await connectInfra();
    const env = { ...infra.env, TEMPORAL_TASK_QUEUE: 'chaos-production', API_PORT: String(await freePort()) };
    worker = await startWorkerProcess(infra.temporal, env);
    api = await startApiProcess(env);
    const tenant = await buildTenant({ name: 'Frozen Mutual', slug: 'frozen' });
    plan = await buildPlan({ tenantId: tenant.id, name: 'Home', premium: '300.00' });
    [holder] = await buildUsers(1, tenant.id, () => ({ role: 'policyholder' }));
    [manager] = await buildUsers(1, tenant.id, () => ({ role: 'claims_manager' }));
    const today = new Date().toISOString().slice(0, 10);
    covering = await buildSubscription({
      planId: plan.id,
      policyholderId: holder.id,
      startDate: today,
      endDate: addMonths(today, 12),
    });
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await closeInfra(infra);
    if (rows.length) process.stderr.write(`\n[chaos, production deadlines]\n${table(rows)}\n`);
  }, 120_000);

  const token = (user: User) => tokenOf(infra, user);
  const subscribe = (key: string): Intent => ({
    kind: 'subscribe',
    method: 'POST',
    path: '/subscriptions',
    token: token(holder),
    key,
    body: { planId: plan.id },
  });
  const fileClaim = (key: string): Intent => ({
    kind: 'file',
    method: 'POST',
    path: '/claims',
    token: token(holder),
    key,
    body: { subscriptionId: covering.id, incidentDate: covering.startDate, amountClaimed: 800, description: `Claim ${key}` },
  });
  const subscriptionOf = (intent: Intent) => idFromRequest('subscription', holder.id, intent.key, plan.id);
  /** The subscription a keyed POST asked for: made once, whatever its retries, and active. */
  const activeOnce = async (intent: Intent) => {
    await waitUntil(
      async () => (await Subscription.findByPk(subscriptionOf(intent)))?.status === 'active',
      'the subscription active',
      60_000,
    );
    expect(await Subscription.count({ where: { id: subscriptionOf(intent) } })).toBe(1);
  };
  const done = async (intent: Intent) => {
    const answer = await send(api.url, intent);
    if (answer.status >= 300) throw new Error(`${intent.path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body!;
  };

  /** Each answer's status, the dependency it names, its Retry-After and whether it came in time: one readable failure. */
  const judged = (answers: Record<string, Answer>) =>
    Object.fromEntries(
      Object.entries(answers).map(([what, a]) => [
        what,
        {
          status: a.status,
          dependency: a.body?.error?.details?.[0]?.dependency,
          retryAfter: a.retryAfter,
          inTime: a.ms < FROZEN_ANSWER_WITHIN_MS,
        },
      ]),
    );

  function record(fault: string, answers: Record<string, Answer>) {
    const all = Object.values(answers);
    const each = Object.entries(answers).map(([what, a]) => `${what} ${a.status} in ${(a.ms / 1000).toFixed(1)} s`);
    rows.push({
      fault: `${fault}: ${each.join(', ')}`,
      requests: all.length,
      outages: all.filter(isOutage).length,
      maxLatencyMs: Math.max(...all.map((a) => a.ms)),
      lost: 0,
      duplicated: 0,
    });
  }

  it('PostgreSQL frozen: a list, a claim, a subscription and /readyz answer 503 postgres within 4 s; after SIGCONT each keyed write completes once', async () => {
    // Warm, as a serving API is: its pools hold connections.
    expect((await read(api.url, '/api/v1/claims', token(manager))).status).toBe(200);
    await done(fileClaim(`frozen-pg-warm-${crypto.randomUUID()}`));
    const claim = fileClaim('frozen-pg-claim');
    const subscription = subscribe('frozen-pg-subscribe');

    const paused = pauseTree(Number(requiredEnv('CHAOS_POSTGRES_PID')));
    let answers: Record<string, Answer>;
    try {
      const [list, filed, subscribed, ready] = await Promise.all([
        read(api.url, '/api/v1/claims?pageSize=7', token(manager)),
        send(api.url, claim),
        send(api.url, subscription),
        read(api.url, '/readyz'),
      ]);
      answers = { 'GET /claims': list, 'POST /claims': filed, 'POST /subscriptions': subscribed, 'GET /readyz': ready };
    } finally {
      resumeAll(paused);
    }
    record('postgres frozen', answers);
    const { 'GET /readyz': ready, ...requests } = judged(answers);
    expect(requests).toEqual(
      Object.fromEntries(
        Object.keys(requests).map((what) => [what, { status: 503, dependency: 'postgres', retryAfter: RETRY_AFTER, inTime: true }]),
      ),
    );
    expect(ready).toMatchObject({ status: 503, inTime: true });

    // The key of a write the freeze cut short may reach the database after SIGCONT: it is held until that request's deadline (30 s).
    await Promise.all([retryUntilDone(api.url, claim), retryUntilDone(api.url, subscription)]);
    expect(await Claim.count({ where: { description: `Claim ${claim.key}` } })).toBe(1);
    await activeOnce(subscription);
  }, 180_000);

  it('Temporal frozen: a subscription and a cancellation answer 503/504 temporal, a claim is filed, a claim reads stale and /readyz stays ready, each within 4 s; after SIGCONT each completes once', async () => {
    const toCancel = (await done(subscribe(`frozen-temporal-active-${crypto.randomUUID()}`))).id as string;
    await waitUntil(async () => (await Subscription.findByPk(toCancel))?.status === 'active', 'the subscription to cancel active', 60_000);
    const filedBefore = (await done(fileClaim(`frozen-temporal-read-${crypto.randomUUID()}`))).id as string;
    // Warm, as a serving API is: its connection to Temporal made.
    expect((await read(api.url, `/api/v1/claims/${filedBefore}`, token(holder))).body).toMatchObject({ stale: false });
    const subscription = subscribe('frozen-temporal-subscribe');
    const claim = fileClaim('frozen-temporal-claim');
    const cancel: Intent = {
      kind: 'cancel',
      method: 'PATCH',
      path: `/subscriptions/${toCancel}/cancel`,
      token: token(holder),
      key: 'frozen-temporal-cancel',
    };

    const paused = pauseTree(Number(requiredEnv('CHAOS_TEMPORAL_PID')));
    let answers: Record<string, Answer>;
    try {
      const [subscribed, filed, cancelled, live, ready] = await Promise.all([
        send(api.url, subscription),
        send(api.url, claim),
        send(api.url, cancel),
        read(api.url, `/api/v1/claims/${filedBefore}`, token(holder)),
        read(api.url, '/readyz'),
      ]);
      answers = {
        'POST /subscriptions': subscribed,
        'POST /claims': filed,
        'PATCH cancel': cancelled,
        'GET /claims/:id': live,
        'GET /readyz': ready,
      };
    } finally {
      resumeAll(paused);
    }
    record('temporal frozen', answers);
    expect(judged(answers)).toEqual({
      'POST /subscriptions': { status: 503, dependency: 'temporal', retryAfter: RETRY_AFTER, inTime: true },
      'POST /claims': { status: 201, dependency: undefined, retryAfter: null, inTime: true },
      'PATCH cancel': { status: answers['PATCH cancel'].status, dependency: 'temporal', retryAfter: RETRY_AFTER, inTime: true },
      'GET /claims/:id': { status: 200, dependency: undefined, retryAfter: null, inTime: true },
      'GET /readyz': { status: 200, dependency: undefined, retryAfter: null, inTime: true },
    });
    // Sent and cut: the update may have been admitted (504), or nothing was sent (503).
    expect([503, 504]).toContain(answers['PATCH cancel'].status);
    expect(answers['GET /claims/:id'].body).toMatchObject({ state: null, stale: true });
    expect(answers['POST /claims'].body).toMatchObject({ workflow: { runId: null } });
    // The container's health check gives up after HEALTHCHECK_TIMEOUT_MS: a frozen Temporal must not make the API unhealthy.
    expect(answers['GET /readyz'].ms).toBeLessThan(HEALTHCHECK_TIMEOUT_MS);
    expect(answers['GET /readyz'].body).toMatchObject({ status: 'ready', checks: { postgres: 'ok', temporal: 'down' } });

    await Promise.all([retryUntilDone(api.url, subscription), retryUntilDone(api.url, cancel)]);
    const { workflowId } = answers['POST /claims'].body!.workflow as { workflowId: string };
    // The API's relay starts the claim's run from the outbox.
    await waitUntil(
      async () =>
        (
          await infra.temporal.workflow
            .getHandle(workflowId)
            .describe()
            .catch(() => undefined)
        )?.status.name === 'RUNNING',
      "the claim's run started by the relay",
      60_000,
    );
    expect(await Claim.count({ where: { description: `Claim ${claim.key}` } })).toBe(1);
    await activeOnce(subscription);
    await waitUntil(async () => (await Subscription.findByPk(toCancel))?.status === 'cancelled', 'the subscription cancelled', 60_000);
  }, 180_000);
});
