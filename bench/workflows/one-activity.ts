/**
 * The yardsticks of the expiries and billing-day benchmarks: the least a workflow can be (one
 * workflow task, one activity), its activity doing the same I/O as a subscription's expiry (the
 * guarded row change and the e-mail), or as its premium reminder or lapse.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ExpireDirectly } from '../expiry-activity';
import type { PremiumStepDirectly } from '../premium-step-activity';

const { expireDirectly, premiumStepDirectly } = proxyActivities<{
  expireDirectly: ExpireDirectly;
  premiumStepDirectly: PremiumStepDirectly;
}>({ startToCloseTimeout: '1 minute' });

export async function oneActivityExpiry(input: Parameters<ExpireDirectly>[0]): Promise<void> {
  await expireDirectly(input);
}

/** The yardstick of the billing day: one activity making a reminder's or a lapse's I/O. */
export async function oneActivityPremiumStep(input: Parameters<PremiumStepDirectly>[0]): Promise<void> {
  await premiumStepDirectly(input);
}
