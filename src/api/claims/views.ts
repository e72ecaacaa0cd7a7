/** A claim as the REST routes answer it: its fields, and in detail its history and settlement. */
import type { Attributes } from 'sequelize';
import { currencyOf } from '../../domain/claims/money';
import { Claim, ClaimHistory, ClaimPayment, SubscriptionVersion } from '../../models';
import { formatClaimAmount } from '../../shared/money';

/** A claim row with its currency, as a page of claims or a claim's detail reads it. */
type ClaimRow = Attributes<Claim> & { currency: string };

/**
 * What a row holds that its answer does not copy as it is. `escalationDueAt` is the run's
 * bookkeeping for the inbox and the SLA breach report (null whenever the stage counts calendar
 * time), not an answer: a claim's next deadline, in UTC and in the tenant's time zone, is its live
 * state's `nextDeadline`. The amounts are written in the claim's currency, as its live state
 * writes them (the row keeps two decimals in any), and the run's IDs go under `workflow`.
 */
const NOT_COPIED = new Set(['workflowId', 'runId', 'escalationDueAt', 'amountClaimed', 'amountApproved', 'currency']);

/** Of a row's `columns`, those its answer copies, in the row's order. */
const copiedOf = (columns: readonly string[]) => columns.filter((key) => !NOT_COPIED.has(key));

/**
 * A claim as REST answers it: its row's fields but NOT_COPIED, its amounts in its currency, then
 * its run. Built field by field: a rest pattern (`{ a, b, ...fields }`) copies through V8's slow
 * path and leaves objects JSON.stringify writes at half the speed: a page of 20 took about 0.3 ms
 * so, 0.02 ms this way (docs/performance.md, Lists).
 */
function viewOf(claim: ClaimRow, copied: readonly string[]): object {
  const view: Record<string, unknown> = {};
  for (const key of copied) view[key] = claim[key as keyof ClaimRow];
  view.amountClaimed = formatClaimAmount(claim.amountClaimed, claim.currency);
  view.amountApproved = claim.amountApproved === null ? null : formatClaimAmount(claim.amountApproved, claim.currency);
  view.workflow = { workflowId: claim.workflowId, runId: claim.runId };
  return view;
}

/** A claim as REST answers it (the row carries its currency beside its columns). */
export const claimView = (claim: ClaimRow): object => viewOf(claim, copiedOf(Object.keys(claim)));

/**
 * A page of claims as REST answers them: its rows come from one statement, so the keys to copy
 * are found once a page, among its `columns` (a row as read may carry more: `paginatePlain`).
 */
export function claimViews(claims: readonly ClaimRow[], columns: readonly string[] = Object.keys(claims[0] ?? {})): object[] {
  const copied = copiedOf(columns);
  return claims.map((claim) => viewOf(claim, copied));
}

/** A claim with its history, its latest settlement and the policy version that judged its cover. */
export async function claimDetail(claim: Claim): Promise<object> {
  const [currency, history, payment, version] = await Promise.all([
    currencyOf(claim.id),
    ClaimHistory.findAll({ where: { claimId: claim.id }, order: [['sequence', 'ASC']] }),
    // The latest settlement: a reopened claim approved again has a second.
    ClaimPayment.findOne({ where: { claimId: claim.id, kind: 'settlement' }, order: [['createdAt', 'DESC']] }),
    claim.subscriptionVersionId ? SubscriptionVersion.findByPk(claim.subscriptionVersionId) : null,
  ]);
  return {
    ...claimView({ ...claim.get(), currency }),
    history: history.map(({ sequence, actorId, fromStatus, toStatus, note, occurredAt }) => ({
      sequence,
      actorId,
      fromStatus,
      toStatus,
      note,
      occurredAt,
    })),
    payment: payment && {
      id: payment.id,
      amount: formatClaimAmount(payment.amount, currency),
      reference: payment.reference,
      paidAt: payment.paidAt,
    },
    subscriptionVersion: version && {
      id: version.id,
      number: version.number,
      effectiveFrom: version.effectiveFrom,
      coverageAmount: formatClaimAmount(version.coverageAmount, version.currency),
    },
  };
}
