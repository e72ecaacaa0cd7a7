/** A claim as the REST routes answer it: its fields, and in detail its history and settlement. */
import type { Attributes } from 'sequelize';
import { currencyOf } from '../../domain/claims/money';
import { Claim, ClaimHistory, ClaimPayment, SubscriptionVersion } from '../../models';
import { formatClaimAmount } from '../../shared/money';

/**
 * A claim as REST answers it. `escalationDueAt` is the run's bookkeeping for the inbox and the SLA
 * breach report (null whenever the stage counts calendar time), not an answer: a claim's next
 * deadline, in UTC and in the tenant's time zone, is its live state's `nextDeadline`. Its amounts are
 * written in its currency, as its live state writes them (the row keeps two decimals in any): the
 * row carries it beside its columns (a list reads it in its page's statement).
 */
export function claimView(claim: Attributes<Claim> & { currency: string }): object {
  const { workflowId, runId, escalationDueAt: _escalationDueAt, amountClaimed, amountApproved, currency, ...fields } = claim;
  return {
    ...fields,
    amountClaimed: formatClaimAmount(amountClaimed, currency),
    amountApproved: amountApproved === null ? null : formatClaimAmount(amountApproved, currency),
    workflow: { workflowId, runId },
  };
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
