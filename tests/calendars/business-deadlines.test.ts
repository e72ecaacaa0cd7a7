/**
 * A claim's document deadlines counted in business days (docs/calendars.md), on the time-skipping
 * server with the real activities and database: the run asks an activity for the due instants of
 * the tenant's default calendar and sleeps until them. Issue 43's case: documents requested on
 * Thursday 23 December 2027 at 16:00 Berlin time, 3 business days, Friday 24 December a holiday:
 * due Wednesday 29 December 16:00.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BusinessCalendar, type User } from '../../src/models';
import {
  assignClaimUpdate,
  CLAIM_WORKFLOW_TYPE,
  claimStateQuery,
  type ClaimWorkflow,
  transitionClaimUpdate,
} from '../../src/contracts/claim';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { buildClaim, buildSubscription } from '../support/factories';
import { CLAIM_SETTINGS, claimWorkflowInput, type ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

const TASK_QUEUE = 'business-deadlines';
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

  it('requested on Thursday 23 Dec 2027 16:00 Berlin, 3 business days with 24 Dec a holiday, reminds on Wednesday 29 Dec 16:00', async () => {
    // The server's clock to Thursday 16:00 Berlin time, less the minute the claim's walk may take.
    await env.sleep(THURSDAY_1600_BERLIN - Number(await env.currentTimeMs()));
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
    const handle: WorkflowHandle<ClaimWorkflow> = await env.client.workflow.start<ClaimWorkflow>(CLAIM_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: claim.workflowId,
      args: [{ ...claimWorkflowInput(claim, filedAt), settings }],
    });
    await handle.executeUpdate(assignClaimUpdate, {
      args: [{ actor: actor(team.manager), assigneeId: team.adjuster.id, assigneeRole: team.adjuster.role }],
    });
    for (const to of ['under_review', 'documents_requested'] as const) {
      await handle.executeUpdate(transitionClaimUpdate, { args: [{ actor: actor(team.adjuster), to }] });
    }

    const state = await handle.query(claimStateQuery);
    const entered = Date.parse(state.history.at(-1)!.at);
    expect(entered - THURSDAY_1600_BERLIN).toBeLessThan(HOUR_MS);
    expect(state.nextDeadline?.action).toBe('documents_reminder');
    // Mon 27, Tue 28, Wed 29 December at the time of day the stage was entered (16:00 Berlin).
    expect(Date.parse(state.nextDeadline!.at) - entered).toBe(6 * 24 * HOUR_MS);
    expect(state.nextDeadline!.at.slice(0, 13)).toBe('2027-12-29T15');

    const reminder = `Reminder: documents needed for claim ${claim.claimNumber}`;
    await stack.skip(6 * 24 * HOUR_MS - HOUR_MS, handle);
    expect(smtp.messages.some((m) => m.subject.includes(reminder))).toBe(false);
    await stack.skip(2 * HOUR_MS, handle);
    await smtp.waitFor((m) => m.to.includes(team.claimant.email) && m.subject.includes(reminder));
    // The escalation: 5 business days (Mon 27 to Fri 31), Friday 31 December 16:00.
    const next = (await handle.query(claimStateQuery)).nextDeadline;
    expect(next?.action).toBe('documents_escalation');
    expect(next!.at.slice(0, 13)).toBe('2027-12-31T15');
    await stack.terminate(handle);
  });
});
