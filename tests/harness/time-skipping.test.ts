import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { itNeeding } from '../support/required-tool';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { resultOf, within } from '../support/waiting';

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

  it('two results awaited at once leave the clock lock balanced: a later skip still skips', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'timer-pair',
      workflowsPath: require.resolve('../fixtures/timer-workflow'),
    });
    await worker.runUntil(async () => {
      const runs = await Promise.all(
        ['timer-pair-1', 'timer-pair-2'].map((workflowId) =>
          env.client.workflow.start('waitThirtyDays', { taskQueue: 'timer-pair', workflowId }),
        ),
      );
      await expect(Promise.all(runs.map((run) => resultOf(run)))).resolves.toEqual(['woke up', 'woke up']);
    });
    // Had each wait released the lock on its own, the server would now hold one lock too many and
    // this skip would wait a real day.
    const serverTimeBefore = Number(await env.currentTimeMs());
    await within(env.sleep('1 day'), 'a one-day skip after two results awaited at once', 20_000);
    expect(Number(await env.currentTimeMs()) - serverTimeBefore).toBeGreaterThanOrEqual(86_400_000);
  });

  // The SDK gives a server it launches 5 s to listen, which a JVM on two busy cores can miss.
  // It wraps the cached server, which set-up builds (the SDK's own download would be started by the SDK, not by this wrapper).
  const cachedServer = process.env.TEMPORAL_TEST_SERVER_PATH;
  const testServer = {
    name: 'the time-skipping test server',
    path: cachedServer,
    install: 'bash scripts/setup.sh builds it into ~/.cache/insurflow (needs Java 17 and Maven), or set TEMPORAL_TEST_SERVER_PATH',
  };
  itNeeding(testServer, 'starts a server that takes longer than 5 s to listen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slow-test-server-'));
    const slowServer = path.join(dir, 'slow-test-server');
    fs.writeFileSync(slowServer, `#!/bin/sh\nsleep 7\nexec "${cachedServer}" "$@"\n`, { mode: 0o755 });
    process.env.TEMPORAL_TEST_SERVER_PATH = slowServer;
    let slowEnv: TestWorkflowEnvironment | undefined;
    try {
      slowEnv = await createTimeSkippingEnv();
      const before = Number(await slowEnv.currentTimeMs());
      await within(slowEnv.sleep('1 day'), 'a one-day skip on the slow-starting server', 20_000);
      expect(Number(await slowEnv.currentTimeMs()) - before).toBeGreaterThanOrEqual(86_400_000);
    } finally {
      process.env.TEMPORAL_TEST_SERVER_PATH = cachedServer;
      await slowEnv?.teardown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
