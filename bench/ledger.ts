/**
 * What posting to the books costs (#78, docs/ledger.md; docs/performance.md, Ledger): posting may
 * add at most 15 % to a premium payment recorded by hand and to a claim payment's approval, against
 * the same paths with posting off (LEDGER_POSTING=off) in the same run.
 *
 * Two stacks run on the benchmark's servers, each an API and a worker started by the start
 * command's own code (startStackProcesses), on a task queue of its own: one posting (`on`, the
 * default), one not (`off`); nothing else differs. Each path runs warm-up, then four halves in the
 * order on, off, off, on, LANES clients at once, so a busy machine weighs on both sides alike.
 *
 * - Premium payments: POST /invoices/:id/payments by a tenant admin with an Idempotency-Key,
 *   0.01 at a time on an open invoice of its own per client, so no invoice is settled and every
 *   request is the same work: the payment, its audit event and, posting on, its entry.
 * - Claim payments: asked for by an adjuster (whose approval limit is 0, so each waits, 202) and
 *   approved by a senior adjuster (200), both through the API; each client on a claim of its own,
 *   and on a fresh one before the claim's limit of payments (bench/claim-pool.ts: the claims are
 *   filed before each run, as many as it needs, so no request timed is refused). The API hands
 *   both to the claim's run as updates; the run's activity records the payment, and posts its hold,
 *   in the worker (an approval moves no money: docs/ledger.md, What posts). The worker of each
 *   stack posts as its API does, so the pair (request and approval) is timed end to end, where the
 *   posting happens, with the time of each step beside.
 *
 * The ratio is on ÷ off of the time an operation takes (off's rate ÷ on's, the clients the same);
 * beside it the p50 and p95 ratios and the CPU per operation of each process on each side.
 *
 * Then a month's close at 100,000 policies (target < 5 minutes) as finance makes it: through the
 * API, the close's run in the worker, timed until the period is `closed` (bench/ledger-close.ts
 * times the same work in this process, page by page).
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../src/config';
import { billCurrentTerm } from '../src/domain/premiums/billing';
import { Claim, TenantSettings, type User } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { buildSubscription, buildTenant, buildUser } from '../tests/support/factories';
import { waitUntil } from '../tests/support/waiting';
import { addCpu, cpuSnapshot, cpuUsed, processCpuSeconds, type CpuSnapshot } from './cpu-time';
import { cpuPerOperation, sideRatios, type CpuPerOperation } from './side-ratios';
import { createBenchTenant, percentile, type BenchTenant } from './fixtures';
import type { BenchInfra } from './infra';
import { ClaimPool } from './claim-pool';
import { closeMonth, seedWrittenPremium } from './ledger-close';
import { apiEnvFor, startStackProcesses, type StackProcesses } from './processes';

/** The issue's bound: posting adds at most 15 % to each path. */
const TARGET_RATIO = 1.15;
/** The issue's bound on a month's close at 100,000 policies. */
const CLOSE_TARGET_SECONDS = 5 * 60;
const PAYMENT_LANES = 16;
const CLAIM_LANES = 8;
/** The rate the claim pool is filed for before the first run (the warm-up) has measured one: above any seen on this machine. */
const CLAIM_FIRST_GUESS_PER_SECOND = 100;
const WARM_UP_MS = 2000;
const PAYEE = { kind: 'third_party', name: 'Dachdecker Mueller GmbH', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' };

type Posting = 'on' | 'off';

interface Side {
  posting: Posting;
  stack: StackProcesses;
}

/** What one lane does once; answers each step's time in ms when it has several (a claim payment's request and approval). */
type Operation = (lane: number) => Promise<number[] | void>;

interface Tally {
  latencies: number[];
  steps: number[][];
  ms: number;
  cpu: CpuSnapshot;
  workerSeconds: number;
}

export interface PathSide {
  operations: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** Each step's p50 and p95 (a claim payment: the request, then the approval). */
  steps?: { p50Ms: number; p95Ms: number }[];
  /** CPU per operation of each process of the side (the worker's beside), in ms. */
  cpuMsPerOperation: CpuPerOperation;
}

export interface PathResult {
  lanes: number;
  on: PathSide;
  off: PathSide;
  /** The target (≤ 1.15): the time an operation takes with posting on ÷ off (off's rate ÷ on's). */
  ratio: number;
  p50Ratio: number;
  p95Ratio: number;
  /** All processes' CPU per operation, on ÷ off. */
  cpuRatio: number;
  targetMet: boolean;
}

/** A month closed through the API, as finance closes it: from POST /ledger/periods/:month/close to the period `closed`. */
export interface CloseThroughApi {
  policies: number;
  month: string;
  earningEntries: number;
  seconds: number;
  targetMet: boolean;
}

export interface LedgerResult {
  secondsPerHalf: number;
  premiumPayments: PathResult;
  claimPayments: PathResult;
  close: CloseThroughApi;
  /** Entries each side's tenant got during the run: posting off writes none. */
  entriesPosted: Record<Posting, number>;
  /** Claims each side filed for its claim payment lanes (a lane takes a fresh one before MAX_CLAIM_PAYMENTS). */
  claimsFiled: Record<Posting, number>;
}

const emptyTally = (): Tally => ({
  latencies: [],
  steps: [],
  ms: 0,
  cpu: { bench: 0, api: 0, temporal: 0, postgres: 0 },
  workerSeconds: 0,
});

/**
 * Runs `operation` from `lanes` clients until `until`; the times go to `tally` when given (not in
 * the warm-up). Answers the operations per second it reached.
 */
async function runLanes(
  side: Side,
  lanes: number,
  until: number,
  operation: Operation,
  tally?: Tally,
  infra?: BenchInfra,
): Promise<number> {
  const processes = infra && { ...infra.pids, api: side.stack.api.child.pid! };
  const workerPid = side.stack.worker.pid!;
  const cpuBefore = processes && cpuSnapshot(processes);
  const workerBefore = processCpuSeconds(workerPid);
  const started = performance.now();
  let operations = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (Date.now() < until) {
        const begun = performance.now();
        const steps = await operation(lane);
        operations += 1;
        tally?.latencies.push(performance.now() - begun);
        if (steps) tally?.steps.push(steps);
      }
    }),
  );
  const ms = performance.now() - started;
  if (tally && processes && cpuBefore) {
    tally.ms += ms;
    tally.cpu = addCpu(tally.cpu, cpuUsed(cpuBefore, cpuSnapshot(processes)));
    tally.workerSeconds += processCpuSeconds(workerPid) - workerBefore;
  }
  return operations / (ms / 1000);
}

function sideFigures(tally: Tally): PathSide {
  const operations = tally.latencies.length;
  const stepCount = tally.steps[0]?.length ?? 0;
  return {
    operations,
    perSecond: operations / (tally.ms / 1000),
    p50Ms: percentile(tally.latencies, 50),
    p95Ms: percentile(tally.latencies, 95),
    ...(stepCount > 0 && {
      steps: Array.from({ length: stepCount }, (_, i) => {
        const times = tally.steps.map((steps) => steps[i]);
        return { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) };
      }),
    }),
    cpuMsPerOperation: cpuPerOperation(tally.cpu, tally.workerSeconds, operations),
  };
}

/**
 * What a path needs ready before each run of a side, outside the timing (the claim lanes' fresh
 * claims): told how long the run lasts and the fastest rate that side reached so far (undefined
 * before its warm-up).
 */
type Prepare = (side: Side, seconds: number, perSecond: number | undefined) => Promise<void>;

/** One path on both sides: warm-up, then halves on, off, off, on. */
async function comparePath(
  infra: BenchInfra,
  sides: Record<Posting, Side>,
  lanes: number,
  seconds: number,
  operationOf: (side: Side) => Operation,
  prepare?: Prepare,
): Promise<PathResult> {
  const tallies: Record<Posting, Tally> = { on: emptyTally(), off: emptyTally() };
  const operations = { on: operationOf(sides.on), off: operationOf(sides.off) };
  const fastest: Partial<Record<Posting, number>> = {};
  const run = async (posting: Posting, ms: number, tally?: Tally) => {
    await prepare?.(sides[posting], ms / 1000, fastest[posting]);
    const perSecond = await runLanes(sides[posting], lanes, Date.now() + ms, operations[posting], tally, tally && infra);
    fastest[posting] = Math.max(fastest[posting] ?? 0, perSecond);
  };
  for (const posting of ['on', 'off'] as const) await run(posting, WARM_UP_MS);
  for (const posting of ['on', 'off', 'off', 'on'] as const) await run(posting, seconds * 1000, tallies[posting]);
  const on = sideFigures(tallies.on);
  const off = sideFigures(tallies.off);
  const ratio = off.perSecond / on.perSecond;
  return { lanes, on, off, ratio, ...sideRatios(on, off), targetMet: ratio <= TARGET_RATIO };
}

/** What the section reads of an answer: a claim's ID, a payment's. */
interface Answer {
  id: string;
  payment: { id: string };
}

/** Sends a JSON request; the answer must be one of `statuses`. Answers its body. */
async function send(url: string, token: string, body: object, statuses: number[], headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Answer;
  if (!statuses.includes(response.status)) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

interface People {
  /** Records the premium payments (recordPremiumPayment: tenant admins alone). */
  admin: User;
  manager: User;
  adjuster: User;
  senior: User;
  claimant: User;
}

/** An open invoice of its own for each premium payment client. */
async function openInvoices(infra: BenchInfra, bench: BenchTenant, holder: User): Promise<string[]> {
  const ids: string[] = [];
  for (let lane = 0; lane < PAYMENT_LANES; lane++) {
    const subscription = await buildSubscription({ planId: bench.plan.id, policyholderId: holder.id });
    const [first] = await billCurrentTerm(infra.sequelize, subscription.id);
    ids.push(first.id);
  }
  return ids;
}

/** `count` claims for the claim payment clients, filed and assigned through the side's API, so their runs are on that side's queue. */
async function assignedClaims(
  infra: BenchInfra,
  side: Side,
  bench: BenchTenant,
  people: People,
  token: (user: User) => string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const subscription = await buildSubscription({ planId: bench.plan.id, policyholderId: people.claimant.id });
    const filed = await send(
      `${side.stack.api.url}/api/v1/claims`,
      token(people.claimant),
      { subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: '40000.00', description: 'Storm damage' },
      [201],
    );
    await send(`${side.stack.api.url}/api/v1/claims/${filed.id}/assign`, token(people.manager), { assigneeId: people.adjuster.id }, [200]);
    // The run is started through the outbox: the payments are its updates.
    const { workflowId } = await Claim.findByPk(filed.id, { rejectOnEmpty: true });
    await waitUntil(
      () =>
        infra.temporal.workflow
          .getHandle(workflowId)
          .describe()
          .then(
            () => true,
            () => false,
          ),
      `the run of claim ${filed.id}`,
      60_000,
    );
    ids.push(filed.id);
  }
  return ids;
}

/**
 * The month's close at `policies` policies through the API and the close's run in the posting
 * stack's worker: their written premium inserted with SQL (as bench/ledger-close.ts seeds it), then
 * June closed by finance, its period read until `closed`. Months close in order (docs/ledger.md,
 * Closing a month): January to May, written in since January, are closed first as the run closes
 * them, untimed.
 */
async function closeThroughApi(infra: BenchInfra, side: Side, policies: number, token: (user: User) => string): Promise<CloseThroughApi> {
  const tenant = await buildTenant();
  const finance = await buildUser({ tenantId: tenant.id, role: 'finance' });
  await seedWrittenPremium(infra.sequelize, tenant.id, policies);
  for (const earlier of ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05'])
    await closeMonth(infra.sequelize, tenant.id, finance.id, earlier);
  const month = '2025-06';
  const periodUrl = `${side.stack.api.url}/api/v1/ledger/periods/${month}`;
  const started = performance.now();
  await send(`${periodUrl}/close`, token(finance), {}, [202]);
  await waitUntil(
    async () => {
      const response = await fetch(periodUrl, { headers: { authorization: `Bearer ${token(finance)}` } });
      return ((await response.json()) as { status?: string }).status === 'closed';
    },
    `${month} closed`,
    CLOSE_TARGET_SECONDS * 2000,
  );
  const seconds = (performance.now() - started) / 1000;
  const [{ n }] = await infra.sequelize.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM journal_entries WHERE tenant_id = :tenantId AND source_type = 'earning'",
    { replacements: { tenantId: tenant.id }, type: QueryTypes.SELECT },
  );
  return { policies, month, earningEntries: n, seconds, targetMet: seconds < CLOSE_TARGET_SECONDS };
}

async function entriesOf(infra: BenchInfra, tenantId: string): Promise<number> {
  const [{ n }] = await infra.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE tenant_id = :tenantId', {
    replacements: { tenantId },
    type: QueryTypes.SELECT,
  });
  return n;
}

export async function benchLedger(infra: BenchInfra, seconds: number, policies: number): Promise<LedgerResult> {
  const starting: Partial<Record<Posting, StackProcesses>> = {};
  try {
    for (const posting of ['on', 'off'] as const)
      starting[posting] = await startStackProcesses(infra, {
        ...(await apiEnvFor(infra, `bench-ledger-${posting}`)),
        LEDGER_POSTING: posting,
      });
    const sides: Record<Posting, Side> = { on: { posting: 'on', stack: starting.on! }, off: { posting: 'off', stack: starting.off! } };
    const jwt = loadConfig(await apiEnvFor(infra, 'bench-ledger')).jwt;
    const token = (user: User) => issueAccessToken(jwt, user);
    // A tenant per side, so each side's entries can be counted.
    const setUp = async () => {
      const bench = await createBenchTenant(1);
      const tenantId = bench.tenant.id;
      const [admin, manager, adjuster, senior] = await Promise.all(
        (['tenant_admin', 'claims_manager', 'adjuster', 'senior_adjuster'] as const).map((role) => buildUser({ tenantId, role })),
      );
      const people = { admin, manager, adjuster, senior, claimant: bench.policyholders[0] };
      // Every payment an adjuster asks for waits for a second person: the approval is the path measured.
      await TenantSettings.upsert({ tenantId, values: { approvalLimitAdjuster: 0 } });
      return {
        bench,
        people,
        invoices: await openInvoices(infra, bench, people.claimant),
        // Filed before each run of the claim path, as many as it needs (bench/claim-pool.ts).
        claims: new ClaimPool(CLAIM_LANES),
      };
    };
    const tenants = { on: await setUp(), off: await setUp() };
    const entriesBefore = {
      on: await entriesOf(infra, tenants.on.bench.tenant.id),
      off: await entriesOf(infra, tenants.off.bench.tenant.id),
    };

    const premiumPayments = await comparePath(infra, sides, PAYMENT_LANES, seconds, (side) => {
      const { invoices, people } = tenants[side.posting];
      const staff = token(people.admin);
      return async (lane) => {
        await send(
          `${side.stack.api.url}/api/v1/invoices/${invoices[lane]}/payments`,
          staff,
          { amount: '0.01', method: 'bank_transfer', reference: 'BENCH' },
          [201],
          { 'idempotency-key': crypto.randomUUID() },
        );
      };
    });

    const claimPayments = await comparePath(
      infra,
      sides,
      CLAIM_LANES,
      seconds,
      (side) => {
        const { claims, people } = tenants[side.posting];
        const [asker, approver] = [token(people.adjuster), token(people.senior)];
        return async (lane) => {
          const url = `${side.stack.api.url}/api/v1/claims/${claims.next(lane)}/payments`;
          const begun = performance.now();
          const requested = await send(url, asker, { costType: 'indemnity', category: 'other', amount: '10.00', payee: PAYEE }, [202]);
          const asked = performance.now();
          await send(`${url}/${requested.payment.id}/approve`, approver, {}, [200]);
          return [asked - begun, performance.now() - asked];
        };
      },
      async (side, runSeconds, perSecond) => {
        const { bench, people, claims } = tenants[side.posting];
        const count = claims.freshClaimsFor(perSecond ?? CLAIM_FIRST_GUESS_PER_SECOND, runSeconds);
        claims.add(await assignedClaims(infra, side, bench, people, token, count));
      },
    );

    const entriesPosted = {
      on: (await entriesOf(infra, tenants.on.bench.tenant.id)) - entriesBefore.on,
      off: (await entriesOf(infra, tenants.off.bench.tenant.id)) - entriesBefore.off,
    };
    const close = await closeThroughApi(infra, sides.on, policies, token);
    const claimsFiled = { on: tenants.on.claims.filed, off: tenants.off.claims.filed };
    return { secondsPerHalf: seconds, premiumPayments, claimPayments, close, entriesPosted, claimsFiled };
  } finally {
    await Promise.all(Object.values(starting).map((stack) => stack.stop()));
  }
}
