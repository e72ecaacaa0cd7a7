/**
 * Quote referral — `quote-referral-<quoteId>` (docs/quotes.md, Referral): an underwriter decides a
 * quote the plan's referral rules referred.
 *
 * referred ── accept (loading?, note?) ──> accepted   (the quote is `quoted` again at its re-priced premium)
 *     ├────── decline (note) ───────────> declined
 *     └────── business days (dueAt) ────> lapsed     then the requester is mailed the outcome
 *
 * The quote was written `referred` with its due instant in the transaction that enqueued this
 * run's start, so the run starts with nothing to record. The Update validators refuse a role
 * without decideQuoteReferral and the quote's own requester (403), a decision once one was taken
 * or the referral lapsed (409) and a malformed loading or empty reason (422), before anything is
 * recorded.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  acceptQuoteReferralUpdate,
  type AcceptQuoteReferralInput,
  declineQuoteReferralUpdate,
  type DeclineQuoteReferralInput,
  LOADING_PATTERN,
  type QuoteReferralInput,
  type QuoteReferralMessage,
  quoteReferralStateQuery,
  type QuoteReferralStatus,
  type QuoteUnderwriter,
} from '../contracts/quote-referral';
import { roleMay } from '../access/verbs';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { UNTIL_DONE } from './support/activity-options';
import { type Decision, setDecisionHandlers } from './support/decision-updates';
import { publishStatus } from './support/business-status';

const { recordQuoteReferralOutcome } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: UNTIL_DONE });
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { notifyQuoteReferral } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: UNTIL_DONE });

export async function quoteReferralWorkflow(input: QuoteReferralInput): Promise<QuoteReferralStatus> {
  const { quoteId } = input;
  let status: QuoteReferralStatus = 'referred';
  let decision: Decision<QuoteUnderwriter, AcceptQuoteReferralInput> | undefined;
  let decisionRecorded = false;

  const state = () => ({ status, underwriterId: decision?.by.userId ?? null });
  const notify = (message: QuoteReferralMessage) =>
    notifyQuoteReferral({ quoteId, message, idempotencyKey: `${workflowInfo().workflowId}:${message}` });

  setHandler(quoteReferralStateQuery, state);
  setDecisionHandlers<ReturnType<typeof state>, DeclineQuoteReferralInput, AcceptQuoteReferralInput>({
    approve: acceptQuoteReferralUpdate,
    reject: declineQuoteReferralUpdate,
    assertCanDecide: (by) => {
      if (!roleMay(by.role, 'decideQuoteReferral'))
        throw businessFailure(BusinessErrorType.Forbidden, 'Only underwriters and tenant admins decide referred quotes');
      if (by.userId === input.requestedById)
        throw businessFailure(
          BusinessErrorType.Forbidden,
          'Whoever asked for a quote may not decide its referral: another underwriter must',
        );
      if (decision || status !== 'referred')
        throw businessFailure(BusinessErrorType.Conflict, `The referral is over (${decision ? 'decided' : status})`, { field: 'status' });
    },
    assertApproval: ({ loading }) => {
      if (loading !== undefined && !LOADING_PATTERN.test(loading))
        throw businessFailure(BusinessErrorType.Validation, 'A loading is a fraction from 0 to 1 with up to 4 decimals', {
          field: 'loading',
        });
    },
    decide: (made) => {
      decision = made;
    },
    recorded: () => decisionRecorded,
    state,
  });

  const dueAt = new Date(input.dueAt);
  publishStatus({ status, dueAt, details: `Waiting for an underwriter until ${input.dueAt}` });
  await condition(() => decision !== undefined, Math.max(dueAt.getTime() - Date.now(), 1), { summary: 'lapse the referral' });

  if (!decision) {
    status = 'lapsed';
    await recordQuoteReferralOutcome({ quoteId, outcome: status });
    publishStatus({ status, dueAt: null, details: 'No underwriter decided in time' });
    await notify(status);
    return status;
  }

  if (decision.outcome === 'approved') {
    status = 'accepted';
    const { userId, loading, note } = decision.by;
    await recordQuoteReferralOutcome({ quoteId, outcome: status, underwriterId: userId, loading, note });
  } else {
    status = 'declined';
    await recordQuoteReferralOutcome({ quoteId, outcome: status, underwriterId: decision.by.userId, note: decision.reason });
  }
  decisionRecorded = true;
  publishStatus({ status, dueAt: null, details: status === 'accepted' ? 'Accepted: quoted' : 'Declined' });
  await notify(status);
  await condition(allHandlersFinished);
  return status;
}
