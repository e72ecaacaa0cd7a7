/**
 * The worker entry point (dist/worker/index.js, run as production runs it) behind the same
 * process guards as the API: SIGTERM drains the activity in flight before exiting 0, a second
 * SIGTERM exits at once with 143, a stray promise rejection leaves it running. The activity kept
 * in flight is a retention purge waiting on a table lock this test holds. Run `npm run build` first.
 */
import crypto from 'node:crypto';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Transaction } from 'sequelize';
import { benchDataConverter } from '../../bench/production-secrets';
import { startWorkerProcess, WorkerProcess } from '../../bench/processes';
import { RETENTION_WORKFLOW_TYPE, retentionScheduleId, type RetentionWorkflow } from '../../src/contracts/retention';
import { IdempotencyRecord } from '../../src/models';
import { TEST_JWT_SECRET } from '../support/config';
import { createTestDatabase, TestDatabase } from '../support/database';
import { requiredEnv } from '../support/env';
import { holdsWithin, waitUntil } from '../support/waiting';

const { PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;

const EXPIRED_RECORDS = 5;

describe('worker process guards', () => {
  let db: TestDatabase;
  let connection: Connection;
  let client: Client;
  const taskQueues: string[] = [];
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    connection = await Connection.connect({ address: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS') });
    // The workers run as production, whose payloads are sealed with the run's key (bench/production-secrets.ts).
    client = new Client({ connection, dataConverter: benchDataConverter() });
  });
  afterAll(async () => {
    await Promise.all(running.map((worker) => worker.stop()));
    await Promise.all(
      taskQueues.map((taskQueue) =>
        client.schedule
          .getHandle(retentionScheduleId(taskQueue))
          .delete()
          .catch(() => undefined),
      ),
    );
    await connection?.close();
    await db?.close();
  });

  async function startWorker(env: Record<string, string> = {}): Promise<{ worker: WorkerProcess; taskQueue: string }> {
    const taskQueue = `test-${crypto.randomUUID()}`;
    taskQueues.push(taskQueue);
    const worker = await startWorkerProcess(client, {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      JWT_SECRET: TEST_JWT_SECRET,
      // The purge waits on the test's lock for a few seconds; it must not time out meanwhile.
      DB_STATEMENT_TIMEOUT_MS: '60000',
      ...env,
    });
    running.push(worker);
    return { worker, taskQueue };
  }

  const exitOf = (child: ChildProcess) => once(child, 'exit') as Promise<[code: number | null, signal: NodeJS.Signals | null]>;

  async function purgeStarted(handle: WorkflowHandle): Promise<boolean> {
    const { raw } = await handle.describe();
    return (raw.pendingActivities ?? []).some(
      (activity) => activity.activityType?.name === 'purgeIdempotencyRecords' && activity.state === PENDING_ACTIVITY_STATE_STARTED,
    );
  }

  /**
   * Expired idempotency records, a lock on their table, and a retention run whose first purge is
   * waiting for it: an activity in flight for as long as the test holds the lock.
   */
  async function purgeWaitingOnLock(taskQueue: string): Promise<{ lock: Transaction; workflowId: string }> {
    const longAgo = new Date(Date.now() - 48 * 3_600_000);
    await db.sequelize.getQueryInterface().bulkInsert(
      'idempotency_records',
      Array.from({ length: EXPIRED_RECORDS }, () => ({
        id: crypto.randomUUID(),
        scope: 'ip:127.0.0.1',
        key: `key-${crypto.randomUUID()}`,
        method: 'POST',
        path: '/api/v1/registrations',
        request_hash: 'x'.repeat(64),
        created_at: longAgo,
        updated_at: longAgo,
      })),
    );
    const lock = await db.sequelize.transaction();
    await db.sequelize.query('LOCK TABLE idempotency_records IN ACCESS EXCLUSIVE MODE', { transaction: lock });
    const handle = await client.workflow.start<RetentionWorkflow>(RETENTION_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `retention-test-${crypto.randomUUID()}`,
      // Three batches: a purge cancelled when the shutdown begins would stop after the first.
      args: [{ idempotencyRecordHours: 24, outboxDeliveredHours: 24, batchSize: 2 }],
    });
    try {
      await waitUntil(() => purgeStarted(handle), 'the purge in flight', 30_000);
    } catch (err) {
      await lock.rollback();
      throw err;
    }
    return { lock, workflowId: handle.workflowId };
  }

  it('drains on SIGTERM: the purge in flight finishes every batch, then the worker exits 0', async () => {
    const { worker, taskQueue } = await startWorker();
    const { lock, workflowId } = await purgeWaitingOnLock(taskQueue);
    const exited = exitOf(worker.child);
    worker.child.kill('SIGTERM');
    const stillRunning = !(await holdsWithin(() => worker.child.exitCode !== null, 2000));
    await lock.commit();
    expect(stillRunning).toBe(true);
    expect(await exited).toEqual([0, null]);
    expect(await IdempotencyRecord.count()).toBe(0);
    await client.workflow.getHandle(workflowId).terminate('the test is over');
  });

  it('exits at once with 143 on a second SIGTERM, without waiting for the purge', async () => {
    const { worker, taskQueue } = await startWorker();
    const { lock, workflowId } = await purgeWaitingOnLock(taskQueue);
    const exited = exitOf(worker.child);
    worker.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const secondSignalAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000, 'still running'))]);
    const exitedAfterMs = Date.now() - secondSignalAt;
    await lock.rollback();

    expect(exit).toEqual([143, null]);
    expect(exitedAfterMs).toBeLessThan(2000);
    await client.workflow.getHandle(workflowId).terminate('the test is over');
  });

  it('keeps running after a stray promise rejection', async () => {
    // Loaded before the entry point: a rejection nobody handles, on demand, as a forgotten `await` would leave.
    const hook = "process.on('SIGHUP', () => { Promise.reject(new Error('forgotten await')); });";
    const { worker } = await startWorker({ NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(hook)}` });
    const exited = exitOf(worker.child);
    worker.child.kill('SIGHUP');
    expect(await holdsWithin(() => worker.child.exitCode !== null, 3000)).toBe(false);

    worker.child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });
});
