/**
 * One cancellation refund through the payment provider (docs/premiums.md, Refunds). The activity
 * is retried with back-off for as long as the provider is down: the refund is owed, so the run
 * waits rather than gives up, and an operator sees the attempts and their errors on the run.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PremiumRefundInput, PremiumRefundOutcome } from '../contracts/premium-refund';

const { sendPremiumRefund } = proxyActivities<Activities>({
  // The provider's calls are cut at STRIPE_TIMEOUT_MS (5 s) with one retry; the rest is two statements.
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export async function premiumRefundWorkflow(input: PremiumRefundInput): Promise<PremiumRefundOutcome> {
  return sendPremiumRefund(input.refundId);
}
