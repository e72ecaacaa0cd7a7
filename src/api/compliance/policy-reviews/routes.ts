/**
 * Four eyes on compliance policy versions: a draft is submitted for review, which starts the run
 * `policy-approval-<versionId>`; a second compliance officer or tenant admin approves or rejects
 * it through the run's Updates, whose validators refuse the author (403) and a version no longer
 * in review (409). Only an approved version may be published.
 */
import { acceptedRoute, actionRoute } from '../../http/write-route';
import { type RouteSpec, tagged } from '../../http/route';
import { approveVersionOperation, rejectVersionOperation, submitVersionOperation } from '../operations';
import { versionSchema } from '../schemas';
import { submittedVersionSchema } from './schemas';

export function policyReviewRoutes(): RouteSpec[] {
  return tagged('compliance', [
    acceptedRoute(submitVersionOperation, {
      path: '/compliance/versions/:id/submit',
      summary: 'Submit a draft version for review by a second compliance officer or tenant admin (starts policy-approval-<id>)',
      schema: submittedVersionSchema,
      description: 'In review; reviewers are e-mailed, reminded after 2 days, and the review lapses to draft after 14 (tenant settings)',
    }),
    actionRoute(approveVersionOperation, {
      path: '/compliance/versions/:id/approve',
      summary:
        'Approve a version in review (not one who wrote, changed or submitted it, under any account on their mailbox): it may then be published',
      schema: versionSchema,
    }),
    actionRoute(rejectVersionOperation, {
      path: '/compliance/versions/:id/reject',
      summary:
        'Reject a version in review with a reason (not one who wrote, changed or submitted it, under any account on their mailbox): it goes back to draft',
      schema: versionSchema,
    }),
  ]);
}
