/**
 * A joiner's acknowledgement run and its audience, against the time-skipping server with the real
 * activities, database and SMTP sink: the notice as it starts, `audienceChanged` ending it as
 * exempt when the employee left (never reminded, overdue or escalated after that), and nothing
 * changed when they did not. The user's row is changed here as the API's user change does
 * (tests/compliance/audience-sync.test.ts drives the same through the API).
 */
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { acknowledgementRun, AcknowledgementWorkflow, audienceChangedSignal } from '../../src/contracts/acknowledgement';
import { AuditEvent, EscalationAlert, Tenant, User } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import { buildAcknowledgement, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf, waitUntil } from '../support/waiting';

const { EventType } = temporal.api.enums.v1;
const TASK_QUEUE = 'audience';

describe('acknowledgement runs and their audience (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let tenant: Tenant;
  let officer: User;
  let manager: User;
  /** While set, audience checks wait for it before they read the employee. */
  let audienceChecksHeld: Promise<void> | null = null;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    const { exemptIfOutOfAudience } = stack.activities;
    await stack.startWorker(TASK_QUEUE, {
      async exemptIfOutOfAudience(input: Parameters<typeof exemptIfOutOfAudience>[0]) {
        await audienceChecksHeld;
        return exemptIfOutOfAudience(input);
      },
    });
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
  });

  afterAll(() => stack?.close());

  /** An adjuster (with a manager) and their acknowledgement of a version for adjusters, due in 14 days; the run started unless told not to. */
  async function acknowledgementOfAdjuster() {
    const employee = await buildUser({ tenantId: tenant.id, role: 'adjuster', managerId: manager.id });
    const version = await buildPolicyVersion({
      createdById: officer.id,
      status: 'published',
      audienceRoles: ['adjuster'],
      dueAt: new Date(Number(await env.currentTimeMs()) + 14 * DAY_MS),
    });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id });
    const start = () =>
      env.client.workflow.start<AcknowledgementWorkflow>(acknowledgementRun.type, {
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
            // As the audience sync starts it for someone who joined after publication.
            joined: true,
          },
        ],
      });
    return { employee, ack, start };
  }

  const mailsTo = (user: User) => smtp.messages.filter((m) => m.to.includes(user.email));
  const mailsAbout = (user: User) => smtp.messages.filter((m) => m.subject.includes(user.fullName));

  it('notices the employee as it starts; an employee who left the audience ends as exempt and is never reminded or escalated', async () => {
    const { employee, ack, start } = await acknowledgementOfAdjuster();
    const handle = await start();
    const notice = await smtp.waitFor((m) => m.to.includes(employee.email));
    expect(notice.subject).toMatch(/^New policy to acknowledge: ".+" \(version 1\), due \d{4}-\d\d-\d\d$/);

    await employee.update({ role: 'claims_agent' });
    await handle.signal(audienceChangedSignal);
    expect(await resultOf(handle)).toEqual({ status: 'exempt', acknowledgedAt: null });
    await ack.reload();
    expect(ack).toMatchObject({ status: 'exempt', remindersSent: 0, escalationLevel: 0 });
    expect(ack.exemptedAt).toBeInstanceOf(Date);

    // Past the reminder, the due date and the grace period: nobody hears of it again.
    await stack.skip('20 days');
    expect(mailsTo(employee)).toEqual([notice]);
    expect(mailsAbout(employee)).toHaveLength(0);
    expect(await EscalationAlert.count({ where: { acknowledgementId: ack.id } })).toBe(0);
    const trail = await AuditEvent.findAll({ where: { entityId: ack.id } });
    expect(trail.map((e) => [e.action, e.actorType, e.changes.status?.after])).toEqual([['acknowledgement.exempt', 'workflow', 'exempt']]);
    await recordHistory(handle, 'acknowledgementWorkflow-exempt');
  });

  it('an overdue employee who is deactivated ends as exempt: the manager had level 1, nobody gets level 2', async () => {
    const { employee, ack, start } = await acknowledgementOfAdjuster();
    const handle = await start();
    await stack.skip('14 days', handle);
    await smtp.waitFor((m) => m.to.includes(manager.email) && m.subject.startsWith('Overdue:') && m.subject.includes(employee.fullName));
    await waitUntil(async () => (await ack.reload()).status === 'overdue', 'acknowledgement overdue');

    await employee.update({ isActive: false });
    await handle.signal(audienceChangedSignal);
    expect(await resultOf(handle)).toEqual({ status: 'exempt', acknowledgedAt: null });
    await stack.skip('5 days');
    expect(mailsAbout(employee).map((m) => m.subject.split(':')[0])).toEqual(['Overdue']);
    await ack.reload();
    expect(ack).toMatchObject({ status: 'exempt', escalationLevel: 1 });
  });

  it('an audience check under way when the due date comes is waited for: the employee who left ends exempt, the manager is not alerted', async () => {
    // The check's activity is held while the manager alert's timer fires: the employee had left
    // before the due date, so nobody may be told they are overdue.
    const { employee, ack, start } = await acknowledgementOfAdjuster();
    const handle = await start();
    await smtp.waitFor((m) => m.to.includes(employee.email));
    // Five seconds before the due date: the check is asked for well before it, even on a loaded
    // machine (the clock runs in real time while the check is held).
    await stack.skip(ack.dueAt.getTime() - Number(await env.currentTimeMs()) - 5000, handle);
    let release!: () => void;
    audienceChecksHeld = new Promise<void>((resolve) => (release = resolve));
    // A failed expectation must not leave the activity held: the worker's shutdown would wait for it.
    try {
      await employee.update({ isActive: false });
      await handle.signal(audienceChangedSignal);
      await waitUntil(async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        const signalled = events.map((e) => e.eventType).lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
        const fired = events.findIndex((e, at) => at > signalled && e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
        return (
          signalled >= 0 && fired >= 0 && events.slice(fired).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
        );
      }, 'the manager alert timer fired, and its workflow task completed, while the audience was checked');
      release();
      expect(await stack.resultInPresentTime(handle)).toEqual({ status: 'exempt', acknowledgedAt: null });
    } finally {
      release();
      audienceChecksHeld = null;
    }
    // The run ends once its activities are done, so an alert would be in the sink and the table by now.
    expect(mailsAbout(employee)).toEqual([]);
    expect(await ack.reload()).toMatchObject({ status: 'exempt', escalationLevel: 0 });
    expect(await EscalationAlert.count({ where: { acknowledgementId: ack.id } })).toBe(0);
    await recordHistory(handle, 'acknowledgementWorkflow-exempt-at-due-date');
  });

  it('a change that leaves the employee in the audience changes nothing: the run reminds on time', async () => {
    const { employee, ack, start } = await acknowledgementOfAdjuster();
    const handle = await start();
    await employee.update({ fullName: `${employee.fullName} Renamed` });
    await handle.signal(audienceChangedSignal);
    await stack.skip('11 days', handle);
    await smtp.waitFor((m) => m.to.includes(employee.email) && m.subject.startsWith('Reminder:'));
    // The activity counts the reminder once the server has accepted it, so the row follows the e-mail.
    await waitUntil(async () => (await ack.reload()).remindersSent === 1, 'reminder counted');
    expect(ack).toMatchObject({ status: 'pending', remindersSent: 1 });
    await stack.terminate(handle);
  });

  it('an employee who left before the run started: exempt at once, and no notice', async () => {
    const { employee, ack, start } = await acknowledgementOfAdjuster();
    await employee.update({ isActive: false });
    expect(await resultOf(await start())).toEqual({ status: 'exempt', acknowledgedAt: null });
    expect((await ack.reload()).status).toBe('exempt');
    expect(mailsTo(employee)).toHaveLength(0);
  });
});
