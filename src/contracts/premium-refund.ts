/**
 * The contract of `premium-refund-<refundId>` runs (docs/premiums.md, Refunds): a cancellation's
 * refund of a payment taken through the provider, sent to the provider until it accepts it.
 */
import { workflowRun } from './workflow-run';

export const premiumRefundRun = workflowRun('premiumRefundWorkflow', 'premium-refund-');

export interface PremiumRefundInput {
  tenantId: string;
  refundId: string;
}

/**
 * What became of the refund: `sent` (the provider took it now), `refused` (the provider said no:
 * the refund is `failed`, for staff to pay back another way), `already_sent` (an earlier attempt
 * got there first) or `not_pending` (no longer the provider's to make).
 */
export type PremiumRefundOutcome = 'sent' | 'refused' | 'already_sent' | 'not_pending';

export type PremiumRefundWorkflow = (input: PremiumRefundInput) => Promise<PremiumRefundOutcome>;
