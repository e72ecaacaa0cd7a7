/**
 * A claim's document deadlines counted in business days (docs/calendars.md), on the time-skipping
 * server with the real activities and database: the run asks an activity for the due instants of
 * the tenant's default calendar and sleeps until them. Issue 43's case: documents requested on
 * Thursday 23 December 2027 at 16:00 Berlin time, 3 business days, Friday 24 December a holiday:
 * due Wednesday 29 December 16:00.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import crypto from 'node:crypto';
import { AuditEvent, BulkOperation, BulkOperationItem, BusinessCalendar, Claim, type User } from '../../src/models';
import { calendarRescheduleRun, type CalendarRescheduleWorkflow, rescheduleDeadlinesUpdate } from '../../src/contracts/calendar-reschedule';
import { recordHistory } from '../support/histories';
import { assignClaimUpdate, claimRun, claimStateQuery, type ClaimWorkflow, transitionClaimUpdate } from '../../src/contracts/claim';
import type { ReceivedMail, SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { buildAcknowledgement, buildClaim, buildPolicyVersion, buildSubscription, buildUser } from '../support/factories';
import { eventually, waitUntil } from '../support/waiting';
import { acknowledgementRun, type AcknowledgementWorkflow } from '../../src/contracts/acknowledgement';
import { CLAIM_SETTINGS, claimWorkflowInput, type ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

const { EventType } = temporal.api.enums.v1;
const TASK_QUEUE = 'business-deadlines';
/** A worker whose calendar computation for a reschedule the test holds. */
const HELD_QUEUE = 'business-deadlines-held';
const HOUR_MS = 3600 * 1000;
/** Thursday 23 December 2027, 16:00 in Berlin (CET, UTC+1). */
const THURSDAY_1600_BERLIN = Date.parse('2027-12-23T15:00:00Z');

describe('claim document deadlines in business days (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let team: ClaimsTeam;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    await stack.startWorker(TASK_QUEUE);
    const { acknowledgementMoments, dueInstants } = stack.activities;
    await stack.startWorker(HELD_QUEUE, {
      acknowledgementMoments: async (input) => {
        await heldComputation();
        return acknowledgementMoments(input);
      },
      dueInstants: async (input) => {
        await heldComputation();
        return dueInstants(input);
      },
    });
    team = await createClaimsTeam();
    await BusinessCalendar.create({
      tenantId: team.tenant.id,
      name: 'Germany',
      isDefault: true,
      zone: 'Europe/Berlin',
      workingDays: [1, 2, 3, 4, 5],
      workingHours: [{ start: '09:00', end: '18:00' }],
      holidays: [{ date: '2027-12-24', name: 'Heiligabend' }],
    });
  });
  afterAll(() => stack?.close());

  const actor = (user: User) => ({ id: user.id, role: user.role });

  /** While set, the held queue's worker holds its calendar computations until the test releases it. */
  let holding: Promise<void> | null = null;
  let held = 0;
  const heldComputation = async () => {
    if (!holding) return;
    held += 1;
    await holding;
  };
  /**
   * Runs the test's steps, which hold the held queue's calendar computations from `hold()` until
   * `release()`, and releases them however the steps end: a held activity would keep the worker's
   * shutdown waiting.
   */
  async function withComputationsHeld(steps: (hold: () => void, release: () => void) => Promise<void>): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    held = 0;
    try {
      await steps(() => (holding = released), release);
    } finally {
      release();
      holding = null;
    }
  }
  /** The Update the test sent last (the claim's assignment and transitions are Updates too). */
  const lastUpdateAccepted = (events: temporal.api.history.v1.IHistoryEvent[]) =>
    events.map((e) => e.eventType).lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  /** Until the run's next timer fires, and its workflow task completes, after the Update it was sent was accepted. */
  const timerFiredDuringUpdate = (handle: WorkflowHandle) =>
    waitUntil(async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const accepted = lastUpdateAccepted(events);
      const fired = events.findIndex((e, at) => at > accepted && e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
      return accepted >= 0 && fired >= 0 && events.slice(fired).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    }, "the old instant's timer fired, and its workflow task completed, while the Update waited");
  /** How many activities of the type the run scheduled after the Update was accepted. */
  const scheduledSinceUpdate = async (handle: WorkflowHandle, activityType: string) => {
    const events = (await handle.fetchHistory()).events ?? [];
    const accepted = lastUpdateAccepted(events);
    return events.slice(accepted).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
  };

  const addHoliday = async (date: string) => {
    const calendar = await BusinessCalendar.findOne({ where: { tenantId: team.tenant.id }, rejectOnEmpty: true });
    await calendar.update({ holidays: [...calendar.holidays, { date, name: 'Closed (test)' }] });
  };
  /** The calendar change's Update, as calendar-reschedule-<id> sends it. */
  const askToReschedule = (handle: WorkflowHandle) => handle.executeUpdate(rescheduleDeadlinesUpdate);

  /** An adjuster's acknowledgement of a published version due then, its run on the queue: reminded 3 calendar days before, escalated to compliance 3 working days after. */
  async function acknowledgementDueAt(dueAt: Date, taskQueue: string) {
    const employee = await buildUser({ tenantId: team.tenant.id, role: 'adjuster', managerId: team.manager.id });
    const version = await buildPolicyVersion({ tenantId: team.tenant.id, createdById: team.manager.id, status: 'published', dueAt });
    const ack = await buildAcknowledgement({ versionId: version.id, employeeId: employee.id, dueAt });
    const handle = await env.client.workflow.start<AcknowledgementWorkflow>(acknowledgementRun.type, {
      taskQueue: taskQueue,
      workflowId: ack.workflowId!,
      args: [
        {
          tenantId: team.tenant.id,
          acknowledgementId: ack.id,
          employeeId: employee.id,
          dueAt: dueAt.toISOString(),
          reminderDaysBefore: 3,
          graceDays: 3,
          units: { deadline: 'calendar_days', escalation: 'business_days' },
        },
      ],
    });
    return { employee, ack, handle };
  }

  /** A claim run on the queue, moved to documents_requested at the server's present time, with its deadlines in business days. */
  async function claimAwaitingDocuments(taskQueue: string) {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const filedAt = new Date(Number(await env.currentTimeMs()));
    const claim = await buildClaim({ subscriptionId: subscription.id, amountClaimed: '900.00', filedById: team.agent.id, filedAt });
    const settings = {
      ...CLAIM_SETTINGS,
      claimDocumentsReminderDays: 3,
      claimDocumentsEscalationDays: 5,
      claimDocumentsAutoDenyDays: 10,
      claimDocumentsDeadlineUnit: 'business_days' as const,
    };
    const handle: WorkflowHandle<ClaimWorkflow> = await env.client.workflow.start<ClaimWorkflow>(claimRun.type, {
      taskQueue,
      workflowId: claim.workflowId,
      args: [{ ...claimWorkflowInput(claim, filedAt), settings }],
    });
    await handle.executeUpdate(assignClaimUpdate, {
      args: [{ actor: actor(team.manager), assigneeId: team.adjuster.id, assigneeRole: team.adjuster.role }],
    });
    for (const to of ['under_review', 'documents_requested'] as const) {
      await handle.executeUpdate(transitionClaimUpdate, { args: [{ actor: actor(team.adjuster), to }] });
    }

    // The due instant comes from an activity after the transition's Update has answered: wait for it.
    const state = await eventually(
      () => handle.query(claimStateQuery),
      (now) => now.nextDeadline?.action === 'documents_reminder',
      'the documents reminder set as the next deadline',
    );
    return { claim, handle, state };
  }

  it('requested on Thursday 23 Dec 2027 16:00 Berlin, 3 business days with 24 Dec a holiday, is due Wednesday 29 Dec 16:00; 27 Dec made a holiday moves it to Thursday 30 Dec', async () => {
    // The server's clock to Thursday 16:00 Berlin time, less the minute the claim's walk may take.
    await env.sleep(THURSDAY_1600_BERLIN - Number(await env.currentTimeMs()));
    const { claim, handle, state } = await claimAwaitingDocuments(TASK_QUEUE);
    const entered = Date.parse(state.history.at(-1)!.at);
    expect(entered - THURSDAY_1600_BERLIN).toBeLessThan(HOUR_MS);
    expect(state.nextDeadline?.action).toBe('documents_reminder');
    // Mon 27, Tue 28, Wed 29 December at the time of day the stage was entered (16:00 Berlin).
    expect(Date.parse(state.nextDeadline!.at) - entered).toBe(6 * 24 * HOUR_MS);
    expect(state.nextDeadline!.at.slice(0, 13)).toBe('2027-12-29T15');

    // The stay's escalation (5 business days: Mon 27 to Fri 31 December 16:00) is kept on the row.
    // (Instants to the hour: the stage was entered within the minute after 16:00.)
    const hourOf = (iso: string | null | undefined) => iso?.slice(0, 13);
    const escalationDueAt = async () => hourOf((await Claim.findByPk(claim.id, { rejectOnEmpty: true })).escalationDueAt?.toISOString());
    expect(await escalationDueAt()).toBe('2027-12-31T15');

    // While the run sleeps, 27 December becomes a holiday, and the calendar change asks the run
    // to reschedule (as calendar-reschedule-<id> does): every pending deadline moves a working day.
    const calendar = await BusinessCalendar.findOne({ where: { tenantId: team.tenant.id }, rejectOnEmpty: true });
    await calendar.update({ holidays: [...calendar.holidays, { date: '2027-12-27', name: 'Zweiter Weihnachtstag (test)' }] });
    const moved = await handle.executeUpdate(rescheduleDeadlinesUpdate);
    expect([hourOf(moved.before), hourOf(moved.after)]).toEqual(['2027-12-29T15', '2027-12-30T15']);
    expect(Date.parse(moved.after!) - Date.parse(moved.before!)).toBe(24 * HOUR_MS);
    expect((await handle.query(claimStateQuery)).nextDeadline).toEqual({ at: moved.after, action: 'documents_reminder' });
    expect(await escalationDueAt()).toBe('2028-01-03T15');

    const reminder = `Reminder: documents needed for claim ${claim.claimNumber}`;
    // Past the old instant (Wednesday 29 December 16:00): nothing yet.
    await stack.skip(6 * 24 * HOUR_MS, handle);
    expect(smtp.messages.some((m) => m.subject.includes(reminder))).toBe(false);
    await stack.skip(24 * HOUR_MS, handle);
    const sent = await smtp.waitFor((m) => m.to.includes(team.claimant.email) && m.subject.includes(reminder));
    expect(sent.text).toContain('If they have not arrived 10 working days after we asked for them, the claim is denied');
    // The escalation: 5 business days from Tue 28 (27 now a holiday), Monday 3 January 2028 16:00.
    const next = (await handle.query(claimStateQuery)).nextDeadline;
    expect(next?.action).toBe('documents_escalation');
    expect(hourOf(next?.at)).toBe('2028-01-03T15');
    await stack.terminate(handle);
    await recordHistory(handle, 'claimWorkflow-business-time-rescheduled');
  });

  it('escalates an acknowledgement due on a Saturday on Monday at the opening, and to compliance 3 working days later', async () => {
    // Due Saturday 8 January 2028, 12:00 Berlin; the tenant escalates in business days.
    const dueAt = new Date('2028-01-08T11:00:00Z');
    const { employee, ack, handle } = await acknowledgementDueAt(dueAt, TASK_QUEUE);
    const overdue = (m: ReceivedMail) => m.to.includes(team.manager.email) && m.subject.startsWith('Overdue:');
    const skipTo = async (instant: string) => stack.skip(Date.parse(instant) - Number(await env.currentTimeMs()), handle);

    // The reminder counts calendar days: Wednesday 5 January 12:00.
    await skipTo('2028-01-05T11:30:00Z');
    await smtp.waitFor((m) => m.to.includes(employee.email) && m.subject.startsWith('Reminder: please acknowledge'));
    // Saturday noon and all of Sunday pass without an alert ...
    await skipTo('2028-01-10T07:59:00Z');
    expect(smtp.messages.some(overdue)).toBe(false);
    expect((await ack.reload()).escalationLevel).toBe(0);
    // ... which reaches the manager at Monday's opening, 09:00 Berlin.
    await skipTo('2028-01-10T08:01:00Z');
    await smtp.waitFor(overdue);
    await waitUntil(async () => (await ack.reload()).escalationLevel === 1, 'level 1 recorded');
    // Grace: 3 working days from Monday 09:00, Thursday 13 January 09:00 ... until Tuesday 11
    // January becomes a holiday and the calendar's reschedule run moves it to Friday 14 January.
    const calendar = await BusinessCalendar.findOne({ where: { tenantId: team.tenant.id }, rejectOnEmpty: true });
    await calendar.update({ holidays: [...calendar.holidays, { date: '2028-01-11', name: 'Closed (test)' }] });
    const operationId = crypto.randomUUID();
    const parameters = { calendarId: calendar.id, change: 'calendar.holiday_add' };
    const workflowId = calendarRescheduleRun.id(operationId);
    await BulkOperation.create({
      id: operationId,
      tenantId: team.tenant.id,
      kind: 'calendar_reschedule',
      requestedById: team.manager.id,
      parameters,
      workflowId,
    });
    await BulkOperationItem.create({ operationId, itemId: ack.id, itemType: 'acknowledgement', position: 1 });
    const reschedule = await env.client.workflow.start<CalendarRescheduleWorkflow>(calendarRescheduleRun.type, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ tenantId: team.tenant.id, operationId }],
    });
    expect(await stack.resultInPresentTime(reschedule)).toEqual({ done: 1, moved: 1, batches: 1 });
    const move = await AuditEvent.findOne({ where: { action: 'acknowledgement.deadline_moved', entityId: ack.id }, rejectOnEmpty: true });
    expect(move.changes).toMatchObject({
      dueAt: { before: '2028-01-13T08:00:00.000Z', after: '2028-01-14T08:00:00.000Z' },
    });
    await recordHistory(reschedule, 'calendarRescheduleWorkflow');

    await skipTo('2028-01-13T08:01:00Z');
    expect((await ack.reload()).escalationLevel).toBe(1);
    await skipTo('2028-01-14T08:01:00Z');
    await waitUntil(async () => (await ack.reload()).status === 'escalated', 'escalated to compliance on Friday');
    await stack.terminate(handle);
    await recordHistory(handle, 'acknowledgementWorkflow-business-time');
  });

  it('waits for a calendar change being computed when the moment it moves comes, and escalates at the moved moment', () =>
    // The reschedule's activity is held while the compliance alert's timer fires: a timer and the
    // Update's answer can meet in one workflow task, and the audit trail records the moved moment.
    withComputationsHeld(async (hold, release) => {
      // Due Saturday 5 February 2028 12:00 Berlin: the manager at Monday's opening, compliance 3 working days later.
      const dueAt = new Date('2028-02-05T11:00:00Z');
      const { ack, handle } = await acknowledgementDueAt(dueAt, HELD_QUEUE);
      const skipTo = async (instant: string) => stack.skip(Date.parse(instant) - Number(await env.currentTimeMs()), handle);
      await skipTo('2028-02-07T08:01:00Z');
      await waitUntil(async () => (await ack.reload()).escalationLevel === 1, 'level 1 at Monday 7 February 09:00 Berlin');

      // Five seconds before Thursday 10 February 09:00 Berlin (the Update must be taken before the timer fires, on a busy machine too), Tuesday 8 February becomes a holiday.
      await skipTo('2028-02-10T07:59:55Z');
      await addHoliday('2028-02-08');
      hold();
      const moving = askToReschedule(handle);
      // The old moment's timer fires while the new moments are being computed (the clock runs in real time meanwhile).
      await timerFiredDuringUpdate(handle);
      expect(held).toBe(1);
      expect(await scheduledSinceUpdate(handle, 'escalateOverdueAcknowledgement')).toBe(0);
      release();
      expect(await moving).toMatchObject({ before: '2028-02-10T08:00:00.000Z', after: '2028-02-11T08:00:00.000Z' });
      expect(await scheduledSinceUpdate(handle, 'escalateOverdueAcknowledgement')).toBe(0);
      expect((await ack.reload()).escalationLevel).toBe(1);
      await skipTo('2028-02-11T08:01:00Z');
      await waitUntil(async () => (await ack.reload()).status === 'escalated', 'escalated to compliance on Friday 11 February');
      await stack.terminate(handle);
    }));

  it("sends a claim's documents reminder at the moved instant when its timer fires while a calendar change is being computed", () =>
    withComputationsHeld(async (hold, release) => {
      // Monday 6 March 2028, 10:00 Berlin: the reminder is due 3 working days later, Thursday 9 March.
      await stack.skip(Date.parse('2028-03-06T09:00:00Z') - Number(await env.currentTimeMs()));
      const { claim, handle, state } = await claimAwaitingDocuments(HELD_QUEUE);
      const dueAt = Date.parse(state.nextDeadline!.at);
      expect(state.nextDeadline!.at.slice(0, 13)).toBe('2028-03-09T09');
      await stack.skip(dueAt - 5000 - Number(await env.currentTimeMs()), handle);
      await addHoliday('2028-03-08');
      hold();
      const moving = askToReschedule(handle);
      await timerFiredDuringUpdate(handle);
      expect(held).toBe(1);
      expect(await scheduledSinceUpdate(handle, 'sendEmail')).toBe(0);
      release();
      const moved = await moving;
      expect(Date.parse(moved.after!) - Date.parse(moved.before!)).toBe(24 * HOUR_MS);
      expect((await handle.query(claimStateQuery)).nextDeadline).toEqual({ at: moved.after, action: 'documents_reminder' });
      expect(await scheduledSinceUpdate(handle, 'sendEmail')).toBe(0);
      await stack.skip(Date.parse(moved.after!) + 60_000 - Number(await env.currentTimeMs()), handle);
      await smtp.waitFor(
        (m) => m.to.includes(team.claimant.email) && m.subject.includes(`Reminder: documents needed for claim ${claim.claimNumber}`),
      );
      await stack.terminate(handle);
    }));
});
