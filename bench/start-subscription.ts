import type { Client } from '@temporalio/client';
import { workflowStartOptions } from '../src/api/workflow-start';
import type { SubscriptionTerms } from '../src/workflows/subscription-messages';
import { subscriptionWorkflowId } from '../src/workflows/subscription-messages';

/** A raw SDK start of a subscription run, with the same options the API uses. */
export function startSubscription(client: Client, taskQueue: string, terms: SubscriptionTerms) {
  return client.workflow.start('subscriptionWorkflow', {
    args: [{ terms }],
    ...workflowStartOptions(taskQueue, {
      workflowId: subscriptionWorkflowId(terms.subscriptionId),
      tenantId: terms.tenantId,
      status: 'pending',
      summary: `Subscription ${terms.subscriptionId}`,
    }),
  });
}
