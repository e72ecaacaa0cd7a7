/**
 * The open-incidents gauge in an outage (src/activities/incidents.ts): every retry of every failing
 * activity updates its incident row, but a worker counts the table for the gauge at most once every
 * GAUGE_REFRESH_EVERY_MS, and the count it ends with is the table's. The interceptor runs against a
 * real PostgreSQL, called as the worker calls it, in front of an activity that fails.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import { createIncidentInterceptors, GAUGE_REFRESH_EVERY_MS } from '../../src/activities/incidents';
import type { ActivityDeps } from '../../src/activities/deps';
import { createLogger } from '../../src/config/logger';
import { ActivityIncident } from '../../src/models';
import { workerBusinessRegistry } from '../../src/observability/business-metrics';
import { testDatabaseOfBlock } from '../support/database';
import { eventually } from '../support/waiting';

const ACTIVITIES = 20;
const FAILURES_EACH = 10;

describe('open incidents gauge during a storm of failures', () => {
  const db = testDatabaseOfBlock();

  const gauge = () => workerBusinessRegistry.getSingleMetricAsString('insurflow_activity_incidents_open');

  it('records every failure, counts the table at most once every 5 s, and ends with its count', async () => {
    // Incidents already open (each activity's third attempt failed): the storm's attempts update them.
    const runs = Array.from({ length: ACTIVITIES }, (_, i) => ({ workflowId: `storm-${i}`, runId: randomUUID(), activityId: '1' }));
    await ActivityIncident.bulkCreate(
      runs.map((run) => ({
        ...run,
        tenantId: null,
        workflowType: 'subscriptionWorkflow',
        activityType: 'sendEmail',
        attempts: 3,
        lastError: 'Error: connect ECONNREFUSED',
        since: new Date(),
      })),
    );
    const statements = jest.spyOn(db.sequelize, 'query');
    const counted = () => statements.mock.calls.filter(([sql]) => String(sql).includes('FROM activity_incidents GROUP BY')).length;
    // No row is new, so the run's tenant is never asked of Temporal.
    const deps = { sequelize: db.sequelize, temporal: {} as ActivityDeps['temporal'], logger: createLogger('silent', 'test') };
    const interceptors = createIncidentInterceptors(deps);
    const attemptOf = (run: (typeof runs)[number], attempt: number) => {
      const info = {
        ...run,
        workflowExecution: { workflowId: run.workflowId, runId: run.runId },
        activityType: 'sendEmail',
        workflowType: 'subscriptionWorkflow',
        attempt,
        scheduledTimestampMs: 0,
        currentAttemptScheduledTimestampMs: 0,
      };
      const ctx = { info, cancellationSignal: new AbortController().signal } as unknown as Context;
      return interceptors(ctx).inbound as Required<ActivityInboundCallsInterceptor>;
    };

    const began = Date.now();
    for (let attempt = 4; attempt < 4 + FAILURES_EACH; attempt += 1) {
      const failing = runs.map((run) =>
        attemptOf(run, attempt).execute({ args: [], headers: {} }, () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:25'))),
      );
      for (const failure of await Promise.allSettled(failing)) expect(failure.status).toBe('rejected');
    }
    const stormMs = Date.now() - began;
    const rows = await ActivityIncident.findAll();
    expect(rows.map((row) => row.attempts)).toEqual(Array(ACTIVITIES).fill(3 + FAILURES_EACH));
    // At most one count as the storm begins and one per period after it (lodash's leading and trailing calls).
    expect(counted()).toBeLessThanOrEqual(Math.floor(stormMs / GAUGE_REFRESH_EVERY_MS) + 2);
    await eventually(
      gauge,
      (text) => text.includes(`insurflow_activity_incidents_open{activity_type="sendEmail"} ${ACTIVITIES}`),
      'the gauge counts them',
    );

    // The mail goes out again: each next attempt succeeds and closes its incident.
    await Promise.all(runs.map((run) => attemptOf(run, 4 + FAILURES_EACH).execute({ args: [], headers: {} }, async () => 'sent')));
    expect(await ActivityIncident.count()).toBe(0);
    await eventually(gauge, (text) => !text.includes('activity_type="sendEmail"'), 'the gauge counts none');
    expect(counted()).toBeLessThanOrEqual(Math.floor((Date.now() - began) / GAUGE_REFRESH_EVERY_MS) + 2);
  });
});
