/**
 * Fairness between tenants on the bulk queue. Three tenants publish a policy to
 * BENCH_FAIRNESS_EMPLOYEES (10,000, 5,000 and 1,000) employees each. Their acknowledgement runs
 * are queued on the bulk queue, largest tenant first (the order in which first in, first out
 * serves the smallest tenant last; runs queued at the same moment interleave and would look fair
 * either way), before any worker polls it. Then a worker process starts, and the notices each
 * tenant's employees have received are counted every second. Over the window in which none of
 * the three has all its notices (at most BENCH_FAIRNESS_SECONDS), each tenant's share of the
 * notices sent is set against an equal share. Done on a dev server of its own with dispatch fair
 * between tenants (as deployed), then on one with fairness off: first in, first out.
 */
import { Acknowledgement, User } from '../src/models';
import { buildPolicyVersion, buildTenant, buildUser, buildUsers } from '../tests/support/factories';
import { ACKNOWLEDGEMENT_NOTICE_SUBJECT_PREFIX } from '../tests/support/acknowledgement-runs';
import { startAcknowledgementRuns, writeAcknowledgementRows } from './acknowledgement-runs';
import { withOwnTemporal, type BenchInfra } from './infra';
import { apiEnvFor, startWorkerProcess } from './processes';

const SAMPLE_MS = 1000;
/** The target: each tenant's share within ±20 % of an equal one. */
const LOWEST_RATIO = 0.8;
const HIGHEST_RATIO = 1.2;

interface TenantShare {
  employees: number;
  /** Notices its employees received within the window. */
  notices: number;
  share: number;
  /** Its share ÷ an equal share (1/3). */
  ratioToEqual: number;
}

interface DispatchRun {
  dispatch: 'fair' | 'fifo';
  /** How long the three backlogs took to queue, one after the other. */
  queueSeconds: number;
  /** From the worker's start until the last sample at which no tenant had all its notices. */
  windowSeconds: number;
  noticesPerSecond: number;
  tenants: TenantShare[];
  /** Notices per tenant at each second of the window, from its start. */
  samples: number[][];
  /** Every ratio within 0.8–1.2. */
  withinTarget: boolean;
}

export interface FairnessResult {
  employees: number[];
  maxSeconds: number;
  fair: DispatchRun;
  fifo: DispatchRun;
}

interface Audience {
  tenantId: string;
  officer: User;
  employees: number;
}

async function seedAudience(employees: number): Promise<{ audience: Audience; emails: string[] }> {
  const tenant = await buildTenant();
  const officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
  const users = await buildUsers(employees, tenant.id, () => ({ role: 'adjuster' }));
  return { audience: { tenantId: tenant.id, officer, employees }, emails: users.map((user) => user.email.toLowerCase()) };
}

async function dispatchOnce(
  infra: BenchInfra,
  dispatch: DispatchRun['dispatch'],
  audiences: Audience[],
  tenantOf: Map<string, number>,
  maxSeconds: number,
): Promise<DispatchRun> {
  const taskQueue = `bench-fairness-${dispatch}`;
  const bulkTaskQueue = `${taskQueue}-bulk`;
  // Each tenant's rows of its own published version, written before anything is timed.
  const backlogs: Acknowledgement[][] = [];
  for (const { tenantId, officer } of audiences) {
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', audienceRoles: ['adjuster'] });
    backlogs.push(await writeAcknowledgementRows(tenantId, version));
  }
  const queueStarted = performance.now();
  for (const rows of backlogs) await startAcknowledgementRuns(infra.temporal, bulkTaskQueue, rows);
  const queueSeconds = (performance.now() - queueStarted) / 1000;

  let seen = infra.smtp.messages.length;
  const counts = audiences.map(() => 0);
  const count = () => {
    for (; seen < infra.smtp.messages.length; seen++) {
      const mail = infra.smtp.messages[seen];
      const tenant = tenantOf.get(mail.to[0]);
      if (tenant !== undefined && mail.subject.startsWith(ACKNOWLEDGEMENT_NOTICE_SUBJECT_PREFIX)) counts[tenant] += 1;
    }
    return [...counts];
  };
  const env = {
    ...(await apiEnvFor(infra, taskQueue)),
    TEMPORAL_BULK_TASK_QUEUE: bulkTaskQueue,
  };
  const worker = await startWorkerProcess(infra.temporal, env);
  const samples = [count()];
  try {
    const unfinished = (sample: number[]) => sample.every((notices, i) => notices < audiences[i].employees);
    while (samples.length <= maxSeconds) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      const sample = count();
      if (!unfinished(sample)) break;
      samples.push(sample);
    }
  } finally {
    await worker.stop();
  }
  const progress = samples.at(-1)!.map((notices, i) => notices - samples[0][i]);
  const total = progress.reduce((sum, notices) => sum + notices, 0);
  const tenants = progress.map((notices, i) => {
    const share = total ? notices / total : 0;
    return { employees: audiences[i].employees, notices, share, ratioToEqual: share * audiences.length };
  });
  const windowSeconds = ((samples.length - 1) * SAMPLE_MS) / 1000;
  return {
    dispatch,
    queueSeconds,
    windowSeconds,
    noticesPerSecond: windowSeconds ? total / windowSeconds : 0,
    tenants,
    samples,
    withinTarget: total > 0 && tenants.every(({ ratioToEqual }) => ratioToEqual >= LOWEST_RATIO && ratioToEqual <= HIGHEST_RATIO),
  };
}

export async function benchFairness(infra: BenchInfra, employees: number[], maxSeconds: number): Promise<FairnessResult> {
  // Largest first: the order of the queue when its backlog is built.
  const sizes = [...employees].sort((a, b) => b - a);
  const seeded = [];
  for (const size of sizes) seeded.push(await seedAudience(size));
  const audiences = seeded.map(({ audience }) => audience);
  const tenantOf = new Map(seeded.flatMap(({ emails }, i) => emails.map((email) => [email, i] as const)));
  // Each half on a fresh dev server of its own, stopped with what it still holds.
  const measure = (dispatch: DispatchRun['dispatch']) =>
    withOwnTemporal(infra, (own) => dispatchOnce(own, dispatch, audiences, tenantOf, maxSeconds), dispatch === 'fair');
  const fair = await measure('fair');
  const fifo = await measure('fifo');
  return { employees: sizes, maxSeconds, fair, fifo };
}
