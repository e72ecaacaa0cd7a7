/**
 * A policy's run started straight on Temporal, as the API starts it, for tests of what the run does
 * with a policy once it is active (its changes, its timeline).
 */
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { subscriptionRun, type SubscriptionWorkflow, subscriptionStateQuery } from '../../src/contracts/subscription';
import { type Plan, Subscription, type User } from '../../src/models';
import { waitUntil } from './waiting';

/** The holder's policy on `plan`, its run on `taskQueue` waited for until active, with its row. */
export async function startActivePolicy(
  client: Client,
  taskQueue: string,
  plan: Plan,
  holder: User,
): Promise<{ handle: WorkflowHandle<SubscriptionWorkflow>; row: Subscription }> {
  const subscriptionId = crypto.randomUUID();
  const handle = await client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
    taskQueue,
    workflowId: subscriptionRun.id(subscriptionId),
    args: [
      {
        terms: {
          subscriptionId,
          tenantId: plan.tenantId,
          planId: plan.id,
          planName: plan.name,
          policyholderId: holder.id,
          coverageAmount: plan.coverageAmount,
          premium: plan.premium,
          durationMonths: plan.durationMonths,
        },
      },
    ],
  });
  await waitUntil(async () => (await handle.query(subscriptionStateQuery)).status === 'active', `${handle.workflowId} active`);
  return { handle, row: await Subscription.findByPk(subscriptionId, { rejectOnEmpty: true }) };
}
