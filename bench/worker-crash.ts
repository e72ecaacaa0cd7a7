/**
 * A worker killed mid-run (SIGKILL) loses nothing and sends no second notification: a second
 * worker finishes every subscription, and each subscription's activation e-mail is one message.
 * A worker killed after the SMTP server accepted an e-mail and before its own commit sends it again
 * on retry, as the same message (same Message-ID, which mail systems use to drop the copy): those
 * copies are counted apart, as `resentCopies`.
 */
import { Subscription } from '../src/models';
import { NOTIFICATION_LEASE_MS } from '../src/shared/notification-timing';
import type { BenchInfra } from './infra';
import { createBenchTenant, runConcurrently, termsFor } from './fixtures';
import { waitUntil } from '../tests/support/waiting';
import { startSubscription } from './start-subscription';
import { startWorkerProcess } from './processes';

export interface WorkerCrashResult {
  subscriptions: number;
  activeWhenKilled: number;
  activeAtEnd: number;
  lost: number;
  activationEmails: number;
  /** Distinct activation messages (by Message-ID): one per subscription, no more and no fewer. */
  distinctMessages: number;
  /** Copies of a message already received, resent after the kill with the same Message-ID. */
  resentCopies: number;
  secondsToRecover: number;
}

export async function benchWorkerCrash(infra: BenchInfra, subscriptions: number): Promise<WorkerCrashResult> {
  const taskQueue = 'bench-crash';
  const bench = await createBenchTenant(subscriptions);
  const workerEnv = {
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: infra.jwtSecret,
    ...infra.smtp.env,
  };
  const activeCount = () => Subscription.count({ where: { tenantId: bench.tenant.id, status: 'active' } });
  const firstWorker = await startWorkerProcess(infra.temporal, workerEnv);
  await runConcurrently(subscriptions, 32, (i) => startSubscription(infra.temporal, taskQueue, termsFor(bench, bench.policyholders[i])));
  await waitUntil(async () => (await activeCount()) >= subscriptions / 3, 'a third of the subscriptions active', 120_000);
  firstWorker.child.kill('SIGKILL');
  await new Promise((resolve) => firstWorker.child.once('exit', resolve));
  const activeWhenKilled = await activeCount();

  const killedAt = Date.now();
  const secondWorker = await startWorkerProcess(infra.temporal, workerEnv);
  try {
    await waitUntil(async () => (await activeCount()) === subscriptions, 'every subscription active', 5 * 60_000);
    const secondsToRecover = (Date.now() - killedAt) / 1000;
    const policyholderEmails = new Set(bench.policyholders.map((u) => u.email));
    await waitUntil(
      async () =>
        infra.smtp.messages.filter((m) => m.subject.endsWith('is active') && policyholderEmails.has(m.to[0])).length >= subscriptions,
      'every activation e-mail',
      // An e-mail the killed worker had claimed waits for its claim's lease to run out.
      NOTIFICATION_LEASE_MS + 60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const activationEmails = infra.smtp.messages.filter((m) => m.subject.endsWith('is active') && policyholderEmails.has(m.to[0]));
    const distinctMessages = new Set(activationEmails.map((m) => m.messageId)).size;
    return {
      subscriptions,
      activeWhenKilled,
      activeAtEnd: await activeCount(),
      lost: subscriptions - (await activeCount()),
      activationEmails: activationEmails.length,
      distinctMessages,
      resentCopies: activationEmails.length - distinctMessages,
      secondsToRecover,
    };
  } finally {
    await secondWorker.stop();
  }
}
