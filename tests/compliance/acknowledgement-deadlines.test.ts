/**
 * One acknowledgement run against the time-skipping server, with real activities: a real
 * database, a real SMTP sink and a local HTTP receiver for the signed compliance webhook.
 * Defaults: due in 14 days, reminder 3 days before, level 2 after 3 days of grace.
 */
import { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Acknowledgement, AuditEvent, EscalationAlert, Tenant, TenantSettings, User } from '../../src/models';
import { acknowledgementRun, acknowledgeUpdate, AcknowledgementWorkflow, versionRetiredSignal } from '../../src/contracts/acknowledgement';
import { DAY_MS } from '../../src/shared/time';
import { buildAcknowledgement, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf, waitUntil } from '../support/waiting';
import { startWebhookReceiver, WebhookReceiver } from './webhook-receiver';

const WEBHOOK_SECRET = 'compliance-webhook-secret';
const TASK_QUEUE = 'acknowledgements';

describe('acknowledgement deadlines (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let webhooks: WebhookReceiver;
  let tenant: Tenant;
  let officers: User[];
  let manager: User;

  beforeAll(async () => {
    [stack, webhooks] = await Promise.all([startTimeSkippingStack(), startWebhookReceiver(WEBHOOK_SECRET)]);
    ({ env, smtp } = stack);
    await stack.startWorker(TASK_QUEUE);

    tenant = await buildTenant();
    await TenantSettings.upsert({
      tenantId: tenant.id,
      values: { complianceWebhookUrl: webhooks.url },
      complianceWebhookSecret: WEBHOOK_SECRET,
    });
    officers = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
      buildUser({ tenantId: tenant.id, role: 'compliance_officer' }),
    ]);
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
  });

  afterAll(async () => {
    await Promise.all([stack?.close(), webhooks?.stop()]);
  });

  /** A fresh employee with an acknowledgement due 14 days from the server's current time, and its run. */
  async function startAcknowledgement(options: { withManager: boolean }) {
    const employee = await buildUser({ tenantId: tenant.id, role: 'adjuster', ...(options.withManager && { managerId: manager.id }) });
    const version = await buildPolicyVersion({
      createdById: officers[0].id,
      status: 'published',
      dueAt: new Date(Number(await env.currentTimeMs()) + 14 * DAY_MS),
    });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
    const handle = await env.client.workflow.start<AcknowledgementWorkflow>(acknowledgementRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId: ack.workflowId!,
      args: [
        {
          tenantId: tenant.id,
          acknowledgementId: ack.id,
          employeeId: employee.id,
          dueAt: ack.dueAt.toISOString(),
          reminderDaysBefore: 3,
          graceDays: 3,
        },
      ],
    });
    return { employee, ack, handle };
  }

  async function acknowledge(handle: WorkflowHandle, employee: User) {
    const outcome = await handle.executeUpdate(acknowledgeUpdate, { args: [{ userId: employee.id }] });
    expect(outcome.status).toBe('acknowledged');
    expect(await resultOf(handle)).toEqual(outcome);
  }

  const mailsTo = (user: User) => smtp.messages.filter((m) => m.to.includes(user.email));
  const alertsOf = (ack: Acknowledgement) =>
    EscalationAlert.findAll({
      where: { acknowledgementId: ack.id },
      order: [
        ['level', 'ASC'],
        ['channel', 'ASC'],
      ],
    });

  it('ends at once when the employee acknowledges before the reminder; nobody else may', async () => {
    const { employee, ack, handle } = await startAcknowledgement({ withManager: true });

    const intruder = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const refused = await handle.executeUpdate(acknowledgeUpdate, { args: [{ userId: intruder.id }] }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('Forbidden');

    await acknowledge(handle, employee);
    await ack.reload();
    expect(ack).toMatchObject({ status: 'acknowledged', remindersSent: 0, escalationLevel: 0 });
    expect(ack.acknowledgedAt).toBeInstanceOf(Date);
    expect(mailsTo(employee)).toHaveLength(0);
    expect(await alertsOf(ack)).toHaveLength(0);
  });

  it('reminds the employee 3 days before the due date, then records a late-but-in-time acknowledgement', async () => {
    const { employee, ack, handle } = await startAcknowledgement({ withManager: true });

    await stack.skip('11 days', handle);
    const reminder = await smtp.waitFor((m) => m.to.includes(employee.email));
    expect(reminder.subject).toMatch(/^Reminder: please acknowledge/);
    await acknowledge(handle, employee);

    await ack.reload();
    expect(ack).toMatchObject({ status: 'acknowledged', remindersSent: 1, escalationLevel: 0 });
    expect(mailsTo(manager)).toHaveLength(0);
    expect(await alertsOf(ack)).toHaveLength(0);
  });

  it('at the due date marks it overdue and alerts the manager; acknowledging then stops further escalation', async () => {
    const { employee, ack, handle } = await startAcknowledgement({ withManager: true });

    await stack.skip('14 days', handle);
    const alert = await smtp.waitFor((m) => m.to.includes(manager.email) && m.subject.includes(employee.fullName));
    expect(alert.subject).toMatch(/^Overdue:/);
    await waitUntil(async () => (await ack.reload()).status === 'overdue', 'acknowledgement overdue');
    expect(ack.escalationLevel).toBe(1);
    await acknowledge(handle, employee);

    await ack.reload();
    expect(ack).toMatchObject({ status: 'acknowledged', remindersSent: 1, escalationLevel: 1 });
    const alerts = await alertsOf(ack);
    expect(alerts.map((a) => [a.level, a.channel, a.deliveryStatus, a.recipients])).toEqual([[1, 'email', 'sent', [manager.email]]]);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Escalation:') && m.subject.includes(employee.fullName))).toHaveLength(0);
  });

  it('never acknowledged: level 1 to the compliance officers (no manager), level 2 by e-mail and signed webhook', async () => {
    const { employee, ack, handle } = await startAcknowledgement({ withManager: false });
    const officerEmails = officers.map((o) => o.email).sort();
    const aboutEmployee = (prefix: string) => (m: { subject: string }) =>
      m.subject.startsWith(prefix) && m.subject.includes(employee.fullName);

    await stack.skip('14 days', handle);
    const level1 = await smtp.waitFor(aboutEmployee('Overdue:'));
    expect([...level1.to].sort()).toEqual(officerEmails);

    await stack.skip('3 days', handle);
    const level2 = await smtp.waitFor(aboutEmployee('Escalation:'));
    expect([...level2.to].sort()).toEqual(officerEmails);
    const webhook = await webhooks.waitFor((w) => w.body.data.acknowledgementId === ack.id);
    expect(webhook.signatureValid).toBe(true);
    expect(webhook.body).toMatchObject({
      event: 'acknowledgement.escalated',
      tenantId: tenant.id,
      data: { escalationLevel: 2, employee: { id: employee.id } },
    });

    await waitUntil(async () => (await ack.reload()).status === 'escalated', 'acknowledgement escalated');
    expect(ack).toMatchObject({ escalationLevel: 2, remindersSent: 1 });
    let alerts: EscalationAlert[] = [];
    await waitUntil(async () => {
      alerts = await alertsOf(ack);
      return alerts.length === 3 && alerts.every((a) => a.deliveryStatus === 'sent');
    }, 'three alerts sent');
    expect(alerts.map((a) => [a.level, a.channel, a.deliveryStatus])).toEqual([
      [1, 'email', 'sent'],
      [2, 'email', 'sent'],
      [2, 'webhook', 'sent'],
    ]);
    expect(alerts[2].recipients).toEqual([webhooks.url]);
    expect(smtp.messages.filter(aboutEmployee('Escalation:'))).toHaveLength(1);

    // Still open for a late acknowledgement; a newer version of the policy ends it instead.
    await handle.signal(versionRetiredSignal);
    expect(await resultOf(handle)).toEqual({ status: 'superseded', acknowledgedAt: null });
    await ack.reload();
    expect(ack.status).toBe('superseded');
    // Each step once in the audit trail, by the run, in order.
    const trail = await AuditEvent.findAll({ where: { entityId: ack.id }, order: [['id', 'ASC']] });
    expect(trail.map((e) => [e.action, e.actorType, e.changes.status?.after])).toEqual([
      ['acknowledgement.escalate', 'workflow', 'overdue'],
      ['acknowledgement.escalate', 'workflow', 'escalated'],
      ['acknowledgement.supersede', 'workflow', 'superseded'],
    ]);
    await recordHistory(handle, 'acknowledgementWorkflow');
  });
});
