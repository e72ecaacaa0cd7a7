/**
 * The policy approval workflow on the time-skipping server, with its real activities against a
 * fresh PostgreSQL database and a real SMTP sink: the 2-day reminder and the 14-day lapse take
 * seconds.
 */
import crypto from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CompliancePolicy, Tenant, User } from '../../src/models';
import {
  approvePolicyVersionUpdate,
  policyApprovalRun,
  PolicyApprovalInput,
  PolicyApprovalWorkflow,
  policyApprovalStateQuery,
  rejectPolicyVersionUpdate,
  submissionRecordedUpdate,
} from '../../src/contracts/policy-approval';
import { DAY_MS } from '../../src/shared/time';
import { buildCompliancePolicy, buildPolicyVersion, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import type { SmtpSink } from '../support/smtp-sink';
import { startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping-stack';
import { resultOf } from '../support/waiting';

describe('policy approval workflow (time-skipping)', () => {
  let stack: TimeSkippingStack;
  let env: TestWorkflowEnvironment;
  let smtp: SmtpSink;
  let tenant: Tenant;
  let author: User;
  let reviewer: User;
  let admin: User;
  let policy: CompliancePolicy;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, smtp } = stack);
    tenant = await buildTenant();
    author = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    reviewer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    policy = await buildCompliancePolicy({ createdById: author.id, title: 'Anti-bribery' });
  });
  afterAll(() => stack?.close());

  /** A draft submitted as POST /submit does it: the run starts, records it in review, and says so. */
  async function submitOn(taskQueue: string, status: 'draft' | 'approved' = 'draft') {
    const submittedAt = new Date(await env.currentTimeMs());
    const version = await buildPolicyVersion({ policyId: policy.id, content: 'Never accept cash.', status });
    const input: PolicyApprovalInput = {
      tenantId: tenant.id,
      versionId: version.id,
      authorId: author.id,
      submittedById: author.id,
      submittedAt: submittedAt.toISOString(),
      reviewDueAt: new Date(submittedAt.getTime() + 14 * DAY_MS).toISOString(),
      reminderAfterDays: 2,
      lapseAfterDays: 14,
    };
    const handle = await env.client.workflow.start<PolicyApprovalWorkflow>(policyApprovalRun.type, {
      taskQueue,
      workflowId: policyApprovalRun.id(version.id),
      args: [input],
    });
    const recorded = handle.executeUpdate(submissionRecordedUpdate);
    return { version, handle, recorded, name: `"Anti-bribery" version ${version.versionNumber}` };
  }

  async function withWorker(
    body: (submit: (status?: 'draft' | 'approved') => ReturnType<typeof submitOn>) => Promise<void>,
  ): Promise<void> {
    const taskQueue = `policy-approval-${crypto.randomUUID()}`;
    await stack.startWorker(taskQueue);
    await body((status) => submitOn(taskQueue, status));
  }

  const as = (user: User) => ({ userId: user.id, role: user.role });
  const mailTo = (user: User, subject: string) => smtp.waitFor((m) => m.to.includes(user.email) && m.subject === subject);
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err) => (err instanceof WorkflowUpdateFailedError ? err.cause : err),
    );

  it('approval by a second reviewer: the author is refused (403), the version becomes approved, everyone is told', async () => {
    await withWorker(async (submit) => {
      const { version, handle, recorded, name } = await submit();
      expect(await recorded).toEqual({ status: 'in_review', reviewerId: null });
      expect(await version.reload()).toMatchObject({ status: 'in_review', submittedById: author.id });
      const requested = await mailTo(reviewer, `Review requested: ${name}`);
      expect(requested.to).toEqual(expect.arrayContaining([reviewer.email, admin.email]));
      expect(requested.to).not.toContain(author.email);

      expect(await failureOf(handle.executeUpdate(approvePolicyVersionUpdate, { args: [as(author)] }))).toMatchObject({
        type: 'Forbidden',
      });
      const adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
      expect(await failureOf(handle.executeUpdate(approvePolicyVersionUpdate, { args: [as(adjuster)] }))).toMatchObject({
        type: 'Forbidden',
      });
      expect((await version.reload()).status).toBe('in_review');

      const accepted = await handle.executeUpdate(approvePolicyVersionUpdate, { args: [as(reviewer)] });
      expect(accepted).toEqual({ status: 'approved', reviewerId: reviewer.id });
      expect(await resultOf(handle)).toBe('approved');
      await version.reload();
      expect(version).toMatchObject({ status: 'approved', reviewedById: reviewer.id, reviewNote: null });
      expect(version.reviewedAt).toBeInstanceOf(Date);
      await mailTo(author, `Approved: ${name}`);
      await recordHistory(handle, 'policyApprovalWorkflow');
    });
  });

  it('rejection needs a reason, sends the version back to draft with it, and refuses a second decision (409)', async () => {
    await withWorker(async (submit) => {
      const { version, handle, recorded, name } = await submit();
      await recorded;
      expect(await failureOf(handle.executeUpdate(rejectPolicyVersionUpdate, { args: [{ ...as(admin), reason: '  ' }] }))).toMatchObject({
        type: 'Validation',
      });

      const [reject, approve] = await Promise.allSettled([
        handle.executeUpdate(rejectPolicyVersionUpdate, { args: [{ ...as(admin), reason: 'Name the gift register' }] }),
        handle.executeUpdate(approvePolicyVersionUpdate, { args: [as(reviewer)] }),
      ]);
      const refused = [reject, approve].filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refused).toHaveLength(1);
      expect((refused[0].reason as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'Conflict' });

      const outcome = await resultOf(handle);
      await version.reload();
      if (outcome === 'rejected') {
        expect(version).toMatchObject({ status: 'draft', reviewedById: admin.id, reviewNote: 'Name the gift register' });
        const mail = await mailTo(author, `Changes requested: ${name}`);
        expect(mail.text).toContain('Name the gift register');
      } else {
        expect(version).toMatchObject({ status: 'approved', reviewedById: reviewer.id });
      }
    });
  });

  it('reminds the reviewers after 2 days and lapses back to draft after 14', async () => {
    await withWorker(async (submit) => {
      const { version, handle, recorded, name } = await submit();
      await recorded;
      await mailTo(reviewer, `Review requested: ${name}`);
      await stack.skip('47 hours', handle);
      expect(smtp.messages.some((m) => m.subject === `Reminder: review waiting: ${name}`)).toBe(false);
      await stack.skip('2 hours', handle);
      const reminder = await mailTo(admin, `Reminder: review waiting: ${name}`);
      expect(reminder.to).not.toContain(author.email);
      expect(await handle.query(policyApprovalStateQuery)).toEqual({ status: 'in_review', reviewerId: null });
      expect((await version.reload()).status).toBe('in_review');

      expect(await resultOf(handle)).toBe('lapsed');
      await version.reload();
      expect(version).toMatchObject({ status: 'draft', reviewedById: null, reviewNote: 'No review within 14 days' });
      const lapsed = await mailTo(author, `Review lapsed: ${name}`);
      expect(lapsed.to).toEqual(expect.arrayContaining([author.email, reviewer.email, admin.email]));
      expect(smtp.messages.filter((m) => m.subject === `Reminder: review waiting: ${name}`)).toHaveLength(1);
      await recordHistory(handle, 'policyApprovalWorkflow-lapse');
    });
  });

  it('refuses to review a version that is not a draft: the submission fails (409) and the row is untouched', async () => {
    await withWorker(async (submit) => {
      const { version, handle, recorded } = await submit('approved');
      expect(await failureOf(recorded)).toMatchObject({ type: 'Conflict' });
      expect(await resultOf(handle)).toBe('not_draft');
      expect(await version.reload()).toMatchObject({ status: 'approved', submittedAt: null });
    });
  });

  it('an outcome recorded late for an older review round leaves the current round alone', async () => {
    await withWorker(async (submit) => {
      const { version, recorded } = await submit();
      await recorded;
      await stack.activities.recordPolicyReviewOutcome({
        versionId: version.id,
        submittedAt: new Date(0).toISOString(),
        outcome: 'approved',
        reviewerId: reviewer.id,
        note: null,
      });
      expect((await version.reload()).status).toBe('in_review');
    });
  });
});
