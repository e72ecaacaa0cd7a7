/**
 * The worker entry point (dist/worker/index.js, as production runs it) puts the retention
 * schedule in place on the dev server: two workers starting together both come up with one
 * schedule between them, a later start with another interval updates it, and the schedule's runs
 * do the purge. Run `npm run build` first.
 */
import crypto from 'node:crypto';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { benchDataConverter } from '../../bench/production-secrets';
import { startWorkerProcess, WorkerProcess } from '../../bench/processes';
import { PLATFORM_TENANT_ID } from '../../src/contracts/onboarding';
import {
  KEPT_RECORDS_WORKFLOW_TYPE,
  keptRecordsScheduleId,
  RETENTION_WORKFLOW_TYPE,
  retentionScheduleId,
  type RetentionWorkflow,
} from '../../src/contracts/retention';
import { TenantId } from '../../src/shared/search-attributes';
import { TEST_JWT_SECRET } from '../support/config';
import { createTestDatabase, TestDatabase } from '../support/database';
import { requiredEnv } from '../support/env';
import { eventually, resultOf } from '../support/waiting';

const HOUR_MS = 3_600_000;

describe('retention schedule made by the worker at start-up', () => {
  const taskQueue = `test-${crypto.randomUUID()}`;
  const scheduleId = retentionScheduleId(taskQueue);
  let db: TestDatabase;
  let connection: Connection;
  let client: Client;
  const workers: WorkerProcess[] = [];

  const workerEnv = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: TEST_JWT_SECRET,
    RETENTION_BATCH_SIZE: '2',
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    connection = await Connection.connect({ address: requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS') });
    // The workers run as production, whose payloads are sealed with the run's key (bench/production-secrets.ts).
    client = new Client({ connection, dataConverter: benchDataConverter() });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    for (const id of [scheduleId, keptRecordsScheduleId(taskQueue)])
      await client?.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await connection?.close();
    await db?.close();
  });

  /** Resolves once each worker process polls the task queue: past its start-up, schedule included. */
  async function polling(processes: WorkerProcess[]): Promise<void> {
    const pids = processes.map((worker) => String(worker.child.pid));
    await eventually(
      async () => {
        const { pollers } = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return (pollers ?? []).map((poller) => poller.identity?.split('@')[0]);
      },
      (polling) => pids.every((pid) => polling.includes(pid)),
      `workers ${pids.join(', ')} polling`,
      60_000,
    );
  }

  it('two workers starting at once both start, and one schedule runs the retention workflow every hour', async () => {
    workers.push(...(await Promise.all([startWorkerProcess(client, workerEnv()), startWorkerProcess(client, workerEnv())])));
    await polling(workers);
    expect(workers.map((worker) => worker.child.exitCode)).toEqual([null, null]);

    const schedule = await client.schedule.getHandle(scheduleId).describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: HOUR_MS }]);
    expect(schedule.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: RETENTION_WORKFLOW_TYPE,
      taskQueue,
      args: [{ idempotencyRecordHours: 24, outboxDeliveredHours: 24, batchSize: 2, webhookEventDays: 45 }],
    });
    expect(schedule.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(schedule.state.paused).toBe(false);
    const listed: string[] = [];
    for await (const summary of client.schedule.list()) listed.push(summary.scheduleId);
    expect(listed.filter((id) => id === scheduleId)).toHaveLength(1);
    // Beside it, the daily deletion of erased people's kept records (docs/privacy.md).
    const keptRecords = await client.schedule.getHandle(keptRecordsScheduleId(taskQueue)).describe();
    expect(keptRecords.spec.intervals).toMatchObject([{ every: 24 * HOUR_MS }]);
    expect(keptRecords.action).toMatchObject({ type: 'startWorkflow', workflowType: KEPT_RECORDS_WORKFLOW_TYPE, taskQueue });
  });

  it('a later start with another configuration updates the schedule, whose runs purge the database', async () => {
    const later = await startWorkerProcess(
      client,
      workerEnv({ RETENTION_SCHEDULE_INTERVAL: '2h', RETENTION_OUTBOX_DELIVERED_HOURS: '12' }),
    );
    workers.push(later);
    const handle = client.schedule.getHandle(scheduleId);
    await eventually(
      () => handle.describe(),
      (d) => d.spec.intervals?.[0]?.every === 2 * HOUR_MS,
      'the schedule every 2 hours',
      60_000,
    );
    expect(later.child.exitCode).toBeNull();

    // The schedule also starts runs of its own at each whole interval (a test crossing midnight met
    // one): the runs this test counts are those begun since just before the rows were written, the trigger's among them.
    const earlier = new Set((await handle.describe()).info.recentActions.map((action) => action.action.workflow.workflowId));
    const deliveredAt = new Date(Date.now() - 13 * HOUR_MS);
    await db.sequelize.getQueryInterface().bulkInsert(
      'outbox_messages',
      Array.from({ length: 3 }, () => ({
        id: crypto.randomUUID(),
        kind: 'signal',
        workflow_id: 'claim-x',
        payload: JSON.stringify({ signalName: 'x', args: [] }),
        delivered_at: deliveredAt,
        created_at: deliveredAt,
        updated_at: deliveredAt,
      })),
    );
    const triggeredAt = Date.now();
    await handle.trigger();
    const newSince = (actions: Awaited<ReturnType<typeof handle.describe>>['info']['recentActions']) =>
      actions.filter((action) => !earlier.has(action.action.workflow.workflowId));
    const description = await eventually(
      () => handle.describe(),
      (d) => newSince(d.info.recentActions).some((action) => action.takenAt.getTime() >= triggeredAt - 1_000),
      'the run the trigger started',
    );
    const runs = newSince(description.info.recentActions).map((action) =>
      client.workflow.getHandle<RetentionWorkflow>(action.action.workflow.workflowId),
    );
    const purged = await Promise.all(runs.map((run) => resultOf(run)));
    expect(purged.reduce((sum, result) => sum + result.outboxMessages, 0)).toBe(3);
    for (const [i, run] of runs.entries()) {
      expect(run.workflowId.startsWith(`${scheduleId}-`)).toBe(true);
      expect(purged[i]).toEqual({
        idempotencyRecords: 0,
        outboxMessages: purged[i].outboxMessages,
        refreshTokens: 0,
        passwordResetTokens: 0,
        mfaChallenges: 0,
        ssoLogins: 0,
        webhookEvents: 0,
      });
      expect((await run.describe()).typedSearchAttributes.get(TenantId)).toBe(PLATFORM_TENANT_ID);
    }
  });
});
