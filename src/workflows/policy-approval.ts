/**
 * Policy version approval — `policy-approval-<versionId>` (four eyes before publishing).
 *
 * submitted: the run records the draft as in_review (its first step, so a run and its row never
 * disagree, whatever crashes when), then
 *
 * in_review ── approve ──> approved   (the version may now be published)
 *     ├─────── reject ───> rejected   (back to draft, with the reviewer's reason)
 *     └── N days ────────> lapsed     (back to draft)     reviewers reminded after M days
 *
 * The author and whoever submitted the version may not decide; the Update validators refuse
 * them (403) and any decision once the review is over (409) before anything is recorded. The API
 * refuses first whoever changed the draft too, and each of them under any account on the same
 * mailbox (src/domain/compliance/four-eyes.ts), which the run does not know.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  approvePolicyVersionUpdate,
  PolicyApprovalInput,
  policyApprovalStateQuery,
  PolicyReviewer,
  PolicyReviewMessage,
  PolicyReviewStatus,
  rejectPolicyVersionUpdate,
  submissionRecordedUpdate,
} from '../contracts/policy-approval';
import { roleMay } from '../access/verbs';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { DAY_MS } from '../shared/time';
import { UNTIL_DONE } from './support/activity-options';
import { type Decision, setDecisionHandlers } from './support/decision-updates';
import { publishStatus } from './support/business-status';

const { recordPolicyReviewSubmitted, recordPolicyReviewOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: UNTIL_DONE,
});
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { notifyPolicyReview } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: UNTIL_DONE });

export async function policyApprovalWorkflow(input: PolicyApprovalInput): Promise<PolicyReviewStatus> {
  const round = { versionId: input.versionId, submittedAt: input.submittedAt };
  let status: PolicyReviewStatus = 'in_review';
  let submissionRecorded: boolean | undefined = undefined;
  let decision: Decision<PolicyReviewer> | undefined;
  let decisionRecorded = false;

  const notify = (message: PolicyReviewMessage, reason?: string) =>
    // The same version may be reviewed again after a rejection: the submission time tells the rounds apart.
    notifyPolicyReview({ ...round, message, reason, idempotencyKey: `${workflowInfo().workflowId}:${input.submittedAt}:${message}` });
  const state = () => ({ status, reviewerId: decision?.by.userId ?? null });

  const assertCanDecide = (by: PolicyReviewer) => {
    if (!roleMay(by.role, 'reviewPolicyVersion'))
      throw businessFailure(BusinessErrorType.Forbidden, 'Only compliance officers and tenant admins review policy versions');
    if (by.userId === input.authorId || by.userId === input.submittedById) {
      throw businessFailure(BusinessErrorType.Forbidden, 'The author or submitter of a version may not review it: a second person must');
    }
    if (!submissionRecorded || decision || status !== 'in_review')
      throw businessFailure(BusinessErrorType.Conflict, `The version is not in review (${decision?.outcome ?? status})`);
  };

  setHandler(policyApprovalStateQuery, state);
  setHandler(submissionRecordedUpdate, async () => {
    await condition(() => submissionRecorded !== undefined);
    if (!submissionRecorded)
      throw businessFailure(BusinessErrorType.Conflict, 'Only a draft can be submitted for review', { field: 'status' });
    return state();
  });
  setDecisionHandlers({
    approve: approvePolicyVersionUpdate,
    reject: rejectPolicyVersionUpdate,
    assertCanDecide,
    decide: (made) => {
      decision = made;
    },
    recorded: () => decisionRecorded,
    state,
  });

  submissionRecorded = await recordPolicyReviewSubmitted({ ...round, submittedById: input.submittedById, reviewDueAt: input.reviewDueAt });
  if (!submissionRecorded) {
    status = 'not_draft';
    publishStatus({ status, dueAt: null, details: 'The version was not a draft; nothing to review' });
    await condition(allHandlersFinished);
    return status;
  }

  const remindAt = new Date(input.submittedAt).getTime() + input.reminderAfterDays * DAY_MS;
  const lapseAt = new Date(input.reviewDueAt);
  publishStatus({ status, dueAt: lapseAt, details: `Waiting for a second reviewer until ${lapseAt.toISOString()}` });
  await notify('submitted');

  const decided = () => decision !== undefined;
  if (
    remindAt < lapseAt.getTime() &&
    !(await condition(decided, Math.max(remindAt - Date.now(), 1), { summary: 'remind the reviewers' }))
  ) {
    await notify('reminder');
  }
  if (!decided()) await condition(decided, Math.max(lapseAt.getTime() - Date.now(), 1), { summary: 'lapse back to draft' });

  if (!decision) {
    status = 'lapsed';
    await recordPolicyReviewOutcome({ ...round, outcome: status, note: `No review within ${input.lapseAfterDays} days` });
    publishStatus({ status, dueAt: null, details: 'Nobody reviewed it in time; back to draft' });
    await notify('lapsed');
    return status;
  }

  status = decision.outcome;
  const reason = decision.outcome === 'rejected' ? decision.reason : undefined;
  await recordPolicyReviewOutcome({ ...round, outcome: status, reviewerId: decision.by.userId, note: reason ?? null });
  decisionRecorded = true;
  publishStatus({ status, dueAt: null, details: status === 'approved' ? 'Approved: ready to publish' : 'Rejected: back to draft' });
  await notify(status, reason);
  await condition(allHandlersFinished);
  return status;
}
