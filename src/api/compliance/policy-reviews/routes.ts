/**
 * Four eyes on compliance policy versions: a draft is submitted for review, which starts the run
 * `policy-approval-<versionId>`; a second compliance officer or tenant admin approves or rejects
 * it through the run's Updates, whose validators refuse the author (403) and a version no longer
 * in review (409). Only an approved version may be published.
 */
import { UpdateDefinition, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { PolicyVersion } from '../../../models';
import { TenantSettings } from '../../../models';
import { COMPLIANCE_ROLES, policyVersionPolicy } from '../../../policies/compliance';
import { findVisible, tenantOf } from '../../../policies/core';
import {
  approvePolicyVersionUpdate,
  POLICY_APPROVAL_WORKFLOW_TYPE,
  PolicyApprovalWorkflow,
  policyApprovalWorkflowId,
  POLICY_REVIEWER_ROLES,
  rejectPolicyVersionUpdate,
  submissionRecordedUpdate,
} from '../../../contracts/policy-approval';
import { idParams } from '../../http/common-schemas';
import { versionSchema } from '../schemas';
import { conflict } from '../../http/errors';
import { route, RouteContext, RouteInput, RouteSpec } from '../../http/route';
import { decideByUpdate, temporalCall } from '../../temporal/calls';
import { workflowStartOptions } from '../../../services/workflow-start';
import { rejectVersionBody, submittedVersionSchema } from './schemas';
import { DAY_MS } from '../../../shared/time';

const notInReview = (version: PolicyVersion) =>
  conflict(`The version is ${version.status}, not in review`, [{ field: 'status', message: `is ${version.status}` }]);

/**
 * Starts the review run, whose first step records the draft as in review, and answers once it
 * has: the run is the only writer, so whatever crashes when, the row and the run agree.
 */
async function submitForReview(ctx: RouteContext<RouteInput<{ id: string }>>) {
  const { user } = ctx.state;
  const tenantId = tenantOf(user);
  const draft = await findVisible(user, policyVersionPolicy, ctx.state.input.params.id);
  if (draft.status !== 'draft') throw conflict(`Only a draft can be submitted for review; this version is ${draft.status}`, [{ field: 'status', message: `is ${draft.status}` }]);
  const settings = await TenantSettings.forTenant(tenantId);
  const submittedAt = new Date();
  const reviewDueAt = new Date(submittedAt.getTime() + settings.policyReviewLapseDays * DAY_MS);
  const workflowId = policyApprovalWorkflowId(draft.id);
  let handle;
  try {
    handle = await temporalCall(ctx.services, 'rpc', (temporal) => temporal.workflow.start<PolicyApprovalWorkflow>(POLICY_APPROVAL_WORKFLOW_TYPE, {
      ...workflowStartOptions(ctx.services.config.temporal.taskQueue, {
        workflowId,
        tenantId,
        status: 'in_review',
        summary: `Review of policy version ${draft.versionNumber} (policy ${draft.policyId})`,
        dueAt: reviewDueAt,
      }),
      // One review at a time; a version back in draft may be reviewed again by a new run.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [
        {
          tenantId,
          versionId: draft.id,
          authorId: draft.createdById,
          submittedById: user.id,
          submittedAt: submittedAt.toISOString(),
          reviewDueAt: reviewDueAt.toISOString(),
          reminderAfterDays: settings.policyReviewReminderDays,
          lapseAfterDays: settings.policyReviewLapseDays,
        },
      ],
    }));
  } catch (err) {
    // A review of this version is open, or its run is still closing after a decision.
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('This version is already in review, or its last review is still closing; try again in a moment');
    throw err;
  }
  await temporalCall(ctx.services, 'update', () => handle.executeUpdate(submissionRecordedUpdate));
  return { version: await draft.reload(), workflowId, runId: handle.firstExecutionRunId };
}

/**
 * Sends a decision to the version's run; answers with the version as recorded once the run
 * accepted it. The run's validator refuses a version no longer in review (409).
 */
async function decide<Request>(ctx: RouteContext<RouteInput<{ id: string }>>, update: UpdateDefinition<unknown, [Request]>, request: Request): Promise<void> {
  const version = await findVisible(ctx.state.user, policyVersionPolicy, ctx.state.input.params.id);
  try {
    await decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(policyApprovalWorkflowId(version.id)), update, request);
  } catch (err) {
    // No review is open: never submitted, or its run has ended (lapsed or decided).
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw notInReview(await version.reload());
  }
  ctx.body = await version.reload();
}

export function policyReviewRoutes(): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/compliance/versions/:id/submit',
      summary: 'Submit a draft version for review by a second compliance officer or tenant admin (starts policy-approval-<id>)',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: { status: 202, schema: submittedVersionSchema, description: 'In review; reviewers are e-mailed, reminded after 2 days, and the review lapses to draft after 14 (tenant settings)' },
      handler: async (ctx) => {
        ctx.status = 202;
        ctx.body = await submitForReview(ctx);
      },
    }),
    route({
      method: 'post',
      path: '/compliance/versions/:id/approve',
      summary: 'Approve a version in review (not its author or submitter): it may then be published',
      tag: 'compliance',
      roles: POLICY_REVIEWER_ROLES,
      params: idParams,
      response: { status: 200, schema: versionSchema },
      handler: (ctx) => decide(ctx, approvePolicyVersionUpdate, { userId: ctx.state.user.id, role: ctx.state.user.role }),
    }),
    route({
      method: 'post',
      path: '/compliance/versions/:id/reject',
      summary: 'Reject a version in review with a reason (not its author or submitter): it goes back to draft',
      tag: 'compliance',
      roles: POLICY_REVIEWER_ROLES,
      params: idParams,
      body: rejectVersionBody,
      response: { status: 200, schema: versionSchema },
      handler: (ctx) => decide(ctx, rejectPolicyVersionUpdate, { userId: ctx.state.user.id, role: ctx.state.user.role, reason: ctx.state.input.body.reason }),
    }),
  ];
}
