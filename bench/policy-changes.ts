/**
 * Applying a policy change beside a cancellation (#80 item 4; docs/subscriptions.md, Policy changes;
 * docs/performance.md, Policy changes). Both are a holder's decision that the API checks and hands
 * to the policy's run as an Update, answered once the run has written its rows: the change's round
 * trip should take at most 1.5 × a cancellation's at p95.
 *
 * The API and the worker as the start command starts them (startStackProcesses), one tenant that
 * collects premiums elsewhere (its policies cover at once), `policies` active policies of one plan
 * spread over HOLDERS holders, taken out through the API and activated by the stack's worker.
 * Half are to be changed, half cancelled. Each change is quoted beforehand (to a dearer plan of the
 * category, effective today: billed pro rata, a version added), so what is timed is the request
 * that applies it, POST /subscriptions/:id/changes/:changeId/apply, to its answer; a cancellation is
 * PATCH /subscriptions/:id/cancel by the same holder, timed the same way. After a warm-up of each,
 * one request at a time and then CLIENTS at once, each in halves change, cancel, cancel, change.
 *
 * After its last answer a half waits for its e-mails (the run's work after the answer: the
 * version's schedule, the mail), so no half's tail falls in the next; each process's CPU is read
 * over the half and that wait, per operation: the request and all it sets off. Beside the latency,
 * the Update's own time inside the API (its `update` calls to Temporal, mean): the rest is the API's.
 */
import { loadConfig } from '../src/config';
import { Subscription, SubscriptionChange, type User } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { buildPlan } from '../tests/support/factories';
import { waitUntil } from '../tests/support/waiting';
import { addCpu, cpuSnapshot, cpuUsed, processCpuSeconds, type CpuSnapshot } from './cpu-time';
import { answered, createBenchTenant, percentile, runConcurrently } from './fixtures';
import type { BenchInfra } from './infra';
import { apiEnvFor, startStackProcesses, type StackProcesses } from './processes';
import { withTemporalCalls } from './runtime-metrics';
import { cpuPerOperation, sideRatios, type CpuPerOperation } from './side-ratios';

/** The issue's bound: a change's p95 within 1.5 × a cancellation's. */
const TARGET_RATIO = 1.5;
/** Clients at once in the second phase: a few people deciding at the same time. */
const CLIENTS = 4;
/** Operations of each kind before anything is timed (JIT, pools, the worker's caches). */
const WARM_UP = 20;
const HOLDERS = 10;
const TASK_QUEUE = 'bench-policy-changes';

type Kind = 'change' | 'cancellation';

/** A policy to act on, and for a change the quote to confirm. */
interface Target {
  subscriptionId: string;
  holder: User;
  changeId?: string;
}

/** One kind's halves of one phase, summed. */
interface Tally {
  latencies: number[];
  cpu: CpuSnapshot;
  workerSeconds: number;
  updates: number;
  updateSeconds: number;
}

export interface KindFigures {
  operations: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The Update's round trip as the API timed its call to Temporal, mean: of p50Ms, the rest is the API's own work. */
  updateMeanMs: number;
  /** CPU per operation of each process (the worker's beside), the request and the run's work after its answer. */
  cpuMsPerOperation: CpuPerOperation;
}

export interface PhaseResult {
  clients: number;
  change: KindFigures;
  cancellation: KindFigures;
  /** The target (≤ 1.5): the change's p95 ÷ the cancellation's. */
  p95Ratio: number;
  p50Ratio: number;
  /** All processes' CPU per operation (the worker's with them), change ÷ cancellation. */
  cpuRatio: number;
  targetMet: boolean;
}

export interface PolicyChangesResult {
  policies: number;
  oneAtATime: PhaseResult;
  concurrent: PhaseResult;
  /** Every change timed was applied and every cancellation cancelled its policy (warm-up included). */
  changesApplied: number;
  policiesCancelled: number;
}

const emptyTally = (): Tally => ({
  latencies: [],
  cpu: { bench: 0, api: 0, temporal: 0, postgres: 0 },
  workerSeconds: 0,
  updates: 0,
  updateSeconds: 0,
});

function figuresOf(tally: Tally): KindFigures {
  const operations = tally.latencies.length;
  return {
    operations,
    p50Ms: percentile(tally.latencies, 50),
    p95Ms: percentile(tally.latencies, 95),
    p99Ms: percentile(tally.latencies, 99),
    updateMeanMs: tally.updates ? Math.round((tally.updateSeconds * 1e4) / tally.updates) / 10 : 0,
    cpuMsPerOperation: cpuPerOperation(tally.cpu, tally.workerSeconds, operations),
  };
}

function phaseOf(clients: number, tallies: Record<Kind, Tally>): PhaseResult {
  const change = figuresOf(tallies.change);
  const cancellation = figuresOf(tallies.cancellation);
  const ratios = sideRatios(change, cancellation);
  return { clients, change, cancellation, ...ratios, targetMet: ratios.p95Ratio <= TARGET_RATIO };
}

export async function benchPolicyChanges(infra: BenchInfra, policies: number): Promise<PolicyChangesResult> {
  const perKind = Math.floor(policies / 2);
  const timedPerPhase = Math.floor((perKind - WARM_UP) / 2);
  if (timedPerPhase < 2 * CLIENTS) throw new Error(`${policies} policies are too few: ${2 * (WARM_UP + 4 * CLIENTS)} at least`);
  const env = await apiEnvFor(infra, TASK_QUEUE);
  let stack: StackProcesses | undefined;
  try {
    stack = await startStackProcesses(infra, env);
    const { api } = stack;
    const { url } = api;
    const jwt = loadConfig(env).jwt;
    const bench = await createBenchTenant(HOLDERS);
    const dearer = await buildPlan({
      categoryId: bench.plan.categoryId,
      name: 'Home Plus',
      coverageLevel: 'standard',
      coverageAmount: '80000.00',
      premium: '360.00',
      durationMonths: 12,
    });
    const tokens = new Map(bench.policyholders.map((holder) => [holder.id, issueAccessToken(jwt, holder)]));
    const headers = (holder: User) => ({ authorization: `Bearer ${tokens.get(holder.id)}`, 'content-type': 'application/json' });
    const emails = new Set(bench.policyholders.map((holder) => holder.email));
    const mails = () => infra.smtp.messages.filter((message) => emails.has(message.to[0])).length;
    const mailsReach = (count: number, what: string) => waitUntil(() => mails() >= count, what, 5 * 60_000);

    // The policies, taken out through the API by their holders (the stack's runs record and activate each).
    const targets: Target[] = [];
    await runConcurrently(2 * perKind, 16, async (i) => {
      const holder = bench.policyholders[i % HOLDERS];
      const response = await fetch(`${url}/api/v1/subscriptions`, {
        method: 'POST',
        headers: headers(holder),
        body: JSON.stringify({ planId: bench.plan.id }),
      });
      const issued = (await response.json()) as { id?: string };
      if (response.status !== 202 || !issued.id) throw new Error(`a subscribe answered ${response.status}: ${JSON.stringify(issued)}`);
      targets.push({ subscriptionId: issued.id, holder });
    });
    const activeCount = () => Subscription.count({ where: { tenantId: bench.tenant.id, status: 'active' } });
    await waitUntil(async () => (await activeCount()) === targets.length, `${targets.length} policies active`, 5 * 60_000);
    await mailsReach(targets.length, 'every activation e-mail');

    const toChange = targets.slice(0, perKind);
    const toCancel = targets.slice(perKind);
    // Each change quoted beforehand, as its holder asks for it: not timed.
    const today = new Date().toISOString().slice(0, 10);
    await runConcurrently(toChange.length, CLIENTS, async (i) => {
      const target = toChange[i];
      const response = await fetch(`${url}/api/v1/subscriptions/${target.subscriptionId}/changes`, {
        method: 'POST',
        headers: headers(target.holder),
        body: JSON.stringify({ effectiveDate: today, planId: dearer.id }),
      });
      const quoted = (await response.json()) as { id?: string };
      if (response.status !== 201 || !quoted.id) throw new Error(`a change quote answered ${response.status}: ${JSON.stringify(quoted)}`);
      target.changeId = quoted.id;
    });

    const operation: Record<Kind, (target: Target) => Promise<void>> = {
      change: ({ subscriptionId, holder, changeId }) =>
        answered(
          fetch(`${url}/api/v1/subscriptions/${subscriptionId}/changes/${changeId}/apply`, { method: 'POST', headers: headers(holder) }),
          200,
        ),
      cancellation: ({ subscriptionId, holder }) =>
        answered(
          fetch(`${url}/api/v1/subscriptions/${subscriptionId}/cancel`, { method: 'PATCH', headers: headers(holder), body: '{}' }),
          200,
        ),
    };
    const unused: Record<Kind, Target[]> = { change: [...toChange], cancellation: [...toCancel] };
    const processes = { ...infra.pids, api: stack.api.child.pid! };
    const workerPid = stack.worker.pid!;

    /** `count` operations of `kind` from `clients` at once, then their e-mails; into `tally` when given. */
    const half = async (kind: Kind, count: number, clients: number, tally?: Tally) => {
      const batch = unused[kind].splice(0, count);
      const mailsBefore = mails();
      const cpuBefore = cpuSnapshot(processes);
      const workerBefore = processCpuSeconds(workerPid);
      const { result: latencies, temporalCalls } = await withTemporalCalls(api, 'update', () =>
        runConcurrently(batch.length, clients, (i) => operation[kind](batch[i])),
      );
      await mailsReach(mailsBefore + batch.length, `the e-mails of ${batch.length} ${kind}s`);
      if (!tally) return;
      tally.latencies.push(...latencies);
      tally.cpu = addCpu(tally.cpu, cpuUsed(cpuBefore, cpuSnapshot(processes)));
      tally.workerSeconds += processCpuSeconds(workerPid) - workerBefore;
      tally.updates += temporalCalls.calls;
      tally.updateSeconds += (temporalCalls.calls * temporalCalls.meanMs) / 1000;
    };
    const phase = async (clients: number) => {
      const tallies: Record<Kind, Tally> = { change: emptyTally(), cancellation: emptyTally() };
      const halfSize = Math.floor(timedPerPhase / 2);
      for (const kind of ['change', 'cancellation', 'cancellation', 'change'] as const) await half(kind, halfSize, clients, tallies[kind]);
      return phaseOf(clients, tallies);
    };

    for (const kind of ['change', 'cancellation'] as const) await half(kind, WARM_UP, CLIENTS);
    const oneAtATime = await phase(1);
    const concurrent = await phase(CLIENTS);
    const [changesApplied, policiesCancelled] = await Promise.all([
      SubscriptionChange.count({ where: { tenantId: bench.tenant.id, status: 'applied' } }),
      Subscription.count({ where: { tenantId: bench.tenant.id, status: 'cancelled' } }),
    ]);
    return { policies: targets.length, oneAtATime, concurrent, changesApplied, policiesCancelled };
  } finally {
    await stack?.stop();
  }
}
