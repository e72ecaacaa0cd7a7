import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../support/time-skipping';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes a 30-day timer in seconds of wall time', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'timer',
      workflowsPath: require.resolve('../fixtures/timer-workflow'),
    });
    const startedAt = Date.now();
    const serverTimeBefore = await env.currentTimeMs();
    const result = await worker.runUntil(env.client.workflow.execute('waitThirtyDays', { taskQueue: 'timer', workflowId: 'timer-30d' }));
    const serverDays = (Number(await env.currentTimeMs()) - Number(serverTimeBefore)) / 86_400_000;

    expect(result).toBe('woke up');
    expect(serverDays).toBeGreaterThanOrEqual(30);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
  });
});
