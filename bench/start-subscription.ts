import type { Client } from '@temporalio/client';
import { workflowStartOptions } from '../src/services/workflow-start';
import { subscriptionRun, SubscriptionTerms, SubscriptionWorkflow } from '../src/contracts/subscription';

/** A raw SDK start of a subscription run, with the same options the API uses. */
export function startSubscription(client: Client, taskQueue: string, terms: SubscriptionTerms) {
  return client.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, {
    args: [{ terms }],
    ...workflowStartOptions(taskQueue, {
      workflowId: subscriptionRun.id(terms.subscriptionId),
      tenantId: terms.tenantId,
      status: 'pending',
      summary: `Subscription ${terms.subscriptionId}`,
    }),
  });
}
