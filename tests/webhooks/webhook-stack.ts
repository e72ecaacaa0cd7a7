/**
 * What the webhook tests share: a test stack whose worker delivers to receivers on loopback, with
 * the API process's outbox relay running beside it (the test stack does not run one: the relay
 * starts the delivery runs), and a claim's move as its run records it (one `claim.stage_changed`).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { relayOnce } from '../../src/api/temporal/outbox';
import { createClaimActivities } from '../../src/activities/claims';
import type { ClaimStage } from '../../src/contracts/claim';
import type { Claim } from '../../src/models';
import { startTestStack, type TestStack } from '../support/stack';

export interface WebhookStack {
  stack: TestStack;
  close(): Promise<void>;
}

export async function startWebhookStack(): Promise<WebhookStack> {
  const stack = await startTestStack({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
  let stopped = false;
  let relaying: Promise<unknown> = Promise.resolve();
  let relay: NodeJS.Timeout;
  const tick = () => {
    relaying = relayOnce(stack.services).finally(() => {
      // A pass still under way when the stack closes must not schedule another on a closed pool.
      if (!stopped) relay = setTimeout(tick, 200);
    });
  };
  relay = setTimeout(tick, 200);
  return {
    stack,
    async close() {
      stopped = true;
      clearTimeout(relay);
      await relaying.catch(() => undefined);
      await stack.close();
    },
  };
}

/** The claim moved by `actorId` from reported (its first move) or assigned, to `to`. */
export async function moveClaim(
  stack: TestStack,
  claim: Claim,
  actorId: string,
  sequence: number,
  to: 'assigned' | 'under_review' = 'assigned',
): Promise<void> {
  await new MockActivityEnvironment().run(createClaimActivities(stack.deps).recordClaimTransition, {
    claimId: claim.id,
    tenantId: claim.tenantId,
    sequence,
    from: (sequence === 1 ? 'reported' : 'assigned') as ClaimStage,
    to,
    actorId,
    note: null,
    at: new Date().toISOString(),
    assigneeId: actorId,
    amountApproved: null,
    denialReason: null,
  });
}
