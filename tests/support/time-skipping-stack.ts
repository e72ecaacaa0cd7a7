/**
 * What a workflow test on the time-skipping server needs: the server, a fresh database, a real
 * SMTP sink, the real activities built on them, and a worker on its own task queue.
 */
import { WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities, ActivityDeps } from '../../src/activities';
import { workerActivities } from '../../worker/worker';
import { createLogger } from '../../src/config/logger';
import { acknowledgementLinkKeyOf } from '../../src/domain/compliance/acknowledgement-link-tokens';
import { createSmtpMailer } from '../../src/services/mailer';
import { testConfig } from './config';
import { createTestDatabase, type TestDatabase } from './database';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { createTimeSkippingEnv } from './time-skipping';
import { describeRun, resultOf, tasksInFlight, WAIT_BOUND_MS, waitUntil, within } from './waiting';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  smtp: SmtpSink;
  deps: ActivityDeps;
  activities: Activities;
  /**
   * Skips server time, bounded in real time: the server skips only while no task is outstanding,
   * so a run stuck on a task (described in the failure, when given) would otherwise hang the test.
   */
  skip(duration: Duration, run?: WorkflowHandle): Promise<void>;
  /**
   * Ends a run the test is done with, once no task of it is in flight. The time-skipping server
   * locks its clock while an activity or workflow task is outstanding and does not release that
   * lock when the run is terminated under it: every later skip in the file would then run at
   * real-time pace (seven days for `skip('7 days')`). The race is real: a test that has seen the
   * escalation e-mail terminates while the workflow task handling the e-mail activity's result
   * is still open.
   */
  terminate(run: WorkflowHandle): Promise<void>;
  /**
   * A run's result with the server's clock held. The environment's own `result()` lets the server
   * skip while it waits, and an idle moment before the answer reaches the test is enough for it to
   * fire every other run's next timer (an escalation the test then sees too early).
   */
  resultInPresentTime<R>(run: WorkflowHandle<() => Promise<R>>): Promise<R>;
  /** Starts a worker with the prebuilt bundle and the real activities, some of them replaced. */
  startWorker(taskQueue: string, replaced?: Partial<Activities>): Promise<Worker>;
  close(): Promise<void>;
}

/**
 * The three started side by side; when one fails the others are closed before the failure is
 * thrown, so a server that did not start leaves no listening sink or database behind (an open
 * socket kept jest from exiting after a loaded run).
 */
async function startedTogether(
  starting: readonly [Promise<TestWorkflowEnvironment>, Promise<TestDatabase>, Promise<SmtpSink>],
): Promise<[TestWorkflowEnvironment, TestDatabase, SmtpSink]> {
  const [env, db, smtp] = await Promise.allSettled(starting);
  if (env.status === 'fulfilled' && db.status === 'fulfilled' && smtp.status === 'fulfilled') return [env.value, db.value, smtp.value];
  await Promise.allSettled([
    env.status === 'fulfilled' ? env.value.teardown() : undefined,
    db.status === 'fulfilled' ? db.value.close() : undefined,
    smtp.status === 'fulfilled' ? smtp.value.stop() : undefined,
  ]);
  throw [env, db, smtp].find((started): started is PromiseRejectedResult => started.status === 'rejected')!.reason;
}

export async function startTimeSkippingStack(): Promise<TimeSkippingStack> {
  const [env, db, smtp] = await startedTogether([createTimeSkippingEnv(), createTestDatabase(), startSmtpSink()] as const);
  const config = testConfig({ databaseUrl: db.url, smtpPort: smtp.port });
  const mailer = createSmtpMailer(config.smtp);
  const deps: ActivityDeps = {
    sequelize: db.sequelize,
    mailer,
    logger: createLogger('silent', 'test'),
    temporal: env.client,
    taskQueue: 'time-skipping',
    // One queue for all: these tests are about the processes' rules, not which queue serves them.
    bulkTaskQueue: 'time-skipping',
    webhookTimeoutMs: 2000,
    // The local webhook receivers listen on loopback; the security suite tests the guard switched on.
    webhookGuard: { allowPrivateNetworks: true },
    apiPublicUrl: 'http://127.0.0.1:3000',
    acknowledgementLinkKey: acknowledgementLinkKeyOf(config.jwt),
    sealing: config.jwt,
  };
  const activities = workerActivities(deps);
  const running: Array<{ worker: Worker; run: Promise<void> }> = [];
  return {
    env,
    db,
    smtp,
    deps,
    activities,
    skip: (duration, run) =>
      within(env.sleep(duration), async () => `time skip of ${String(duration)}${run ? `; ${await describeRun(run)}` : ''}`),
    async terminate(run) {
      await waitUntil(
        async () => {
          const inFlight = await tasksInFlight(run);
          return !inFlight.workflowTask && inFlight.activities.length === 0;
        },
        async () => `no task in flight before terminating; ${await describeRun(run)}`,
        WAIT_BOUND_MS,
      );
      await run.terminate('test done');
    },
    resultInPresentTime: (run) =>
      resultOf(new WorkflowClient({ connection: env.connection, namespace: env.namespace }).getHandle(run.workflowId)),
    async startWorker(taskQueue, replaced = {}) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: { codePath: process.env.INSURFLOW_TEST_WORKFLOW_BUNDLE! },
        activities: { ...activities, ...replaced },
      });
      running.push({ worker, run: worker.run() });
      return worker;
    },
    async close() {
      for (const { worker, run } of running) {
        worker.shutdown();
        await run;
      }
      mailer.close();
      await Promise.all([smtp.stop(), db.close()]);
      await env.teardown();
    },
  };
}
