/**
 * A policy's run started straight on Temporal, as the API starts it, for tests of what the run does
 * with a policy once it is active (its changes, its timeline), or taken out through the API; and a policy's changes and versions
 * as its run leaves them, for tests that page them.
 */
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { subscriptionRun, type SubscriptionWorkflow, subscriptionStateQuery } from '../../src/contracts/subscription';
import { type Plan, Subscription, SubscriptionChange, SubscriptionVersion, type User } from '../../src/models';
import type { TestStack } from './stack';
import { eventually, waitUntil } from './waiting';

/**
 * A policy taken out through the API by the holder whose `Authorization` is given, waited for until active: its id. It is
 * on a plan (`planId`), or bound from a quote: `asked` is then the request's body (`quoteId`, the property's address).
 */
export async function activePolicyThroughApi(
  stack: TestStack,
  holderAuthorization: string,
  asked: string | { quoteId: string; propertyAddress?: object },
): Promise<string> {
  const body = typeof asked === 'string' ? { planId: asked } : asked;
  const created = await stack.api.post('/api/v1/subscriptions').set('Authorization', holderAuthorization).send(body).expect(202);
  const id = created.body.id as string;
  await eventually(
    () => stack.api.get(`/api/v1/subscriptions/${id}`).set('Authorization', holderAuthorization).expect(200),
    (res) => res.body.status === 'active',
    `subscription ${id} active`,
  );
  return id;
}

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

/**
 * More changes and versions than a page holds, as a holder who keeps changing their phone leaves
 * them: `changes` changes of `subscription` quoted (never confirmed) by `holder`, effective today,
 * a minute apart from 2026-01-10 08:00 UTC, and a version (number 2, 3…) made by each of the first
 * `versions` of them. Answers the changes, oldest first.
 */
export async function seedChangesAndVersions(
  subscription: Subscription,
  holder: User,
  counts: { changes: number; versions: number },
): Promise<SubscriptionChange[]> {
  const start = Date.parse('2026-01-10T08:00:00Z');
  const changes = await SubscriptionChange.bulkCreate(
    Array.from({ length: counts.changes }, (_, index) => ({
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      status: 'quoted' as const,
      term: 0,
      effectiveDate: new Date().toISOString().slice(0, 10),
      requested: { holderPhone: `+49301234${String(index).padStart(3, '0')}` },
      premiumBefore: '300.00',
      premiumAfter: '300.00',
      premiumDeltaMinor: 0,
      currency: 'USD',
      instalments: [],
      requestedById: holder.id,
      createdAt: new Date(start + index * 60_000),
    })),
  );
  await SubscriptionVersion.bulkCreate(
    changes.slice(0, counts.versions).map((change, index) => ({
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      number: index + 2,
      effectiveFrom: subscription.startDate!,
      planId: subscription.planId,
      coverageAmount: subscription.coverageAmount,
      premium: subscription.premium,
      currency: 'USD',
      holderPhone: change.requested.holderPhone,
      changeId: change.id,
      fieldChanges: {},
      premiumDeltaMinor: 0,
      changedById: holder.id,
    })),
  );
  return changes;
}
