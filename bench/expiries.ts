/**
 * Expiries on the real dev server. N subscriptions whose coverage has ended are started with a
 * start delay that makes all N runs begin within the same second, about a minute ahead (the
 * bench-only path: each run is given its coverage period and the tenant's settings, as a renewal
 * hands them on, so it expires as soon as it runs). Beside it, N one-activity workflows doing the
 * same I/O (the row change and the e-mail, bench/workflows/one-activity.ts) are started the same
 * way, on the same server with the same worker settings. Drained = every row `expired` and every e-mail received; lag is the
 * time from the shared due moment to each row's expiry.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Subscription } from '../src/models';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/config/logger';
import { acknowledgementLinkKeyOf } from '../src/domain/compliance/acknowledgement-link-tokens';
import { createSmtpMailer } from '../src/services/mailer';
import { temporalDataConverter } from '../src/services/temporal';
import { loadRenewalPolicy } from '../src/activities/subscriptions';
import { RenewalPolicy, subscriptionRun, SubscriptionWorkflow, SubscriptionWorkflowInput } from '../src/contracts/subscription';
import { createInsurflowWorker, workerActivities } from '../worker/worker';
import { cpuMsPer, cpuSnapshot, cpuUsed, type CpuSnapshot } from './cpu-time';
import type { BenchInfra } from './infra';
import { bulkCreateInBatches, createBenchTenant, percentile, runConcurrently, termsFor, type BenchTenant } from './fixtures';
import type { ReceivedMail } from '../tests/support/smtp-sink';
import { waitUntil } from '../tests/support/waiting';
import { expireDirectlyActivity } from './expiry-activity';
import type { oneActivityExpiry } from './workflows/one-activity';

/** Same for both sides: the SDK's defaults would differ between the two workers' machines only by accident. */
const TUNING = { maxConcurrentActivityTaskExecutions: 100, maxConcurrentWorkflowTaskExecutions: 40, maxCachedWorkflows: 2000 };

export interface Drain {
  expiries: number;
  expired: number;
  emails: number;
  secondsToDrain: number;
  perSecond: number;
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
  /**
   * CPU ms per run from the due moment until drained: the Temporal server, PostgreSQL (its
   * backends included) and the bench process (the worker, the SMTP sink and the progress reads,
   * the last two alike on both sides). On two shared cores a drain's rate is bounded by what a run
   * costs them together, so this says where one side costs more.
   */
  cpuMsPerRun: { temporal: number; postgres: number; worker: number; total: number };
}

/** Target ≥ 0.7: subscription expiries drained per second ÷ one-activity runs per second. */
export type ExpiryResult = DueTogetherResult;

export const today = () => new Date().toISOString().slice(0, 10);

/** N active subscriptions covering `period`, as a worker would have left them. */
export async function seedActiveSubscriptions(
  bench: BenchTenant,
  count: number,
  period: { startDate: string; endDate: string },
): Promise<Subscription[]> {
  return bulkCreateInBatches(
    Subscription,
    Array.from({ length: count }, (_, i) => {
      const terms = termsFor(bench, bench.policyholders[i % bench.policyholders.length]);
      return {
        id: terms.subscriptionId,
        tenantId: terms.tenantId,
        planId: terms.planId,
        policyholderId: terms.policyholderId,
        status: 'active' as const,
        coverageAmount: terms.coverageAmount,
        premium: terms.premium,
        durationMonths: terms.durationMonths,
        ...period,
        workflowId: subscriptionRun.id(terms.subscriptionId),
      };
    }),
  );
}

/**
 * The room before the shared due moment: 5 s, and for each run 9 ms before the benchmark's first
 * batch (a start took 3–7 ms here, 6.6 on a slow day, whose first 5,000 had 2 s to spare with
 * 6), then 1.5 × what a start took in the batch before. More left `--sizes` idle for minutes in
 * all, waiting for due moments its starts had long been ready for.
 */
let leadMsPerRun = 9;
const LEAD_MARGIN = 1.5;
const LEAD_FIXED_MS = 5_000;

/** Starts `count` runs whose first task waits until one shared moment, and returns that moment. */
async function startAllDueTogether(count: number, start: (i: number, delayMs: number) => Promise<unknown>): Promise<number> {
  const began = Date.now();
  // Whole milliseconds: the lead per run is fractional, and each run's delay and lag derive from this moment.
  const dueAt = began + LEAD_FIXED_MS + Math.ceil(count * leadMsPerRun);
  const tooLate = () => new Error(`starting the runs took longer than the lead before their due moment (${count} runs)`);
  await runConcurrently(count, 32, (i) => {
    // The server refuses a start delay that is not positive, with a message that does not say why.
    const delayMs = dueAt - Date.now();
    if (delayMs <= 0) throw tooLate();
    return start(i, delayMs);
  });
  const startedAt = Date.now();
  if (startedAt >= dueAt) throw tooLate();
  leadMsPerRun = Math.max(1, ((startedAt - began) / count) * LEAD_MARGIN);
  process.stdout.write(`started ${count} runs in ${(startedAt - began) / 1000} s, due ${(dueAt - startedAt) / 1000} s later\n`);
  return dueAt;
}

/** What tells a side drained, and its lags from the due moment. Each side has its own tenant, so its rows are found by tenant (an index). */
export interface DrainCheck {
  /** Rows changed so far (a statement); drained when they and the e-mails reach their expected counts. */
  rows(): Promise<number>;
  /** E-mails received so far (counted in memory). */
  emails(): number;
  expected: { rows: number; emails: number };
  /** Each item's time from the due moment to its outcome, read once drained. */
  lags(dueAt: number): Promise<number[]>;
}

/**
 * How long a drain may take: 30 minutes, or 80 ms a run at larger sizes (12.5 a second, about half
 * the slowest drain measured, 22 a second). A fixed 30 minutes could not cover `--sizes=large`: 50,000 expiries at
 * 27 a second take 31 minutes after their due moment.
 */
const drainDeadlineMs = (count: number) => Math.max(30 * 60_000, count * 80);

async function drain(infra: BenchInfra, count: number, check: DrainCheck, dueAt: number): Promise<Drain> {
  const cpuAtDue = await cpuAt(infra, dueAt);
  const last = { rows: 0, emails: 0 };
  // The rows are counted only once every e-mail has arrived: a count every 100 ms for the whole
  // drain was the benchmark's PostgreSQL work, charged to the runs it measures.
  const done = async () => {
    last.emails = check.emails();
    if (last.emails < check.expected.emails) return false;
    last.rows = await check.rows();
    return last.rows === check.expected.rows;
  };
  await waitUntil(done, 'every item persisted and mailed', drainDeadlineMs(count));
  const drainedAt = Date.now();
  const cpu = cpuMsPer(cpuUsed(cpuAtDue, cpuSnapshot(infra.pids)), count);
  const lags = await check.lags(dueAt);
  const secondsToDrain = (drainedAt - dueAt) / 1000;
  return {
    expiries: count,
    expired: last.rows,
    emails: last.emails,
    secondsToDrain,
    perSecond: count / secondsToDrain,
    lagP50Ms: percentile(lags, 50),
    lagP95Ms: percentile(lags, 95),
    lagMaxMs: Math.max(...lags),
    cpuMsPerRun: { temporal: cpu.temporal, postgres: cpu.postgres, worker: cpu.bench, total: cpu.total },
  };
}

/** The CPU snapshot at the due moment (the runs' starts are not the drain's cost). */
async function cpuAt(infra: BenchInfra, moment: number): Promise<CpuSnapshot> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, moment - Date.now())));
  return cpuSnapshot(infra.pids);
}

/**
 * The e-mails to `bench`'s policyholders whose subject passes `subject`, as far as they have
 * arrived: each call reads only what came since the last. A drain asks ten times a second, and the
 * sink keeps every e-mail of the run (tens of thousands by a curve's last size): scanning them all
 * each time cost the later drains more of the bench process's CPU than the earlier ones.
 */
export function mailsTo(infra: BenchInfra, bench: BenchTenant, subject: (subject: string) => boolean): () => ReceivedMail[] {
  const recipients = new Set(bench.policyholders.map((u) => u.email));
  const matched: ReceivedMail[] = [];
  let read = 0;
  return () => {
    for (const { messages } = infra.smtp; read < messages.length; read++) {
      const mail = messages[read];
      if (subject(mail.subject) && recipients.has(mail.to[0])) matched.push(mail);
    }
    return matched;
  };
}

/** The expiry's drain: every row `expired`, every e-mail received; lag to each row's change. */
function expiryCheck(infra: BenchInfra, bench: BenchTenant, count: number): DrainCheck {
  const expiryMails = mailsTo(infra, bench, (subject) => subject.endsWith('has expired'));
  return {
    expected: { rows: count, emails: count },
    rows: () => Subscription.count({ where: { tenantId: bench.tenant.id, status: 'expired' } }),
    emails: () => expiryMails().length,
    async lags(dueAt) {
      const expired = await Subscription.findAll({ where: { tenantId: bench.tenant.id }, attributes: ['updatedAt'] });
      return expired.map((r) => r.updatedAt.getTime() - dueAt);
    },
  };
}

/** One side of a due-together comparison: its rows are seeded in a tenant of its own, then its runs started. */
export interface DueTogetherSide {
  seed(bench: BenchTenant): Promise<Subscription[]>;
  check(bench: BenchTenant): DrainCheck;
}

/** A yardstick workflow of bench/workflows/one-activity.ts: one input, one activity. */
type OneActivityWorkflow<I> = (input: I) => Promise<void>;

/** The due-together comparison: the subscription runs, then the one-activity yardstick doing the same I/O. */
export interface DueTogether<I> {
  /** Names the task queues. */
  name: string;
  count: number;
  side: DueTogetherSide;
  /** The yardstick's workflow in bench/workflows/one-activity.ts, its activities and one row's arguments. */
  yardstick: {
    workflowType: string;
    activities(activities: ReturnType<typeof workerActivities>): object;
    args(bench: BenchTenant, row: Subscription, i: number): [I];
  };
}

export interface DueTogetherResult {
  subscriptionRuns: Drain;
  oneActivityRuns: Drain;
  /** Subscription runs drained per second ÷ one-activity runs per second. */
  ratio: number;
}

/** The comparison's sides measured one after the other. */
export type DueTogetherSides = { subscriptionRuns?: Drain; oneActivityRuns?: Drain };

/** Both sides, and their ratio. */
export async function benchDueTogether<I>(infra: BenchInfra, spec: DueTogether<I>): Promise<DueTogetherResult> {
  const { subscriptionRuns, oneActivityRuns } = await drainDueTogether(infra, spec, ['subscriptionRuns', 'oneActivityRuns']);
  return {
    subscriptionRuns: subscriptionRuns!,
    oneActivityRuns: oneActivityRuns!,
    ratio: subscriptionRuns!.perSecond / oneActivityRuns!.perSecond,
  };
}

/** The chosen sides of the comparison (a growth curve measures its yardstick at one size only). */
export async function drainDueTogether<I>(
  infra: BenchInfra,
  spec: DueTogether<I>,
  sides: (keyof DueTogetherSides)[],
): Promise<DueTogetherSides> {
  const { count } = spec;
  const connection = await NativeConnection.connect({ address: infra.temporalAddress });
  const config = loadConfig({ DATABASE_URL: infra.databaseUrl, JWT_SECRET: infra.jwtSecret, ...infra.smtp.env });
  const mailer = createSmtpMailer(config.smtp);
  const taskQueue = `bench-${spec.name}-${crypto.randomBytes(3).toString('hex')}`;
  const deps = {
    sequelize: infra.sequelize,
    mailer,
    logger: createLogger('warn', 'bench'),
    temporal: infra.temporal,
    taskQueue,
    // These runs start no bulk work: one queue.
    bulkTaskQueue: taskQueue,
    webhookTimeoutMs: 5000,
    apiPublicUrl: 'http://127.0.0.1',
    acknowledgementLinkKey: acknowledgementLinkKeyOf(config.jwt),
    sealing: config.jwt,
  };
  try {
    const drained: DueTogetherSides = {};
    if (sides.includes('subscriptionRuns')) drained.subscriptionRuns = await subscriptionSide();
    if (sides.includes('oneActivityRuns')) drained.oneActivityRuns = await yardstickSide();
    return drained;
  } finally {
    mailer.close();
    await connection.close();
  }

  async function subscriptionSide(): Promise<Drain> {
    const ours = await createBenchTenant(100);
    const oursRows = await spec.side.seed(ours);
    // Read once, as each renewal would have read them for its next period.
    const policy = await loadRenewalPolicy(ours.tenant.id);
    const subscriptionWorker = await createInsurflowWorker({
      connection,
      namespace: 'default',
      taskQueue,
      dataConverter: temporalDataConverter(config.temporal),
      workflowBundlePath: path.join(__dirname, '..', 'workflow-bundle.js'),
      deps,
      tuning: TUNING,
    });
    return subscriptionWorker.runUntil(async () => {
      const dueAt = await startAllDueTogether(count, (i, delayMs) =>
        infra.temporal.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
          taskQueue,
          workflowId: oursRows[i].workflowId!,
          args: [handedOver(ours, oursRows[i], i, policy)],
          startDelay: delayMs,
        }),
      );
      return drain(infra, count, spec.side.check(ours), dueAt);
    });
  }

  async function yardstickSide(): Promise<Drain> {
    const raw = await createBenchTenant(100);
    const rawRows = await spec.side.seed(raw);
    const rawQueue = `${taskQueue}-raw`;
    const rawWorker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: rawQueue,
      workflowsPath: require.resolve('./workflows/one-activity'),
      activities: spec.yardstick.activities(workerActivities({ ...deps, taskQueue: rawQueue })),
      ...TUNING,
    });
    return rawWorker.runUntil(async () => {
      const dueAt = await startAllDueTogether(count, (i, delayMs) =>
        infra.temporal.workflow.start<OneActivityWorkflow<I>>(spec.yardstick.workflowType, {
          taskQueue: rawQueue,
          workflowId: `bench-${spec.name}-${rawRows[i].id}`,
          args: spec.yardstick.args(raw, rawRows[i], i),
          startDelay: delayMs,
        }),
      );
      return drain(infra, count, spec.side.check(raw), dueAt);
    });
  }
}

/** What a renewal hands the next period's run, for a seeded row: its terms, its period and the tenant's settings. */
const handedOver = (bench: BenchTenant, row: Subscription, i: number, policy: RenewalPolicy): SubscriptionWorkflowInput => ({
  terms: termsOfRow(bench, row, i),
  period: { startDate: row.startDate!, endDate: row.endDate!, renewalCount: 0 },
  policy,
});

/** The run's terms for a seeded row of `bench`. */
const termsOfRow = (bench: BenchTenant, row: Subscription, i: number) => ({
  ...termsFor(bench, bench.policyholders[i % bench.policyholders.length]),
  subscriptionId: row.id,
  policyholderId: row.policyholderId,
});

/** The comparison at one size, for a growth curve to measure side by side. */
export function expirySpec(infra: BenchInfra, expiries: number): DueTogether<Parameters<typeof oneActivityExpiry>[0]> {
  return {
    name: 'expiries',
    count: expiries,
    side: {
      seed: (bench) => seedActiveSubscriptions(bench, expiries, { startDate: today(), endDate: today() }),
      check: (bench) => expiryCheck(infra, bench, expiries),
    },
    yardstick: {
      workflowType: 'oneActivityExpiry',
      activities: (activities) => ({ expireDirectly: expireDirectlyActivity(activities) }),
      args: (_bench, row): Parameters<typeof oneActivityExpiry> => [
        { subscriptionId: row.id, tenantId: row.tenantId, policyholderId: row.policyholderId },
      ],
    },
  };
}

export async function benchExpiries(infra: BenchInfra, expiries: number): Promise<ExpiryResult> {
  return benchDueTogether(infra, expirySpec(infra, expiries));
}
