/**
 * Four eyes on compliance policy versions: a draft is submitted for review, which starts the run
 * `policy-approval-<versionId>`; a second compliance officer or tenant admin approves or rejects
 * it through the run's Updates, whose validators refuse the author (403) and a version no longer
 * in review (409). Only an approved version may be published.
 */
import { POLICY_REVIEWER_ROLES } from '../../../contracts/policy-approval';
import { approveVersion, rejectVersion, submitVersionForReview } from '../../../domain/compliance/commands';
import { COMPLIANCE_ROLES } from '../../../policies/compliance';
import { commandDeps } from '../../http/command-deps';
import { idParams } from '../../http/common-schemas';
import { versionSchema } from '../schemas';
import { route, RouteSpec } from '../../http/route';
import { rejectVersionBody, submittedVersionSchema } from './schemas';

export function policyReviewRoutes(): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/compliance/versions/:id/submit',
      summary: 'Submit a draft version for review by a second compliance officer or tenant admin (starts policy-approval-<id>)',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: {
        status: 202,
        schema: submittedVersionSchema,
        description: 'In review; reviewers are e-mailed, reminded after 2 days, and the review lapses to draft after 14 (tenant settings)',
      },
      handler: async (ctx) => {
        ctx.status = 202;
        ctx.body = await submitVersionForReview(ctx.state.user, ctx.state.input.params, commandDeps(ctx));
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
      handler: async (ctx) => {
        ctx.body = await approveVersion(ctx.state.user, ctx.state.input.params, commandDeps(ctx));
      },
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
      handler: async (ctx) => {
        ctx.body = await rejectVersion(ctx.state.user, { ...ctx.state.input.params, ...ctx.state.input.body }, commandDeps(ctx));
      },
    }),
  ];
}
