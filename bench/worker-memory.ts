/** Worker memory per open workflow: RSS of a real worker process before and after N subscriptions sit on their timers. */
import { Op } from 'sequelize';
import { Subscription } from '../src/models';
import type { BenchInfra } from './infra';
import { createBenchTenant, runConcurrently, termsFor } from './fixtures';
import { waitUntil } from '../tests/support/waiting';
import { startSubscription } from './start-subscription';
import { startWorkerProcess } from './processes';

export interface WorkerMemoryResult {
  openWorkflows: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  kibPerOpenWorkflow: number;
  secondsToOpenAll: number;
}

const MiB = 1024 * 1024;

export async function benchWorkerMemory(infra: BenchInfra, openWorkflows: number): Promise<WorkerMemoryResult> {
  const taskQueue = 'bench-memory';
  const bench = await createBenchTenant(100);
  const worker = await startWorkerProcess(infra.temporal, {
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: infra.jwtSecret,
    SMTP_PORT: String(infra.smtp.port),
    // Every open run stays cached, so the measurement is of workflows held in memory.
    WORKER_MAX_CACHED_WORKFLOWS: String(openWorkflows + 1000),
  });
  try {
    const startOne = (i: number) => startSubscription(infra.temporal, taskQueue, termsFor(bench, bench.policyholders[i % bench.policyholders.length]));
    const activeCount = () => Subscription.count({ where: { tenantId: bench.tenant.id, status: { [Op.eq]: 'active' } } });

    // Warm-up: the bundle is loaded and the workflow context created before the baseline.
    await runConcurrently(50, 10, startOne);
    await waitUntil(async () => (await activeCount()) === 50, 'warm-up subscriptions active', 120_000);
    await new Promise((r) => setTimeout(r, 2000));
    const before = worker.rssBytes();

    const started = Date.now();
    await runConcurrently(openWorkflows, 32, (i) => startOne(i + 50));
    await waitUntil(async () => (await activeCount()) === openWorkflows + 50, `${openWorkflows} subscriptions active`, 30 * 60_000);
    const secondsToOpenAll = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const after = worker.rssBytes();

    return {
      openWorkflows,
      rssBeforeMiB: before / MiB,
      rssAfterMiB: after / MiB,
      kibPerOpenWorkflow: (after - before) / 1024 / openWorkflows,
      secondsToOpenAll,
    };
  } finally {
    await worker.stop();
  }
}
