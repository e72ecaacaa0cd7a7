/**
 * The yardstick of the expiries benchmark: the least a workflow can be (one workflow task, one
 * activity), its activity doing the same I/O as a subscription's expiry (the guarded row change
 * and the e-mail).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ExpireDirectly } from '../expiry-activity';

const { expireDirectly } = proxyActivities<{ expireDirectly: ExpireDirectly }>({ startToCloseTimeout: '1 minute' });

export async function oneActivityExpiry(input: Parameters<ExpireDirectly>[0]): Promise<void> {
  await expireDirectly(input);
}
