/**
 * The worker's metrics endpoint on a real worker: the Temporal runtime's Prometheus metrics,
 * Node process metrics and the notification counters on one port, behind the metrics token.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createAudienceActivities } from '../../src/activities/audience';
import { createComplianceActivities } from '../../src/activities/compliance';
import { acknowledgementRun } from '../../src/contracts/acknowledgement';
import { createNotificationActivities } from '../../src/activities/notifications';
import { startWorkerMetrics, WorkerMetricsServer } from '../../src/observability/worker-metrics';
import type { Mailer } from '../../src/services/mailer';
import { buildAcknowledgement, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

const TOKEN = 'worker-metrics-token-for-tests';

describe('worker metrics endpoint', () => {
  let metrics: WorkerMetricsServer;
  let stack: TestStack;

  beforeAll(async () => {
    // The test setup installed a quiet runtime without metrics; the worker process installs its own.
    await Runtime.instance().shutdown();
    metrics = await startWorkerMetrics({ host: '127.0.0.1', port: 0, token: TOKEN, runtimeLogger: new DefaultLogger('WARN') });
    stack = await startTestStack({ worker: true });
  });
  afterAll(async () => {
    await stack?.close();
    await metrics?.close();
  });

  const scrape = (authorization?: string) => fetch(metrics.url, { headers: authorization ? { Authorization: authorization } : {} });

  it('refuses a scrape without the token or with a wrong one', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(`Bearer ${TOKEN}x`)).status).toBe(401);
  });

  it('serves the Temporal runtime metrics of the running worker and Node process metrics', async () => {
    const text = await eventually(
      async () => (await scrape(`Bearer ${TOKEN}`)).text(),
      (body) => /^temporal_worker_task_slots_available\{/m.test(body),
      'the runtime to report the worker task slots',
    );
    expect(text).toMatch(/^temporal_worker_task_slots_available\{[^}]*worker_type="ActivityWorker"/m);
    expect(text).toMatch(/^temporal_\w+\{[^}]*task_queue="test-/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('counts notifications sent and failed per channel', async () => {
    const { sendEmail } = createNotificationActivities(stack.deps);
    await new MockActivityEnvironment().run(sendEmail, {
      idempotencyKey: 'metrics-wf:hello',
      tenantId: null,
      to: { emails: ['pat@example.test'] },
      subject: 'Hello',
      text: 'Hi',
    });
    const downMailer: Mailer = { send: () => Promise.reject(new Error('relay refused')), close: () => undefined };
    const failing = createNotificationActivities({ ...stack.deps, mailer: downMailer });
    await expect(
      new MockActivityEnvironment().run(failing.sendEmail, {
        idempotencyKey: 'metrics-wf:bounce',
        tenantId: null,
        to: { emails: ['pat@example.test'] },
        subject: 'Bounce',
        text: 'Hi',
      }),
    ).rejects.toThrow('relay refused');

    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(text).toMatch(/^insurflow_notifications_sent_total\{channel="email"\} 1$/m);
    expect(text).toMatch(/^insurflow_notifications_failed_total\{channel="email"\} 1$/m);
    await stack.smtp.waitFor((m) => m.subject === 'Hello');
  });

  it('counts an escalation once per level, however often its activity runs', async () => {
    const tenant = await buildTenant();
    const [officer, employee] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
      buildUser({ tenantId: tenant.id, role: 'adjuster' }),
    ]);
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', dueAt: new Date(Date.now() - 86_400_000) });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
    const { escalateOverdueAcknowledgement } = createComplianceActivities(stack.deps);
    const step = { acknowledgementId: ack.id, workflowId: acknowledgementRun.id(ack.id), level: 1 as const };
    await new MockActivityEnvironment().run(escalateOverdueAcknowledgement, step);
    await new MockActivityEnvironment({ attempt: 2 }).run(escalateOverdueAcknowledgement, step);

    await ack.reload();
    expect(ack).toMatchObject({ status: 'overdue', escalationLevel: 1 });
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(text).toMatch(/^insurflow_escalations_total\{level="1"\} 1$/m);
  });

  it('counts a new-policy notice once per person and version, however often the run opens', async () => {
    const tenant = await buildTenant();
    const [officer, employee] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
      buildUser({ tenantId: tenant.id, role: 'adjuster' }),
    ]);
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published' });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
    const { openAcknowledgement } = createAudienceActivities(stack.deps);
    const step = { acknowledgementId: ack.id, workflowId: acknowledgementRun.id(ack.id) };
    expect(await new MockActivityEnvironment().run(openAcknowledgement, step)).toBe('open');
    // A retry, and a later run of the same acknowledgement (reopened after an exemption): no second notice.
    expect(await new MockActivityEnvironment({ attempt: 2 }).run(openAcknowledgement, step)).toBe('open');
    await ack.update({ runNumber: 2, workflowId: acknowledgementRun.id(ack.id, 2) });
    await new MockActivityEnvironment().run(openAcknowledgement, { ...step, workflowId: ack.workflowId! });

    await stack.smtp.waitFor((m) => m.to.includes(employee.email) && m.subject.startsWith('New policy to acknowledge'));
    expect(stack.smtp.messages.filter((m) => m.to.includes(employee.email))).toHaveLength(1);
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(text).toMatch(/^insurflow_policy_notices_total 1$/m);
  });
});
