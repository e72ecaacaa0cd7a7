/**
 * Confirming and withdrawing a quoted policy change (docs/subscriptions.md, Policy changes). The
 * API checks what it can see in the rows (the change is still as quoted, for the policy as it
 * stands); the subscription's run decides, once, whether it happens (its Update validator: who,
 * the status, the term, another change in the way) and carries it out on its effective date.
 */
import {
  applyPolicyChangeUpdate,
  subscriptionRun,
  withdrawPolicyChangeUpdate,
  type PolicyChangeRequest,
  type SubscriptionState,
  type WithdrawPolicyChangeRequest,
} from '../../../contracts/subscription';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { Subscription, SubscriptionChange } from '../../../models';
import type { SubscriptionChangeStatus } from '../../../models/subscription-change';
import { decideOnRun } from '../../../services/run-decisions';
import type { AuthUser } from '../../../shared/caller';
import { ApiError, conflict, notFound } from '../../../shared/errors';
import { audited } from '../../audited';
import type { Command, CommandDeps } from '../../command';
import {
  changeableSubscription,
  checkEffectiveDate,
  type ChangeInput,
  isPricedChange,
  priceOfRequested,
  quoteChange,
  refuseBackdatedRaise,
  refuseIfClaimsCoverMoves,
  targetPlan,
} from './quote';
import { coverageOnPlan, sameAmount } from '../../quotes/re-rating';

export interface ChangeRef {
  /** The subscription. */
  id: string;
  changeId: string;
}

/** A change of a subscription the caller may see, as a policy's change: another policy's or a missing one is 404. */
export async function visibleChange(subscription: Subscription, changeId: string): Promise<SubscriptionChange> {
  const change = await SubscriptionChange.findOne({
    where: { id: changeId, subscriptionId: subscription.id, tenantId: subscription.tenantId },
  });
  if (!change) throw notFound('Policy change');
  return change;
}

/** The subscription the caller may change and its change, which must be in `status` (409 otherwise). */
async function changeIn(caller: AuthUser, { id, changeId }: ChangeRef, status: SubscriptionChangeStatus) {
  const subscription = await changeableSubscription(caller, id);
  const change = await visibleChange(subscription, changeId);
  if (change.status === 'not_applied')
    throw conflict(`The change was not applied on its effective date: ${change.notAppliedReason}; ask for a new quote`);
  if (change.status !== status) throw conflict(`The change is ${change.status}`);
  return { subscription, change };
}

/** Sends the decision about a change to the subscription's run, then answers the change as the run left it. */
async function decideOnChange<Request extends PolicyChangeRequest | WithdrawPolicyChangeRequest>(
  caller: AuthUser,
  subscription: Subscription,
  change: SubscriptionChange,
  deps: CommandDeps,
  update: UpdateDefinition<SubscriptionState, [Request]>,
  details: Omit<Request, 'userId' | 'role'>,
): Promise<SubscriptionChange> {
  const request = { ...details, userId: caller.id, role: caller.role } as Request;
  await decideOnRun(deps, subscription, subscriptionRun.id(subscription.id), update, request, (now) =>
    conflict(`The subscription is ${now.status}; its run has ended`),
  );
  return change.reload();
}

const staleQuote = () => conflict('The quote is stale: the policy has changed since it was priced; ask for a new quote');

/**
 * Confirms a quoted change: the run applies it now when its effective date has come, or holds it
 * until then (`scheduled`). A quote that no longer fits the policy is refused 409: priced for an
 * earlier term, for another premium (a change applied since), or before a version applied since.
 * The plan and the cover of open claims are checked again: the plan's premium may have changed, or
 * a claim been filed since the quote. The run's activity checks the claims once more under the
 * subscription's lock, which filing a claim takes too, so a claim filed at the same moment is seen.
 */
export const applyPolicyChange: Command<ChangeRef, SubscriptionChange> = async (caller, ref, deps) => {
  const { subscription, change } = await changeIn(caller, ref, 'quoted');
  // Amounts, not text: a plan writes its premium with two decimals ("30000.00" yen), a price with the currency's ("30000").
  if (change.term !== subscription.renewalCount || !sameAmount(change.premiumBefore, subscription.premium, change.currency))
    throw staleQuote();
  await checkEffectiveDate(subscription, change.effectiveDate);
  let coverage: string | null = null;
  if (isPricedChange(change)) {
    const plan = change.requested.planId ? await targetPlan(subscription, change.requested.planId) : null;
    // Priced again as when quoted: the plan's fixed premium, or the policy's risk rated on the plan or at its new postcode (docs/quotes.md, Binding).
    const priced = await priceOfRequested(subscription, change.requested, plan);
    if (!sameAmount(priced.premium, change.premiumAfter, change.currency))
      throw conflict("The quote is stale: the plan's premium has changed since; ask for a new quote");
    coverage = plan ? coverageOnPlan(subscription, plan) : subscription.coverageAmount;
    if (change.coverageAfter !== null && !sameAmount(change.coverageAfter, coverage, change.currency))
      throw conflict("The quote is stale: the plan's cover has changed since; ask for a new quote");
    refuseBackdatedRaise(subscription, change.effectiveDate, coverage);
    await refuseIfClaimsCoverMoves(deps, subscription.id, change.effectiveDate, coverage);
  }
  const decided = await decideOnChange<PolicyChangeRequest>(caller, subscription, change, deps, applyPolicyChangeUpdate, {
    changeId: change.id,
    effectiveDate: change.effectiveDate,
    term: change.term,
  });
  // The run answers once it has carried the change out; still quoted then, it refused it: a claim filed at the same time
  // was written first and its cover would move (409 naming it), or another change confirmed at the same time was.
  if (decided.status === 'quoted') {
    if (coverage !== null) await refuseIfClaimsCoverMoves(deps, subscription.id, change.effectiveDate, coverage);
    throw staleQuote();
  }
  return decided;
};

/** Withdraws a change waiting for its effective date: the run forgets its timer and nothing is applied. */
export const withdrawPolicyChange: Command<ChangeRef, SubscriptionChange> = async (caller, ref, deps) => {
  const { subscription, change } = await changeIn(caller, ref, 'scheduled');
  return decideOnChange<WithdrawPolicyChangeRequest>(caller, subscription, change, deps, withdrawPolicyChangeUpdate, {
    changeId: change.id,
  });
};

/**
 * A change as a person asks for it (POST /subscriptions/:id/changes): priced and recorded as a quote
 * to confirm, unless it changes only the holder's contact. That costs nothing, so there is no price
 * to agree to: it goes to the run at once and is answered applied (or scheduled for a later day).
 */
export const requestPolicyChange: Command<ChangeInput, SubscriptionChange> = async (caller, input, deps) => {
  const quoted = await quoteChange(caller, input, deps);
  // A repeat (same Idempotency-Key) of a contact change the run has decided on since answers it as it is now.
  if (isPricedChange(quoted) || quoted.status !== 'quoted') return quoted;
  try {
    return await applyPolicyChange(caller, { id: input.id, changeId: quoted.id }, deps);
  } catch (err) {
    // Refused, by the run's validator (another change in progress) or a check here: the client is told no, so no quote of
    // it stays for a later confirmation to apply. A run that did not answer (503, 504) may still decide it: that quote is
    // kept for the retry with the same key.
    if (err instanceof WorkflowUpdateFailedError) await discardRefusedContactChange(quoted, err.cause?.message ?? err.message, deps);
    else if (err instanceof ApiError && err.status < 500) await discardRefusedContactChange(quoted, err.message, deps);
    throw err;
  }
};

/** Removes a contact change the run refused, still quoted, with an audit event saying why. */
function discardRefusedContactChange(change: SubscriptionChange, reason: string, deps: CommandDeps): Promise<number> {
  return audited(
    deps,
    (transaction) => SubscriptionChange.destroy({ where: { id: change.id, status: 'quoted' }, transaction }),
    () => ({
      tenantId: change.tenantId,
      action: 'subscription.change_refuse',
      entityType: 'subscription_change',
      entityId: change.id,
      before: { status: change.status },
      after: { reason },
    }),
  );
}
